package chorus_test

import (
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestBankRules_Validate: the default rules are valid; services are
// low-risk and non-professional; caps, expiry and ages are bounded.
func TestBankRules_Validate(t *testing.T) {
	def := chorus.DefaultBankRules()
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(def.Services, []string{"陪伴聊天", "代买代办", "陪同就医"}) || def.RedeemAge != 60 || def.YearlyCapMinutes != 0 || def.ExpiryMonths != 0 {
		t.Fatalf("defaults %+v", def)
	}
	for _, tt := range []struct {
		name string
		edit func(*chorus.BankRules)
		code string
	}{
		{"Dedup", func(r *chorus.BankRules) { r.Services = []string{" 陪伴聊天", "陪伴聊天", ""} }, ""},
		{"NoService", func(r *chorus.BankRules) { r.Services = nil }, chorus.EINVALID},
		{"Professional", func(r *chorus.BankRules) { r.Services = append(r.Services, "上门护理") }, chorus.EINVALID},
		{"CapNegative", func(r *chorus.BankRules) { r.YearlyCapMinutes = -1 }, chorus.EINVALID},
		{"CapNanjing", func(r *chorus.BankRules) { r.YearlyCapMinutes = 1500 * 60 }, ""},
		{"OverCapUnknown", func(r *chorus.BankRules) { r.OverCap = "burn" }, chorus.EINVALID},
		{"OverCapRefuse", func(r *chorus.BankRules) { r.OverCap = chorus.OverCapRefuse }, ""},
		{"Expiry", func(r *chorus.BankRules) { r.ExpiryMonths = 601 }, chorus.EINVALID},
		{"Age", func(r *chorus.BankRules) { r.RedeemAge = 120 }, chorus.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := chorus.DefaultBankRules()
			tt.edit(&r)
			if got := chorus.ErrorCode(r.Validate()); got != tt.code {
				t.Fatalf("code %q, want %q", got, tt.code)
			}
		})
	}
	r := chorus.BankRules{Services: []string{" 陪伴聊天", "陪伴聊天"}}
	if err := r.Validate(); err != nil || len(r.Services) != 1 || r.OverCap != chorus.OverCapDonate {
		t.Fatalf("normalised %+v %v", r, err)
	}
}

// TestPlanEarn: past the yearly cap the excess is donated back to the pool
// or refused, as the community chose; without a cap all is credited.
func TestPlanEarn(t *testing.T) {
	capped := func(c chorus.OverCap) chorus.BankRules {
		r := chorus.DefaultBankRules()
		r.YearlyCapMinutes, r.OverCap = 600, c
		return r
	}
	for _, tt := range []struct {
		name   string
		rules  chorus.BankRules
		m, ytd int
		want   chorus.EarnPlan
		code   string
	}{
		{"NoCap", chorus.DefaultBankRules(), 90, 100000, chorus.EarnPlan{Credit: 90}, ""},
		{"UnderCap", capped(chorus.OverCapDonate), 90, 500, chorus.EarnPlan{Credit: 90}, ""},
		{"ExactlyCap", capped(chorus.OverCapDonate), 100, 500, chorus.EarnPlan{Credit: 100}, ""},
		{"CrossDonate", capped(chorus.OverCapDonate), 120, 540, chorus.EarnPlan{Credit: 120, Donated: 60}, ""},
		{"CrossRefuse", capped(chorus.OverCapRefuse), 120, 540, chorus.EarnPlan{Credit: 60, Refused: 60}, ""},
		{"PastCapRefuse", capped(chorus.OverCapRefuse), 60, 700, chorus.EarnPlan{Refused: 60}, ""},
		{"PastCapDonate", capped(chorus.OverCapDonate), 60, 700, chorus.EarnPlan{Credit: 60, Donated: 60}, ""},
		{"Zero", chorus.DefaultBankRules(), 0, 0, chorus.EarnPlan{}, chorus.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chorus.PlanEarn(tt.rules, tt.m, tt.ytd)
			if chorus.ErrorCode(err) != tt.code || got != tt.want {
				t.Fatalf("got %+v %v, want %+v %q", got, err, tt.want, tt.code)
			}
		})
	}
}

// TestCheckServe: no credit for serving your own household.
func TestCheckServe(t *testing.T) {
	home := chorus.Address{EstateID: 3, Building: "2", Unit: "1", Room: "502"}
	next := home
	next.Room = "501"
	for _, tt := range []struct {
		name string
		a, b chorus.Household
		code string
	}{
		{"SameResident", chorus.Household{ResidentID: 4}, chorus.Household{ResidentID: 4}, chorus.EFORBIDDEN},
		{"SameRoom", chorus.Household{ResidentID: 4, Address: home}, chorus.Household{ResidentID: 5, Address: home}, chorus.EFORBIDDEN},
		{"Neighbour", chorus.Household{ResidentID: 4, Address: home}, chorus.Household{ResidentID: 5, Address: next}, ""},
		{"PartnerEmployee", chorus.Household{}, chorus.Household{ResidentID: 5, Address: home}, ""},
		{"NoRoomKnown", chorus.Household{Address: chorus.Address{EstateID: 3}}, chorus.Household{ResidentID: 5, Address: chorus.Address{EstateID: 3}}, ""},
	} {
		if got := chorus.ErrorCode(chorus.CheckServe(tt.a, tt.b)); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
	}
}

// TestCheckRedeemer: a resident spends hours from the rules' age; an
// unknown age needs staff.
func TestCheckRedeemer(t *testing.T) {
	r := chorus.DefaultBankRules()
	for _, tt := range []struct {
		birth, year int
		code        string
	}{
		{1960, 2026, ""}, {1966, 2026, ""}, {1967, 2026, chorus.EFORBIDDEN}, {0, 2026, chorus.EFORBIDDEN},
	} {
		if got := chorus.ErrorCode(chorus.CheckRedeemer(r, tt.birth, tt.year)); got != tt.code {
			t.Errorf("%d in %d: %q, want %q", tt.birth, tt.year, got, tt.code)
		}
	}
	r.RedeemAge = 0
	if err := chorus.CheckRedeemer(r, 0, 2026); err != nil {
		t.Errorf("no age rule: %v", err)
	}
}

// TestExpiry: hours expire oldest first, only what was credited before the
// cutoff and not spent since; no expiry by default.
func TestExpiry(t *testing.T) {
	now := time.Date(2027, 6, 1, 3, 0, 0, 0, time.UTC)
	r := chorus.DefaultBankRules()
	if !chorus.ExpiryCutoff(r, now).IsZero() {
		t.Fatal("the default rules expire hours")
	}
	r.ExpiryMonths = 12
	if got := chorus.ExpiryCutoff(r, now); !got.Equal(time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("cutoff %v", got)
	}
	for _, tt := range []struct{ before, debited, want int }{
		{120, 30, 90}, {120, 120, 0}, {120, 200, 0}, {0, 0, 0}, {60, 0, 60},
	} {
		if got := chorus.ExpiredMinutes(tt.before, tt.debited); got != tt.want {
			t.Errorf("ExpiredMinutes(%d, %d) = %d, want %d", tt.before, tt.debited, got, tt.want)
		}
	}
}
