package ui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestKiosk_SpokenWords (issue 13, point 9): what is spoken is written for
// the ear (times as 九点一刻, dates as 十二月五日, codes and phones digit by
// digit with 1 as 幺, a masked phone as 尾号…), and 朗读 gives a short
// summary of each screen (what it is, what to do) instead of every label.
func TestKiosk_SpokenWords(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{speech: true})
	for in, want := range map[string]string{
		"09:00–09:15":  "九点到九点一刻",
		"14:00–15:30":  "下午两点到三点半",
		"12月5日 星期六":    "十二月五日 星期六",
		"签到码:447599":   "签到码:四 四 七 五 九 九",
		"139****2222":  "尾号二 二 二 二的手机",
		"尾号5678":       "尾号五 六 七 八",
		"13812345678":  "幺 三 八,幺 二 三 四,五 六 七 八",
		"还有 20 个空位":    "还有 二十 个空位",
		"第2个孩子:5岁":     "第二个孩子:五岁",
		"第一次签到在 19:05": "第一次签到在 晚上七点零五分",
	} {
		if got := eval[string](p, fmt.Sprintf(`K.speakable(%q)`, in)); got != want {
			t.Errorf("speakable(%q) = %q, want %q", in, got, want)
		}
	}

	said := func() string {
		l := eval[[]string](p, `__said.filter((x) => x.text).map((x) => x.text)`)
		if len(l) == 0 {
			return ""
		}
		return l[len(l)-1]
	}
	// read says the screen's summary and checks it.
	read := func(screen string, must ...string) {
		t.Helper()
		p.waitScreen(screen)
		eval[bool](p, `K.readScreen()`)
		got := said()
		n := eval[int](p, fmt.Sprintf(`K.syllables(%q)`, got))
		t.Logf("%s (%d syllables): %s", screen, n, got)
		if n > 60 {
			t.Errorf("%s: the summary has %d syllables (about %d s); want at most 60 (15 s)", screen, n, n/4)
		}
		for _, w := range must {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the summary %q does not say %q", screen, got, w)
			}
		}
		for _, label := range []string{"删除", "清空", "上一页", "下一页", "朗读", "字大"} {
			if strings.Contains(got, label) {
				t.Errorf("%s: the summary reads the button %q: %q", screen, label, got)
			}
		}
		for _, digits := range []string{"0", "1", "2", "5", "9"} {
			if strings.Contains(got, digits) {
				t.Errorf("%s: the summary has %q, read as a quantity: %q", screen, digits, got)
			}
		}
	}
	read("welcome", "开始")
	p.tap("开始")
	read("menu", "上门理发")
	p.tap("#go-events")
	read("event/list", "选择活动")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	read("event/slot", "十二月五日")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	read("event/phone", "手机号")
	p.typeDigits(phoneYao)
	p.tap("确定")
	read("event/confirm", "核对无误", "九点到九点一刻")
	p.tap("确认预约")
	p.waitScreen("event/done")
	read("event/done", "签到码")
	if got := said(); strings.Count(got, "已预约") > 1 {
		t.Errorf("the done title is said twice: %q", got)
	}
}

// TestKiosk_MandarinOnly: a Cantonese voice is never used; with no
// Mandarin voice the buttons say 朗读不可用.
func TestKiosk_MandarinOnly(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	for _, c := range []struct {
		voices, want string
	}{
		{`[{name: 'Chinese_Cantonese', lang: 'yue'}, {name: 'zh-HK', lang: 'zh-HK'}]`, ""},
		{`[{name: 'Chinese_Cantonese', lang: 'yue'}, {name: 'Chinese_Mandarin', lang: 'cmn'}]`, "cmn"},
	} {
		script := strings.Replace(fakeSpeech, "getVoices: () => [voice],", "getVoices: () => "+c.voices+",", 1)
		p := openKioskWith(t, s, pageOpts{}, script)
		got := eval[string](p, `K.speech.voice ? K.speech.voice.lang : ''`)
		if got != c.want {
			t.Errorf("voices %s: the page picked %q, want %q", c.voices, got, c.want)
		}
		if c.want == "" {
			p.mustSee("朗读不可用")
		}
	}
}

// openKioskWith opens a kiosk page with script run before the page's own.
func openKioskWith(t *testing.T, s *stack, o pageOpts, script string) *kioskPage {
	t.Helper()
	p := openKiosk(t, s, o)
	p.drv.OnNewDocument(script)
	p.do(chromedp.Reload())
	p.waitScreen("welcome")
	return p
}
