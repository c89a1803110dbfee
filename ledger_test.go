package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

// TestTransfer_Check: a transfer is posted only balanced, between distinct
// accounts, with its operator, and with what its kind needs.
func TestTransfer_Check(t *testing.T) {
	staff := chorus.StaffOperator("wang")
	e := func(pairs ...int) []chorus.Entry {
		var out []chorus.Entry
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, chorus.Entry{AccountID: int64(pairs[i]), Minutes: pairs[i+1]})
		}
		return out
	}
	for _, tt := range []struct {
		name string
		t    chorus.Transfer
		code string
	}{
		{"EarnOK", chorus.Transfer{Kind: chorus.TransferEarn, ClaimID: 7, Operator: "system", Entries: e(1, -90, 2, 90)}, ""},
		{"RedeemManyToOne", chorus.Transfer{Kind: chorus.TransferRedeem, Operator: "resident:sms", Entries: e(1, -30, 2, -30, 3, 60)}, ""},
		{"Unbalanced", chorus.Transfer{Kind: chorus.TransferEarn, ClaimID: 7, Operator: "system", Entries: e(1, -90, 2, 60)}, chorus.EINVALID},
		{"OneEntry", chorus.Transfer{Kind: chorus.TransferGrant, Operator: staff, Entries: e(1, 0)}, chorus.EINVALID},
		{"ZeroEntry", chorus.Transfer{Kind: chorus.TransferGrant, Operator: staff, Entries: e(1, 0, 2, 0)}, chorus.EINVALID},
		{"SelfCredit", chorus.Transfer{Kind: chorus.TransferGift, Operator: staff, Entries: e(1, -60, 1, 60)}, chorus.EINVALID},
		{"NoOperator", chorus.Transfer{Kind: chorus.TransferRedeem, Entries: e(1, -60, 2, 60)}, chorus.EINVALID},
		{"UnknownKind", chorus.Transfer{Kind: "mint", Operator: staff, Entries: e(1, -60, 2, 60)}, chorus.EINVALID},
		{"EarnWithoutClaim", chorus.Transfer{Kind: chorus.TransferEarn, Operator: "system", Entries: e(1, -60, 2, 60)}, chorus.EINVALID},
		{"TooLarge", chorus.Transfer{Kind: chorus.TransferGrant, Operator: staff, Entries: e(1, -chorus.MaxTransferMinutes-1, 2, chorus.MaxTransferMinutes+1)}, chorus.EINVALID},
		{"BadAccount", chorus.Transfer{Kind: chorus.TransferGrant, Operator: staff, Entries: e(0, -60, 2, 60)}, chorus.EINVALID},
		{"ReverseWithoutReason", chorus.Transfer{Kind: chorus.TransferReverse, ReversesID: 3, Operator: staff, Entries: e(1, 60, 2, -60)}, chorus.EINVALID},
		{"ReverseWithoutTarget", chorus.Transfer{Kind: chorus.TransferReverse, Reason: "录错", Operator: staff, Entries: e(1, 60, 2, -60)}, chorus.EINVALID},
		{"ReverseByResident", chorus.Transfer{Kind: chorus.TransferReverse, ReversesID: 3, Reason: "录错", Operator: "resident:sms", Entries: e(1, 60, 2, -60)}, chorus.EFORBIDDEN},
		{"ReverseByStaff", chorus.Transfer{Kind: chorus.TransferReverse, ReversesID: 3, Reason: "录错", Operator: staff, Entries: e(1, 60, 2, -60)}, ""},
		{"GiftBySystem", chorus.Transfer{Kind: chorus.TransferGift, Operator: "system", Entries: e(1, -60, 2, 60)}, chorus.EFORBIDDEN},
		{"CapDonationBySystem", chorus.Transfer{Kind: chorus.TransferDonate, ClaimID: 4, Operator: "system", Entries: e(1, -60, 2, 60)}, ""},
		{"ExpiryDonation", chorus.Transfer{Kind: chorus.TransferDonate, Operator: chorus.OperatorExpiry, Entries: e(1, -60, 2, 60)}, ""},
		{"DonateBySystem", chorus.Transfer{Kind: chorus.TransferDonate, Operator: "system", Entries: e(1, -60, 2, 60)}, chorus.EFORBIDDEN},
		{"DonateByEmptyStaff", chorus.Transfer{Kind: chorus.TransferDonate, Operator: "staff:", Entries: e(1, -60, 2, 60)}, chorus.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.t.Check()
			if got := chorus.ErrorCode(err); got != tt.code {
				t.Fatalf("code %q, want %q (%v)", got, tt.code, err)
			}
			if err != nil && chorus.ErrorMessage(err) == "" {
				t.Fatal("no message")
			}
		})
	}
}

