-- Term classes (公益培训, version 22): a partner's teacher gives a class at a
-- place once a week from a first to a last date; each week is a session,
-- scheduled, skipped (a holiday the staff named) or cancelled (teacher
-- ill). A class is its community's, like events and programmes.
--
-- Term enrolment reuses the programmes' (托管) enrolments, waitlist, offers
-- and SMS reply 1: each class has a programme of kind 'class' that holds
-- its places (title, place, partner, term and capacity kept in step with
-- the class); the 托管 lists show kind 'childcare' only.
ALTER TABLE programmes ADD COLUMN kind TEXT NOT NULL DEFAULT 'childcare';
CREATE TABLE classes (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	title        TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	teacher      TEXT NOT NULL,
	partner_id   INTEGER NOT NULL REFERENCES partners(id),
	place_id     INTEGER NOT NULL REFERENCES places(id),
	programme_id INTEGER NOT NULL UNIQUE REFERENCES programmes(id),
	weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_time   TEXT NOT NULL,
	end_time     TEXT NOT NULL,
	first_date   TEXT NOT NULL,
	last_date    TEXT NOT NULL,
	skipped      TEXT NOT NULL DEFAULT '[]', -- JSON [{from,to,reason}]
	capacity     INTEGER NOT NULL CHECK (capacity > 0),
	min_age      INTEGER NOT NULL DEFAULT 0,
	max_age      INTEGER NOT NULL DEFAULT 0,
	status       TEXT NOT NULL DEFAULT 'open',
	created_ms   INTEGER NOT NULL
);
CREATE INDEX classes_community ON classes(community_id, first_date);

CREATE TABLE class_sessions (
	id         INTEGER PRIMARY KEY,
	class_id   INTEGER NOT NULL REFERENCES classes(id),
	date       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'skipped', 'cancelled')),
	reason     TEXT NOT NULL DEFAULT '',
	changed_ms INTEGER,
	UNIQUE (class_id, date)
);

-- Attendance per session: one mark per enrolled resident, by staff or a
-- check-in. A resident missing 3 held sessions in a row is asked once by
-- SMS whether to keep the place (class_keep remembers the last session
-- asked about).
CREATE TABLE class_attendance (
	session_id   INTEGER NOT NULL REFERENCES class_sessions(id),
	enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
	mark         TEXT NOT NULL CHECK (mark IN ('present', 'absent')),
	at_ms        INTEGER NOT NULL,
	actor        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (session_id, enrolment_id)
);

CREATE TABLE class_keep (
	enrolment_id INTEGER PRIMARY KEY REFERENCES enrolments(id),
	asked_date   TEXT NOT NULL,
	asked_ms     INTEGER NOT NULL
);
