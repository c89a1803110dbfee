package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// WaitFor bounds a wait for a page: far above what a screen takes, only
// reached when something is broken.
const WaitFor = 10 * time.Second

// PollEvery is how often a wait looks at the page; by timer rather than
// animation frame, which a tab in the background does not get.
const PollEvery = 50 * time.Millisecond

// actionTimeout bounds one action or evaluation: a page that does not
// answer in this long is stuck.
const actionTimeout = 30 * time.Second

// Page drives one tab of a browser for a test (the kiosk page, the
// console, the door check-in page): every action, evaluation and wait
// fails the test on error, saying what the page shows.
type Page struct {
	TB  testing.TB
	Ctx context.Context
	// Shows says what the page shows, for failure messages (the screen
	// and the dialog of the kiosk, the answer of the door page); nil:
	// the start of its visible text.
	Shows func() string
}

// NewPage returns the driver of the tab ctx belongs to (from New or
// chromedp.NewContext).
func NewPage(tb testing.TB, ctx context.Context) *Page {
	return &Page{TB: tb, Ctx: ctx}
}

// shows is what the page shows, for a failure message.
func (p *Page) shows() string {
	if p.Shows != nil {
		return p.Shows()
	}
	return p.Excerpt()
}

// Excerpt returns the start of the page's visible text.
func (p *Page) Excerpt() string {
	ctx, cancel := context.WithTimeout(p.Ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.body ? document.body.innerText : '').slice(0, 1500)`))
	return v
}

// Do runs actions, failing the test on error.
func (p *Page) Do(actions ...chromedp.Action[chromedp.Void]) {
	p.TB.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.TB.Fatalf("browser: %v\npage: %s", err, p.shows())
	}
}

// Navigate opens url and waits for it to load.
func (p *Page) Navigate(url string) {
	p.TB.Helper()
	p.Do(chromedp.Navigate(url))
}

// Eval evaluates a JavaScript expression on p, awaiting a promise, into a
// T; an error fails the test.
func Eval[T any](p *Page, expr string) T {
	p.TB.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.TB.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Wait waits up to WaitFor until the JavaScript condition holds.
func (p *Page) Wait(cond string) {
	p.TB.Helper()
	p.WaitUpTo(cond, WaitFor)
}

// WaitUpTo waits up to d until the JavaScript condition holds, across a
// reload of the page.
func (p *Page) WaitUpTo(cond string, d time.Duration) {
	p.TB.Helper()
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		ctx, cancel := context.WithTimeout(p.Ctx, left)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+cond+")", chromedp.WithPollingTimeout(left), chromedp.WithPollingInterval(PollEvery)))
		cancel()
		if err == nil {
			return
		}
		// A page that reloads ends the poll (the target navigated, its
		// execution context went away); poll the new page.
		if !strings.Contains(err.Error(), "(-32000)") || time.Now().After(deadline) {
			p.TB.Fatalf("waiting for %s: %v\npage: %s", cond, err, p.shows())
		}
		time.Sleep(PollEvery)
	}
}

// Text returns the visible text of the first element matching sel, or ""
// when there is none.
func (p *Page) Text(sel string) string {
	p.TB.Helper()
	return Eval[string](p, fmt.Sprintf(`(document.querySelector(%q) || { innerText: '' }).innerText`, sel))
}

// FailOnThrow fails the test on any error the page throws and does not
// catch.
func (p *Page) FailOnThrow() {
	p.TB.Helper()
	err := chromedp.Listen(p.Ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			desc := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				desc += " " + e.ExceptionDetails.Exception.Description
			}
			p.TB.Errorf("the page threw: %s", desc)
		}
	})
	if err != nil {
		p.TB.Fatal(err)
	}
	if _, err := chromedp.Call(p.Ctx, runtime.Enable, cdp.Empty{}); err != nil {
		p.TB.Fatal(err)
	}
}

// OnNewDocument runs script in every page the tab opens from now on,
// before the page's own scripts.
func (p *Page) OnNewDocument(script string) {
	p.TB.Helper()
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
		p.TB.Fatal(err)
	}
}

// ShiftClock makes the pages the tab opens from now on see their clock
// (Date, Date.now) offset by offset: the server's test clock, for pages
// that read the time only through Date.
func (p *Page) ShiftClock(offset time.Duration) {
	p.TB.Helper()
	p.OnNewDocument(fmt.Sprintf(`(() => {
  const off = %d, RealDate = Date;
  class TestDate extends RealDate {
    constructor(...a) { if (a.length) super(...a); else super(RealDate.now() + off); }
    static now() { return RealDate.now() + off; }
  }
  window.Date = TestDate;
})();`, offset.Milliseconds()))
}

// Screenshots reports whether the tests save screenshots
// (CHORUS_SCREENSHOTS=1).
func Screenshots() bool { return os.Getenv("CHORUS_SCREENSHOTS") == "1" }

// SaveScreenshot saves a PNG of the tab as file: the screen, or with clip
// the part of the whole page it gives, beyond the screen.
func (p *Page) SaveScreenshot(file string, clip *page.Viewport) {
	p.TB.Helper()
	params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng}
	if clip != nil {
		beyond := true
		params.CaptureBeyondViewport = &beyond
		params.Clip = clip
	}
	ctx, cancel := context.WithTimeout(p.Ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, params)
	if err != nil {
		p.TB.Fatalf("screenshot %s: %v", file, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		p.TB.Fatal(err)
	}
	if err := os.WriteFile(file, res.Data, 0o644); err != nil {
		p.TB.Fatal(err)
	}
}
