-- Voice calls (issue 21): a resident's channel, the channel of each
-- outbox message, and the calls placed (for the provider's per-number
-- limits, the daily budget and the retry after no answer).
ALTER TABLE residents ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';
ALTER TABLE messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';

CREATE TABLE calls (
	id          INTEGER PRIMARY KEY,
	message_id  INTEGER NOT NULL REFERENCES messages(id),
	phone       TEXT NOT NULL,
	call_id     TEXT NOT NULL DEFAULT '', -- the provider's CallId; '' when the placing got no answer
	placed_ms   INTEGER NOT NULL,
	outcome     TEXT NOT NULL DEFAULT '', -- chorus.CallOutcome once known
	key         TEXT NOT NULL DEFAULT '', -- the key pressed
	duration_s  INTEGER NOT NULL DEFAULT 0,
	ended_ms    INTEGER,
	staff_call  INTEGER NOT NULL DEFAULT 0 -- 1: staff should phone the resident (no answer, no key)
);
CREATE INDEX calls_phone ON calls(phone, placed_ms);
CREATE INDEX calls_message ON calls(message_id);
CREATE INDEX calls_call_id ON calls(call_id) WHERE call_id != '';

-- The pushes already applied, by their dedupe key (voice.Event.DedupeKey,
-- voice.Report.DedupeKey): the provider repeats them.
CREATE TABLE voice_pushes (
	key     TEXT PRIMARY KEY,
	seen_ms INTEGER NOT NULL
);
