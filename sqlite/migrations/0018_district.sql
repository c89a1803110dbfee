-- A district of communities on one deployment (version 18). Every record
-- of a community carries its community_id; what a database made before
-- districts holds becomes community 1's, nothing else changes.

-- The community table loses its CHECK (id = 1) and gains the settings a
-- community may hold apart from the deployment's ('' = the deployment's).
CREATE TABLE community_new (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	sign_name   TEXT NOT NULL,
	time_zone   TEXT NOT NULL DEFAULT '',
	staff_phone TEXT NOT NULL DEFAULT '',
	push_secret TEXT NOT NULL DEFAULT '',
	templates   TEXT NOT NULL DEFAULT '{}', -- JSON: message kind -> template code
	created_ms  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO community_new (id, name, sign_name) SELECT id, name, sign_name FROM community;
-- Community 1 exists from now on, named or not ('' until set up), so that
-- the rows below may refer to it.
INSERT OR IGNORE INTO community_new (id, name, sign_name) VALUES (1, '', '');
DROP TABLE community;
ALTER TABLE community_new RENAME TO community;
CREATE UNIQUE INDEX community_name ON community(name) WHERE name <> '';
CREATE UNIQUE INDEX community_push_secret ON community(push_secret) WHERE push_secret <> '';

-- A community's records. No REFERENCES: SQLite cannot add a column with
-- both a foreign key and a default; the store keeps them consistent.
ALTER TABLE places        ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE estates       ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE residents     ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events        ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE programmes    ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE orders        ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE messages      ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sms_inbox     ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE kiosks        ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE announcements ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE calls         ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log     ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX places_community ON places(community_id);
CREATE INDEX estates_community ON estates(community_id);
CREATE INDEX residents_community ON residents(community_id);
CREATE INDEX events_community ON events(community_id, status);
CREATE INDEX programmes_community ON programmes(community_id, status);
CREATE INDEX orders_community ON orders(community_id, status);
CREATE INDEX messages_community ON messages(community_id, id);
CREATE INDEX sms_inbox_community ON sms_inbox(community_id, id);
CREATE INDEX kiosks_community ON kiosks(community_id);

-- An event a community opens to the whole district: every community's
-- kiosks show it, labelled with its host.
ALTER TABLE events ADD COLUMN district_open INTEGER NOT NULL DEFAULT 0;

-- Staff: a role per community (one person may work for two), and the
-- district admin, who works for every community.
CREATE TABLE staff_communities (
	staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
	community_id INTEGER NOT NULL REFERENCES community(id),
	role         TEXT NOT NULL CHECK (role IN ('admin','staff')),
	PRIMARY KEY (staff_id, community_id)
);
INSERT INTO staff_communities (staff_id, community_id, role) SELECT id, 1, role FROM staff;
ALTER TABLE staff ADD COLUMN district INTEGER NOT NULL DEFAULT 0;
-- The community a session acts in, switched in the console.
ALTER TABLE sessions ADD COLUMN community_id INTEGER NOT NULL DEFAULT 1;

-- Partners are the deployment's; which communities each serves, and in
-- each which services and estates (JSON arrays; estates empty = all the
-- community's). Existing partners serve community 1 as before.
CREATE TABLE partner_communities (
	partner_id   INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
	community_id INTEGER NOT NULL REFERENCES community(id),
	services     TEXT NOT NULL DEFAULT '[]',
	estates      TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (partner_id, community_id)
);
CREATE INDEX partner_communities_community ON partner_communities(community_id);
INSERT INTO partner_communities (partner_id, community_id, services, estates)
	SELECT id, 1, services, estates FROM partners;
