package consoletest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testStart is the server's time when a test starts: a Tuesday morning,
// so that "today" and the screenshots are the same on every run.
var testStart = time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)

// The accounts the tests log in with.
const (
	adminUser = "liting"
	staffUser = "wanggang"
	password  = "guanghua-2026"
)

// waitFor bounds every wait for the page: far above what a screen takes,
// only reached when something is broken.
const waitFor = browsertest.WaitFor

// pollEvery is how often a wait looks at the page.
const pollEvery = browsertest.PollEvery

// screenshotDir receives the console's screenshots when CHORUS_SCREENSHOTS=1.
const screenshotDir = "../../docs/screenshots"

// stack is Chorus as cmd/chorus wires it: SQLite on a temp file, the kiosk
// hub fed by the store's commits, the SMS stores, the staff accounts, and
// the kiosk page and the console mounted, on a loopback port.
type stack struct {
	tb    testing.TB
	URL   string
	Clock *clocktest.Clock // runs at the real pace from testStart
	DB    *sqlite.DB
	Hub   *kiosk.Hub

	Room, Hall   int64
	Estate       int64
	Clinic, Yoga *chorus.Event // Saturday's clinic; today's yoga at 14:00
}

func (s *stack) must(err error) {
	s.tb.Helper()
	if err != nil {
		s.tb.Fatal(err)
	}
}

// mustStack starts Chorus with a small 光华街社区.
func mustStack(tb testing.TB) *stack {
	tb.Helper()
	s := &stack{tb: tb, Clock: clocktest.Running(testStart)}
	st := stacktest.Start(tb, stacktest.Options{Now: s.Clock.Now, Location: shanghai,
		Pages: append(ui.KioskRoutes(), ui.ConsoleRoutes()...)})
	s.DB, s.Hub, s.URL = st.DB, st.Hub, st.URL
	s.seed()
	return s
}

// seed fills the database: places, estates, a partner, staff accounts,
// Saturday's clinic, today's yoga with bookings (two checked in), an
// order waiting for a partner, one nobody takes, and a failed SMS.
func (s *stack) seed() {
	ctx := context.Background()
	db := s.DB
	s.must(db.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}))
	for _, st := range []*chorus.Staff{
		{Username: adminUser, Name: "李婷", Role: chorus.RoleAdmin},
		{Username: staffUser, Name: "王刚", Role: chorus.RoleStaff},
	} {
		s.must(db.CreateStaff(ctx, st, password))
	}
	for _, n := range []string{"光华街16号院", "中铁诺德逸宸云著", "光华街8号院"} {
		e := &chorus.Estate{Name: n}
		s.must(db.SaveEstate(ctx, e))
		if s.Estate == 0 {
			s.Estate = e.ID
		}
	}
	room := &chorus.Place{Name: "社区活动室", Address: "光华街社区服务中心二楼"}
	hall := &chorus.Place{Name: "电子二所小礼堂"}
	s.must(db.SavePlace(ctx, room))
	s.must(db.SavePlace(ctx, hall))
	s.Room, s.Hall = room.ID, hall.ID
	s.must(db.SavePartner(ctx, &chorus.Partner{Name: "宏建建筑公司", Kind: chorus.PartnerBuilder, Phones: []string{"13503510005"},
		Services: []chorus.ServiceKind{chorus.ServiceRepair}, Active: true}))

	sat := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	s.Clinic = &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: room.ID, Waitlist: true, CutoffMinutes: 60}
	for i := 0; i < 6; i++ {
		t := sat.Add(time.Duration(i) * 15 * time.Minute)
		s.Clinic.Slots = append(s.Clinic.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: 6})
	}
	yoga := time.Date(2026, 12, 1, 14, 0, 0, 0, shanghai)
	s.Yoga = &chorus.Event{Kind: chorus.ServiceLecture, Title: "公益瑜伽课", PlaceID: room.ID, CutoffMinutes: 30,
		Slots: []chorus.Slot{{Start: yoga, End: yoga.Add(time.Hour), Capacity: 20}}}
	s.must(db.CreateEvent(ctx, s.Clinic))
	s.must(db.CreateEvent(ctx, s.Yoga))
	for i, name := range []string{"赵大娘", "钱大爷", "孙阿姨", "周大爷"} {
		b, err := db.Book(ctx, chorus.BookingRequest{EventID: s.Yoga.ID, SlotID: s.Yoga.Slots[0].ID, Phone: fmt.Sprintf("1350000%04d", i+1),
			Name: name, Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		s.must(err)
		if i < 2 {
			_, err := db.CheckIn(ctx, chorus.CheckinRequest{EventID: s.Yoga.ID, BookingID: b.ID})
			s.must(err)
		}
	}
	_, err := db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, Urgent: true, HaircutRequest: chorus.HaircutRequest{
		Phone: "13812345678", Name: "姚大娘", Address: chorus.Address{EstateID: s.Estate, Building: "3", Unit: "2", Room: "401"},
		Day: "2026-12-01", HalfDay: chorus.Afternoon, Notes: "厨房水管漏水"}})
	s.must(err)
	// No partner takes medicine: this one is escalated at once.
	_, err = db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceMedicine, HaircutRequest: chorus.HaircutRequest{
		Phone: "13912345678", Name: "王大爷", Address: chorus.Address{EstateID: s.Estate, Building: "1", Unit: "1", Room: "101"},
		Day: "2026-12-01", HalfDay: chorus.Afternoon, Notes: "降压药两盒"}})
	s.must(err)
	msgs, err := db.Messages(ctx, "", 1)
	s.must(err)
	if len(msgs) > 0 {
		s.must(db.MarkFailed(ctx, msgs[0].ID, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误", s.Clock.Now()))
	}
}

// tab is one browser tab on the stack.
type tab struct {
	t   *testing.T
	s   *stack
	ctx context.Context
	drv *browsertest.Page
	w   int64
}

// openBrowser starts a fresh Chromium and returns its first tab at w×h
// with the test clock, failing the test on any error the page throws.
func openBrowser(t *testing.T, s *stack, w, h int64) *tab {
	t.Helper()
	ctx := browsertest.New(t)
	return newTab(t, s, ctx, w, h)
}

// newTab prepares a tab of the browser ctx belongs to. The page's clock
// is the server's test clock, so that the console's "today" is the
// server's: the page reads the time only through Date.
func newTab(t *testing.T, s *stack, ctx context.Context, w, h int64) *tab {
	t.Helper()
	p := &tab{t: t, s: s, ctx: ctx, w: w, drv: browsertest.NewPage(t, ctx)}
	p.drv.FailOnThrow()
	p.do(chromedp.EmulateViewport(w, h))
	p.drv.ShiftClock(s.Clock.Now().Sub(time.Now()))
	return p
}

// another opens a second tab in the same browser.
func (p *tab) another(w, h int64) *tab {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	return newTab(p.t, p.s, ctx, w, h)
}

func (p *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.drv.Do(actions...)
}

// eval evaluates a JavaScript expression.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	return browsertest.Eval[T](p.drv, expr)
}

