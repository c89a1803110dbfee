package chorus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestValidate_SMSText is issue 12's point 5 and issue 14's invisible
// characters: every text staff or residents type that is shown or sent
// (titles, places, estates, partners, names, address parts) refuses what
// would break or abuse an SMS, with a Chinese message, at creation.
func TestValidate_SMSText(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	event := func(title string) error {
		e := &chorus.Event{Kind: chorus.ServiceClinic, Title: title, PlaceID: 1, Status: chorus.EventOpen,
			Slots: []chorus.Slot{{Start: start, End: start.Add(15 * time.Minute), Capacity: 6}}}
		return e.Validate()
	}
	place := func(name string) error { return (&chorus.Place{Name: name}).Validate() }
	estate := func(name string) error { return (&chorus.Estate{Name: name}).Validate() }
	partner := func(name string) error {
		return (&chorus.Partner{Name: name, Kind: "barber", Phones: []string{"13800000001"}}).Validate()
	}
	booker := func(name string) error {
		return (&chorus.BookingRequest{EventID: 1, SlotID: 1, Phone: "13800000001", Name: name}).Validate()
	}
	room := func(r string) error {
		return (&chorus.Address{EstateID: 1, Building: "3", Unit: "2", Room: r}).Validate()
	}
	for _, tt := range []struct {
		name  string
		check func(string) error
		v     string
		want  string // in the message; "" for valid
	}{
		{"TitleOK", event, "冬季健康讲座(第2期)", ""},
		{"TitleBrackets", event, "【通知】健康讲座", "【】"},
		{"TitleVariable", event, "讲座${code}", "${"},
		{"TitleURL", event, "讲座详见http://x.cn", "网址"},
		{"TitleWWW", event, "讲座 www.example.com", "网址"},
		{"TitleDomain", event, "扫码 fraud.top 领奖", "网址"},
		{"TitleControl", event, "讲座\x1b", "字符"},
		{"PlaceRLO", place, "活动室\u202e1502", "看不见"},
		{"PlaceTooLong", place, strings.Repeat("室", 21), "太长"},
		{"EstateZeroWidth", estate, "光华\u200b街", "看不见"},
		{"PartnerLRO", partner, "老王\u202d理发", "看不见"},
		{"NameBidiIsolate", booker, "王\u2067秀英", "看不见"},
		{"NameZWJ", booker, "王\u200d秀英", "看不见"},
		{"NameOK", booker, "王秀英", ""},
		{"RoomOK", room, "1502", ""},
		{"RoomRLO", room, "\u202e1502", "看不见"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.v)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("%q: %v", tt.v, err)
				}
				return
			}
			if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tt.want) {
				t.Fatalf("%q: %v, want EINVALID saying %q", tt.v, err, tt.want)
			}
		})
	}
}

// TestEllipsize is issue 12's point 6 for the values that may be cut: a
// marker shows that something was cut.
func TestEllipsize(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"健康讲座", 20, "健康讲座"},
		{strings.Repeat("讲", 20), 20, strings.Repeat("讲", 20)},
		{strings.Repeat("讲", 21), 20, strings.Repeat("讲", 19) + "…"},
	} {
		if got := chorus.Ellipsize(tt.s, tt.n); got != tt.want {
			t.Errorf("Ellipsize(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// TestAddress_RoomPart: the room is never cut; an address whose building,
// unit and room cannot fit one SMS parameter is refused when typed.
func TestAddress_RoomPart(t *testing.T) {
	a := chorus.Address{EstateID: 1, Estate: "光华街16号院", Building: "3", Unit: "12", Room: "1502"}
	if got := a.RoomPart(); got != "3号楼12单元1502" {
		t.Errorf("RoomPart = %q", got)
	}
	long := chorus.Address{EstateID: 1, Building: "十六号院东区A座", Unit: "十二单元东侧", Room: "1502"}
	if err := long.Validate(); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("Validate of a room part too long for SMS = %v", err)
	}
}