// TestReversal: a reversal negates every entry, once, by staff with a
// reason; a reverse is never reversed.
func TestReversal(t *testing.T) {
	orig := chorus.Transfer{ID: 5, Community: 2, Kind: chorus.TransferEarn, ClaimID: 9, Operator: "system",
		Entries: []chorus.Entry{{AccountID: 1, Minutes: -90}, {AccountID: 4, Minutes: 90}}}
	t.Run("OK", func(t *testing.T) {
		r, err := chorus.Reversal(orig, false, chorus.StaffOperator("li"), " 活动取消,时长录错 ")
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != chorus.TransferReverse || r.ReversesID != 5 || r.Community != 2 || r.Reason != "活动取消,时长录错" {
			t.Fatalf("got %+v", r)
		}
		if r.Entries[0] != (chorus.Entry{AccountID: 1, Minutes: 90}) || r.Entries[1] != (chorus.Entry{AccountID: 4, Minutes: -90}) {
			t.Fatalf("entries %+v", r.Entries)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		if _, err := chorus.Reversal(orig, true, chorus.StaffOperator("li"), "x"); chorus.ErrorCode(err) != chorus.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrReverseOfReverse", func(t *testing.T) {
		rev := orig
		rev.Kind, rev.ReversesID = chorus.TransferReverse, 4
		if _, err := chorus.Reversal(rev, false, chorus.StaffOperator("li"), "x"); chorus.ErrorCode(err) != chorus.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotStaff", func(t *testing.T) {
		if _, err := chorus.Reversal(orig, false, chorus.OperatorResidentSMS, "x"); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNoReason", func(t *testing.T) {
		if _, err := chorus.Reversal(orig, false, chorus.StaffOperator("li"), "  "); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
}

// TestCheckOverdraft: a person's or unit's balance never goes below zero
// without staff approval; the pool issues hours and may.
func TestCheckOverdraft(t *testing.T) {
	for _, tt := range []struct {
		kind     chorus.AccountKind
		after    int
		approved bool
		code     string
	}{
		{chorus.AccountPerson, 0, false, ""},
		{chorus.AccountPerson, -15, false, chorus.ECONFLICT},
		{chorus.AccountPerson, -15, true, ""},
		{chorus.AccountUnit, -1, false, chorus.ECONFLICT},
		{chorus.AccountPool, -6000, false, ""},
	} {
		if got := chorus.ErrorCode(chorus.CheckOverdraft(tt.kind, tt.after, tt.approved)); got != tt.code {
			t.Errorf("%s %d %v: %q, want %q", tt.kind, tt.after, tt.approved, got, tt.code)
		}
	}
}

// TestFormatMinutes: hours as people say them.
func TestFormatMinutes(t *testing.T) {
	for m, want := range map[int]string{0: "0小时", 90: "1.5小时", 120: "2小时", 15: "0.25小时", 45: "0.75小时", 61: "1小时1分钟", 20: "20分钟", -30: "-0.5小时"} {
		if got := chorus.FormatMinutes(m); got != want {
			t.Errorf("%d: %q, want %q", m, got, want)
		}
	}
}

// TestCheckGift: gifts need the giver's own phone as proof and go only to
// registered relatives; donations to the pool need only the proof.
func TestCheckGift(t *testing.T) {
	son, mother := "13800000011", "13800000010"
	fam := []chorus.FamilyContact{{Phone: mother, Relation: "母亲"}}
	if !chorus.IsRelative(son, fam, mother, nil) || !chorus.IsRelative(mother, nil, son, fam) || chorus.IsRelative(son, fam, "13800000012", nil) || chorus.IsRelative(son, nil, son, nil) {
		t.Fatal("IsRelative")
	}
	for _, tt := range []struct {
		name     string
		g        chorus.BankGift
		relative bool
		code     string
	}{
		{"GiftOK", chorus.BankGift{ToResident: 4, Minutes: 60, VerifiedPhone: son}, true, ""},
		{"DonationOK", chorus.BankGift{Minutes: 60, VerifiedPhone: son}, false, ""},
		{"NoProof", chorus.BankGift{ToResident: 4, Minutes: 60}, true, chorus.EFORBIDDEN},
		{"OtherPhone", chorus.BankGift{ToResident: 4, Minutes: 60, VerifiedPhone: mother}, true, chorus.EFORBIDDEN},
		{"NotRelative", chorus.BankGift{ToResident: 4, Minutes: 60, VerifiedPhone: son}, false, chorus.EFORBIDDEN},
		{"Zero", chorus.BankGift{ToResident: 4, VerifiedPhone: son}, true, chorus.EINVALID},
	} {
		if got := chorus.ErrorCode(chorus.CheckGift(tt.g, son, tt.relative)); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
	}
}
