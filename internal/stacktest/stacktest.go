// Package stacktest starts Chorus for tests, wired by internal/app as
// cmd/chorus is: SQLite on a file, the kiosk hub fed by the store's commits, the server's
// attendance streams and live feed fed too, the HTTP server on a loopback
// port. Tests of every package that need the running system start it here,
// so that the wiring is written once.
package stacktest

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// Options say what differs from one test package's stack to another's.
type Options struct {
	// Now is the clock of the store, the hub and the server.
	Now func() time.Time
	// Location is the community's time zone.
	Location *time.Location
	// DBPath is the database file; empty: a fresh file in a temp dir.
	DBPath string
	// Addr is the loopback address to listen on; empty: any free port. A
	// restart passes the address of the stack it replaces.
	Addr string
	// Pages are the pages' routes (ui.KioskRoutes, ui.ConsoleRoutes, …).
	Pages []server.Route
	// Configure, when set, changes the store, the server and the hub
	// before the first write and before the handler is built (a push
	// secret, template validation, allowed origins).
	Configure func(*sqlite.DB, *server.Server, *kiosk.Hub)
	// Wrap, when set, wraps the server's handler.
	Wrap func(http.Handler) http.Handler
}

// Stack is a running Chorus.
type Stack struct {
	// App is the whole app as cmd/chorus builds it (its SMS worker and
	// scheduler are not running: tests drive them).
	App    *app.App
	DB     *sqlite.DB
	Hub    *kiosk.Hub
	Server *server.Server
	// URL is http://ADDR of the server; Addr its address.
	URL, Addr string

	stopOnce sync.Once
	stop     func()
}

// Start starts a stack and stops it when the test ends.
func Start(tb testing.TB, o Options) *Stack {
	tb.Helper()
	path := o.DBPath
	if path == "" {
		path = filepath.Join(tb.TempDir(), "chorus.db")
	}
	// bcrypt.MinCost: logging in stays fast in tests.
	a, err := app.New(config(path), app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: o.Now, Location: o.Location, Pages: o.Pages, PasswordCost: 4,
		Configure: func(a *app.App) {
			// Tests queue messages of their own making and drive the
			// outbox themselves: no template check, no worker's doorbell,
			// unless Configure sets them.
			a.DB.ValidateMessage, a.Wake = nil, nil
			if o.Configure != nil {
				o.Configure(a.DB, a.Server, a.Hub)
			}
		}})
	if err != nil {
		tb.Fatal(err)
	}

	var h http.Handler = a.Server.Handler()
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := listen(addr)
	if err != nil {
		a.Close()
		tb.Fatalf("listen on %s: %v", addr, err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener = ln
	ts.Start()
	s := &Stack{App: a, DB: a.DB, Hub: a.Hub, Server: a.Server, URL: ts.URL, Addr: ln.Addr().String()}
	s.stop = func() {
		a.Server.CloseStreams()
		a.StopHub()
		ts.CloseClientConnections()
		ts.Close()
		a.Close()
	}
	tb.Cleanup(s.Stop)
	return s
}

// config is the app's configuration in tests: the store's own defaults,
// no limits on unconfirmed bookings, SMS to a silent log.
func config(path string) *app.Config {
	return &app.Config{DBPath: path, TimeZone: "Asia/Shanghai", LogLevel: "error",
		RequireConfirm: true, ConfirmWindow: sqlite.DefaultConfirmWindow, OfferTTL: sqlite.DefaultOfferTTL,
		PerPhoneDaily: sqlite.DefaultPerPhoneDaily, ResendDaily: sqlite.DefaultResendDaily,
		DispatchWait: sqlite.DefaultDispatchWait, UrgentWait: sqlite.DefaultUrgentWait,
		SMS: app.SMSConfig{PartnerDaily: sqlite.DefaultPartnerDaily, StaffDaily: sqlite.DefaultStaffDaily}}
}

// Stop stops the stack as a crash or a power cut would: streams,
// websockets and connections cut, the database closed. It may be called
// more than once.
func (s *Stack) Stop() { s.stopOnce.Do(s.stop) }

// listen listens on addr; the port of a stack just stopped may take a
// moment to be released, so a restart tries for up to 5 s.
func listen(addr string) (net.Listener, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := net.Listen("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			return ln, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
