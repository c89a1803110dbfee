package checkintest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/server"
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

// The clinic's Saturday, and the staff member at the door.
var (
	clinicDay = time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	doorOpens = time.Date(2026, 12, 5, 8, 50, 0, 0, shanghai)
)

const (
	staffUser     = "door"
	staffPassword = "guanghua-2026"
	// screenshotDir receives the answer screens when CHORUS_SCREENSHOTS=1.
	screenshotDir = "../../docs/screenshots"
)

// stack is Chorus as it runs, with the check-in page mounted: SQLite on a
// temp file, the store's commits fed to the attendance streams, and the
// Date header from the server's clock (the page learns the time from it).
type stack struct {
	URL     string
	DB      *sqlite.DB
	Clock   *clocktest.Clock // the server's clock; it moves only when a test moves it
	Clinic  *chorus.Event    // Saturday 09:00, six slots of 15 minutes
	Lecture *chorus.Event    // Sunday 14:00
	// B holds the bookings by the resident's name.
	B map[string]*chorus.Booking
}

func mustStack(tb testing.TB) *stack {
	tb.Helper()
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai))
	// The page's clock follows the server's: the Date header is the test clock's.
	st := stacktest.Start(tb, stacktest.Options{Now: clk.Now, Location: shanghai, Pages: ui.CheckinRoutes(),
		Wrap: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", clk.Now().UTC().Format(http.TimeFormat))
				h.ServeHTTP(w, r)
			})
		}})
	db := st.DB
	s := &stack{URL: st.URL, DB: db, Clock: clk, B: map[string]*chorus.Booking{}}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(db.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}))
	room := &chorus.Place{Name: "社区活动室"}
	must(db.SavePlace(ctx, room))
	s.Clinic = &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: room.ID, CutoffMinutes: 60}
	for i := range 6 {
		t := clinicDay.Add(time.Duration(i) * 15 * time.Minute)
		s.Clinic.Slots = append(s.Clinic.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: 10})
	}
	sun := time.Date(2026, 12, 6, 14, 0, 0, 0, shanghai)
	s.Lecture = &chorus.Event{Kind: chorus.ServiceLecture, Title: "冬季健康讲座", PlaceID: room.ID, CutoffMinutes: 30,
		Slots: []chorus.Slot{{Start: sun, End: sun.Add(90 * time.Minute), Capacity: 80}}}
	must(db.CreateEvent(ctx, s.Clinic))
	must(db.CreateEvent(ctx, s.Lecture))
	book := func(ev *chorus.Event, slot int, phone, name string) {
		b, err := db.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[slot].ID, Phone: phone, Name: name,
			Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		must(err)
		s.B[name] = b
	}
	book(s.Clinic, 0, "13812345678", "李阿姨")
	book(s.Clinic, 0, "13912340001", "王大爷")
	book(s.Clinic, 1, "13500005566", "赵大娘")
	book(s.Clinic, 1, "13700002222", "石女士")
	book(s.Clinic, 2, "13600003333", "姚大娘")
	book(s.Clinic, 2, "13600004444", "孙阿姨")
	book(s.Clinic, 3, "13600007777", "周大爷")
	book(s.Clinic, 3, "13600009999", "刘奶奶")
	book(s.Lecture, 0, "13600008888", "陈阿姨")
	_, err := db.Transition(ctx, s.B["周大爷"].ID, chorus.StatusCancelled, chorus.ActorStaff, "居民来电取消")
	must(err)
	must(db.CreateStaff(ctx, &chorus.Staff{Username: staffUser, Name: "李婷", Role: chorus.RoleStaff}, staffPassword))
	// The door opens: check-in is only taken on the event's day.
	clk.Set(doorOpens)
	return s
}

