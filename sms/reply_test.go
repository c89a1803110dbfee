package sms_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorus-community/chorus/sms"
)

func TestParseReply(t *testing.T) {
	confirm := sms.Reply{Kind: sms.ReplyConfirm}
	cancel := sms.Reply{Kind: sms.ReplyCancel}
	optOut := sms.Reply{Kind: sms.ReplyOptOut}
	unknown := sms.Reply{Kind: sms.ReplyUnknown}
	accept := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyAccept, Order: n} }
	done := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyDone, Order: n} }
	giveBack := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyGiveBack, Order: n} }

	for _, tt := range []struct {
		in   string
		want sms.Reply
	}{
		// Confirm, as typed on old phones and new.
		{"1", confirm},
		{" 1 ", confirm},
		{"1。", confirm},
		{"\uFF11", confirm},       // full-width 1
		{"\uFF11\u3002", confirm}, // full-width 1 and 。
		{"\u2460", confirm},       // ①
		{"11", confirm},
		{"1 1", confirm},
		{"1\n", confirm},
		{"确认", confirm},
		{"确定", confirm},
		{"是", confirm},
		{"是的", confirm},
		{"好", confirm},
		{"好的", confirm},
		{"好的,谢谢", confirm},
		{"好的\uFF0C谢谢\uFF01", confirm}, // full-width comma and !
		{"对", confirm},
		{"去", confirm},
		{"我去", confirm},
		{"会去的", confirm},
		{"可以", confirm},
		{"可以的", confirm},
		{"1确认", confirm},
		{"1 确认", confirm},
		{"回复1", confirm},
		{"确认参加", confirm},
		{"嗯嗯好的", confirm},
		{"OK", confirm},
		{"ok", confirm},
		{"\uFF2F\uFF2B", confirm}, // full-width OK
		{"Yes", confirm},
		{"好的\U0001F44D", confirm},         // with a thumbs up
		{"\U0001F44D", confirm},           // a thumbs up alone
		{"\U0001F44D\U0001F3FB", confirm}, // thumbs up with a skin tone
		{"1\U0001F60A", confirm},          // with a smile
		{"您好,确认", confirm},
		// Cancel.
		{"2", cancel},
		{"\uFF12", cancel},
		{"22", cancel},
		{"取消", cancel},
		{"2取消", cancel},
		{"取消预约", cancel},
		{"不去了", cancel},
		{"不去", cancel},
		{"我不去了", cancel},
		{"我要取消", cancel},
		{"去不了", cancel},
		{"来不了了", cancel},
		{"不参加了,谢谢", cancel},
		{"放弃", cancel},
		{"No", cancel},
		// Opt-out.
		{"R", optOut},
		{"r", optOut},
		{"\uFF32", optOut}, // full-width R
		{"TD", optOut},
		{"td", optOut},
		{"Td", optOut},
		{"T", optOut},
		{"N", optOut},
		{"退订", optOut},
		{"退订。", optOut},
		{"拒收", optOut},
		{"请帮我退订短信", optOut},
		{"退订退订退订!!!", optOut},
		{"退订1024", optOut}, // 退订 always wins
		// Partners: orders.
		{"接单1024", accept(1024)},
		{"接1024", accept(1024)},
		{"接 1024", accept(1024)},
		{"接单 1024", accept(1024)},
		{"接单：1024", accept(1024)},
		{"接单:1024", accept(1024)},
		{"接单#1024", accept(1024)},
		{"接单号1024", accept(1024)},
		{"接\uFF11\uFF10\uFF12\uFF14", accept(1024)}, // full-width digits
		{"1024接单", accept(1024)},
		{"我接1024", accept(1024)},
		{"我要接单1024", accept(1024)},
		{"回复接1024", accept(1024)},
		{"确认接单1024", accept(1024)},
		{"接单1024,谢谢", accept(1024)},
		{"接单0001024", accept(1024)},
		{"接单", accept(0)},
		{"接", accept(0)},
		{"我接单", accept(0)},
		{"完成1024", done(1024)},
		{"已完成1024", done(1024)},
		{"完成了1024", done(1024)},
		{"1024完成", done(1024)},
		{"1024已完成", done(1024)},
		{"完成", done(0)},
		{"退1024", giveBack(1024)},
		{"退 1024", giveBack(1024)},
		{"退单1024", giveBack(1024)},
		{"1024退单", giveBack(1024)},
		{"退单", giveBack(0)},
		// Unknown: for staff.
		{"", unknown},
		{"   ", unknown},
		{"。。。", unknown},
		{"\U0001F60A", unknown}, // a smile alone
		{"谢谢", unknown},
		{"收到", unknown},
		{"12", unknown},
		{"1不去", unknown},
		{"不好", unknown},
		{"不是", unknown},
		{"对不起我不去了", unknown}, // 对不起 is no confirmation; staff read it
		{"1024", unknown},
		{"退", unknown},
		{"接单1024,1025", unknown},
		{"接单99999999999999999999", unknown},
		{"请问几点开始", unknown},
		{"我想问一下明天的义诊在哪里", unknown},
		{"hello", unknown},
		{"\u0661", unknown}, // Arabic-Indic one
		{"一", unknown},
		{strings.Repeat("1", sms.MaxReplyBytes+1), unknown},
		{"\xff\xfe", unknown},
	} {
		if got := sms.ParseReply(tt.in); got != tt.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// orderKinds may carry an order number.
var orderKinds = map[sms.ReplyKind]bool{sms.ReplyAccept: true, sms.ReplyDone: true, sms.ReplyGiveBack: true,
	sms.ReplyVenueAgree: true, sms.ReplyVenueRefuse: true, sms.ReplyVenueWithdraw: true, sms.ReplyJoin: true, sms.ReplyLeaderConfirm: true}

// TestParseReply_Join: a volunteer's 参加N takes a place on shift N; 参加
// alone still confirms, and 取消N reads as before (the store routes it).
func TestParseReply_Join(t *testing.T) {
	join := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyJoin, Order: n} }
	for _, tt := range []struct {
		in   string
		want sms.Reply
	}{
		{"参加1024", join(1024)},
		{"参加 1024", join(1024)},
		{"我参加1024", join(1024)},
		{"参加1024,谢谢", join(1024)},
		{"报名1024", join(1024)},
		{"\uFF11\uFF10\uFF12\uFF14参加", join(1024)},
		{"参加", sms.Reply{Kind: sms.ReplyConfirm}},
		{"确认参加", sms.Reply{Kind: sms.ReplyConfirm}},
		{"不参加了", sms.Reply{Kind: sms.ReplyCancel}},
		{"参加0", sms.Reply{Kind: sms.ReplyUnknown}},
		{"志愿者", sms.Reply{Kind: sms.ReplyVolunteer}},
		{"我要当志愿者!", sms.Reply{Kind: sms.ReplyVolunteer}},
		{"志愿者1024", sms.Reply{Kind: sms.ReplyUnknown}},
		{"不当志愿者", sms.Reply{Kind: sms.ReplyUnknown}},
		{"不属实!", sms.Reply{Kind: sms.ReplyDispute}},
		{"没有来过", sms.Reply{Kind: sms.ReplyDispute}},
		{"确认1024", sms.Reply{Kind: sms.ReplyLeaderConfirm, Order: 1024}},
		{"确认时长 1024", sms.Reply{Kind: sms.ReplyLeaderConfirm, Order: 1024}},
		{"确认", sms.Reply{Kind: sms.ReplyConfirm}},
		{"参加1024 1025", sms.Reply{Kind: sms.ReplyUnknown}},
		{"不参加1024", sms.Reply{Kind: sms.ReplyUnknown}},
		{"取消1024", sms.Reply{Kind: sms.ReplyVenueWithdraw, Order: 1024}},
	} {
		if got := sms.ParseReply(tt.in); got != tt.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseReply_Venue(t *testing.T) {
	agree := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyVenueAgree, Order: n} }
	refuse := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyVenueRefuse, Order: n} }
	withdraw := func(n int64) sms.Reply { return sms.Reply{Kind: sms.ReplyVenueWithdraw, Order: n} }
	for _, tt := range []struct {
		in   string
		want sms.Reply
	}{
		{"同意1024", agree(1024)},
		{"同意 1024", agree(1024)},
		{"同意１０２４。", agree(1024)},
		{"我同意1024,谢谢", agree(1024)},
		{"同意", agree(0)},
		{"同意了", agree(0)},
		{"不同意1024", refuse(1024)},
		{"不同意1024 那天所里有会", refuse(1024)},
		{"不同意,礼堂在修", refuse(0)},
		{"不同意", refuse(0)},
		{"取消1024", withdraw(1024)},
		{"取消 1024", withdraw(1024)},
		// A bare 取消 stays a resident's cancel; mixed or odd replies go to staff.
		{"取消", sms.Reply{Kind: sms.ReplyCancel}},
		{"同意1024不去", sms.Reply{Kind: sms.ReplyUnknown}},
		{"同意1024 1025", sms.Reply{Kind: sms.ReplyUnknown}},
		{"取消1024 1025", sms.Reply{Kind: sms.ReplyUnknown}},
		{"同意0", sms.Reply{Kind: sms.ReplyUnknown}},
		{"同意99999999999999999999", sms.Reply{Kind: sms.ReplyUnknown}},
		{"不同意退订", sms.Reply{Kind: sms.ReplyOptOut}}, // an opt-out is never missed
	} {
		if got := sms.ParseReply(tt.in); got != tt.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"1", "2", "确认", "不去了", "TD", "退订", "接单1024", "接 1024", "完成1024", "退1024",
		"退单", "接单", "\uFF11", "\U0001F44D", "好的,谢谢", "1024接单", "接单99999999999999999999", "\xff",
		"同意1024", "不同意1024 有会", "取消1024", "同意", "不同意", "参加1024", "参加", "报名 7", "参加0", "不参加1024",
		"完成1024 1.5", "接1024", "1", "完成１０２４，１.５小时", "完成12 9", "完成12 0.1", "已完成12,2个小时", "志愿者", "我要当志愿者!", "志愿者1024", "不当志愿者", "不属实", "不属实!", "2 不属实", "确认1024", "确认", "确认 7", "确认0"} {
		f.Add(s)
	}
	kinds := map[sms.ReplyKind]bool{sms.ReplyConfirm: true, sms.ReplyCancel: true, sms.ReplyOptOut: true,
		sms.ReplyAccept: true, sms.ReplyDone: true, sms.ReplyGiveBack: true, sms.ReplyUnknown: true,
		sms.ReplyVenueAgree: true, sms.ReplyVenueRefuse: true, sms.ReplyVenueWithdraw: true, sms.ReplyJoin: true, sms.ReplyVolunteer: true, sms.ReplyDispute: true, sms.ReplyLeaderConfirm: true}
	f.Fuzz(func(t *testing.T, s string) {
		r := sms.ParseReply(s)
		if !kinds[r.Kind] {
			t.Fatalf("ParseReply(%q): kind %q", s, r.Kind)
		}
		if r.Order < 0 || (r.Order > 0 && !orderKinds[r.Kind]) {
			t.Fatalf("ParseReply(%q) = %+v: an order number on a %s", s, r, r.Kind)
		}
		if r.Kind == sms.ReplyJoin && r.Order <= 0 {
			t.Fatalf("ParseReply(%q) = %+v: 参加 without a shift", s, r)
		}
		if r != sms.ParseReply(s) {
			t.Fatalf("ParseReply(%q) is not deterministic", s)
		}
		if r.Minutes != 0 && (r.Kind != sms.ReplyDone || r.Order <= 0 || r.Minutes < 15 || r.Minutes > 480 || r.Minutes%15 != 0) {
			t.Fatalf("ParseReply(%q) = %+v: hours only on a done, in quarter hours up to 8", s, r)
		}
		if len(s) > sms.MaxReplyBytes && r.Kind != sms.ReplyUnknown {
			t.Fatalf("ParseReply of %d bytes = %+v, want unknown", len(s), r)
		}
		if r.Kind == sms.ReplyOptOut && !strings.ContainsAny(strings.ToLower(s), "rtdn\uFF32\uFF34\uFF24\uFF2E\uFF52\uFF54\uFF44\uFF4E退拒") {
			t.Fatalf("ParseReply(%q) opts out without an opt-out word", s)
		}
		if r.Kind != sms.ReplyUnknown && !utf8.ValidString(s) && strings.Trim(s, "\xff\xfe") == "" {
			t.Fatalf("ParseReply(%q) = %+v from bytes alone", s, r)
		}
	})
}

