// Package stacktest starts Chorus for tests the way cmd/chorus wires it:
// SQLite on a file, the kiosk hub fed by the store's commits, the server's
// attendance streams and live feed fed too, the HTTP server on a loopback
// port. Tests of every package that need the running system start it here,
// so that the wiring is written once.
package stacktest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

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
	// Mount adds the pages (ui.Mount, ui.MountConsole, …).
	Mount func(*http.ServeMux)
	// Configure, when set, changes the store, the server and the hub
	// before the first write and before the handler is built (a push
	// secret, template validation, allowed origins).
	Configure func(*sqlite.DB, *server.Server, *kiosk.Hub)
	// Wrap, when set, wraps the server's handler.
	Wrap func(http.Handler) http.Handler
}

// Stack is a running Chorus.
type Stack struct {
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
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// bcrypt.MinCost: logging in stays fast in tests.
	db.Now, db.Location, db.Logger, db.PasswordCost = o.Now, o.Location, logger, 4
	hub := kiosk.NewHub(db)
	hub.Now, hub.Location, hub.Logger = o.Now, o.Location, logger
	srv := &server.Server{Store: db, Staff: db, Kiosks: db, Hub: hub, SMS: db, Logger: logger,
		Now: o.Now, Location: o.Location, Mount: o.Mount}
	hub.EventView = srv.EventView
	// The writer reads OnCommit after each commit: set before any write.
	db.OnCommit = func(c sqlite.Change) {
		hub.Notify(kiosk.Change{Slots: c.Slots, Events: c.Events, Programmes: c.Programmes})
		srv.NotifyEvents(c.Events)
		srv.NotifyTopics(c.Topics()...)
	}
	hub.OnPresence = func() { srv.NotifyTopics(server.TopicKiosks) }
	if o.Configure != nil {
		o.Configure(db, srv, hub)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()

	var h http.Handler = srv.Handler()
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := listen(addr)
	if err != nil {
		cancel()
		db.Close()
		tb.Fatalf("listen on %s: %v", addr, err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener = ln
	ts.Start()
	s := &Stack{DB: db, Hub: hub, Server: srv, URL: ts.URL, Addr: ln.Addr().String()}
	s.stop = func() {
		srv.CloseStreams()
		cancel()
		<-done
		ts.CloseClientConnections()
		ts.Close()
		db.Close()
	}
	tb.Cleanup(s.Stop)
	return s
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
