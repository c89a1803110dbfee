-- Kiosks and their announcements (version 3).

-- A kiosk's token and pairing code are kept only as SHA-256 hashes (hex).
-- A pairing code is cleared when used; pairing sets a new token.
CREATE TABLE kiosks (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	place_id        INTEGER NOT NULL REFERENCES places(id),
	mode_kind       TEXT NOT NULL DEFAULT 'booking',
	mode_event_id   INTEGER REFERENCES events(id),
	mode_message    TEXT NOT NULL DEFAULT '',
	idle_seconds    INTEGER NOT NULL DEFAULT 90,
	text_size       INTEGER NOT NULL DEFAULT 0,
	printer         INTEGER NOT NULL DEFAULT 0,
	token_hash      TEXT UNIQUE,
	pair_hash       TEXT UNIQUE,
	pair_expires_ms INTEGER,
	paired_ms       INTEGER,
	revoked_ms      INTEGER,
	created_ms      INTEGER NOT NULL
);

-- kiosk_id and place_id both NULL: every kiosk.
CREATE TABLE announcements (
	id         INTEGER PRIMARY KEY,
	text       TEXT NOT NULL,
	speak      INTEGER NOT NULL DEFAULT 0,
	kiosk_id   INTEGER REFERENCES kiosks(id),
	place_id   INTEGER REFERENCES places(id),
	expires_ms INTEGER NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE INDEX announcements_expires ON announcements(expires_ms);
