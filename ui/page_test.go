package ui_test

import (
	"context"
	_ "embed"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

//go:embed testdata/audit.js
var auditJS string

// fakeSpeech gives the page a Mandarin voice that records what it says,
// as Chromium has with speech-dispatcher and espeak-ng.
const fakeSpeech = `(() => {
  const said = [];
  window.__said = said;
  const voice = { name: 'cmn-latn-pinyin', lang: 'cmn-latn-pinyin', default: true, localService: true, voiceURI: 'cmn' };
  const synth = {
    speaking: false, pending: false, paused: false, onvoiceschanged: null,
    getVoices: () => [voice],
    speak: (u) => said.push({ text: u.text, volume: u.volume, lang: u.lang }),
    cancel: () => said.push({ cancel: true }),
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
})();`

// waitFor bounds a wait for the page: far above what a screen takes, only
// reached when something is broken.
const waitFor = browsertest.WaitFor

// screenshotDir receives a PNG of every screen when CHORUS_SCREENSHOTS=1.
const screenshotDir = "../docs/screenshots"

// kioskPage is a kiosk page in a real Chromium, driven by touch.
type kioskPage struct {
	t       *testing.T
	s       *stack
	ctx     context.Context
	drv     *browsertest.Page
	reqs    *browsertest.Requests
	taps    int // taps since countFrom
	KioskID int64
	w, h    int64
	// keyClock is the time stamp the next key typed may start from.
	keyClock time.Time
}

type pageOpts struct {
	speech   bool           // a Mandarin voice
	portrait bool           // 1080×1920
	flags    map[string]any // more browser flags (browsertest.FakeCamera)
	env      []string       // more of the browser's environment
}

// openKiosk opens /kiosk#pair=CODE for a new kiosk on a new browser at
// 1920×1080 with touch, and waits for the welcome screen.
func openKiosk(t *testing.T, s *stack, o pageOpts) *kioskPage {
	t.Helper()
	ctx := browsertest.NewWithEnv(t, o.flags, o.env)
	p := newKioskPage(t, s, ctx)
	if o.portrait {
		p.w, p.h = 1080, 1920
	}
	p.reqs = browsertest.Record(t, ctx)
	orient := chromedp.EmulateLandscape
	if o.portrait {
		orient = chromedp.EmulatePortrait
	}
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch, orient))
	if o.speech {
		p.drv.OnNewDocument(fakeSpeech)
	}
	id, code := s.newKiosk()
	p.KioskID = id
	p.drv.Navigate(s.URL + "/kiosk#pair=" + code)
	p.waitScreen("welcome")
	p.wait(`K.online && K.data.loaded`)
	t.Cleanup(func() {
		if f := p.reqs.Foreign(s.URL); len(f) > 0 {
			t.Errorf("requests outside the kiosk server's origin: %v", f)
		}
	})
	return p
}

// newKioskPage returns the driver of the kiosk page in ctx's tab, at
// 1920×1080 until told otherwise.
func newKioskPage(t *testing.T, s *stack, ctx context.Context) *kioskPage {
	p := &kioskPage{t: t, s: s, ctx: ctx, drv: browsertest.NewPage(t, ctx), w: 1920, h: 1080}
	p.drv.Shows = func() string { return fmt.Sprintf("screen %q, dialog %q", p.screen(), p.dialogText()) }
	return p
}

func (p *kioskPage) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.drv.Do(actions...)
}

// eval evaluates a JavaScript expression into out.
func eval[T any](p *kioskPage, expr string) T {
	p.t.Helper()
	return browsertest.Eval[T](p.drv, expr)
}

// wait waits until the expression is true.
func (p *kioskPage) wait(cond string) {
	p.t.Helper()
	p.drv.Wait(cond)
}

// waitUpTo waits up to d until the expression is true, across a reload.
func (p *kioskPage) waitUpTo(cond string, d time.Duration) {
	p.t.Helper()
	p.drv.WaitUpTo(cond, d)
}

// screen returns the id of the screen shown.
func (p *kioskPage) screen() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(window.K && K.shown && K.shown.id) || ''`))
	return v
}

func (p *kioskPage) dialogText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#overlay:not([hidden])') || {innerText: ''}).innerText`))
	return v
}

func (p *kioskPage) waitScreen(id string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`window.K && K.shown && K.shown.id === %q`, id))
}

