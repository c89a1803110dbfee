-- SMS that stays right under real provider behaviour (version 8).

-- Lookups counts QuerySendDetails calls that could not answer for a
-- message; after a bounded number it is left 'unknown' for staff.
ALTER TABLE messages ADD COLUMN lookups INTEGER NOT NULL DEFAULT 0;
-- The daily allowance the message counts against (chorus.Budget):
-- resident, partner or staff.
ALTER TABLE messages ADD COLUMN budget TEXT NOT NULL DEFAULT 'resident';
UPDATE messages SET budget = 'partner' WHERE kind IN ('partner_order','order_taken');
UPDATE messages SET budget = 'staff' WHERE kind = 'order_unclaimed';
CREATE INDEX messages_unknown ON messages(id) WHERE status = 'unknown';

-- told is 0 for a partner of a wave whose 派单 SMS could not be sent (its
-- budget was spent, it opted out): it was skipped, not asked.
ALTER TABLE order_offers ADD COLUMN told INTEGER NOT NULL DEFAULT 1;