// TestParseReply_DoneHours: a volunteer reports help done with its hours
// (完成1024 1.5); hours that cannot be right go to staff.
func TestParseReply_DoneHours(t *testing.T) {
	done := func(n int64, m int) sms.Reply { return sms.Reply{Kind: sms.ReplyDone, Order: n, Minutes: m} }
	for _, tt := range []struct {
		in   string
		want sms.Reply
	}{
		{"完成1024 1.5", done(1024, 90)},
		{"完成1024,2", done(1024, 120)},
		{"完成1024，1.5小时", done(1024, 90)},
		{"已完成 1024 2个小时。", done(1024, 120)},
		{"完成１０２４　１.５", done(1024, 90)},
		{"做完12 0.75h", done(12, 45)},
		{"完成12 1.6", done(12, 90)}, // rounded down to the quarter hour
		{"完成1024", done(1024, 0)},  // no hours: staff or a second reply give them
		{"完成1024 9", sms.Reply{Kind: sms.ReplyUnknown}},
		{"完成1024 0", sms.Reply{Kind: sms.ReplyUnknown}},
		{"完成1024 1.5 1025", sms.Reply{Kind: sms.ReplyUnknown}},
		{"完成0 1.5", sms.Reply{Kind: sms.ReplyUnknown}},
		{"完成1024 1.5 退订", sms.Reply{Kind: sms.ReplyOptOut}},
	} {
		if got := sms.ParseReply(tt.in); got != tt.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
