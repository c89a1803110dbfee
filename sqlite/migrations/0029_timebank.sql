-- The time bank (issue 20, version 29): each community's rules, residents'
-- birth years (who may spend hours), and help requests dispatched to
-- volunteers in waves like partner orders. The ledger itself is 0027's.

-- A community's rules as JSON (chorus.BankRules); none: the defaults.
CREATE TABLE bank_rules (
	community_id INTEGER PRIMARY KEY,
	rules        TEXT NOT NULL,
	updated_by   TEXT NOT NULL,
	updated_ms   INTEGER NOT NULL
);

-- The year a resident was born, entered by staff: spending hours on help
-- starts at an age (chorus.CheckRedeemer). NULL: not entered.
ALTER TABLE residents ADD COLUMN birth_year INTEGER;

-- A claim pays its helper once: an earn (0027's index) or a redeem.
CREATE UNIQUE INDEX bank_transfers_claim_redeem ON bank_transfers(claim_id) WHERE claim_id IS NOT NULL AND kind = 'redeem';

-- Help a resident asked for (我要求助): one service on a day's half,
-- dispatched to volunteers in waves until one accepts (接N), reported done
-- by the volunteer (完成N 1.5) or staff as an hours claim (source 'help'),
-- and confirmed by the resident's reply 1 or staff.
CREATE TABLE help_requests (
	id            INTEGER PRIMARY KEY,
	community_id  INTEGER NOT NULL DEFAULT 1,
	resident_id   INTEGER NOT NULL REFERENCES residents(id),
	service       TEXT NOT NULL,
	day           TEXT NOT NULL,              -- 2026-12-02
	half_day      TEXT NOT NULL CHECK (half_day IN ('am', 'pm')),
	note          TEXT NOT NULL DEFAULT '',
	channel       TEXT NOT NULL CHECK (channel IN ('kiosk', 'staff')),
	status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'done', 'confirmed', 'cancelled', 'escalated')),
	volunteer_id  INTEGER REFERENCES volunteers(id),
	-- Staff approval: the pool pays the helper (孤寡 elders), or the
	-- resident's balance may go below zero for it.
	pool_pays     INTEGER NOT NULL DEFAULT 0,
	overdraft_ok  INTEGER NOT NULL DEFAULT 0,
	approved_by   TEXT NOT NULL DEFAULT '',
	wave          INTEGER NOT NULL DEFAULT 0,
	next_wave_ms  INTEGER,                    -- when the next wave is asked; NULL: not waiting
	created_ms    INTEGER NOT NULL,
	accepted_ms   INTEGER,
	done_ms       INTEGER
);
CREATE INDEX help_requests_community ON help_requests(community_id, status);
CREATE INDEX help_requests_wave ON help_requests(next_wave_ms) WHERE next_wave_ms IS NOT NULL;

-- Who was asked for a help request, in which wave.
CREATE TABLE help_asks (
	request_id   INTEGER NOT NULL REFERENCES help_requests(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	wave         INTEGER NOT NULL,
	asked_ms     INTEGER NOT NULL,
	PRIMARY KEY (request_id, volunteer_id)
);

-- Which help request a message to its resident is about (help_confirm):
-- the resident's reply 1 confirms that request's hours.
CREATE TABLE help_messages (
	message_id INTEGER PRIMARY KEY REFERENCES messages(id),
	request_id INTEGER NOT NULL REFERENCES help_requests(id)
);
