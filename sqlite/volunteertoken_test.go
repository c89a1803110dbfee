package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_TokenPresence: a signup has a check-in token signed as bookings'
// are; scanned at a door that names no shift, the first scan checks the
// volunteer in and the second checks them out, in the scope's community
// only; an altered token finds nothing.
func TestDB_TokenPresence(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	v := f.volunteer(t, 1)
	g, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.db.SignupToken(ctx, g.ID)
	if err != nil || len(tok) != chorus.TokenLen {
		t.Fatalf("token = %q, %v", tok, err)
	}
	if again, _ := f.db.SignupToken(ctx, g.ID); again != tok {
		t.Errorf("token changed: %q then %q", tok, again)
	}
	// Signed by the one check-in key, in the one form (ParseToken is the
	// bookings' check).
	if err := f.db.ParseToken(ctx, tok); err != nil {
		t.Errorf("ParseToken: %v", err)
	}
	if _, err := f.db.TokenPresence(ctx, tok, time.Time{}, "kiosk:1"); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Errorf("three days before the shift: %v", err)
	}
	f.clock.Set(fri4(8, 25))
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := f.db.TokenPresence(other, tok, time.Time{}, "kiosk:9"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's door: %v", err)
	}
	if _, err := f.db.SignupToken(other, g.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's token: %v", err)
	}
	bad := []byte(tok)
	bad[3] ^= 1
	if _, err := f.db.TokenPresence(ctx, string(bad), time.Time{}, "kiosk:1"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("altered token: %v", err)
	}
	res, err := f.db.TokenPresence(ctx, tok, time.Time{}, "kiosk:1")
	if err != nil || res.Outcome != chorus.PresenceIn || res.CheckinOutcome() != chorus.CheckinOK || res.Word() != "✓ 签到成功" {
		t.Fatalf("check in = %+v, %v", res, err)
	}
	f.clock.Set(fri4(13, 0))
	res, err = f.db.TokenPresence(ctx, tok, time.Time{}, "staff:wang")
	if err != nil || res.Outcome != chorus.PresenceOut || res.Word() != "✓ 签退成功" || res.Signup.ClaimID == 0 {
		t.Fatalf("check out = %+v, %v", res, err)
	}
	res, err = f.db.TokenPresence(ctx, tok, time.Time{}, "staff:wang")
	if err != nil || res.Outcome != chorus.PresenceAlready {
		t.Fatalf("third scan = %+v, %v", res, err)
	}
	if c, _ := f.db.Claim(ctx, res.Signup.ClaimID); c.Minutes != 180 {
		t.Errorf("claim = %+v, want 180 minutes", c)
	}
}

// TestDB_SignupTokenLazy: a signup made before migration 32 has no nonce;
// asking for its token gives it one, which then checks it in.
func TestDB_SignupTokenLazy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, clock := MustOpenDBAt(t, path)
	ctx := context.Background()
	p := &chorus.Partner{Name: "和泽苑物业", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000099"}, Active: true}
	if err := db.SavePartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼", Partners: []int64{p.ID}, Weekly: true}
	if err := db.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	shifts, err := db.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri4(8, 30), End: fri4(11, 30), Task: "清理楼道杂物",
		Capacity: 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := &volunteerFixture{db: db, clock: clock, partner: p.ID, activity: a, shift: shifts[0]}
	g, err := f.db.SignUp(ctx, f.shift.ID, f.volunteer(t, 1).ID, chorus.JoinStaff)
	if err != nil {
		t.Fatal(err)
	}
	// As a signup made before migration 32.
	if _, err := MustRawDB(t, path).Exec("UPDATE volunteer_signups SET token_nonce = NULL"); err != nil {
		t.Fatal(err)
	}
	tok, err := f.db.SignupToken(ctx, g.ID)
	if err != nil || len(tok) != chorus.TokenLen {
		t.Fatalf("token = %q, %v", tok, err)
	}
	f.clock.Set(fri4(8, 40))
	if res, err := f.db.TokenPresence(ctx, tok, time.Time{}, "kiosk:1"); err != nil || res.Outcome != chorus.PresenceIn {
		t.Fatalf("check in = %+v, %v", res, err)
	}
}
