package kiosk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/push"
)

// benchKiosks is how many kiosks the broadcast benchmarks connect: a
// district's worth of activity rooms.
const benchKiosks = 200

// seatStore is a store with one clinic slot whose seats taken the
// benchmark sets, so that only the hub's work is measured.
type seatStore struct {
	taken atomic.Int64
	start time.Time
}

func (s *seatStore) DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	return []chorus.Event{{ID: 1, Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: 1, Status: chorus.EventOpen,
		Slots: []chorus.Slot{{ID: 1, EventID: 1, Start: s.start, End: s.start.Add(time.Hour), Capacity: 1 << 30,
			Taken: int(s.taken.Load())}}}}, nil
}

func (s *seatStore) DistrictProgrammes(ctx context.Context, now time.Time) ([]chorus.Programme, error) {
	return []chorus.Programme{}, nil
}

func (s *seatStore) LiveAnnouncements(ctx context.Context, now time.Time) ([]chorus.Announcement, error) {
	return []chorus.Announcement{}, nil
}

// fanout connects n kiosks to serve and returns a channel that gets one
// value each time a kiosk receives a seats delta.
func fanout(b *testing.B, url string, n int) <-chan struct{} {
	b.Helper()
	got := make(chan struct{}, n*4)
	seats := []byte(`"type":"seats"`)
	for i := range n {
		conn, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("%s?kiosk=%d", url, i+1), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		if _, data, err := conn.ReadMessage(); err != nil || !bytes.Contains(data, []byte(`"type":"snapshot"`)) {
			b.Fatalf("first message: %s, %v", data, err)
		}
		go func() {
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				if bytes.Contains(data, seats) {
					got <- struct{}{}
				}
			}
		}()
	}
	return got
}

// waitAll waits for n receipts.
func waitAll(b *testing.B, got <-chan struct{}, n int) {
	for range n {
		select {
		case <-got:
		case <-time.After(waitFor):
			b.Fatalf("a delta did not reach every kiosk in %s", waitFor)
		}
	}
}

func reportFanout(b *testing.B, start time.Time) {
	el := time.Since(start)
	b.ReportMetric(float64(b.N)/el.Seconds(), "deltas/s")
	b.ReportMetric(float64(b.N*benchKiosks)/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(el.Microseconds())/1000/float64(b.N), "ms/delta-to-all")
}

// BenchmarkBroadcastSeats measures the hub alone: one seats change read
// from a store in memory, turned into a delta and written to 200 kiosks
// over loopback websockets; each delta waits until every kiosk has it.
func BenchmarkBroadcastSeats(b *testing.B) {
	store := &seatStore{start: time.Now().Add(24 * time.Hour)}
	hub := kiosk.NewHub(store)
	hub.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { hub.Run(ctx); close(stopped) }()
	b.Cleanup(func() { stop(); <-stopped })
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.URL.Query().Get("kiosk"), 10, 64)
		hub.ServeKiosk(w, r, &chorus.Kiosk{ID: id, Name: "自助机", PlaceID: 1, Mode: chorus.KioskMode{Kind: chorus.KioskBooking},
			Settings: chorus.DefaultKioskSettings()})
	}))
	b.Cleanup(ts.Close)
	got := fanout(b, "ws"+strings.TrimPrefix(ts.URL, "http"), benchKiosks)

	b.ResetTimer()
	start := time.Now()
	for range b.N {
		store.taken.Add(1)
		hub.Changes.Publish(push.Events)
		waitAll(b, got, benchKiosks)
	}
	reportFanout(b, start)
}

// BenchmarkBookingToKiosks measures the whole path: a booking committed to
// SQLite (synchronous=FULL), the hub told through OnCommit, the fresh
// numbers read and sent to 200 kiosks through the HTTP server.
func BenchmarkBookingToKiosks(b *testing.B) {
	const slots = 50
	f := mustFixture(b, slots, chorus.MaxSlotCapacity)
	tokens := make([]string, benchKiosks)
	for i := range tokens {
		_, tokens[i] = f.mustKiosk(b, fmt.Sprintf("自助机%d", i), f.Place)
	}
	got := make(chan struct{}, benchKiosks*4)
	for _, tok := range tokens {
		c := f.dial(b, tok)
		c.expect(b, kiosk.TypeSnapshot)
		go func() {
			for m := range c.msgs {
				if m.Type == kiosk.TypeSeats {
					got <- struct{}{}
				}
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		f.mustBook(b, i%slots, fmt.Sprintf("13%09d", i))
		waitAll(b, got, benchKiosks)
	}
	reportFanout(b, start)
}

func (s *seatStore) DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error) {
	all, err := s.DistrictUpcomingEvents(ctx, now)
	return eventsIn(all, ids), err
}
