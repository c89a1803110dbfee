-- Venue rules per kind of day, rebuilt open hours, partners' notices and
-- residents' quotas (issue 19, version 26).
--
-- An opening rule applies to ordinary days on the weekdays it lists
-- (day_kind 'weekday', as before), to 法定节假日 ('holiday') or to 调休上班
-- days ('workday'). A venue without a 'workday' rule opens on a 调休上班 day
-- as on the weekday the calendar says the day follows (calendar_days.follows,
-- 1 = Monday … 5 = Friday; 0 = not said: Monday).
ALTER TABLE venue_hours ADD COLUMN day_kind TEXT NOT NULL DEFAULT 'weekday'
	CHECK (day_kind IN ('weekday', 'holiday', 'workday'));
ALTER TABLE calendar_days ADD COLUMN follows INTEGER NOT NULL DEFAULT 0;

-- Residents' quotas of a venue's open hours: at most week_limit bookings a
-- week (Monday to Sunday, local) and at_once not yet over; 0 = no limit.
ALTER TABLE venues ADD COLUMN week_limit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE venues ADD COLUMN at_once INTEGER NOT NULL DEFAULT 0;

-- Notices to partners sent once: the reminder of a venue's next day
-- (kind 'venue_day', subject the place id, period its date) and the
-- monthly summary (kind 'partner_month', subject 'partner:community',
-- period 2026-11). A row is written in the transaction that queues the
-- SMS, so a restart never sends one twice.
CREATE TABLE partner_notices (
	kind      TEXT NOT NULL,
	subject   TEXT NOT NULL,
	period    TEXT NOT NULL,
	queued_ms INTEGER NOT NULL,
	PRIMARY KEY (kind, subject, period)
);

-- A resident may hold one live booking per event, but one per session
-- (slot) of a venue's open-hours week (per_slot = 1), so that the week's
-- limit above means something: Tuesday and Thursday of one week are two
-- bookings of one event.
ALTER TABLE bookings ADD COLUMN per_slot INTEGER NOT NULL DEFAULT 0;
DROP INDEX bookings_live_phone;
CREATE UNIQUE INDEX bookings_live_phone ON bookings(event_id, phone, (CASE per_slot WHEN 1 THEN slot_id ELSE 0 END))
	WHERE status IN ('pending','confirmed','checked_in','waitlisted','offered');
