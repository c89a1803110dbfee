-- Dispatching orders to partners in waves (version 5).

ALTER TABLE orders ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN wave_deadline_ms INTEGER;   -- when the next wave goes out
ALTER TABLE orders ADD COLUMN first_dispatch_ms INTEGER;  -- for the time to accept
ALTER TABLE orders ADD COLUMN accepted_ms INTEGER;
ALTER TABLE orders ADD COLUMN done_ms INTEGER;
ALTER TABLE orders ADD COLUMN escalated_ms INTEGER;       -- nobody accepted; staff alerted
CREATE INDEX orders_wave_deadline ON orders(wave_deadline_ms) WHERE status IN ('requested','dispatched');

-- Which partners were sent an order, in which wave; gave_back marks one
-- that returned it (退), so it is not asked again.
CREATE TABLE order_offers (
	order_id   INTEGER NOT NULL REFERENCES orders(id),
	partner_id INTEGER NOT NULL REFERENCES partners(id),
	wave       INTEGER NOT NULL,
	sent_ms    INTEGER NOT NULL,
	gave_back  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (order_id, partner_id)
);
CREATE INDEX order_offers_partner ON order_offers(partner_id);
