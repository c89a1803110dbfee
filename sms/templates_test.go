package sms_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// allKinds lists every message kind of the domain.
var allKinds = []chorus.MessageKind{
	chorus.MsgBookingConfirm, chorus.MsgReminder, chorus.MsgCancelled, chorus.MsgWaitlistOffer,
	chorus.MsgEnrolled, chorus.MsgHaircutAccepted, chorus.MsgPartnerOrder, chorus.MsgOrderTaken,
	chorus.MsgCheckinCode, chorus.MsgOptOutAck, chorus.MsgHelp, chorus.MsgWaitlisted, chorus.MsgOrderUnclaimed,
	chorus.MsgBookingBooked, chorus.MsgDispatchUntold, chorus.MsgReplyAck, chorus.MsgReplyWhich, chorus.MsgReplyUnclear, chorus.MsgPartnerAck,
	chorus.MsgVerifyCode, chorus.MsgOrderConfirm, chorus.MsgVenueRequest, chorus.MsgVenueAck, chorus.MsgVenueAlert,
	chorus.MsgClassKeep, chorus.MsgSessionOff, chorus.MsgClassEnrolled, chorus.MsgSessionMakeup,
	chorus.MsgSessionHoliday, chorus.MsgVenueTomorrow, chorus.MsgPartnerMonth,
	chorus.MsgShiftCallOut, chorus.MsgShiftSignup, chorus.MsgShiftFull, chorus.MsgShiftPlace, chorus.MsgShiftReminder,
	chorus.MsgShiftCancelled, chorus.MsgVolunteerJoined, chorus.MsgShiftLeaderHours, chorus.MsgShiftLeaderAck,
	chorus.MsgHelpAsk, chorus.MsgHelpTaken, chorus.MsgHelpAccepted, chorus.MsgHelpConfirm, chorus.MsgHelpAck, chorus.MsgHelpUnclaimed,
	chorus.MsgClassChanged, chorus.MsgSessionBack,
	chorus.MsgHelpComing, chorus.MsgHelpDisputed, chorus.MsgHelpCallBack,
}

