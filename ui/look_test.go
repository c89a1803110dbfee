package ui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestKiosk_Portrait walks the screens of a booking on a 1080×1920 screen.
func TestKiosk_Portrait(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{portrait: true})
	p.check("70-portrait-welcome")
	p.tap("开始")
	p.check("71-portrait-menu")
	p.tap("#go-events")
	p.waitScreen("event/list")
	p.check("72-portrait-event-list")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.waitScreen("event/slot")
	p.check("73-portrait-event-slot")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	p.typeDigits(phoneYao)
	p.check("74-portrait-event-phone")
	p.tap("确定")
	p.waitScreen("event/confirm")
	p.check("75-portrait-event-confirm")
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.check("76-portrait-event-done")
}

// TestKiosk_Speech reads screens aloud with a Mandarin voice: 朗读 reads
// the screen and every new one after it, 停止 stops, the volume applies and
// is back to the default for the next person.
func TestKiosk_Speech(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{speech: true})
	said := func() []string { return eval[[]string](p, `__said.filter((x) => x.text).map((x) => x.text)`) }
	last := func() string {
		l := said()
		if len(l) == 0 {
			return ""
		}
		return l[len(l)-1]
	}

	p.mustSee("朗读", "停止")
	p.mustNotSee("朗读不可用")
	p.tap("朗读")
	if l := last(); !strings.Contains(l, "欢迎使用社区自助服务") || !strings.Contains(l, "开始") {
		t.Errorf("朗读 said %q", l)
	}
	p.tap("开始")
	p.waitScreen("menu")
	if l := last(); !strings.Contains(l, "请选择要办的事") {
		t.Errorf("the next screen was not read: %q", l)
	}
	p.tap("大声")
	v := eval[float64](p, `__said.filter((x) => x.text).pop().volume`)
	if l := last(); l != "音量5" || v < 0.99 {
		t.Errorf("大声 said %q at volume %v", l, v)
	}
	p.tap("停止")
	if !eval[bool](p, `__said[__said.length - 1].cancel === true && !K.session.autoRead`) {
		t.Errorf("停止 did not stop the speech")
	}
	n := len(said())
	p.tap("#go-mine")
	p.waitScreen("mine/phone")
	if len(said()) != n {
		t.Errorf("a screen was read after 停止: %q", last())
	}
	p.tap("首页")
	p.waitScreen("welcome")
	if got := eval[string](p, `K.speech.level + '/' + document.querySelector('#volume').textContent`); got != "4/4" {
		t.Errorf("volume after the session = %s, want the default 4", got)
	}
}

// TestKiosk_NoVoice: where Chromium has no voice, the buttons say so and
// nothing breaks.
func TestKiosk_NoVoice(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	p.mustSee("朗读不可用", "停止朗读")
	p.tap("朗读不可用")
	p.waitUpTo(`document.querySelector('#overlay:not([hidden])')`, waitFor)
	p.mustSee("不能朗读", "没有安装中文语音")
	p.check("52-no-voice")
	p.tap("知道了")
	p.tap("开始")
	p.waitScreen("menu")
}

// TestKiosk_Touch: a press shows at once; the action happens on release
// inside the target only; no long-press menu, no double-tap zoom.
func TestKiosk_Touch(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	x, y := p.findButton("开始")
	touch := func(typ input.DispatchTouchEventType, x, y float64) {
		params := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}}
		if typ == input.DispatchTouchEventTypeTouchEnd {
			params.TouchPoints = []*input.TouchPoint{}
		}
		if _, err := chromedp.Call(p.ctx, input.DispatchTouchEvent, params); err != nil {
			t.Fatal(err)
		}
	}
	restBg := eval[string](p, `getComputedStyle(document.querySelector('#start')).backgroundColor`)
	touch(input.DispatchTouchEventTypeTouchStart, x, y)
	got := eval[[]string](p, `(() => { const b = document.querySelector('#start'); return [String(b.classList.contains('pressed')), getComputedStyle(b).backgroundColor]; })()`)
	if got[0] != "true" || got[1] == restBg {
		t.Errorf("pressed state at once: pressed %s, background %s (at rest %s)", got[0], got[1], restBg)
	}
	// The finger slides off and lifts elsewhere: nothing happens.
	touch(input.DispatchTouchEventTypeTouchMove, x, 60)
	touch(input.DispatchTouchEventTypeTouchEnd, x, 60)
	if p.screen() != "welcome" || eval[bool](p, `document.querySelector('#start').classList.contains('pressed')`) {
		t.Errorf("a touch released outside the button acted or left it pressed: screen %q", p.screen())
	}
	// Pressed and released inside: it acts.
	touch(input.DispatchTouchEventTypeTouchStart, x, y)
	touch(input.DispatchTouchEventTypeTouchEnd, x, y)
	p.waitScreen("menu")

	blocked := eval[string](p, `['contextmenu', 'dblclick', 'dragstart', 'selectstart'].map((t) =>
  document.querySelector('#go-events').dispatchEvent(new MouseEvent(t, { bubbles: true, cancelable: true })) ? t : '').join('')`)
	if blocked != "" {
		t.Errorf("not prevented: %s", blocked)
	}
	if ta := eval[string](p, `getComputedStyle(document.querySelector('#go-events')).touchAction`); ta != "none" {
		t.Errorf("touch-action on buttons = %q", ta)
	}
}

// TestAudit_FindsProblems makes sure the audit the other tests rely on
// does catch what it checks.
func TestAudit_FindsProblems(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	eval[bool](p, `(() => {
  const m = document.querySelector('#main');
  const small = document.createElement('p'); small.textContent = '小字'; small.style.fontSize = '20px';
  const pale = document.createElement('p'); pale.textContent = '浅色字'; pale.style.color = '#999';
  const b1 = document.createElement('button'); b1.textContent = '小'; b1.style.cssText = 'min-width:0;min-height:0;width:50px;height:50px';
  const b2 = document.createElement('button'); b2.textContent = '挤'; b2.style.marginLeft = '4px';
  m.prepend(small, pale, b1, b2);
  return true;
})()`)
	r := eval[auditResult](p, auditJS)
	all := strings.Join(r.Problems, "\n")
	for _, want := range []string{"text under 24 px", "contrast", "target under 72 px", "targets closer than 24 px"} {
		if !strings.Contains(all, want) {
			t.Errorf("the audit missed %q; it found:\n%s", want, all)
		}
	}
	// A primary action pushed below the screen by the content above it.
	eval[bool](p, `(() => {
  const m = document.querySelector('#main');
  const tall = document.createElement('div'); tall.style.cssText = 'flex:none;height:3000px';
  const lost = document.createElement('button'); lost.className = 'primary'; lost.textContent = '确认';
  m.replaceChildren(tall, lost);
  return true;
})()`)
	r = eval[auditResult](p, auditJS)
	if all := strings.Join(r.Problems, "\n"); !strings.Contains(all, "primary action outside the screen") {
		t.Errorf("the audit missed a primary action below the screen; it found:\n%s", all)
	}
}
