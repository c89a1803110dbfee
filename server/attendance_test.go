package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// sse reads server-sent events from a response.
type sse struct {
	res *http.Response
	rd  *bufio.Reader
}

// mustStream opens an attendance stream; the caller's ctx ends it.
func mustStream(tb testing.TB, ctx context.Context, url string, header map[string]string) *sse {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { res.Body.Close() })
	return &sse{res: res, rd: bufio.NewReader(res.Body)}
}

// Next returns the next event's name and data, skipping comments and
// retry lines; io.EOF when the server ends the stream.
func (s *sse) Next() (name, data string, err error) {
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if data != "" {
				return name, data, nil
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// MustAttendance reads the next attendance event.
func (s *sse) MustAttendance(tb testing.TB) chorus.Attendance {
	tb.Helper()
	name, data, err := s.Next()
	if err != nil {
		tb.Fatalf("read stream: %v", err)
	}
	var a chorus.Attendance
	if name != "attendance" {
		tb.Fatalf("event %q, want attendance", name)
	}
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		tb.Fatalf("decode %s: %v", data, err)
	}
	return a
}

func TestServer_AttendanceStream(t *testing.T) {
	e := MustServe(t)
	srv := e.Server
	ev := e.MustEvent(t, 2, 6, false)
	var codes []string
	for i, name := range []string{"李阿姨", "王大爷", "赵大娘"} {
		b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID,
			Phone: fmt.Sprintf("1381234567%d", i), Name: name, Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, b.Code)
	}
	// The clinic's morning: check-in is only taken on the event's day.
	e.Clock.Add(4*24*time.Hour + 40*time.Minute)
	e.Admin = e.MustLogin(t, "door", chorus.RoleStaff)
	stream := fmt.Sprintf("%s/api/admin/events/%d/attendance/stream", e.URL, ev.ID)
	waitStreams := func(t *testing.T, n int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.WaitAttendanceStreams(ctx, n); err != nil {
			t.Fatalf("waiting for %d open streams: %v", n, err)
		}
	}

	t.Run("ErrUnauthorized", func(t *testing.T) {
		got := do(t, http.DefaultClient, "GET", stream, nil, nil)
		if got.Status != 401 || got.ErrorCode() != chorus.EUNAUTHORIZED {
			t.Fatalf("without a session = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		got := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/events/9999/attendance/stream", nil, e.Admin)
		if got.Status != 404 {
			t.Fatalf("unknown event = %d %s", got.Status, got.Raw)
		}
		waitStreams(t, 0)
	})
	t.Run("OK", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := mustStream(t, ctx, stream, e.Admin)
		if s.res.StatusCode != 200 || !strings.HasPrefix(s.res.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream = %d %s", s.res.StatusCode, s.res.Header.Get("Content-Type"))
		}
		if got, want := s.MustAttendance(t), (chorus.Attendance{EventID: ev.ID, Booked: 3, NotYet: 3}); got != want {
			t.Fatalf("first = %+v, want %+v", got, want)
		}
		for i, code := range codes[:2] {
			res := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/checkins", map[string]any{"event_id": ev.ID, "code": code}, e.Admin)
			if res.Body["outcome"] != "ok" {
				t.Fatalf("check-in = %s", res.Raw)
			}
			want := chorus.Attendance{EventID: ev.ID, Booked: 3, CheckedIn: i + 1, NotYet: 2 - i}
			if got := s.MustAttendance(t); got != want {
				t.Fatalf("after check-in %d = %+v, want %+v", i+1, got, want)
			}
		}
	})
	t.Run("ClosesWhenClientGoes", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		s := mustStream(t, ctx, stream, e.Admin)
		s.MustAttendance(t)
		waitStreams(t, 1)
		cancel()
		waitStreams(t, 0)
		srv.NotifyEvents([]int64{ev.ID}) // nobody left to tell: must not block
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for range server.MaxAttendanceStreams {
			mustStream(t, ctx, stream, e.Admin).MustAttendance(t)
		}
		got := do(t, http.DefaultClient, "GET", stream, nil, e.Admin)
		if got.Status != 503 {
			t.Fatalf("stream %d = %d %s", server.MaxAttendanceStreams+1, got.Status, got.Raw)
		}
		cancel()
		waitStreams(t, 0)
	})
	t.Run("CloseStreams", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := mustStream(t, ctx, stream, e.Admin)
		s.MustAttendance(t)
		srv.CloseStreams()
		if _, _, err := s.Next(); err != io.EOF {
			t.Fatalf("after CloseStreams read = %v, want EOF", err)
		}
		waitStreams(t, 0)
		if got := do(t, http.DefaultClient, "GET", stream, nil, e.Admin); got.Status != 503 {
			t.Fatalf("after CloseStreams = %d", got.Status)
		}
	})
}
