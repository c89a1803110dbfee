-- The national holiday calendar (issue 19, version 24): the 法定节假日
-- (kind 'holiday') and 调休上班 days (kind 'workday') the 国务院办公厅
-- announces each year, imported from a holiday-cn file, never fetched.
-- Deployment-wide: every community keeps the same holidays.
CREATE TABLE calendar_days (
	date        TEXT PRIMARY KEY, -- 2026-10-01
	kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name        TEXT NOT NULL,
	source      TEXT NOT NULL DEFAULT '',
	imported_ms INTEGER NOT NULL
);
