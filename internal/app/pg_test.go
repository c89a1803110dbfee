package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/server"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestNew_PostgresTwoInstances: two apps on one PostgreSQL database
// (-db postgres://…) both start; a message queued through A rings B's SMS
// worker too (the commit reaches B by NOTIFY), and exactly one of them
// leads the timed work.
func TestNew_PostgresTwoInstances(t *testing.T) {
	dsn := pgtest.DSN(t)
	start := func(rung chan struct{}) *app.App {
		cfg := testConfig(t)
		cfg.DBPath = dsn
		a, err := app.New(cfg, app.Options{Logger: quiet(), Configure: func(a *app.App) {
			wake := a.Wake
			a.Wake = func() {
				wake()
				select {
				case rung <- struct{}{}:
				default:
				}
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	rungB := make(chan struct{}, 1)
	a, b := start(make(chan struct{}, 1)), start(rungB)
	ctx := context.Background()
	if la, lb := a.DB.Leads(ctx), b.DB.Leads(ctx); la == lb {
		t.Errorf("A leads %v, B leads %v: want exactly one", la, lb)
	}
	// B listens from its start; give its LISTEN a moment by retrying the
	// commit until B hears one (each is a new message to the outbox).
	deadline := time.After(10 * time.Second)
	for {
		if err := a.DB.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-rungB:
			return
		case <-time.After(time.Second):
		case <-deadline:
			t.Fatal("B's worker never heard of A's commits")
		}
	}
}

// TestNew_PostgresSkipsBackups: a backup directory given with a PostgreSQL
// database schedules nothing (the copies are SQLite files) and says so in
// the log, pointing to pg_dump and pg_basebackup.
func TestNew_PostgresSkipsBackups(t *testing.T) {
	cfg := testConfig(t)
	cfg.DBPath = pgtest.DSN(t)
	cfg.BackupDir, cfg.BackupEvery = t.TempDir(), time.Hour
	var log syncBuilder
	a, err := app.New(cfg, app.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Backups != nil {
		t.Error("a backup schedule on PostgreSQL")
	}
	if !strings.Contains(log.String(), "scheduled backups skipped") || !strings.Contains(log.String(), "pg_basebackup") {
		t.Errorf("log = %s", log.String())
	}
}

// syncBuilder is a strings.Builder the app's goroutines may log to.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNew_PostgresSessionsAndThrottleShared: two instances on one
// PostgreSQL database behind one address: a staff session opened through
// A is good on B (and its logout through B ends it on A), and the failed
// logins counted on A hold the account back on B.
func TestNew_PostgresSessionsAndThrottleShared(t *testing.T) {
	dsn := pgtest.DSN(t)
	open := func() (*httptest.Server, *app.App) {
		cfg := testConfig(t)
		cfg.DBPath = dsn
		a, err := app.New(cfg, app.Options{Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		a.DB.PasswordCost = 4
		srv := httptest.NewServer(a.Server.Handler())
		t.Cleanup(func() { srv.Close(); a.Close() })
		return srv, a
	}
	a, appA := open()
	b, _ := open()
	staff := &chorus.Staff{Username: "wang", Name: "王芳", Role: chorus.RoleStaff}
	if err := appA.DB.CreateStaff(chorus.WithScope(context.Background(), chorus.Scope{Community: 1}), staff, "correct horse 7"); err != nil {
		t.Fatal(err)
	}
	login := func(srv *httptest.Server, user, pass string) (*http.Response, string) {
		t.Helper()
		res, err := http.Post(srv.URL+"/api/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, pass)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(body)
	}
	res, body := login(a, "wang", "correct horse 7")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login on A: %d %s", res.StatusCode, body)
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == server.SessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	me := func(srv *httptest.Server) int {
		req, _ := http.NewRequest("GET", srv.URL+"/api/me", nil)
		req.AddCookie(session)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := me(b); code != http.StatusOK {
		t.Errorf("A's session on B: %d", code)
	}
	// Logging out through B ends the session on A.
	var csrf struct {
		Token string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(body), &csrf); err != nil || csrf.Token == "" {
		t.Fatalf("login answer %s: %v", body, err)
	}
	req, _ := http.NewRequest("POST", b.URL+"/api/logout", nil)
	req.AddCookie(session)
	req.Header.Set(server.CSRFHeader, csrf.Token)
	out, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if out.StatusCode >= 300 {
		t.Fatalf("logout on B: %d", out.StatusCode)
	}
	if code := me(a); code == http.StatusOK {
		t.Errorf("session logged out on B still good on A: %d", code)
	}

	// Guesses through A: the account is held back on B as well, even with
	// the right password from a new device.
	for i := 0; i < chorus.FreeUserFailures; i++ {
		if res, body := login(a, "wang", "wrong guess"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d on A: %d %s", i, res.StatusCode, body)
		}
	}
	res, body = login(b, "wang", "correct horse 7")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "尝试太频繁") {
		t.Errorf("login on B after A's guesses: %d %s", res.StatusCode, body)
	}
}
