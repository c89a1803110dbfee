-- Check-in tokens and server secrets (version 4).

-- Secrets made at first start (the check-in token key).
CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

-- The nonce of a booking's check-in token (see chorus.NewCheckinToken).
ALTER TABLE bookings ADD COLUMN token_nonce TEXT;
CREATE UNIQUE INDEX bookings_token ON bookings(token_nonce) WHERE token_nonce IS NOT NULL;

-- The key that signs check-in tokens, made once here: SQLite's randomblob
-- draws from its own generator seeded by the operating system.
INSERT INTO secrets (name, value) VALUES ('checkin_token_key', randomblob(32));