// wait waits until the JavaScript condition holds.
func (p *tab) wait(cond string) {
	p.t.Helper()
	p.drv.Wait(cond)
}

// waitText waits until the element matching sel shows text.
func (p *tab) waitText(sel, text string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => e.innerText.includes(%q))`, sel, text))
}

// excerpt returns the start of the page's visible text, for failures.
func (p *tab) excerpt() string { return p.drv.Excerpt() }

// open goes to a path of the server.
func (p *tab) open(path string) {
	p.t.Helper()
	p.drv.Navigate(p.s.URL + path)
}

// route shows a console route (#/events/new) and waits for its heading.
func (p *tab) route(hash, title string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(location.hash = %q, true)`, hash))
	p.waitText("main h1", title)
}

// typeIn types text into the field matching sel, as a keyboard does.
func (p *tab) typeIn(sel, text string) {
	p.t.Helper()
	p.do(chromedp.Focus(sel), chromedp.SendKeys(sel, text))
}

// set sets a control's value (date and time inputs, selects) and tells
// the page, as a picker does.
func (p *tab) set(sel, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => {
  const el = document.querySelector(%q);
  if (!el) return false;
  el.value = %q;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return el.value === %q;
})()`, sel, value, value))
	if !ok {
		p.t.Fatalf("cannot set %s to %q", sel, value)
	}
}

// click clicks the visible button or link whose aria-label or text is
// label, inside the element matching within ("" for the open dialog, or
// the page when none is open), waiting for it to appear.
func (p *tab) click(label, within string) {
	p.t.Helper()
	find := fmt.Sprintf(`(() => {
  const dlg = document.querySelector('dialog[open]');
  const root = %q ? document.querySelector(%q) : (dlg || document);
  const vis = (b) => { const r = b.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const name = (b) => b.getAttribute('aria-label') || b.textContent.trim();
  const all = root ? [...root.querySelectorAll('button, a, summary')].filter(vis) : [];
  return { all, b: all.find((b) => name(b) === %q) || all.find((b) => b.textContent.trim() === %q), name };
})()`, within, within, label, label)
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const f = `+find+`;
  if (!f.b || f.b.disabled || f.b.getAttribute('aria-disabled') === 'true') return false;
  f.b.scrollIntoView({ block: 'center' }); f.b.click(); return true; })()`, chromedp.WithPollingTimeout(waitFor), chromedp.WithPollingInterval(pollEvery)))
	if err != nil {
		names := eval[string](p, `(() => { const f = `+find+`; return f.all.map(f.name).join(' | '); })()`)
		p.t.Fatalf("click %q in %q: %v; buttons and links: %s", label, within, err, names)
	}
}

// login logs in through the form and waits for 今日.
func (p *tab) login(user string) {
	p.t.Helper()
	p.open("/staff")
	p.wait(`document.querySelector('input[name=username]')`)
	p.typeIn(`input[name=username]`, user)
	p.typeIn(`input[name=password]`, password)
	p.click("登录", "form.login")
	p.waitText("main h1", "今日")
}

// text returns the visible text of the element matching sel.
func (p *tab) text(sel string) string {
	p.t.Helper()
	return p.drv.Text(sel)
}

func (p *tab) mustSee(sel string, parts ...string) {
	p.t.Helper()
	txt := p.text(sel)
	for _, s := range parts {
		if !strings.Contains(txt, s) {
			p.t.Errorf("%s does not show %q; it shows:\n%s", sel, s, txt)
		}
	}
}

// shot saves a screenshot as docs/screenshots/NAME.png when
// CHORUS_SCREENSHOTS=1: the whole page, or the screen when a dialog is
// open (its backdrop covers only the screen).
func (p *tab) shot(name string) {
	p.t.Helper()
	if !browsertest.Screenshots() {
		return
	}
	type size struct {
		W, H   float64
		Dialog bool
	}
	sz := eval[size](p, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok({
  W: window.innerWidth, H: document.documentElement.scrollHeight, Dialog: !!document.querySelector('dialog[open]') }))))`)
	var clip *page.Viewport
	if !sz.Dialog {
		clip = &page.Viewport{Width: sz.W, Height: sz.H, Scale: 1}
	}
	p.drv.SaveScreenshot(filepath.Join(screenshotDir, name+".png"), clip)
}
