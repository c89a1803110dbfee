package consoletest_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_UnknownSMS: a message whose outcome the server never learnt
// (issue 12: no answer from the SMS platform, and its lookups kept
// failing) shows as 状态不明 in 今日 and in 短信, each with 重发; 重发 puts
// it back in the queue, to be looked up once more before it is sent.
func TestConsole_UnknownSMS(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	msgs, err := s.DB.Messages(ctx, "13500000003", 10)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages = %+v, %v", msgs, err)
	}
	var m *chorus.Message
	for i := range msgs {
		if msgs[i].Status == chorus.MessageQueued {
			m = &msgs[i]
			break
		}
	}
	if m == nil {
		t.Fatalf("no queued message to 孙阿姨: %+v", msgs)
	}
	s.must(s.DB.MarkSending(ctx, m.ID, s.Clock.Now()))
	s.must(s.DB.MarkUnknown(ctx, m.ID, "chorus.LookupFailed", "outcome unknown after 5 lookups", s.Clock.Now()))

	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/today", "今日")
	p.waitText("main", "不知道短信平台是否收到了这条短信")
	p.mustSee("main", "发送失败或状态不明的短信", "状态不明", "重发")
	p.shot("console-today-unknown-sms")

	p.route("#/sms", "短信")
	p.set(`select[name=status]`, "unknown")
	// The list reloads for the filter: wait for it to hold only unknown
	// messages (the select itself already says 状态不明).
	p.wait(`(() => { const rows = [...document.querySelectorAll('main tr.failed')];
		return rows.length > 0 && rows.every((r) => r.innerText.includes('状态不明')); })()`)
	p.mustSee("main tr.failed", "13500000003", "状态不明")
	p.click("重发:13500000003 "+kindLabel(m.Kind), "main")
	p.waitText("#status", "先向短信平台查询,查不到才会发给 13500000003")
	got, err := s.DB.Message(ctx, m.ID)
	if err != nil || got.Status != chorus.MessageQueued || got.ErrCode != "chorus.Unverified" {
		t.Fatalf("after 重发: %+v, %v", got, err)
	}
}

// kindLabel is the console's name of a message kind (core.js).
func kindLabel(k chorus.MessageKind) string {
	return map[chorus.MessageKind]string{chorus.MsgBookingConfirm: "预约确认", chorus.MsgBookingBooked: "预约成功",
		chorus.MsgReminder: "活动提醒", chorus.MsgCancelled: "取消通知"}[k]
}
