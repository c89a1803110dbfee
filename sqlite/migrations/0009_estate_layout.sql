-- Estates know their layout (issue 13): how many buildings and how many
-- entrances (单元) a building has, so that a kiosk offers only those.
-- 0: not entered yet.
ALTER TABLE estates ADD COLUMN buildings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE estates ADD COLUMN units INTEGER NOT NULL DEFAULT 0;
