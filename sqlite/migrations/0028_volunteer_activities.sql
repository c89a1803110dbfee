-- Volunteer activities (issue 20, version 28): an activity (靓丽星期五)
-- has shifts (a time window, a task, how many people); volunteers sign
-- up for a shift (a place, or the waitlist) and their check-in and
-- check-out there are the presence their hours are computed from.
CREATE TABLE volunteer_activities (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	kind         TEXT NOT NULL,
	title        TEXT NOT NULL,
	place        TEXT NOT NULL,
	leader_id    INTEGER REFERENCES volunteers(id),
	partners     TEXT NOT NULL DEFAULT '[]',       -- JSON array of partner ids taking part
	weekly       INTEGER NOT NULL DEFAULT 0,
	status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
	created_ms   INTEGER NOT NULL
);
CREATE INDEX volunteer_activities_community ON volunteer_activities(community_id, status);

CREATE TABLE volunteer_shifts (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	activity_id  INTEGER NOT NULL REFERENCES volunteer_activities(id),
	start_ms     INTEGER NOT NULL,
	end_ms       INTEGER NOT NULL CHECK (end_ms > start_ms),
	task         TEXT NOT NULL,
	capacity     INTEGER NOT NULL CHECK (capacity > 0),
	taken        INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity),
	called_ms    INTEGER,                          -- the SMS call-out went
	reminded_ms  INTEGER,                          -- the reminder the day before went
	created_ms   INTEGER NOT NULL
);
CREATE INDEX volunteer_shifts_start ON volunteer_shifts(community_id, start_ms);
CREATE INDEX volunteer_shifts_activity ON volunteer_shifts(activity_id, start_ms);

CREATE TABLE volunteer_signups (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	shift_id     INTEGER NOT NULL REFERENCES volunteer_shifts(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	channel      TEXT NOT NULL CHECK (channel IN ('sms', 'kiosk', 'staff')),
	status       TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlist', 'cancelled')),
	code         TEXT NOT NULL,                     -- the volunteer's code, typed at the door to check in and out
	checkin_ms   INTEGER,
	checkout_ms  INTEGER,
	presence_by  TEXT NOT NULL DEFAULT '',          -- who recorded the last check-in or out
	to_staff     TEXT NOT NULL DEFAULT '',          -- why staff must settle the hours (no check-out …)
	created_ms   INTEGER NOT NULL,
	updated_ms   INTEGER NOT NULL,
	UNIQUE (shift_id, volunteer_id),
	UNIQUE (shift_id, code)
);
CREATE INDEX volunteer_signups_volunteer ON volunteer_signups(volunteer_id, status);
CREATE INDEX volunteer_signups_shift ON volunteer_signups(shift_id, status, created_ms);

-- Who a call-out went to: nobody is texted twice about one shift.
CREATE TABLE volunteer_callouts (
	shift_id     INTEGER NOT NULL REFERENCES volunteer_shifts(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	created_ms   INTEGER NOT NULL,
	PRIMARY KEY (shift_id, volunteer_id)
);
