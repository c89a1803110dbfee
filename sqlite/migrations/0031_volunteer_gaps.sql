-- Issue 20, the gaps closed after the merge.

-- A staff member's own mobile (optional, set by an admin): the staff
-- routes refuse to confirm the hours of the volunteer with that phone, so
-- a staff member who also volunteers never confirms their own hours.
ALTER TABLE staff ADD COLUMN phone TEXT;

-- A claim the resident said was not true (reply 2 or 不属实 to the hours
-- SMS): it waits for staff, who call the resident.
ALTER TABLE hours_claims ADD COLUMN disputed_ms INTEGER;

-- When the activity's leader was sent the shift's proposed hours to
-- confirm (回复确认N), once per shift.
ALTER TABLE volunteer_shifts ADD COLUMN leader_asked_ms INTEGER;
