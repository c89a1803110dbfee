package sqlite_test

import (
	"context"
	"database/sql"
	"math/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// bankFixture is a store with a raw connection on its file, for the rows
// the time bank reads but other code writes (volunteers, claims).
type bankFixture struct {
	db    *sqlite.DB
	raw   *sql.DB
	clock *Clock
	staff string
	// overdrawn is how many person accounts staff allowed below zero.
	overdrawn int
}

func newBankFixture(t *testing.T) *bankFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, clock := MustOpenDBAt(t, path)
	return &bankFixture{db: db, raw: MustRawDB(t, path), clock: clock, staff: chorus.StaffOperator("wang")}
}

// resident stores a resident with phone Phone(i) at room in estate.
func (f *bankFixture) resident(t *testing.T, i int, room string, family ...chorus.FamilyContact) *chorus.Resident {
	t.Helper()
	r := &chorus.Resident{Phone: Phone(i), Name: "居民" + room, Family: family}
	if room != "" {
		r.Address = chorus.Address{EstateID: MustEstateOnce(t, f.db), Building: "3", Unit: "1", Room: room}
	}
	if err := f.db.SaveResident(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// MustEstateOnce returns the id of the fixture's one estate.
func MustEstateOnce(t *testing.T, db *sqlite.DB) int64 {
	t.Helper()
	es, err := db.Estates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(es) > 0 {
		return es[0].ID
	}
	return MustEstate(t, db, "和泽苑").ID
}

// volunteer stores a volunteer with phone, linked to resident (0: none).
func (f *bankFixture) volunteer(t *testing.T, community int64, phone, name string, resident int64) int64 {
	t.Helper()
	var r any
	if resident != 0 {
		r = resident
	}
	res, err := f.raw.Exec(`INSERT INTO volunteers (community_id, phone, name, resident_id, consent_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		community, phone, name, r, T0.UnixMilli(), T0.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// claim stores a confirmed claim of minutes for volunteer from a shift
// starting at start (source_id: a new number each time).
func (f *bankFixture) claim(t *testing.T, community, volunteer int64, source string, sourceID int64, minutes int, start time.Time) int64 {
	t.Helper()
	res, err := f.raw.Exec(`INSERT INTO hours_claims (community_id, volunteer_id, source, source_id, start_ms, end_ms, minutes, status, decided_by, decided_ms, created_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', 'staff:li', ?, ?)`, community, volunteer, source, sourceID,
		start.UnixMilli(), start.Add(time.Duration(minutes)*time.Minute).UnixMilli(), minutes, start.UnixMilli(), start.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// account returns the person's account of volunteer (its id and balance).
func (f *bankFixture) account(t *testing.T, ctx context.Context, volunteer int64) chorus.Account {
	t.Helper()
	accts, err := f.db.BankAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.VolunteerID == volunteer {
			return a
		}
	}
	t.Fatalf("no account for volunteer %d in %+v", volunteer, accts)
	return chorus.Account{}
}

// balanced fails unless every transfer sums to zero and so do all
// entries, and no person's account is below zero but the f.overdrawn
// that staff allowed.
func (f *bankFixture) balanced(t *testing.T) {
	t.Helper()
	var bad, total int
	if err := f.raw.QueryRow("SELECT COUNT(*) FROM (SELECT transfer_id FROM bank_entries GROUP BY transfer_id HAVING SUM(minutes) <> 0)").Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if err := f.raw.QueryRow("SELECT COALESCE(SUM(minutes), 0) FROM bank_entries").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if bad != 0 || total != 0 {
		t.Fatalf("%d transfers do not balance; all entries sum to %d", bad, total)
	}
	var negative int
	if err := f.raw.QueryRow(`SELECT COUNT(*) FROM bank_accounts a WHERE a.kind = 'person'
		AND (SELECT COALESCE(SUM(minutes), 0) FROM bank_entries WHERE account_id = a.id) < 0`).Scan(&negative); err != nil {
		t.Fatal(err)
	}
	if negative != f.overdrawn {
		t.Fatalf("%d person accounts below zero", negative)
	}
}

// TestBank_CreditClaim: a confirmed group-day claim is an earn from the
// pool, once; a statement shows it; the balance is the sum of entries.
func TestBank_CreditClaim(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	v := f.volunteer(t, 1, Phone(1), "张志愿", 0)
	c := f.claim(t, 1, v, "shift", 1, 90, SlotStart)
	if err := f.db.CreditClaimForTest(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreditClaimForTest(ctx, c); err != nil {
		t.Fatalf("second credit: %v", err)
	}
	a := f.account(t, ctx, v)
	if a.Balance != 90 || a.Name != "张志愿" {
		t.Fatalf("account %+v", a)
	}
	lines, err := f.db.BankStatement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Kind != chorus.TransferEarn || lines[0].Minutes != 90 || lines[0].Balance != 90 || lines[0].Operator != "system" {
		t.Fatalf("statement %+v", lines)
	}
	accts, _ := f.db.BankAccounts(ctx)
	if accts[0].Kind != chorus.AccountPool || accts[0].Balance != -90 || accts[0].Name != "时间池" {
		t.Fatalf("pool %+v", accts[0])
	}
	f.balanced(t)

	t.Run("ErrNotConfirmed", func(t *testing.T) {
		res, err := f.raw.Exec(`INSERT INTO hours_claims (community_id, volunteer_id, source, source_id, start_ms, end_ms, minutes, created_ms)
			VALUES (1, ?, 'shift', 99, 0, 0, 60, 0)`, v)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if err := f.db.CreditClaimForTest(ctx, id); err == nil {
			t.Fatal("a proposed claim was credited")
		}
	})
}

// TestBank_LedgerNeverEdited: the ledger's rows refuse updates and
// deletes; a correction is a reverse, once, by staff, with a reason.
func TestBank_LedgerNeverEdited(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	v := f.volunteer(t, 1, Phone(1), "张志愿", 0)
	c := f.claim(t, 1, v, "shift", 1, 120, SlotStart)
	if err := f.db.CreditClaimForTest(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE bank_entries SET minutes = 600", "DELETE FROM bank_entries", "UPDATE bank_transfers SET reason = 'x'", "DELETE FROM bank_transfers"} {
		if _, err := f.raw.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	var id int64
	f.raw.QueryRow("SELECT id FROM bank_transfers WHERE claim_id = ?", c).Scan(&id)
	if _, err := f.db.ReverseTransfer(ctx, id, chorus.OperatorResidentSMS, "录错了"); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("reverse by a resident: %v", err)
	}
	if _, err := f.db.ReverseTransfer(ctx, id, f.staff, ""); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("reverse without reason: %v", err)
	}
	r, err := f.db.ReverseTransfer(ctx, id, f.staff, "活动当天下雨取消,时长录错")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ReverseTransfer(ctx, id, f.staff, "再来一次"); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("second reverse: %v", err)
	}
	if _, err := f.db.ReverseTransfer(ctx, r.ID, f.staff, "冲正冲正"); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("reverse of a reverse: %v", err)
	}
	a := f.account(t, ctx, v)
	lines, _ := f.db.BankStatement(ctx, a.ID)
	if a.Balance != 0 || len(lines) != 2 || !lines[0].Reversed || lines[1].ReversesID != id || lines[1].Operator != f.staff || lines[1].Balance != 0 {
		t.Fatalf("balance %d, statement %+v", a.Balance, lines)
	}
	// The reversed claim no longer counts against the cap, and cannot be
	// paid again.
	if err := f.db.CreditClaimForTest(ctx, c); err != nil {
		t.Fatal(err)
	}
	if a := f.account(t, ctx, v); a.Balance != 0 {
		t.Fatalf("a reversed claim was paid again: %d", a.Balance)
	}
	f.balanced(t)
}

// TestBank_Caps: past the yearly cap hours are donated back to the pool
// or refused, as the community's rules say; the next year starts again.
func TestBank_Caps(t *testing.T) {
	for _, mode := range []chorus.OverCap{chorus.OverCapDonate, chorus.OverCapRefuse} {
		t.Run(string(mode), func(t *testing.T) {
			f := newBankFixture(t)
			ctx := context.Background()
			rules := chorus.DefaultBankRules()
			rules.YearlyCapMinutes, rules.OverCap = 180, mode
			if err := f.db.SaveBankRules(ctx, &rules, f.staff); err != nil {
				t.Fatal(err)
			}
			if got, _ := f.db.BankRules(ctx); got.YearlyCapMinutes != 180 || got.OverCap != mode {
				t.Fatalf("rules %+v", got)
			}
			v := f.volunteer(t, 1, Phone(1), "张志愿", 0)
			for i, m := range []int{120, 120, 60} {
				if err := f.db.CreditClaimForTest(ctx, f.claim(t, 1, v, "shift", int64(i+1), m, SlotStart.Add(time.Duration(i)*24*time.Hour))); err != nil {
					t.Fatal(err)
				}
			}
			// Next year: a fresh cap.
			if err := f.db.CreditClaimForTest(ctx, f.claim(t, 1, v, "shift", 9, 60, time.Date(2027, 1, 8, 9, 0, 0, 0, shanghai))); err != nil {
				t.Fatal(err)
			}
			a := f.account(t, ctx, v)
			if a.Balance != 180+60 {
				t.Fatalf("balance %d, want 240", a.Balance)
			}
			lines, _ := f.db.BankStatement(ctx, a.ID)
			var kinds []chorus.TransferKind
			for _, l := range lines {
				kinds = append(kinds, l.Kind)
			}
			want := map[chorus.OverCap]int{chorus.OverCapDonate: 6, chorus.OverCapRefuse: 3}[mode]
			if len(lines) != want {
				t.Fatalf("%d lines %v, want %d", len(lines), kinds, want)
			}
			f.balanced(t)
		})
	}
	t.Run("ErrBadRules", func(t *testing.T) {
		f := newBankFixture(t)
		r := chorus.BankRules{Services: []string{"上门护理"}}
		wantCode(t, f.db.SaveBankRules(context.Background(), &r, f.staff), chorus.EINVALID)
	})
}

// TestBank_ConcurrentCredit: confirmations racing for one claim credit it
// once.
func TestBank_ConcurrentCredit(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	v := f.volunteer(t, 1, Phone(1), "张志愿", 0)
	c := f.claim(t, 1, v, "shift", 1, 60, SlotStart)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.db.CreditClaimForTest(ctx, c); err != nil && chorus.ErrorCode(err) != chorus.ECONFLICT {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int
	f.raw.QueryRow("SELECT COUNT(*) FROM bank_transfers WHERE claim_id = ?", c).Scan(&n)
	if a := f.account(t, ctx, v); n != 1 || a.Balance != 60 {
		t.Fatalf("%d transfers, balance %d", n, a.Balance)
	}
}

// TestBank_Gifts: hours go to a registered relative or the pool, proven by
// the giver's phone, never overdrawing; another community's account is
// not found.
func TestBank_Gifts(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	mother := f.resident(t, 10, "502")
	son := f.resident(t, 11, "", chorus.FamilyContact{Phone: Phone(10), Name: "妈妈", Relation: "母亲"})
	stranger := f.resident(t, 12, "601")
	v := f.volunteer(t, 1, Phone(11), "儿子", son.ID)
	if err := f.db.CreditClaimForTest(ctx, f.claim(t, 1, v, "shift", 1, 120, SlotStart)); err != nil {
		t.Fatal(err)
	}
	from := f.account(t, ctx, v)
	gift := func(to int64, m int, proof string) error {
		_, err := f.db.GiveHours(ctx, chorus.BankGift{FromAccount: from.ID, ToResident: to, Minutes: m, VerifiedPhone: proof}, f.staff)
		return err
	}
	wantCode(t, gift(mother.ID, 60, ""), chorus.EFORBIDDEN)
	wantCode(t, gift(mother.ID, 60, Phone(10)), chorus.EFORBIDDEN) // the mother's code is not the son's
	wantCode(t, gift(stranger.ID, 60, Phone(11)), chorus.EFORBIDDEN)
	wantCode(t, gift(mother.ID, 600, Phone(11)), chorus.ECONFLICT)
	wantCode(t, gift(mother.ID, 0, Phone(11)), chorus.EINVALID)
	if err := gift(mother.ID, 60, Phone(11)); err != nil {
		t.Fatal(err)
	}
	if err := gift(0, 30, Phone(11)); err != nil { // a donation
		t.Fatal(err)
	}
	if a := f.account(t, ctx, v); a.Balance != 30 {
		t.Fatalf("son's balance %d", a.Balance)
	}
	// Reversing the earn now would overdraw the son: refused.
	lines, _ := f.db.BankStatement(ctx, from.ID)
	if _, err := f.db.ReverseTransfer(ctx, lines[0].TransferID, f.staff, "录错"); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("overdrawing reverse: %v", err)
	}
	accts, _ := f.db.BankAccounts(ctx)
	for _, a := range accts {
		if a.ResidentID == mother.ID && a.Balance != 60 {
			t.Fatalf("mother's balance %d", a.Balance)
		}
	}
	// A grant from the pool, by staff, with a reason.
	if _, err := f.db.GrantHours(ctx, stranger.ID, 120, f.staff, ""); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("grant without reason: %v", err)
	}
	if _, err := f.db.GrantHours(ctx, stranger.ID, 120, "system", "孤寡老人"); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("grant by system: %v", err)
	}
	if _, err := f.db.GrantHours(ctx, stranger.ID, 120, f.staff, "孤寡老人"); err != nil {
		t.Fatal(err)
	}
	f.balanced(t)

	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := f.db.BankAccount(other, from.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's account: %v", err)
	}
	if _, err := f.db.BankStatement(other, from.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's statement: %v", err)
	}
	if _, err := f.db.GiveHours(other, chorus.BankGift{FromAccount: from.ID, Minutes: 10, VerifiedPhone: Phone(11)}, f.staff); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's gift: %v", err)
	}
	if accts, _ := f.db.BankAccounts(other); len(accts) != 0 {
		t.Fatalf("another community sees %+v", accts)
	}
}