// findButton returns the centre of the visible, enabled button with the
// label (or matching a CSS selector starting with # or .), in the dialog
// when one is open.
func (p *kioskPage) findButton(label string) (float64, float64) {
	p.t.Helper()
	type spot struct {
		X, Y float64
		Err  string
	}
	js := fmt.Sprintf(`(() => {
  const want = %q;
  const ov = document.querySelector('#overlay');
  const root = ov && !ov.hidden ? ov : document;
  const vis = (b) => { const r = b.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(b).visibility !== 'hidden'; };
  const text = (b) => b.textContent.replace(/\s+/g, '');
  const all = [...root.querySelectorAll('button')].filter(vis);
  const b = all.find((b) => /^[#.\\[]/.test(want) ? b.matches(want) : text(b) === want.replace(/\s+/g, ''));
  if (!b) return { X: 0, Y: 0, Err: 'no button ' + want + ' among: ' + all.map(text).join(' | ') };
  if (b.disabled) return { X: 0, Y: 0, Err: 'button ' + want + ' is disabled' };
  const r = b.getBoundingClientRect();
  return { X: r.left + r.width / 2, Y: r.top + r.height / 2, Err: '' };
})()`, label)
	var sp spot
	deadline := time.Now().Add(waitFor)
	for {
		sp = eval[spot](p, js)
		if sp.Err == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if sp.Err != "" {
		p.t.Fatalf("tap %q on screen %q: %s", label, p.screen(), sp.Err)
	}
	return sp.X, sp.Y
}

// tap touches the button with the label, as a finger does: touch start,
// touch end, at its centre.
func (p *kioskPage) tap(label string) {
	p.t.Helper()
	x, y := p.findButton(label)
	p.do(chromedp.TapXY(x, y))
	p.taps++
}

// typeDigits taps digits on the keypad, one step for the whole number.
func (p *kioskPage) typeDigits(digits string) {
	p.t.Helper()
	for _, d := range digits {
		p.tap(string(d))
	}
	p.taps -= len(digits) - 1
}

// countFrom starts counting taps (the flow has just been chosen).
func (p *kioskPage) countFrom() { p.taps = 0 }

// check audits the screen shown at every text size, on the page's screen
// and turned (1920×1080 and 1080×1920: the layout rule holds on both),
// then saves its screenshot as name when CHORUS_SCREENSHOTS=1.
func (p *kioskPage) check(name string) {
	p.t.Helper()
	sizes := []int{0, 1, 2}
	orig := eval[int](p, `K.textSize`)
	w, h := p.w, p.h
	for _, turned := range []bool{false, true} {
		if turned {
			p.viewport(h, w)
		}
		for _, size := range sizes {
			eval[bool](p, fmt.Sprintf(`(K.setSize(%d, false), true)`, size))
			p.audit(fmt.Sprintf("%s at text size %d", name, size))
		}
	}
	p.viewport(w, h)
	eval[bool](p, fmt.Sprintf(`(K.setSize(%d, false), true)`, orig))
	p.shot(name)
}

// viewport sets the page's screen to w×h, landscape or portrait, and waits
// for the page to draw the screen for it.
func (p *kioskPage) viewport(w, h int64) {
	p.t.Helper()
	orient := chromedp.EmulateLandscape
	if h > w {
		orient = chromedp.EmulatePortrait
	}
	p.do(chromedp.EmulateViewport(w, h, chromedp.EmulateTouch, orient))
	p.w, p.h = w, h
	p.wait(fmt.Sprintf(`window.innerWidth === %d && window.innerHeight === %d`, w, h))
	eval[bool](p, `(K.session.cur && K.render(), true)`)
}

type auditResult struct {
	Problems []string `json:"problems"`
	Texts    int      `json:"texts"`
	Targets  int      `json:"targets"`
}

// audit checks the screen as shown against kiosk-ux.md's numbers.
func (p *kioskPage) audit(what string) {
	p.t.Helper()
	r := eval[auditResult](p, auditJS)
	if r.Texts == 0 || r.Targets == 0 {
		p.t.Errorf("%s: audit found %d texts and %d targets", what, r.Texts, r.Targets)
	}
	for _, pr := range r.Problems {
		p.t.Errorf("%s (%dx%d): %s", what, p.w, p.h, pr)
	}
}

// shotAt saves a screenshot at a text size (0, 1 or 2).
func (p *kioskPage) shotAt(name string, size int) {
	p.t.Helper()
	orig := eval[int](p, `K.textSize`)
	eval[bool](p, fmt.Sprintf(`(K.setSize(%d, false), true)`, size))
	p.shot(name)
	eval[bool](p, fmt.Sprintf(`(K.setSize(%d, false), true)`, orig))
}

// shot saves a PNG of the screen when CHORUS_SCREENSHOTS=1.
func (p *kioskPage) shot(name string) {
	p.t.Helper()
	if !browsertest.Screenshots() {
		return
	}
	// Let the pressed state of the last tap fade and fonts settle.
	eval[bool](p, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
	p.drv.SaveScreenshot(filepath.Join(screenshotDir, name+".png"), nil)
}

// text returns the visible text of the page (the dialog's when one is open).
func (p *kioskPage) text() string {
	return eval[string](p, `(() => { const ov = document.querySelector('#overlay'); return (ov && !ov.hidden ? ov : document.body).innerText; })()`)
}

func (p *kioskPage) mustSee(parts ...string) {
	p.t.Helper()
	txt := p.text()
	for _, s := range parts {
		if !strings.Contains(txt, s) {
			p.t.Errorf("screen %q does not show %q; it shows:\n%s", p.screen(), s, txt)
		}
	}
}

func (p *kioskPage) mustNotSee(parts ...string) {
	p.t.Helper()
	txt := p.text()
	for _, s := range parts {
		if strings.Contains(txt, s) {
			p.t.Errorf("screen %q shows %q; it shows:\n%s", p.screen(), s, txt)
		}
	}
}

// media emulates print (or screen, with "") media.
func (p *kioskPage) media(m string) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
		p.t.Fatal(err)
	}
}
