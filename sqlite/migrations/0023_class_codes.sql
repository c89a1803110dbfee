-- Class check-in codes (version 23): an enrolment in a term class gets a
-- 6-digit code when it is made, unique among the class's live enrolments,
-- typed at each session's door as a booking's code is at an event's.
-- Enrolments made before this version (and 托管 enrolments) keep ''.
ALTER TABLE enrolments ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE INDEX enrolments_programme_code ON enrolments(programme_id, code) WHERE code != '';
