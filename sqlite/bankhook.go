package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// creditClaim pays the volunteer of a confirmed hours claim, in the
// transaction that confirmed it (issue 20): a group day's hours ('shift')
// are an earn from the community's pool; help at home ('help') is a
// redeem from the resident helped, or from the pool when staff approved
// it. The community's yearly cap applies: hours past it go back to the
// pool (a donation on the volunteer's statement) or are not banked, as
// its rules say. A claim pays once: a second call changes nothing, and
// the ledger's unique indexes refuse a second payment whatever calls it.
func creditClaim(tx *Tx, claimID int64) error {
	ctx := context.Background()
	var c struct {
		community, volunteer, sourceID, start int64
		source, status                        string
		minutes                               int
	}
	err := tx.QueryRowContext(ctx, `SELECT community_id, volunteer_id, source, source_id, start_ms, status, minutes
		FROM hours_claims WHERE id = ?`, claimID).Scan(&c.community, &c.volunteer, &c.source, &c.sourceID, &c.start, &c.status, &c.minutes)
	if err != nil {
		return notFound(err, "服务记录")
	}
	if c.status != "confirmed" {
		return fmt.Errorf("credit claim %d: status %s, not confirmed", claimID, c.status)
	}
	var paid int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM bank_transfers WHERE claim_id = ? AND kind IN ('earn', 'redeem')", claimID).Scan(&paid); err != nil {
		return err
	}
	if paid > 0 || c.minutes == 0 {
		return nil
	}
	rules, err := bankRules(ctx, tx, c.community)
	if err != nil {
		return err
	}
	helper, err := bankPerson(ctx, tx, c.community, c.volunteer, 0)
	if err != nil {
		return err
	}
	loc := tx.zoneOf(ctx, c.community)
	earned, err := bankEarnedInYear(ctx, tx, helper, time.UnixMilli(c.start).In(loc).Year(), loc)
	if err != nil {
		return err
	}
	plan, err := chorus.PlanEarn(rules, c.minutes, earned)
	if err != nil {
		return err
	}
	pool, err := bankPool(ctx, tx, c.community)
	if err != nil {
		return err
	}
	payer, kind, approved := pool, chorus.TransferEarn, false
	reason := ""
	if c.source == "help" {
		kind = chorus.TransferRedeem
		var resident int64
		var poolPays, overdraft bool
		if err := tx.QueryRowContext(ctx, "SELECT resident_id, pool_pays, overdraft_ok FROM help_requests WHERE id = ?", c.sourceID).
			Scan(&resident, &poolPays, &overdraft); err != nil {
			return notFound(err, "求助")
		}
		if err := bankCheckServe(ctx, tx, c.volunteer, resident); err != nil {
			return err
		}
		approved = overdraft
		if poolPays {
			reason = "时间池代付(工作人员批准)"
		} else if payer, err = bankPerson(ctx, tx, c.community, 0, resident); err != nil {
			return err
		}
		if payer == helper {
			return chorus.Errorf(chorus.EFORBIDDEN, "不能为自己服务记时长。")
		}
	}
	if plan.Refused > 0 {
		reason = fmt.Sprintf("超出年度上限,%s不计入", chorus.FormatMinutes(plan.Refused))
	}
	if plan.Credit > 0 {
		t := chorus.Transfer{Community: c.community, Kind: kind, ClaimID: claimID, Reason: reason, Operator: chorus.OperatorSystem,
			Entries: []chorus.Entry{{AccountID: payer, Minutes: -plan.Credit}, {AccountID: helper, Minutes: plan.Credit}}}
		if err := postTransfer(ctx, tx, &t, approved); err != nil {
			return err
		}
	}
	if plan.Donated > 0 {
		t := chorus.Transfer{Community: c.community, Kind: chorus.TransferDonate, ClaimID: claimID, Operator: chorus.OperatorSystem,
			Reason:  fmt.Sprintf("超出年度上限的%s捐入时间池", chorus.FormatMinutes(plan.Donated)),
			Entries: []chorus.Entry{{AccountID: helper, Minutes: -plan.Donated}, {AccountID: pool, Minutes: plan.Donated}}}
		if err := postTransfer(ctx, tx, &t, false); err != nil {
			return err
		}
	}
	return nil
}

