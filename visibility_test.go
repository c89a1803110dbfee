package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestMaskName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"李秀英", "李**"}, {"王五", "王*"}, {"李", "李*"}, {"", ""}, {"  欧阳娜娜 ", "欧***"}, {"Anna", "A***"},
	} {
		if got := chorus.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	known := []string{"李秀英", "王五"}
	if got := chorus.UnmaskName("李**", known); got != "李秀英" {
		t.Errorf("UnmaskName = %q", got)
	}
	if got := chorus.UnmaskName("张**", known); got != "张**" {
		t.Errorf("UnmaskName of an unknown mask = %q", got)
	}
}

func TestViewer(t *testing.T) {
	addr := chorus.Address{EstateID: 1, Estate: "光华街8号院", Building: "3", Unit: "2", Room: "501"}
	b := chorus.Booking{Phone: "13812345678", Name: "李秀英", Code: "123456", CheckinToken: "tok"}
	for _, tt := range []struct {
		v                 chorus.Viewer
		existing          bool
		name, phone, code string
		token             string
	}{
		{chorus.ViewerKiosk, false, "李**", "138****5678", "", ""},
		{chorus.ViewerKioskVerified, false, "李**", "138****5678", "123456", ""},
		{chorus.ViewerKioskBooking, false, "李**", "138****5678", "123456", "tok"},
		{chorus.ViewerKioskBooking, true, "李**", "138****5678", "", ""},
		{chorus.ViewerDoor, false, "李秀英", "138****5678", "123456", "tok"},
		{chorus.ViewerStaff, false, "李秀英", "13812345678", "123456", "tok"},
	} {
		in := b
		in.Existing = tt.existing
		got := tt.v.Booking(in)
		if got.Name != tt.name || got.Phone != tt.phone || got.Code != tt.code || got.CheckinToken != tt.token {
			t.Errorf("viewer %d (existing %v) sees %+v", tt.v, tt.existing, got)
		}
	}
	retry := b
	retry.Existing, retry.Repeat = true, true
	if got := chorus.ViewerKioskBooking.Booking(retry); got.Code != "123456" {
		t.Errorf("a retry of the same request hides the code: %+v", got)
	}
	e := chorus.ViewerKiosk.Enrolment(chorus.Enrolment{Name: "李秀英", Children: []chorus.Child{{Name: "王小明", Age: 6}}})
	if e.Children[0].Name != "" || e.Children[0].Age != 6 || e.Name != "李**" {
		t.Errorf("enrolment at a kiosk = %+v", e)
	}
	o := chorus.ViewerKiosk.Order(chorus.Order{Name: "李秀英", Address: addr, Notes: "钥匙在鞋柜"})
	if o.Address.Unit != "" || o.Address.Room != "" || o.Notes != "" || o.Address.Building != "3" {
		t.Errorf("order at a kiosk = %+v", o)
	}
	if got := chorus.ViewerKiosk.AddressText(addr); got != "光华街8号院3号楼…" {
		t.Errorf("address text = %q", got)
	}
	if got := chorus.ViewerStaff.AddressText(addr); got != "光华街8号院3号楼2单元501" {
		t.Errorf("staff address text = %q", got)
	}
	if got := chorus.ViewerKiosk.Names([]string{"李秀英", "李秀兰", "王五"}); len(got) != 2 || got[0] != "李**" || got[1] != "王*" {
		t.Errorf("names = %q", got)
	}
}

func TestCheckVerification(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	live := chorus.Verification{ExpiresAt: now.Add(chorus.VerifyCodeTTL)}
	for _, tt := range []struct {
		name  string
		v     chorus.Verification
		right bool
		at    time.Time
		code  string
		tries int
		used  bool
	}{
		{"OK", live, true, now, "", 0, true},
		{"Wrong", live, false, now, chorus.EINVALID, 1, false},
		{"FifthWrongLocks", chorus.Verification{ExpiresAt: live.ExpiresAt, Tries: 4}, false, now, chorus.ECONFLICT, 5, false},
		{"Locked", chorus.Verification{ExpiresAt: live.ExpiresAt, Tries: 5}, true, now, chorus.ECONFLICT, 5, false},
		{"Expired", live, true, live.ExpiresAt, chorus.ECONFLICT, 0, false},
		{"Used", chorus.Verification{ExpiresAt: live.ExpiresAt, UsedAt: now}, true, now, chorus.ECONFLICT, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chorus.CheckVerification(tt.v, tt.right, tt.at)
			if chorus.ErrorCode(err) != tt.code || got.Tries != tt.tries || got.UsedAt.IsZero() == tt.used {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestLimits_CheckPending(t *testing.T) {
	l := chorus.Limits{PendingPerKiosk: 30, PendingPerPhone: 3}
	for _, tt := range []struct {
		kiosk, phone int
		code         string
	}{{0, 0, ""}, {29, 2, ""}, {30, 0, chorus.ELIMIT}, {0, 3, chorus.ELIMIT}} {
		if got := chorus.ErrorCode(l.CheckPending(tt.kiosk, tt.phone)); got != tt.code {
			t.Errorf("CheckPending(%d, %d) = %q, want %q", tt.kiosk, tt.phone, got, tt.code)
		}
	}
	if err := (chorus.Limits{}).CheckPending(1000, 1000); err != nil {
		t.Errorf("no limits: %v", err)
	}
}
