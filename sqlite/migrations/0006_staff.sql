-- Staff accounts, sessions, login throttling and the audit log (version 6).

CREATE TABLE staff (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('admin','staff')),
	password_hash TEXT NOT NULL, -- bcrypt
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_ms    INTEGER NOT NULL
);

-- A session's token is kept only as its SHA-256 hash (hex).
CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
	csrf         TEXT NOT NULL,
	created_ms   INTEGER NOT NULL,
	last_seen_ms INTEGER NOT NULL,
	expires_ms   INTEGER NOT NULL
);
CREATE INDEX sessions_staff ON sessions(staff_id);

-- Failed logins, to throttle guessing by username and by address.
CREATE TABLE login_failures (
	id       INTEGER PRIMARY KEY,
	username TEXT NOT NULL,
	addr     TEXT NOT NULL,
	at_ms    INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at_ms);
CREATE INDEX login_failures_addr ON login_failures(addr, at_ms);

CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	at_ms    INTEGER NOT NULL,
	staff_id INTEGER REFERENCES staff(id),
	username TEXT NOT NULL,
	action   TEXT NOT NULL,
	detail   TEXT NOT NULL DEFAULT ''
);
