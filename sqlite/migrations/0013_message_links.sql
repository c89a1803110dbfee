-- The messages of a booking, an enrolment or an order are read on every
-- request's answer (which SMS it sent) and on every reply: find them by
-- their link, not by scanning a phone's messages.
CREATE INDEX messages_booking ON messages(booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX messages_enrolment ON messages(enrolment_id) WHERE enrolment_id IS NOT NULL;
CREATE INDEX messages_order ON messages(order_id) WHERE order_id IS NOT NULL;