// bankEarnedInYear is what account was paid for claims whose service
// started in year (earns and redeems not reversed), against the yearly
// cap.
func bankEarnedInYear(ctx context.Context, tx *Tx, account int64, year int, loc *time.Location) (int, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc).UnixMilli()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc).UnixMilli()
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(e.minutes), 0) FROM bank_entries e
		JOIN bank_transfers t ON t.id = e.transfer_id JOIN hours_claims c ON c.id = t.claim_id
		WHERE e.account_id = ? AND e.minutes > 0 AND t.kind IN ('earn', 'redeem') AND c.start_ms >= ? AND c.start_ms < ?
		AND NOT EXISTS (SELECT 1 FROM bank_transfers r WHERE r.reverses_id = t.id)`, account, from, to).Scan(&n)
	return n, err
}

// bankCheckServe refuses help by a volunteer to their own household.
func bankCheckServe(ctx context.Context, tx *Tx, volunteer, resident int64) error {
	var helper, recipient chorus.Household
	var vr sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT resident_id FROM volunteers WHERE id = ?", volunteer).Scan(&vr); err != nil {
		return notFound(err, "志愿者")
	}
	load := func(id int64, h *chorus.Household) error {
		h.ResidentID = id
		return tx.QueryRowContext(ctx, "SELECT COALESCE(estate_id, 0), building, unit, room FROM residents WHERE id = ?", id).
			Scan(&h.Address.EstateID, &h.Address.Building, &h.Address.Unit, &h.Address.Room)
	}
	if vr.Valid {
		if err := load(vr.Int64, &helper); err != nil {
			return notFound(err, "居民")
		}
	}
	if err := load(resident, &recipient); err != nil {
		return notFound(err, "居民")
	}
	// A volunteer's own phone is their household too, registered as a
	// resident or not.
	var same int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM volunteers v JOIN residents r ON r.phone = v.phone
		WHERE v.id = ? AND r.id = ?`, volunteer, resident).Scan(&same); err != nil {
		return err
	}
	if same > 0 {
		recipient.ResidentID, helper.ResidentID = resident, resident
	}
	return chorus.CheckServe(helper, recipient)
}

// bankRules returns community's time-bank rules; the defaults when it set
// none.
func bankRules(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, community int64) (chorus.BankRules, error) {
	var raw string
	err := q.QueryRowContext(ctx, "SELECT rules FROM bank_rules WHERE community_id = ?", community).Scan(&raw)
	if err == sql.ErrNoRows {
		return chorus.DefaultBankRules(), nil
	} else if err != nil {
		return chorus.BankRules{}, err
	}
	var r chorus.BankRules
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return chorus.BankRules{}, fmt.Errorf("bank rules of community %d: %w", community, err)
	}
	return r, nil
}

// BankRules returns the scope's community's time-bank rules.
func (db *DB) BankRules(ctx context.Context) (chorus.BankRules, error) {
	return bankRules(ctx, db.read, chorus.ScopeFrom(ctx).Community)
}

// SaveBankRules validates and stores the scope's community's time-bank
// rules; operator is who changed them. It returns EINVALID for bad rules.
func (db *DB) SaveBankRules(ctx context.Context, r *chorus.BankRules, operator string) error {
	if err := r.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO bank_rules (community_id, rules, updated_by, updated_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (community_id) DO UPDATE SET rules = excluded.rules, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms`,
			chorus.ScopeFrom(ctx).Community, string(raw), operator, tx.now.UnixMilli())
		return err
	})
}
