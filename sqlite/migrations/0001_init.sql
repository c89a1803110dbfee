-- Chorus schema, version 1. Times are Unix milliseconds (UTC); dates of
-- programmes and orders are local YYYY-MM-DD text.

CREATE TABLE community (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	name      TEXT NOT NULL,
	sign_name TEXT NOT NULL
);

CREATE TABLE places (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE estates (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL UNIQUE,
	property_management INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE partners (
	id        INTEGER PRIMARY KEY,
	name      TEXT NOT NULL,
	kind      TEXT NOT NULL,
	services  TEXT NOT NULL DEFAULT '[]', -- JSON array of service kinds
	estates   TEXT NOT NULL DEFAULT '[]', -- JSON array of estate ids; empty = all
	opens_at  TEXT NOT NULL DEFAULT '00:00',
	closes_at TEXT NOT NULL DEFAULT '00:00',
	priority  INTEGER NOT NULL DEFAULT 0,
	active    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE partner_phones (
	partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
	phone      TEXT NOT NULL,
	PRIMARY KEY (phone, partner_id)
);

CREATE TABLE residents (
	id           INTEGER PRIMARY KEY,
	phone        TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL DEFAULT '',
	estate_id    INTEGER REFERENCES estates(id),
	building     TEXT NOT NULL DEFAULT '',
	unit         TEXT NOT NULL DEFAULT '',
	room         TEXT NOT NULL DEFAULT '',
	opted_out_ms INTEGER, -- when the phone replied R/TD/退订
	created_ms   INTEGER NOT NULL
);

CREATE TABLE family_contacts (
	resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
	phone       TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	relation    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (resident_id, phone)
);

CREATE TABLE events (
	id             INTEGER PRIMARY KEY,
	kind           TEXT NOT NULL,
	title          TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	place_id       INTEGER NOT NULL REFERENCES places(id),
	partner_id     INTEGER REFERENCES partners(id),
	waitlist       INTEGER NOT NULL DEFAULT 0,
	cutoff_minutes INTEGER NOT NULL DEFAULT 0,
	status         TEXT NOT NULL DEFAULT 'open',
	created_ms     INTEGER NOT NULL
);

CREATE TABLE slots (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES events(id),
	start_ms INTEGER NOT NULL,
	end_ms   INTEGER NOT NULL,
	capacity INTEGER NOT NULL CHECK (capacity > 0),
	taken    INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity)
);
CREATE INDEX slots_event ON slots(event_id, start_ms);

CREATE TABLE bookings (
	id            INTEGER PRIMARY KEY,
	event_id      INTEGER NOT NULL REFERENCES events(id),
	slot_id       INTEGER NOT NULL REFERENCES slots(id),
	phone         TEXT NOT NULL,
	name          TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL,
	code          TEXT NOT NULL,
	deadline_ms   INTEGER, -- pending: confirm by; offered: offer expires
	checked_in_ms INTEGER,
	source        TEXT NOT NULL DEFAULT '',
	idem_key      TEXT UNIQUE,
	created_ms    INTEGER NOT NULL,
	updated_ms    INTEGER NOT NULL
);
-- One live booking per phone per event; check-in codes unique among an
-- event's live bookings.
CREATE UNIQUE INDEX bookings_live_phone ON bookings(event_id, phone)
	WHERE status IN ('pending','confirmed','checked_in','waitlisted','offered');
CREATE UNIQUE INDEX bookings_live_code ON bookings(event_id, code)
	WHERE status IN ('pending','confirmed','checked_in','waitlisted','offered');
CREATE INDEX bookings_slot_status ON bookings(slot_id, status, id);
CREATE INDEX bookings_phone ON bookings(phone);
CREATE INDEX bookings_deadline ON bookings(deadline_ms) WHERE status IN ('pending','offered');

CREATE TABLE programmes (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	place_id    INTEGER NOT NULL REFERENCES places(id),
	partner_id  INTEGER REFERENCES partners(id),
	start_date  TEXT NOT NULL,
	end_date    TEXT NOT NULL,
	min_age     INTEGER NOT NULL,
	max_age     INTEGER NOT NULL,
	capacity    INTEGER NOT NULL CHECK (capacity > 0),
	taken       INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity),
	status      TEXT NOT NULL DEFAULT 'open',
	created_ms  INTEGER NOT NULL
);

CREATE TABLE enrolments (
	id           INTEGER PRIMARY KEY,
	programme_id INTEGER NOT NULL REFERENCES programmes(id),
	phone        TEXT NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	deadline_ms  INTEGER,
	idem_key     TEXT UNIQUE,
	created_ms   INTEGER NOT NULL,
	updated_ms   INTEGER NOT NULL
);
CREATE UNIQUE INDEX enrolments_live_phone ON enrolments(programme_id, phone)
	WHERE status IN ('pending','confirmed','checked_in','waitlisted','offered');
CREATE INDEX enrolments_programme_status ON enrolments(programme_id, status, id);

CREATE TABLE enrolment_children (
	id           INTEGER PRIMARY KEY,
	enrolment_id INTEGER NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	age          INTEGER NOT NULL
);

CREATE TABLE transitions (
	id           INTEGER PRIMARY KEY,
	booking_id   INTEGER REFERENCES bookings(id),
	enrolment_id INTEGER REFERENCES enrolments(id),
	from_status  TEXT NOT NULL,
	to_status    TEXT NOT NULL,
	at_ms        INTEGER NOT NULL,
	actor        TEXT NOT NULL,
	reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transitions_booking ON transitions(booking_id);
CREATE INDEX transitions_enrolment ON transitions(enrolment_id);

CREATE TABLE orders (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,
	phone      TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	estate_id  INTEGER REFERENCES estates(id),
	building   TEXT NOT NULL DEFAULT '',
	unit       TEXT NOT NULL DEFAULT '',
	room       TEXT NOT NULL DEFAULT '',
	day        TEXT NOT NULL DEFAULT '',
	half_day   TEXT NOT NULL DEFAULT '',
	notes      TEXT NOT NULL DEFAULT '',
	urgent     INTEGER NOT NULL DEFAULT 0,
	status     TEXT NOT NULL,
	partner_id INTEGER REFERENCES partners(id),
	idem_key   TEXT UNIQUE,
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL
);
CREATE INDEX orders_status ON orders(status, id);
CREATE INDEX orders_phone ON orders(phone);

CREATE TABLE order_events (
	id       INTEGER PRIMARY KEY,
	order_id INTEGER NOT NULL REFERENCES orders(id),
	at_ms    INTEGER NOT NULL,
	status   TEXT NOT NULL,
	actor    TEXT NOT NULL,
	note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_events_order ON order_events(order_id);

-- The SMS outbox: written in the same transaction as the change that causes
-- the message; its id is the provider's OutId.
CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	phone           TEXT NOT NULL,
	kind            TEXT NOT NULL,
	params          TEXT NOT NULL DEFAULT '{}',
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL,
	biz_id          TEXT NOT NULL DEFAULT '',
	err_code        TEXT NOT NULL DEFAULT '',
	err_msg         TEXT NOT NULL DEFAULT '',
	expects_reply   INTEGER NOT NULL DEFAULT 0,
	booking_id      INTEGER REFERENCES bookings(id),
	enrolment_id    INTEGER REFERENCES enrolments(id),
	order_id        INTEGER REFERENCES orders(id),
	created_ms      INTEGER NOT NULL,
	updated_ms      INTEGER NOT NULL
);
CREATE INDEX messages_due ON messages(status, next_attempt_ms) WHERE status IN ('queued','sending');
CREATE INDEX messages_phone ON messages(phone, created_ms);