// TestBank_RandomMix: after any mix of earns, gifts, donations, grants and
// reversals, every transfer sums to zero, so does the whole ledger, no
// person is below zero, and each balance equals its statement's last line.
func TestBank_RandomMix(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	rules := chorus.DefaultBankRules()
	rules.YearlyCapMinutes = 600
	if err := f.db.SaveBankRules(ctx, &rules, f.staff); err != nil {
		t.Fatal(err)
	}
	var vols []int64
	var residents []*chorus.Resident
	for i := range 4 {
		r := f.resident(t, 20+i, "", chorus.FamilyContact{Phone: Phone(20 + (i+1)%4), Name: "家人", Relation: "亲属"})
		residents = append(residents, r)
		vols = append(vols, f.volunteer(t, 1, r.Phone, "志愿者", r.ID))
	}
	rng := rand.New(rand.NewSource(20))
	var source int64
	for step := range 200 {
		i := rng.Intn(len(vols))
		var err error
		switch rng.Intn(5) {
		case 0, 1:
			source++
			err = f.db.CreditClaimForTest(ctx, f.claim(t, 1, vols[i], "shift", source, 15*(1+rng.Intn(16)), SlotStart.Add(time.Duration(step)*time.Hour)))
		case 2:
			a := f.account(t, ctx, vols[i])
			to := residents[(i+1)%4].ID
			if rng.Intn(3) == 0 {
				to = 0
			}
			_, err = f.db.GiveHours(ctx, chorus.BankGift{FromAccount: a.ID, ToResident: to, Minutes: 15 * (1 + rng.Intn(8)), VerifiedPhone: residents[i].Phone}, f.staff)
		case 3:
			_, err = f.db.GrantHours(ctx, residents[i].ID, 15*(1+rng.Intn(4)), f.staff, "补贴")
		case 4:
			var ids []int64
			rows, _ := f.raw.Query("SELECT id FROM bank_transfers")
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) > 0 {
				_, err = f.db.ReverseTransfer(ctx, ids[rng.Intn(len(ids))], f.staff, "更正")
			}
		}
		if code := chorus.ErrorCode(err); code != "" && code != chorus.ECONFLICT && code != chorus.EFORBIDDEN {
			t.Fatalf("step %d: %v", step, err)
		}
		f.balanced(t)
	}
	accts, _ := f.db.BankAccounts(ctx)
	for _, a := range accts {
		lines, err := f.db.BankStatement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) > 0 && lines[len(lines)-1].Balance != a.Balance {
			t.Fatalf("account %d: balance %d, statement ends at %d", a.ID, a.Balance, lines[len(lines)-1].Balance)
		}
	}
}

