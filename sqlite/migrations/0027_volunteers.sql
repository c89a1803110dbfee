-- Volunteers and the time bank (issue 20, version 27): the tables both
-- halves share. A volunteer is a person with a phone who agreed to be
-- contacted, a resident of the community or an employee of a partner
-- unit; hours they give are claims, confirmed by someone other than
-- themselves; confirmed hours and their use are transfers in a
-- double-entry ledger whose entries never change and sum to zero.
CREATE TABLE volunteers (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	phone        TEXT NOT NULL,
	name         TEXT NOT NULL,
	resident_id  INTEGER REFERENCES residents(id),
	partner_id   INTEGER REFERENCES partners(id),   -- the unit they work for
	skills       TEXT NOT NULL DEFAULT '[]',        -- JSON array of short words
	kinds        TEXT NOT NULL DEFAULT '[]',        -- JSON array of activity kinds they want call-outs for
	consent_ms   INTEGER,                           -- when they agreed to be contacted; NULL: never texted
	status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'left')),
	joined_via   TEXT NOT NULL DEFAULT 'staff' CHECK (joined_via IN ('sms', 'kiosk', 'staff')),
	created_ms   INTEGER NOT NULL,
	UNIQUE (community_id, phone)
);

-- Hours a volunteer gave, proposed from a check-in/out or a help request
-- and confirmed or rejected by someone else: staff or a group's leader
-- for an activity, the resident helped (SMS reply 1) or staff for help
-- at home. source is 'shift' (source_id: a signup) or 'help' (a help
-- request).
CREATE TABLE hours_claims (
	id             INTEGER PRIMARY KEY,
	community_id   INTEGER NOT NULL DEFAULT 1,
	volunteer_id   INTEGER NOT NULL REFERENCES volunteers(id),
	source         TEXT NOT NULL CHECK (source IN ('shift', 'help')),
	source_id      INTEGER NOT NULL,
	start_ms       INTEGER NOT NULL,
	end_ms         INTEGER NOT NULL,
	minutes        INTEGER NOT NULL CHECK (minutes >= 0),
	status         TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
	decided_by     TEXT NOT NULL DEFAULT '',   -- 'staff:<login>', 'leader:<volunteer id>', 'resident:sms'
	decided_ms     INTEGER,
	note           TEXT NOT NULL DEFAULT '',
	created_ms     INTEGER NOT NULL,
	UNIQUE (source, source_id)
);
CREATE INDEX hours_claims_volunteer ON hours_claims(volunteer_id, start_ms);

-- The time bank's accounts: a person's (a volunteer, or a resident who
-- receives hours as a gift), the community's pool (it pays group days and
-- receives donations) and a partner unit's.
CREATE TABLE bank_accounts (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	kind         TEXT NOT NULL CHECK (kind IN ('person', 'pool', 'unit')),
	volunteer_id INTEGER REFERENCES volunteers(id),
	resident_id  INTEGER REFERENCES residents(id),
	partner_id   INTEGER REFERENCES partners(id),
	created_ms   INTEGER NOT NULL
);
CREATE UNIQUE INDEX bank_accounts_volunteer ON bank_accounts(volunteer_id) WHERE volunteer_id IS NOT NULL;
CREATE UNIQUE INDEX bank_accounts_resident ON bank_accounts(resident_id) WHERE resident_id IS NOT NULL;
CREATE UNIQUE INDEX bank_accounts_pool ON bank_accounts(community_id) WHERE kind = 'pool';

-- A transfer moves minutes between accounts; its entries sum to zero and
-- neither ever changes: a correction is a new transfer of kind 'reverse'
-- naming the one it undoes, with a reason and its operator.
CREATE TABLE bank_transfers (
	id           INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL DEFAULT 1,
	kind         TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'gift', 'donate', 'reverse', 'grant')),
	claim_id     INTEGER REFERENCES hours_claims(id),
	reverses_id  INTEGER REFERENCES bank_transfers(id),
	reason       TEXT NOT NULL DEFAULT '',
	operator     TEXT NOT NULL,               -- 'staff:<login>', 'system', 'resident:sms'
	created_ms   INTEGER NOT NULL
);
CREATE UNIQUE INDEX bank_transfers_claim ON bank_transfers(claim_id) WHERE claim_id IS NOT NULL AND kind = 'earn';
CREATE UNIQUE INDEX bank_transfers_reverses ON bank_transfers(reverses_id) WHERE reverses_id IS NOT NULL;

CREATE TABLE bank_entries (
	id          INTEGER PRIMARY KEY,
	transfer_id INTEGER NOT NULL REFERENCES bank_transfers(id),
	account_id  INTEGER NOT NULL REFERENCES bank_accounts(id),
	minutes     INTEGER NOT NULL CHECK (minutes <> 0)
);
CREATE INDEX bank_entries_account ON bank_entries(account_id, transfer_id);

-- The ledger may only grow.
CREATE TRIGGER bank_entries_no_update BEFORE UPDATE ON bank_entries BEGIN SELECT RAISE(ABORT, 'bank entries never change'); END;
CREATE TRIGGER bank_entries_no_delete BEFORE DELETE ON bank_entries BEGIN SELECT RAISE(ABORT, 'bank entries never change'); END;
CREATE TRIGGER bank_transfers_no_update BEFORE UPDATE ON bank_transfers BEGIN SELECT RAISE(ABORT, 'bank transfers never change'); END;
CREATE TRIGGER bank_transfers_no_delete BEFORE DELETE ON bank_transfers BEGIN SELECT RAISE(ABORT, 'bank transfers never change'); END;
