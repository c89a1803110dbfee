-- Operations and the staff side hardened (version 10): login throttling by
-- known device, before/after values in the audit log, and a small table of
-- facts about the file itself (when a backup was taken, the readiness probe).

ALTER TABLE login_failures ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_device ON login_failures(device, at_ms);

-- Browsers a staff member has logged in from; the token is kept only as
-- its SHA-256 hash (hex). A known device is not held back by guesses made
-- elsewhere at the same username or address.
CREATE TABLE known_devices (
	token_hash TEXT PRIMARY KEY,
	staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
	created_ms INTEGER NOT NULL,
	last_ms    INTEGER NOT NULL
);
CREATE INDEX known_devices_staff ON known_devices(staff_id);

-- What a change looked like before and after (JSON), for 审计.
ALTER TABLE audit_log ADD COLUMN before TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after TEXT NOT NULL DEFAULT '';

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
