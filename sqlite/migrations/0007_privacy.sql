-- Resident privacy and abuse (version 7): which kiosk made a booking or
-- an order (to bound a kiosk's unconfirmed bookings), orders made at a
-- kiosk waiting for the resident's reply 1, and SMS verification codes.

ALTER TABLE bookings ADD COLUMN kiosk_id INTEGER;
CREATE INDEX bookings_pending_kiosk ON bookings(kiosk_id) WHERE status = 'pending';
CREATE INDEX bookings_pending_phone ON bookings(phone) WHERE status = 'pending';

ALTER TABLE orders ADD COLUMN kiosk_id INTEGER;
-- 1 while an order made at a kiosk waits for the reply 1 from its phone;
-- it is dispatched only then. confirm_by_ms: cancelled unanswered after it.
ALTER TABLE orders ADD COLUMN awaiting_reply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN confirm_by_ms INTEGER;
CREATE INDEX orders_awaiting ON orders(phone) WHERE awaiting_reply = 1;

-- One row per verification code sent; the code itself is kept only as a
-- SHA-256 hash.
CREATE TABLE verifications (
	id         INTEGER PRIMARY KEY,
	phone      TEXT NOT NULL,
	kiosk_id   INTEGER,
	code_hash  TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	expires_ms INTEGER NOT NULL,
	tries      INTEGER NOT NULL DEFAULT 0,
	used_ms    INTEGER
);
CREATE INDEX verifications_phone ON verifications(phone, id);