// realistic holds long but realistic parameters of each kind, as the
// storage fills them.
var realistic = map[chorus.MessageKind]map[string]string{
	chorus.MsgBookingConfirm:  {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00", "place": "社区活动室", "code": "482913"},
	chorus.MsgReminder:        {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00", "place": "社区活动室", "code": "482913"},
	chorus.MsgCancelled:       {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00"},
	chorus.MsgWaitlisted:      {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00"},
	chorus.MsgWaitlistOffer:   {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00", "hours": "2"},
	chorus.MsgEnrolled:        {"programme": "2027寒假儿童托管班", "status": "候补到号待确认"},
	chorus.MsgHaircutAccepted: {"partner": "老王理发店", "time": "12月2日周三上午"},
	chorus.MsgBookingBooked:   {"event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00", "place": "社区活动室", "code": "482913"},
	chorus.MsgPartnerOrder:    {"order": "1024", "service": "上门理发", "estate": "光华街3号院", "room": "2号楼301", "time": "12月2日周三上午"},
	chorus.MsgDispatchUntold:  {"order": "1024", "service": "上门理发"},
	chorus.MsgReplyAck:        {"action": "确认", "event": "冬季免费义诊(眼科)", "time": "12月5日周六09:00"},
	chorus.MsgReplyWhich:      {"count": "2"},
	chorus.MsgReplyUnclear:    {"order": "1024"},
	chorus.MsgPartnerAck:      {"action": "接单", "order": "1024", "service": "上门理发", "time": "12月2日周三上午"},
	chorus.MsgOrderTaken:      {"order": "1024"},
	chorus.MsgOrderUnclaimed:  {"order": "1025", "service": "上门维修", "estate": "光华街16号院", "room": "3单元502", "time": "12月1日周二下午"},
	chorus.MsgCheckinCode:     {"event": "冬季免费义诊(眼科)", "code": "482913"},
	chorus.MsgOptOutAck:       {},
	chorus.MsgHelp:            {},
	chorus.MsgVerifyCode:      {"code": "482913"},
	chorus.MsgOrderConfirm:    {"service": "上门维修", "time": "12月2日周三上午"},
	chorus.MsgVenueRequest:    {"venue": "小礼堂", "time": "12月12日 14:00–16:00", "event": "健康讲座", "code": "1024"},
	chorus.MsgVenueAck:        {"action": "同意", "venue": "小礼堂", "time": "12月12日 14:00–16:00", "event": "健康讲座"},
	chorus.MsgVenueAlert: {"code": "1024", "venue": "小礼堂", "time": "12月12日 14:00–16:00", "event": "健康讲座",
		"outcome": "共建单位不同意"},
	chorus.MsgClassKeep:  {"count": "3", "event": "周四晚书法班", "hours": "48"},
	chorus.MsgSessionOff: {"event": "周四晚书法班", "time": "12月10日周四19:00", "reason": "老师生病"},
	chorus.MsgClassEnrolled: {"event": "周四晚书法班", "time": "每星期四19:00", "place": "第二研究所声乐室",
		"code": "482913"},
	chorus.MsgSessionMakeup:  {"event": "周四晚书法班", "time": "12月19日周六19:00", "place": "第二研究所声乐室"},
	chorus.MsgSessionHoliday: {"event": "周四晚书法班", "time": "10月1日周四19:00", "holiday": "国庆节"},
	chorus.MsgVenueTomorrow:  {"venue": "小礼堂", "time": "12月12日 14:00–16:00", "event": "健康讲座", "people": "80"},
	chorus.MsgPartnerMonth:   {"month": "11月", "hours": "26.5", "events": "4", "people": "312"},
	chorus.MsgShiftCallOut: {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30", "place": "和泽苑3号楼",
		"task": "清理楼道杂物", "count": "12", "code": "1024"},
	chorus.MsgShiftSignup: {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30", "place": "和泽苑3号楼",
		"task": "清理楼道杂物", "checkin": "482913", "code": "1024"},
	chorus.MsgShiftFull:  {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30"},
	chorus.MsgShiftPlace: {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30", "place": "和泽苑3号楼", "checkin": "482913", "code": "1024"},
	chorus.MsgShiftReminder: {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30", "place": "和泽苑3号楼",
		"task": "清理楼道杂物", "checkin": "482913", "code": "1024"},
	chorus.MsgShiftCancelled:  {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30"},
	chorus.MsgVolunteerJoined: {},
	chorus.MsgShiftLeaderHours: {"activity": "靓丽星期五·楼道清扫", "time": "12月4日周五08:30",
		"list": "王*2小时、刘*1.75小时、陈*2小…", "code": "1024"},
	chorus.MsgShiftLeaderAck: {"code": "1024", "action": "已确认3人的时长,1人由社区工作人员复核"},
	chorus.MsgHelpAsk:        {"code": "1024", "service": "陪同就医", "estate": "光华街16号院", "time": "12月2日周三上午"},
	chorus.MsgHelpTaken:      {"code": "1024"},
	chorus.MsgHelpAccepted: {"code": "1024", "service": "陪同就医", "estate": "光华街16号院", "room": "3单元502",
		"time": "12月2日周三上午"},
	chorus.MsgHelpConfirm:   {"hours": "1.5", "service": "陪同就医"},
	chorus.MsgHelpAck:       {"code": "1024", "action": "服务1.5小时已登记,等居民确认"},
	chorus.MsgHelpComing:    {"volunteer": "李", "time": "12月2日周三上午", "service": "陪同就医", "code": "1024"},
	chorus.MsgHelpDisputed:  {"code": "1024", "duration": "1.5小时"},
	chorus.MsgHelpCallBack:  {},
	chorus.MsgHelpUnclaimed: {"code": "1024", "service": "陪同就医", "estate": "光华街16号院", "room": "3单元502", "time": "12月2日周三上午"},
	chorus.MsgClassChanged:  {"event": "周四晚书法班", "from": "12月19日", "time": "每星期六19:00", "place": "第二研究所声乐室"},
	chorus.MsgSessionBack:   {"event": "周四晚书法班", "time": "10月8日周四19:00"},
}

func TestCatalogue_Templates(t *testing.T) {
	c := MustCatalogue(t)
	if got, want := chorus.MessageKinds(), slices.Sorted(slices.Values(allKinds)); !slices.Equal(got, want) {
		t.Errorf("the domain's kinds are %v, the catalogue's %v", got, want)
	}
	if got := len(c.Templates()); got != len(allKinds) {
		t.Errorf("%d templates, want %d", got, len(allKinds))
	}
	codes := map[string]bool{}
	for _, kind := range allKinds {
		tpl, ok := c.Template(kind)
		if !ok {
			t.Errorf("no template for %s", kind)
			continue
		}
		if codes[tpl.Code] {
			t.Errorf("%s: code %s used twice", kind, tpl.Code)
		}
		codes[tpl.Code] = true
		params := realistic[kind]
		if got, want := tpl.Params, slices.Sorted(maps.Keys(params)); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
			t.Errorf("%s: params %v, want %v", kind, got, want)
		}
		text, err := c.Render(kind, params)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if strings.Contains(text, "${") {
			t.Errorf("%s: %q still holds a variable", kind, text)
		}
		// One billed message: 【光华街社区】 plus the text within 70.
		if n := utf8.RuneCountInString("\u3010" + testSign + "\u3011" + text); n > 70 {
			t.Errorf("%s: %d characters with the signature, want <= 70: %s", kind, n, text)
		}
		if tpl.ExpectsReply != strings.Contains(tpl.Text, "回复") && kind != chorus.MsgHelp {
			t.Errorf("%s: ExpectsReply %v but text %q", kind, tpl.ExpectsReply, tpl.Text)
		}
	}
}

func TestCatalogue_Render(t *testing.T) {
	got, err := MustCatalogue(t).Render(chorus.MsgBookingConfirm, bookingParams())
	want := "您已预约免费义诊,时间12月5日周六09:00,地点社区活动室,签到码482913。回复1确认,回复2取消。"
	if err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	got, _ = MustCatalogue(t).Render(chorus.MsgPartnerOrder, realistic[chorus.MsgPartnerOrder])
	if strings.Count(got, "1024") != 2 {
		t.Errorf("partner order %q: want the order number twice", got)
	}
}

func TestCatalogue_Validate(t *testing.T) {
	c := MustCatalogue(t)
	with := func(k, v string) map[string]string {
		p := bookingParams()
		p[k] = v
		return p
	}
	without := func(k string) map[string]string {
		p := bookingParams()
		delete(p, k)
		return p
	}
	for _, tt := range []struct {
		name   string
		kind   chorus.MessageKind
		params map[string]string
		ok     bool
	}{
		{"OK", chorus.MsgBookingConfirm, bookingParams(), true},
		{"OKTwentyRunes", chorus.MsgBookingConfirm, with("event", strings.Repeat("义", 20)), true},
		{"OKNoParams", chorus.MsgHelp, nil, true},
		{"OKEmptyMap", chorus.MsgOptOutAck, map[string]string{}, true},
		{"ErrMissing", chorus.MsgBookingConfirm, without("code"), false},
		{"ErrEmpty", chorus.MsgBookingConfirm, with("place", ""), false},
		{"ErrExtra", chorus.MsgBookingConfirm, with("extra", "x"), false},
		{"ErrExtraOnNone", chorus.MsgHelp, map[string]string{"x": "y"}, false},
		{"ErrTooLong", chorus.MsgBookingConfirm, with("event", strings.Repeat("义", 21)), false},
		{"ErrNewline", chorus.MsgBookingConfirm, with("place", "活动室\n二楼"), false},
		{"ErrCR", chorus.MsgBookingConfirm, with("place", "活动室\r"), false},
		{"ErrTab", chorus.MsgBookingConfirm, with("place", "活动室\t"), false},
		{"ErrNUL", chorus.MsgBookingConfirm, with("place", "活动室\x00"), false},
		{"ErrLineSeparator", chorus.MsgBookingConfirm, with("place", "活动室\u2028"), false},
		{"ErrVariable", chorus.MsgBookingConfirm, with("event", "${code}"), false},
		{"ErrSignBrackets", chorus.MsgBookingConfirm, with("event", "\u3010别的社区\u3011"), false},
		{"ErrBadUTF8", chorus.MsgBookingConfirm, with("event", "义\xff诊"), false},
		{"ErrUnknownKind", chorus.MessageKind("marketing"), nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Validate(tt.kind, tt.params)
			if tt.ok && err != nil {
				t.Errorf("Validate: %v", err)
			} else if !tt.ok && chorus.ErrorCode(err) != chorus.EINVALID {
				t.Errorf("Validate = %v, want an EINVALID error", err)
			}
		})
	}
}

func TestCatalogue_Outgoing(t *testing.T) {
	m := chorus.Message{ID: 12, Phone: "13812345678", Kind: chorus.MsgBookingConfirm, Params: bookingParams()}
	out, err := MustCatalogue(t).Outgoing(m)
	if err != nil {
		t.Fatal(err)
	}
	var params map[string]string
	if err := json.Unmarshal([]byte(out.ParamJSON), &params); err != nil || !maps.Equal(params, m.Params) {
		t.Errorf("ParamJSON %s: %v", out.ParamJSON, err)
	}
	if out.ID != 12 || out.Phone != m.Phone || out.TemplateCode != "SMS_CHORUS_BOOKING" || !strings.HasPrefix(out.Text, "您已预约") {
		t.Errorf("Outgoing = %+v", out)
	}
	out, err = MustCatalogue(t).Outgoing(chorus.Message{ID: 13, Kind: chorus.MsgHelp})
	if err != nil || out.ParamJSON != "{}" {
		t.Errorf("help: %+v, %v", out, err)
	}
}

func TestNewCatalogue(t *testing.T) {
	codes, err := sms.ParseCodes(" booking_confirm=SMS_465000001, help = SMS_465000002 ,")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sms.NewCatalogue(codes)
	if err != nil {
		t.Fatal(err)
	}
	if tpl, _ := c.Template(chorus.MsgBookingConfirm); tpl.Code != "SMS_465000001" {
		t.Errorf("booking code %s", tpl.Code)
	}
	if tpl, _ := c.Template(chorus.MsgHelp); tpl.Code != "SMS_465000002" {
		t.Errorf("help code %s", tpl.Code)
	}
	if tpl, _ := c.Template(chorus.MsgReminder); tpl.Code != "SMS_CHORUS_REMINDER" {
		t.Errorf("reminder code %s, want the default", tpl.Code)
	}

	t.Run("ErrUnknownKind", func(t *testing.T) {
		if _, err := sms.NewCatalogue(map[chorus.MessageKind]string{"marketing": "SMS_1"}); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrBadCode", func(t *testing.T) {
		if _, err := sms.NewCatalogue(map[chorus.MessageKind]string{chorus.MsgHelp: "SMS 1"}); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrParse", func(t *testing.T) {
		if _, err := sms.ParseCodes("booking_confirm"); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("err = %v", err)
		}
	})
}
