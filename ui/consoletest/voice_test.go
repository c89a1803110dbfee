package consoletest_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_Voice: staff set a resident's channel on 居民 (a voice call
// for one who cannot read an SMS), and 今日 shows today's calls and whom
// to phone.
func TestConsole_Voice(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.waitText(".tiles", "今天的语音电话")
	p.waitText("main", "没有需要打电话联系的居民。")

	p.route("#/residents/13812345678", "居民 · 姚大娘")
	p.wait(`document.querySelector('main select[name=channel]')`)
	if v := eval[string](p, `document.querySelector('main select[name=channel]').value`); v != "sms" {
		t.Errorf("channel shown = %q, want sms", v)
	}
	p.set(`select[name=channel]`, "voice")
	p.click("保存", "main")
	p.waitText("#status", "已保存")
	r, err := s.DB.Resident(context.Background(), "13812345678")
	if err != nil || r.Channel != chorus.ChannelVoice || r.Name != "姚大娘" {
		t.Fatalf("resident after saving = %+v, %v", r, err)
	}
	p.open("/staff#/residents/13812345678")
	p.wait(`document.querySelector('main select[name=channel]') && document.querySelector('main select[name=channel]').value === 'voice'`)
}
