-- SMS replies, receipts and reminders (version 2).

-- Replies received (SmsUp). A repeated push of the same reply is ignored.
CREATE TABLE sms_inbox (
	id          INTEGER PRIMARY KEY,
	phone       TEXT NOT NULL,
	content     TEXT NOT NULL,
	sequence_id TEXT NOT NULL,
	dest_code   TEXT NOT NULL DEFAULT '',
	sent_ms     INTEGER,
	received_ms INTEGER NOT NULL,
	intent      TEXT NOT NULL,
	order_no    INTEGER NOT NULL DEFAULT 0,
	message_id  INTEGER REFERENCES messages(id), -- the message it answered
	outcome     TEXT NOT NULL DEFAULT '',
	handled     INTEGER NOT NULL DEFAULT 0,
	UNIQUE (phone, sequence_id)
);
CREATE INDEX sms_inbox_unhandled ON sms_inbox(handled, id);

-- Delivery receipts seen (SmsReport), to ignore repeated pushes.
CREATE TABLE sms_receipts (
	biz_id      TEXT NOT NULL,
	phone       TEXT NOT NULL,
	out_id      INTEGER,
	success     INTEGER NOT NULL,
	err_code    TEXT NOT NULL DEFAULT '',
	received_ms INTEGER NOT NULL,
	PRIMARY KEY (biz_id, phone)
);

CREATE INDEX messages_expecting ON messages(phone, id) WHERE expects_reply = 1;
CREATE INDEX messages_biz ON messages(biz_id) WHERE biz_id != '';

ALTER TABLE bookings ADD COLUMN reminded_ms INTEGER;
