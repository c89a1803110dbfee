package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// ExpireHours gives back to the pool, in every community whose rules set
// an expiry, the hours each person was credited before the cutoff and
// has not spent since (oldest first: chorus.ExpiredMinutes), as a
// donation by chorus.OperatorExpiry. It returns how many accounts it
// touched; a second run at the same time touches none.
func (db *DB) ExpireHours(ctx context.Context, now time.Time) (int, error) {
	type setting struct {
		community int64
		raw       string
	}
	rows, err := queryRows(ctx, db.read, func(r rowScanner) (setting, error) {
		var s setting
		err := r.Scan(&s.community, &s.raw)
		return s, err
	}, "SELECT community_id, rules FROM bank_rules WHERE CAST(json_extract(rules, '$.expiry_months') AS INTEGER) > 0")
	if err != nil {
		return 0, fmt.Errorf("expiring rules: %w", err)
	}
	n := 0
	for _, s := range rows {
		var rules chorus.BankRules
		if err := json.Unmarshal([]byte(s.raw), &rules); err != nil {
			return n, fmt.Errorf("bank rules of community %d: %w", s.community, err)
		}
		cutoff := chorus.ExpiryCutoff(rules, now)
		err := db.update(ctx, func(tx *Tx) error {
			accounts, err := queryIDs(ctx, tx, "SELECT id FROM bank_accounts WHERE community_id = ? AND kind = 'person'", s.community)
			if err != nil {
				return err
			}
			pool := int64(0)
			for _, a := range accounts {
				var before, debited int
				// Transfers undone by a reverse, and the reverses, count
				// for nothing.
				if err := tx.QueryRowContext(ctx, `SELECT
					COALESCE(SUM(CASE WHEN e.minutes > 0 AND t.created_ms < ? THEN e.minutes END), 0),
					COALESCE(SUM(CASE WHEN e.minutes < 0 THEN -e.minutes END), 0)
					FROM bank_entries e JOIN bank_transfers t ON t.id = e.transfer_id
					WHERE e.account_id = ? AND t.kind != 'reverse'
					AND NOT EXISTS (SELECT 1 FROM bank_transfers r WHERE r.reverses_id = t.id)`,
					cutoff.UnixMilli(), a).Scan(&before, &debited); err != nil {
					return err
				}
				due := chorus.ExpiredMinutes(before, debited)
				if due == 0 {
					continue
				}
				if pool == 0 {
					if pool, err = bankPool(ctx, tx, s.community); err != nil {
						return err
					}
				}
				t := chorus.Transfer{Community: s.community, Kind: chorus.TransferDonate, Operator: chorus.OperatorExpiry,
					Reason:  fmt.Sprintf("%s过期(有效期%d个月)", chorus.FormatMinutes(due), rules.ExpiryMonths),
					Entries: []chorus.Entry{{AccountID: a, Minutes: -due}, {AccountID: pool, Minutes: due}}}
				if err := postTransfer(ctx, tx, &t, false); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
