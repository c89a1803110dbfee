package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/internal/tcplb"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// instanceEnv, set in this test binary's environment to a database
// address, makes it run as one Chorus instance serving the kiosk pages
// (runInstance) instead of the tests: the failover test kills such a
// process with SIGKILL, as cmd/chorus's pgkill_test kills chorus.
const instanceEnv = "CHORUS_UI_TEST_INSTANCE"

func TestMain(m *testing.M) {
	if dsn := os.Getenv(instanceEnv); dsn != "" {
		os.Exit(runInstance(dsn, os.Getenv("CHORUS_ADDR"), os.Getenv("CHORUS_METRICS_ADDR")))
	}
	os.Exit(pgtest.Main(m))
}

// runInstance serves the app (internal/app, as cmd/chorus wires it, with
// the kiosk pages) on dsn at addr, its metrics at metrics, until killed.
func runInstance(dsn, addr, metrics string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := &app.Config{DBPath: dsn, Addr: addr, MetricsAddr: metrics, TimeZone: "Asia/Shanghai", RequireConfirm: true,
		ConfirmWindow: sqlite.DefaultConfirmWindow, OfferTTL: sqlite.DefaultOfferTTL, PerPhoneDaily: sqlite.DefaultPerPhoneDaily,
		ResendDaily: sqlite.DefaultResendDaily, DispatchWait: sqlite.DefaultDispatchWait, UrgentWait: sqlite.DefaultUrgentWait,
		SMS: app.SMSConfig{PartnerDaily: sqlite.DefaultPartnerDaily, StaffDaily: sqlite.DefaultStaffDaily}}
	a, err := app.New(cfg, app.Options{Logger: logger, Pages: ui.KioskRoutes(), Version: "test"})
	if err != nil {
		logger.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		logger.Error("listen", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.Serve(ctx, ln); err != nil {
		logger.Error("serve", "err", err)
		return 1
	}
	return 0
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is one Chorus instance run by startInstance.
type process struct {
	name, addr, metrics string
	cmd                 *exec.Cmd
	log                 string // the file of its log
}

// startInstance starts this test binary as a Chorus instance on dsn
// (runInstance) and waits until it answers /healthz. Its log is shown if
// the test fails.
func startInstance(t *testing.T, name, dsn string) *process {
	t.Helper()
	p := &process{name: name, addr: freeAddr(t), metrics: freeAddr(t)}
	p.cmd = exec.Command(os.Args[0])
	p.cmd.Env = append(os.Environ(), instanceEnv+"="+dsn, "CHORUS_ADDR="+p.addr, "CHORUS_METRICS_ADDR="+p.metrics)
	log, err := os.Create(t.TempDir() + "/" + name + ".log")
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr, p.log = log, log, log.Name()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("%s's log:\n%s", name, b)
		}
		log.Close()
	})
	poll(t, name+" serving", 60*time.Second, func() bool {
		res, err := http.Get("http://" + p.addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return p
}

// websockets returns the kiosk websockets open on p (its metric
// chorus_websocket_clients), -1 when p does not answer.
func (p *process) websockets() int {
	res, err := http.Get("http://" + p.metrics + "/metrics")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^chorus_websocket_clients (\d+)`).FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// poll checks cond every 50 ms (another process's progress, which no fake
// clock drives) until it holds, failing t after d.
func poll(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKiosk_FailoverToOtherInstance: the real kiosk page, opened through
// a round-robin proxy (internal/tcplb, as nginx with proxy_next_upstream)
// in front of two Chorus processes on one PostgreSQL database. The
// instance holding the page's websocket is killed (SIGKILL) while a
// resident looks at a clinic's times; the page says it is reconnecting,
// reconnects through the proxy to the other instance by itself, shows a
// booking made after the kill, keeps the resident where they were, and
// the resident books through the survivor.
func TestKiosk_FailoverToOtherInstance(t *testing.T) {
	browsertest.Require(t)
	dsn := pgtest.DSN(t)
	db, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	room := &chorus.Place{Name: "社区活动室"}
	if err := db.SavePlace(ctx, room); err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(shanghai).AddDate(0, 0, 2)
	at := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, shanghai)
	clinic := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: room.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: at, End: at.Add(30 * time.Minute), Capacity: 6}, {Start: at.Add(30 * time.Minute), End: at.Add(time.Hour), Capacity: 6}}}
	if err := db.CreateEvent(ctx, clinic); err != nil {
		t.Fatal(err)
	}
	_, code, err := db.CreateKiosk(ctx, "活动室东墙", room.ID)
	if err != nil {
		t.Fatal(err)
	}

	a, b := startInstance(t, "A", dsn), startInstance(t, "B", dsn)
	lb, err := tcplb.Listen("127.0.0.1:0", a.addr, b.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	base := "http://" + lb.Addr()

	bctx := browsertest.New(t)
	p := newKioskPage(t, nil, bctx)
	p.reqs = browsertest.Record(t, bctx)
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch, chromedp.EmulateLandscape))
	p.drv.Navigate(base + "/kiosk#pair=" + code)
	p.waitScreen("welcome")
	p.wait(`K.online && K.data.loaded`)
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(clinic.ID) + "']")
	p.waitScreen("event/slot")
	slot := clinic.Slots[0]
	seats := fmt.Sprintf(`document.querySelector("[data-slot='%d'] .seats")`, slot.ID)
	p.wait(seats + `.textContent === '6'`)

	// The instance holding the page's websocket dies.
	var on, other *process
	poll(t, "the page's websocket on one instance", 10*time.Second, func() bool {
		na, nb := a.websockets(), b.websockets()
		switch {
		case na == 1 && nb == 0:
			on, other = a, b
		case nb == 1 && na == 0:
			on, other = b, a
		}
		return on != nil
	})
	if err := on.cmd.Process.Kill(); err != nil { // kill -9
		t.Fatal(err)
	}
	on.cmd.Wait()
	p.waitUpTo(`!document.querySelector('#offline').hidden`, 10*time.Second)

	// A booking made after the kill (another kiosk, staff) reaches the page
	// once it is back, through the survivor.
	if _, err := db.Book(ctx, chorus.BookingRequest{EventID: clinic.ID, SlotID: slot.ID, Phone: phoneOther, Source: "api"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.waitUpTo(`document.querySelector('#offline').hidden && K.online && `+seats+`.textContent === '5'`, 35*time.Second)
	t.Logf("back online through %s, the booking shown, %v after it", other.name, time.Since(start).Round(time.Millisecond))
	if n := other.websockets(); n != 1 {
		t.Errorf("websockets on the survivor %s = %d, want the page's", other.name, n)
	}
	if got := p.screen(); got != "event/slot" {
		t.Errorf("after the failover the page shows %q; the resident was on event/slot", got)
	}

	// The resident carries on: books the slot through the survivor.
	p.tap(fmt.Sprintf("[data-slot='%d']", slot.ID))
	p.typeDigits(phoneYao)
	p.wait(`!document.querySelector('#entry-ok').disabled`)
	p.tap("确定")
	p.waitScreen("event/confirm")
	p.tap("确认预约")
	p.waitScreen("event/done")
	list, err := db.BookingsByPhone(ctx, phoneYao)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].SlotID != slot.ID {
		t.Errorf("the resident's bookings after the failover = %+v", list)
	}
	// Nothing went wrong on the survivor along the way.
	if b, err := os.ReadFile(other.log); err != nil || regexp.MustCompile(`level=ERROR`).Match(b) {
		t.Errorf("errors in %s's log (%v):\n%s", other.name, err, b)
	}
	if f := p.reqs.Foreign(base); len(f) > 0 {
		t.Errorf("requests outside the proxy's origin: %v", f)
	}
}
