-- Estate names are unique within a community, no longer in the whole
-- deployment (version 19): two communities of a district may each have a
-- 1号院. The UNIQUE of the name column cannot be dropped, so the table is
-- rebuilt with the same ids. Foreign keys stay on during a migration (a
-- transaction cannot turn them off), so the residents' and orders'
-- references are set aside while the old table is dropped and put back
-- after: every step keeps the constraints, and the commit finds nothing
-- dangling.
CREATE TEMP TABLE estate_refs (tbl TEXT NOT NULL, id INTEGER NOT NULL, estate_id INTEGER NOT NULL);
INSERT INTO estate_refs SELECT 'residents', id, estate_id FROM residents WHERE estate_id IS NOT NULL;
INSERT INTO estate_refs SELECT 'orders', id, estate_id FROM orders WHERE estate_id IS NOT NULL;
UPDATE residents SET estate_id = NULL WHERE estate_id IS NOT NULL;
UPDATE orders SET estate_id = NULL WHERE estate_id IS NOT NULL;

CREATE TABLE estates_new (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL,
	property_management INTEGER NOT NULL DEFAULT 0,
	buildings           INTEGER NOT NULL DEFAULT 0,
	units               INTEGER NOT NULL DEFAULT 0,
	community_id        INTEGER NOT NULL DEFAULT 1
);
INSERT INTO estates_new (id, name, property_management, buildings, units, community_id)
	SELECT id, name, property_management, buildings, units, community_id FROM estates;
DROP TABLE estates;
ALTER TABLE estates_new RENAME TO estates;
CREATE INDEX estates_community ON estates(community_id);
CREATE UNIQUE INDEX estates_community_name ON estates(community_id, name);

UPDATE residents SET estate_id = (SELECT r.estate_id FROM estate_refs r WHERE r.tbl = 'residents' AND r.id = residents.id)
	WHERE id IN (SELECT id FROM estate_refs WHERE tbl = 'residents');
UPDATE orders SET estate_id = (SELECT r.estate_id FROM estate_refs r WHERE r.tbl = 'orders' AND r.id = orders.id)
	WHERE id IN (SELECT id FROM estate_refs WHERE tbl = 'orders');
DROP TABLE estate_refs;