// MustCheckIn checks a booking in through the API, as another staff phone
// at the door would.
func (s *stack) MustCheckIn(tb testing.TB, code string) {
	tb.Helper()
	login, err := http.Post(s.URL+"/api/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, staffUser, staffPassword)))
	if err != nil {
		tb.Fatal(err)
	}
	defer login.Body.Close()
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(login.Body).Decode(&me); err != nil || login.StatusCode != 200 {
		tb.Fatalf("login = %d %v", login.StatusCode, err)
	}
	body := fmt.Sprintf(`{"event_id":%d,"code":%q}`, s.Clinic.ID, code)
	req, _ := http.NewRequest("POST", s.URL+"/api/admin/checkins", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(server.CSRFHeader, me.CSRF)
	for _, c := range login.Cookies() {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var got chorus.CheckinResult
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || got.Outcome != chorus.CheckinOK {
		tb.Fatalf("check-in through the API = %d %+v %v", res.StatusCode, got, err)
	}
}

// page is the check-in page on a phone-sized headless Chromium.
type page struct {
	t   *testing.T
	s   *stack
	ctx context.Context
	drv *browsertest.Page
}

func openPage(t *testing.T, s *stack) *page {
	t.Helper()
	ctx := browsertest.New(t)
	reqs := browsertest.Record(t, ctx)
	p := &page{t: t, s: s, ctx: ctx, drv: browsertest.NewPage(t, ctx)}
	p.drv.Shows = p.answerText
	p.do(chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	p.drv.Navigate(s.URL + "/staff/checkin")
	t.Cleanup(func() {
		if f := reqs.Foreign(s.URL); len(f) > 0 {
			t.Errorf("requests outside the server's origin: %v", f)
		}
	})
	return p
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.drv.Do(actions...)
}

// eval evaluates a JavaScript expression, awaiting a promise.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	return browsertest.Eval[T](p.drv, expr)
}

// answerText is the answer on screen, for failure messages.
func (p *page) answerText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(() => { const a = document.getElementById('answer'); return a ? a.dataset.outcome + ': ' + a.innerText : document.body.innerText; })()`))
	return v
}

// wait waits until the expression is true.
func (p *page) wait(cond string) {
	p.t.Helper()
	p.drv.Wait(cond)
}

// waitAnswer waits for the answer's outcome with want in its text.
func (p *page) waitAnswer(outcome, want string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`(() => { const a = document.getElementById('answer');
		return a.dataset.outcome === %q && a.innerText.includes(%q); })()`, outcome, want))
}

func (p *page) text(id string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.getElementById(%q).innerText`, id))
}

// shot saves the screen as docs/screenshots/checkin-NAME.png when
// CHORUS_SCREENSHOTS=1.
func (p *page) shot(name string) {
	p.t.Helper()
	if !browsertest.Screenshots() {
		return
	}
	// The flash animation ends before the picture is taken.
	p.wait(`document.getAnimations().every((a) => a.playState !== 'running')`)
	p.drv.SaveScreenshot(filepath.Join(screenshotDir, "checkin-"+name+".png"), nil)
}