// TestBank_Expiry: with a 12-month expiry, hours credited more than 12
// months ago and not spent since go back to the pool, once; newer hours
// and spent ones stay; without an expiry nothing happens.
func TestBank_Expiry(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	v := f.volunteer(t, 1, Phone(1), "张志愿", 0)
	r := f.resident(t, 10, "502")
	// 2 h earned now, 1 h given to the pool the next day, 1 h earned a
	// month later.
	if err := f.db.CreditClaimForTest(ctx, f.claim(t, 1, v, "shift", 1, 120, SlotStart)); err != nil {
		t.Fatal(err)
	}
	a := f.account(t, ctx, v)
	f.clock.Add(24 * time.Hour)
	if _, err := f.db.GiveHours(ctx, chorus.BankGift{FromAccount: a.ID, Minutes: 60, VerifiedPhone: Phone(1)}, f.staff); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(30 * 24 * time.Hour)
	if err := f.db.CreditClaimForTest(ctx, f.claim(t, 1, v, "shift", 2, 60, SlotStart.AddDate(0, 1, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.GrantHours(ctx, r.ID, 30, f.staff, "补贴"); err != nil {
		t.Fatal(err)
	}
	later := T0.AddDate(1, 0, 7) // past 12 months for the first 2 h only
	if n, err := f.db.ExpireHours(ctx, later); err != nil || n != 0 {
		t.Fatalf("without an expiry: %d, %v", n, err)
	}
	rules := chorus.DefaultBankRules()
	rules.ExpiryMonths = 12
	if err := f.db.SaveBankRules(ctx, &rules, f.staff); err != nil {
		t.Fatal(err)
	}
	if n, err := f.db.ExpireHours(ctx, later); err != nil || n != 1 {
		t.Fatalf("expired %d accounts, %v; want 1", n, err)
	}
	if n, err := f.db.ExpireHours(ctx, later); err != nil || n != 0 {
		t.Fatalf("a second run expired %d, %v", n, err)
	}
	if a := f.account(t, ctx, v); a.Balance != 60 {
		t.Fatalf("balance %d after expiry, want the newer 60", a.Balance)
	}
	lines, _ := f.db.BankStatement(ctx, a.ID)
	last := lines[len(lines)-1]
	if last.Kind != chorus.TransferDonate || last.Minutes != -60 || last.Operator != chorus.OperatorExpiry || last.Reason != "1小时过期(有效期12个月)" {
		t.Fatalf("expiry line %+v", last)
	}
	f.balanced(t)
}
