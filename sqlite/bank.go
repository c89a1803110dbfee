package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// The time bank's ledger (issue 20): accounts are opened on first use,
// transfers are posted with their entries in one transaction, balances
// are sums of entries. 0027's triggers refuse any update or delete of a
// transfer or an entry; a correction is a reverse.

// bankPool returns the id of community's pool account, opening it on
// first use.
func bankPool(ctx context.Context, tx *Tx, community int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM bank_accounts WHERE community_id = ? AND kind = 'pool'", community).Scan(&id)
	if err == sql.ErrNoRows {
		res, err := tx.ExecContext(ctx, "INSERT INTO bank_accounts (community_id, kind, created_ms) VALUES (?, 'pool', ?)", community, tx.now.UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("open pool: %w", err)
		}
		return res.LastInsertId()
	}
	return id, err
}

// bankPerson returns the id of a person's account in community: the
// volunteer's (volunteerID) or the resident's (residentID), one account
// for a volunteer who is also a resident. It is opened on first use.
func bankPerson(ctx context.Context, tx *Tx, community, volunteerID, residentID int64) (int64, error) {
	if volunteerID != 0 && residentID == 0 {
		var r sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT resident_id FROM volunteers WHERE id = ?", volunteerID).Scan(&r); err != nil {
			return 0, notFound(err, "志愿者")
		}
		residentID = r.Int64
	}
	if volunteerID == 0 && residentID != 0 {
		// A resident who volunteers has the volunteer's account.
		err := tx.QueryRowContext(ctx, "SELECT id FROM volunteers WHERE resident_id = ? AND community_id = ?", residentID, community).Scan(&volunteerID)
		if err != nil && err != sql.ErrNoRows {
			return 0, err
		}
	}
	var id int64
	var v, r sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, volunteer_id, resident_id FROM bank_accounts
		WHERE kind = 'person' AND (volunteer_id = ? OR resident_id = ?) ORDER BY id LIMIT 1`,
		nullID(volunteerID), nullID(residentID)).Scan(&id, &v, &r)
	switch {
	case err == sql.ErrNoRows:
		res, err := tx.ExecContext(ctx, "INSERT INTO bank_accounts (community_id, kind, volunteer_id, resident_id, created_ms) VALUES (?, 'person', ?, ?, ?)",
			community, nullID(volunteerID), nullID(residentID), tx.now.UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("open account: %w", err)
		}
		return res.LastInsertId()
	case err != nil:
		return 0, err
	}
	// Link the other half the first time it is known.
	if volunteerID != 0 && !v.Valid {
		_, err = tx.ExecContext(ctx, "UPDATE bank_accounts SET volunteer_id = ? WHERE id = ?", volunteerID, id)
	} else if residentID != 0 && !r.Valid {
		_, err = tx.ExecContext(ctx, "UPDATE bank_accounts SET resident_id = ? WHERE id = ?", residentID, id)
	}
	return id, err
}

// bankBalance is the sum of an account's entries.
func bankBalance(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, account int64) (int, error) {
	var b int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(SUM(minutes), 0) FROM bank_entries WHERE account_id = ?", account).Scan(&b)
	return b, err
}

// postTransfer posts t with its entries in tx: the domain checks it, every
// account must be of t's community, the entries are summed again as
// stored, and no person's or unit's balance may end below zero unless
// approved.
func postTransfer(ctx context.Context, tx *Tx, t *chorus.Transfer, approved bool) error {
	if err := t.Check(); err != nil {
		return err
	}
	kinds := map[int64]chorus.AccountKind{}
	for _, e := range t.Entries {
		var community int64
		var kind chorus.AccountKind
		err := tx.QueryRowContext(ctx, "SELECT community_id, kind FROM bank_accounts WHERE id = ?", e.AccountID).Scan(&community, &kind)
		if err == sql.ErrNoRows || err == nil && community != t.Community {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个时间银行账户。")
		} else if err != nil {
			return err
		}
		kinds[e.AccountID] = kind
	}
	t.Created = tx.now
	res, err := tx.ExecContext(ctx, `INSERT INTO bank_transfers (community_id, kind, claim_id, reverses_id, reason, operator, created_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.Community, t.Kind, nullID(t.ClaimID), nullID(t.ReversesID), t.Reason, t.Operator, tx.now.UnixMilli())
	if isUnique(err) {
		if t.Kind == chorus.TransferReverse {
			return chorus.Errorf(chorus.ECONFLICT, "这笔记账已经冲正过了。")
		}
		return chorus.Errorf(chorus.ECONFLICT, "这条服务记录已经入账了。")
	} else if err != nil {
		return fmt.Errorf("post transfer: %w", err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for _, e := range t.Entries {
		if _, err := tx.ExecContext(ctx, "INSERT INTO bank_entries (transfer_id, account_id, minutes) VALUES (?, ?, ?)", t.ID, e.AccountID, e.Minutes); err != nil {
			return fmt.Errorf("post entry: %w", err)
		}
	}
	var sum int
	if err := tx.QueryRowContext(ctx, "SELECT SUM(minutes) FROM bank_entries WHERE transfer_id = ?", t.ID).Scan(&sum); err != nil || sum != 0 {
		return fmt.Errorf("transfer %d does not balance as stored (sum %d): %v", t.ID, sum, err)
	}
	for _, e := range t.Entries {
		if e.Minutes > 0 {
			continue
		}
		after, err := bankBalance(ctx, tx, e.AccountID)
		if err != nil {
			return err
		}
		if err := chorus.CheckOverdraft(kinds[e.AccountID], after, approved); err != nil {
			return err
		}
	}
	return nil
}

// bankTransfer reads transfer id with its entries.
func bankTransfer(ctx context.Context, q querier, id int64) (*chorus.Transfer, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.community_id, t.kind, COALESCE(t.claim_id, 0), COALESCE(t.reverses_id, 0), t.reason, t.operator, t.created_ms,
		e.account_id, e.minutes FROM bank_transfers t JOIN bank_entries e ON e.transfer_id = t.id WHERE t.id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &chorus.Transfer{ID: id}
	for rows.Next() {
		var e chorus.Entry
		var created int64
		if err := rows.Scan(&t.Community, &t.Kind, &t.ClaimID, &t.ReversesID, &t.Reason, &t.Operator, &created, &e.AccountID, &e.Minutes); err != nil {
			return nil, err
		}
		t.Created = time.UnixMilli(created)
		t.Entries = append(t.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(t.Entries) == 0 {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这笔记账。")
	}
	return t, nil
}

// BankTransfer returns a transfer of the scope's community with its
// entries. It returns ENOTFOUND for another community's.
func (db *DB) BankTransfer(ctx context.Context, id int64) (*chorus.Transfer, error) {
	t, err := bankTransfer(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	if !chorus.ScopeFrom(ctx).Sees(t.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这笔记账。")
	}
	return t, nil
}

// ReverseTransfer undoes transfer id with a new reverse transfer by
// operator (staff) for reason, and returns it. It returns ENOTFOUND for
// another community's transfer, ECONFLICT for one already reversed or a
// reverse or one that would leave a person's balance below zero (the
// hours were spent or given: reverse that first), EFORBIDDEN when
// operator is not staff.
func (db *DB) ReverseTransfer(ctx context.Context, id int64, operator, reason string) (*chorus.Transfer, error) {
	var out chorus.Transfer
	err := db.update(ctx, func(tx *Tx) error {
		orig, err := bankTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		if !chorus.ScopeFrom(ctx).Sees(orig.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这笔记账。")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM bank_transfers WHERE reverses_id = ?", id).Scan(&n); err != nil {
			return err
		}
		out, err = chorus.Reversal(*orig, n > 0, operator, reason)
		if err != nil {
			return err
		}
		return postTransfer(ctx, tx, &out, false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// accountCols and accountFrom read an account with its holder's name and
// balance.
const accountCols = `a.id, a.community_id, a.kind, COALESCE(a.volunteer_id, 0), COALESCE(a.resident_id, 0), COALESCE(a.partner_id, 0),
	CASE a.kind WHEN 'pool' THEN '时间池' ELSE COALESCE(v.name, r.name, p.name, '') END,
	(SELECT COALESCE(SUM(minutes), 0) FROM bank_entries WHERE account_id = a.id)`
const accountFrom = ` FROM bank_accounts a LEFT JOIN volunteers v ON v.id = a.volunteer_id
	LEFT JOIN residents r ON r.id = a.resident_id LEFT JOIN partners p ON p.id = a.partner_id `

func scanAccount(rows rowScanner) (chorus.Account, error) {
	var a chorus.Account
	err := rows.Scan(&a.ID, &a.Community, &a.Kind, &a.VolunteerID, &a.ResidentID, &a.PartnerID, &a.Name, &a.Balance)
	return a, err
}

// BankAccounts returns the scope's community's accounts with their
// balances, the pool first.
func (db *DB) BankAccounts(ctx context.Context) ([]chorus.Account, error) {
	return queryRows(ctx, db.read, scanAccount, "SELECT "+accountCols+accountFrom+
		"WHERE a.community_id = ? ORDER BY a.kind = 'pool' DESC, a.id", chorus.ScopeFrom(ctx).Community)
}

// BankAccount returns one account with its balance; ENOTFOUND for
// another community's.
func (db *DB) BankAccount(ctx context.Context, id int64) (*chorus.Account, error) {
	accts, err := queryRows(ctx, db.read, scanAccount, "SELECT "+accountCols+accountFrom+"WHERE a.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(accts) == 0 || !chorus.ScopeFrom(ctx).Sees(accts[0].Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个时间银行账户。")
	}
	return &accts[0], nil
}

// BankStatement returns an account's transfers, oldest first, each with
// the account's entry and its balance after it; ENOTFOUND for another
// community's account.
func (db *DB) BankStatement(ctx context.Context, account int64) ([]chorus.StatementLine, error) {
	if _, err := db.BankAccount(ctx, account); err != nil {
		return nil, err
	}
	lines, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.StatementLine, error) {
		var l chorus.StatementLine
		var created int64
		err := rows.Scan(&l.TransferID, &l.Kind, &l.Minutes, &l.Reason, &l.Operator, &l.ReversesID, &l.Reversed, &created)
		l.Created = time.UnixMilli(created)
		return l, err
	}, `SELECT t.id, t.kind, e.minutes, t.reason, t.operator, COALESCE(t.reverses_id, 0),
		EXISTS (SELECT 1 FROM bank_transfers r WHERE r.reverses_id = t.id), t.created_ms
		FROM bank_entries e JOIN bank_transfers t ON t.id = e.transfer_id WHERE e.account_id = ? ORDER BY t.id`, account)
	if err != nil {
		return nil, err
	}
	bal := 0
	for i := range lines {
		bal += lines[i].Minutes
		lines[i].Balance = bal
	}
	return lines, nil
}