// typeCode taps the code on the keypad.
func (p *page) typeCode(code string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.ID("t-code")))
	for _, d := range code {
		p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.keypad button[data-key="%c"]`, d))))
	}
}

// offline cuts the page off the network, or restores it.
func (p *page) offline(off bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	conds := []*network.Conditions{}
	if off {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
		p.t.Fatalf("network conditions: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off,
		DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		p.t.Fatalf("network state: %v", err)
	}
}

func TestCheckinPage(t *testing.T) {
	browsertest.Require(t)
	s := mustStack(t)
	// Bookings were closed the evening before (停止预约): the door goes on.
	ev, err := s.DB.Event(context.Background(), s.Clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev.Status = chorus.EventClosed
	if err := s.DB.UpdateEvent(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	p := openPage(t, s)
	hhmm := func(t time.Time) string { return t.In(shanghai).Format("15:04") }

	t.Run("Login", func(t *testing.T) {
		p.t = t
		p.wait(`!document.getElementById('login').hidden`)
		p.shot("login")
		p.do(chromedp.SendKeys(chromedp.ID("username"), staffUser), chromedp.SendKeys(chromedp.ID("password"), staffPassword),
			chromedp.Click(chromedp.ID("login-btn")))
		// Today's event is chosen and its attendance streams in.
		p.wait(`checkin.ready && document.getElementById('n-booked').innerText === '7'`)
		if got := p.text("event"); !strings.Contains(got, "今天 09:00 免费义诊") {
			t.Fatalf("event = %q", got)
		}
		if got := p.text("n-in") + "/" + p.text("n-notyet"); got != "0/7" {
			t.Fatalf("checked in/not yet = %s", got)
		}
	})
	t.Run("Code", func(t *testing.T) {
		p.t = t
		p.typeCode(s.B["王大爷"].Code)
		p.waitAnswer("ok", "王大爷")
		p.waitAnswer("ok", "签到成功")
		p.waitAnswer("ok", "09:00–09:15")
		p.wait(`document.getElementById('n-in').innerText === '1'`) // the stream
		p.shot("ok")
	})
	t.Run("Undo", func(t *testing.T) {
		p.t = t
		p.wait(`document.getElementById('undo').innerText.includes('王大爷')`)
		p.do(chromedp.Click(chromedp.ID("undo")))
		p.waitAnswer("undone", "已撤销")
		p.wait(`document.getElementById('n-in').innerText === '0'`)
		b, err := s.DB.Booking(context.Background(), s.B["王大爷"].ID)
		if err != nil || b.Status != chorus.StatusConfirmed {
			t.Fatalf("after undo = %+v, %v", b, err)
		}
		p.typeCode(s.B["王大爷"].Code)
		p.waitAnswer("ok", "王大爷")
	})
	t.Run("Search", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Click(chromedp.ID("t-search")), chromedp.SendKeys(chromedp.ID("search"), "5566"))
		p.wait(`document.getElementById('results').innerText.includes('赵大娘')`)
		if got := p.text("results"); !strings.Contains(got, "135****5566") || !strings.Contains(got, "未签到") {
			t.Fatalf("results = %q", got)
		}
		p.shot("search")
		p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#results button[data-id="%d"]`, s.B["赵大娘"].ID))))
		p.waitAnswer("ok", "赵大娘")
		p.wait(`document.getElementById('results').innerText.includes('已签到')`)
	})
	t.Run("Scanner", func(t *testing.T) {
		p.t = t
		// A USB scanner types the QR code's URL and Enter into its input.
		p.do(chromedp.Click(chromedp.ID("t-scan")),
			chromedp.SendKeys(chromedp.ID("scanner"), s.URL+"/c/"+s.B["李阿姨"].CheckinToken+"\r"))
		p.waitAnswer("ok", "李阿姨")
	})
	t.Run("Repeat", func(t *testing.T) {
		p.t = t
		s.Clock.Add(3 * time.Minute)
		// The same code again, typed by the scanner with nothing focused.
		p.do(chromedp.Blur(chromedp.ID("scanner")), chromedp.KeyEvent(s.URL+"/c/"+s.B["李阿姨"].CheckinToken+"\r"))
		p.waitAnswer("already", "已签到("+hhmm(doorOpens)+")")
		p.waitAnswer("already", "李阿姨")
		p.shot("already")
	})
	t.Run("Camera", func(t *testing.T) {
		p.t = t
		// The camera loop's decoder, fed the QR image the server made.
		got := eval[map[string]any](p, fmt.Sprintf(`checkin.decodeImage('/qr/%s.png')`, s.B["石女士"].CheckinToken))
		if got["outcome"] != "ok" {
			t.Fatalf("decodeImage = %v", got)
		}
		p.waitAnswer("ok", "石女士")
	})
	t.Run("OtherEvent", func(t *testing.T) {
		p.t = t
		p.do(chromedp.SendKeys(chromedp.ID("scanner"), s.B["陈阿姨"].CheckinToken+"\r"))
		p.waitAnswer("other_event", "不是这个活动")
		p.waitAnswer("other_event", "冬季健康讲座")
		p.shot("other-event")
	})
	t.Run("Cancelled", func(t *testing.T) {
		p.t = t
		p.typeCode(s.B["周大爷"].Code)
		p.waitAnswer("cancelled", "预约已取消")
		p.shot("cancelled")
	})
	t.Run("Unknown", func(t *testing.T) {
		p.t = t
		code := "000000"
		for _, b := range s.B {
			if b.Code == code {
				code = "000001"
			}
		}
		p.typeCode(code)
		p.waitAnswer("unknown", "没有找到预约")
		p.shot("unknown")
	})
	t.Run("LiveAttendance", func(t *testing.T) {
		p.t = t
		before := p.text("n-in")
		s.MustCheckIn(t, s.B["孙阿姨"].Code)
		p.wait(fmt.Sprintf(`document.getElementById('n-in').innerText !== %q`, before))
		if got, want := p.text("n-in")+"/"+p.text("n-notyet"), "5/2"; got != want {
			t.Fatalf("checked in/not yet = %s, want %s", got, want)
		}
	})
	t.Run("Offline", func(t *testing.T) {
		p.t = t
		scanned := s.Clock.Now()
		p.offline(true)
		p.typeCode(s.B["姚大娘"].Code)
		p.waitAnswer("queued", "待同步")
		p.wait(`document.getElementById('n-pending').innerText === '1' && !document.getElementById('pending').hidden`)
		if got := p.text("queue"); !strings.Contains(got, "签到码 "+s.B["姚大娘"].Code) {
			t.Fatalf("queue = %q", got)
		}
		p.wait(`document.getElementById('net').innerText === '离线'`)
		p.shot("queued")
		// Twenty minutes later the network is back: the scan is sent with
		// its own time, and the server keeps it.
		s.Clock.Add(20 * time.Minute)
		p.offline(false)
		p.wait(`document.getElementById('pending').hidden && document.getElementById('synced').innerText.includes('姚大娘')`)
		if got := p.text("synced"); !strings.Contains(got, "签到成功") || !strings.Contains(got, hhmm(scanned)) {
			t.Fatalf("synced = %q, want 签到成功 at %s", got, hhmm(scanned))
		}
		b, err := s.DB.Booking(context.Background(), s.B["姚大娘"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != chorus.StatusCheckedIn || b.CheckedInAt.Before(scanned) || b.CheckedInAt.After(scanned.Add(time.Minute)) {
			t.Fatalf("synced booking = %s at %v, want checked_in at %v", b.Status, b.CheckedInAt.In(shanghai), scanned)
		}
		p.wait(`document.getElementById('n-in').innerText === '6'`)
	})
	t.Run("LinkFromCameraApp", func(t *testing.T) {
		p.t = t
		// The phone's own camera app opens the QR code's URL: the server
		// sends it on to the page, which checks the booking in.
		p.do(chromedp.Navigate(s.URL + "/c/" + s.B["刘奶奶"].CheckinToken))
		p.waitAnswer("ok", "刘奶奶")
		if got := eval[string](p, `location.href`); got != s.URL+"/staff/checkin" {
			t.Fatalf("address after the check-in = %s: the token stays in the history", got)
		}
		p.wait(`document.getElementById('n-in').innerText === '7'`)
	})
}

// TestCheckinPageServed checks the page and its assets without a browser:
// content-hash URLs cached for a year, a strict CSP, nothing from
// elsewhere.
func TestCheckinPageServed(t *testing.T) {
	s := mustStack(t)
	get := func(url string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	res, html := get(s.URL + "/staff/checkin")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("CSP = %q", csp)
	}
	if !strings.Contains(html, `lang="zh-CN"`) || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Fatalf("page refers elsewhere or is not zh-CN:\n%s", html)
	}
	assets := regexp.MustCompile(`/staff/checkin/a/[0-9a-f]{12}/[A-Za-z/]+\.(?:js|css)`).FindAllString(html, -1)
	if len(assets) != 8 {
		t.Fatalf("assets = %v, want the stylesheet, jsQR, the shared core's three scripts and the page's three", assets)
	}
	for _, a := range assets {
		res, body := get(s.URL + a)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || len(body) == 0 {
			t.Fatalf("%s = %d %q", a, res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if strings.HasSuffix(a, "jsQR.js") && !strings.Contains(body, "jsQR") {
			t.Fatalf("%s is not jsQR", a)
		}
		stale := regexp.MustCompile(`/a/[0-9a-f]{12}/`).ReplaceAllString(a, "/a/000000000000/")
		if res, _ := get(s.URL + stale); res.StatusCode != 404 {
			t.Fatalf("%s = %d, want 404", stale, res.StatusCode)
		}
	}
}
