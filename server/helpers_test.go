package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

const adminToken = "test-admin-token"

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// env is a running server on loopback over a fresh database file.
type env struct {
	DB    *sqlite.DB
	URL   string
	Clock *clock
	Place int64
}

// MustServe starts the server on a temp SQLite file.
func MustServe(tb testing.TB) *env {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "chorus.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai)}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db.Now, db.Location, db.Logger = clk.Now, shanghai, logger
	srv := &server.Server{Store: db, AdminToken: adminToken, Logger: logger, Now: clk.Now, Location: shanghai}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	p := &chorus.Place{Name: "社区活动室"}
	if err := db.SavePlace(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return &env{DB: db, URL: ts.URL, Clock: clk, Place: p.ID}
}

// MustEvent creates a clinic on 2026-12-05 with n slots of capacity seats.
func (e *env) MustEvent(tb testing.TB, n, capacity int, waitlist bool) *chorus.Event {
	tb.Helper()
	day := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: e.Place, Waitlist: waitlist, CutoffMinutes: 60}
	for i := 0; i < n; i++ {
		t := day.Add(time.Duration(i) * 15 * time.Minute)
		ev.Slots = append(ev.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: capacity})
	}
	if err := e.DB.CreateEvent(context.Background(), ev); err != nil {
		tb.Fatal(err)
	}
	return ev
}

// response is a decoded answer.
type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

// ErrorCode returns error.code of an error answer.
func (r response) ErrorCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// ErrorMessage returns error.message of an error answer.
func (r response) ErrorMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// do sends a request; body may be a string (sent as is) or a value (JSON).
func do(tb testing.TB, client *http.Client, method, url string, body any, header map[string]string) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	out := response{Status: res.StatusCode, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			tb.Fatalf("decode %s: %v", raw, err)
		}
	}
	return out
}

var admin = map[string]string{"Authorization": "Bearer " + adminToken}
