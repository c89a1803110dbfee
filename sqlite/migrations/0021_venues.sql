-- Partner venues (issue 19, version 21).
--
-- DECISION: a venue IS a place. Its row stays in places (events, classes of
-- 0022, kiosks keep pointing at places.id); what makes it a partner's venue
-- lives in venues, keyed by place_id. A place without a venues row is the
-- community's own room, as before. The place and its venues row belong to
-- the community that uses it (community_id); the partner is shared and must
-- be linked to that community (partner_communities).
CREATE TABLE venues (
	place_id       INTEGER PRIMARY KEY REFERENCES places(id) ON DELETE CASCADE,
	partner_id     INTEGER NOT NULL REFERENCES partners(id),
	community_id   INTEGER NOT NULL DEFAULT 1,
	kind           TEXT NOT NULL DEFAULT '',        -- 礼堂, 体育馆, 声乐室, 图书室 …
	capacity       INTEGER NOT NULL CHECK (capacity > 0),
	buffer_minutes INTEGER NOT NULL DEFAULT 0,      -- kept free before and after each use
	answer_hours   INTEGER NOT NULL DEFAULT 24,     -- a request unanswered this long before its start expires
	approvers      TEXT NOT NULL DEFAULT '[]',      -- JSON phones; [] = the partner's phones
	notes          TEXT NOT NULL DEFAULT ''         -- entrance notes
);
CREATE INDEX venues_community ON venues(community_id);

-- Opening rules: on the weekdays listed (JSON [1..7], Monday = 1), from
-- start to end (local HH:MM); mode 'event' lends the room whole, mode
-- 'open' lets residents book one of places places.
CREATE TABLE venue_hours (
	id       INTEGER PRIMARY KEY,
	place_id INTEGER NOT NULL REFERENCES venues(place_id) ON DELETE CASCADE,
	weekdays TEXT NOT NULL,
	start    TEXT NOT NULL,
	end      TEXT NOT NULL,
	mode     TEXT NOT NULL CHECK (mode IN ('event','open')),
	places   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX venue_hours_place ON venue_hours(place_id);

-- Closures: from_date to to_date (local YYYY-MM-DD, both included).
CREATE TABLE venue_closures (
	id         INTEGER PRIMARY KEY,
	place_id   INTEGER NOT NULL REFERENCES venues(place_id) ON DELETE CASCADE,
	from_date  TEXT NOT NULL,
	to_date    TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL
);
CREATE INDEX venue_closures_place ON venue_closures(place_id, from_date);

-- Requests to use a venue: one per event (its span), answered by the
-- partner by SMS (同意N / 不同意N / later 取消N, N = id). Pending and
-- approved requests hold the room.
CREATE TABLE venue_requests (
	id           INTEGER PRIMARY KEY,
	place_id     INTEGER NOT NULL REFERENCES venues(place_id),
	event_id     INTEGER NOT NULL REFERENCES events(id),
	community_id INTEGER NOT NULL DEFAULT 1,
	start_ms     INTEGER NOT NULL,
	end_ms       INTEGER NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending','approved','refused','expired','withdrawn','cancelled')),
	open_status  TEXT NOT NULL DEFAULT 'open',   -- the event's status once approved
	deadline_ms  INTEGER,                        -- pending: expires then
	decided_by   TEXT NOT NULL DEFAULT '',       -- the phone (or staff) that decided
	decided_ms   INTEGER,
	reason       TEXT NOT NULL DEFAULT '',
	created_ms   INTEGER NOT NULL
);
CREATE INDEX venue_requests_place ON venue_requests(place_id, start_ms) WHERE status IN ('pending','approved');
CREATE INDEX venue_requests_event ON venue_requests(event_id);
CREATE INDEX venue_requests_deadline ON venue_requests(deadline_ms) WHERE status = 'pending';

-- Open hours as bookable slots: one event of kind 'venue' per venue per
-- week (week = its Monday, local YYYY-MM-DD), whose slots are the week's
-- open-hours blocks with the resident places as capacity, so booking, SMS,
-- check-in and no-shows are the events' own. event_id is NULL when the
-- week had no block.
CREATE TABLE venue_weeks (
	place_id INTEGER NOT NULL REFERENCES venues(place_id) ON DELETE CASCADE,
	week     TEXT NOT NULL,
	event_id INTEGER REFERENCES events(id),
	PRIMARY KEY (place_id, week)
);
