package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// loopbackClient keeps enough idle connections for every benchmark client.
func loopbackClient(n int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = n, n
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// post sends one booking and returns its status and latency.
// post sends body as a kiosk (its bearer header).
func post(c *http.Client, url string, body []byte, kiosk map[string]string) (int, time.Duration, error) {
	start := time.Now()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range kiosk {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, time.Since(start), nil
}

// report adds done/s (in unit) and latency percentiles to the benchmark.
func report(b *testing.B, lat []time.Duration, booked int64, elapsed time.Duration, unit string) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(booked)/elapsed.Seconds(), unit)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "requests/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkBookingsHTTP64 books over HTTP on loopback from 64 concurrent
// clients on an event with ample capacity; each request is a new phone.
func BenchmarkBookingsHTTP64(b *testing.B) {
	e := mustServeUnlimited(b)
	ev := e.MustEvent(b, 1, chorus.MaxSlotCapacity, false)
	e.DB.RequireConfirm = false
	const clients = 64
	c := loopbackClient(clients)
	url := e.URL + "/api/bookings"
	var next, booked atomic.Int64
	lats := make([][]time.Duration, clients)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				eventID, slotID := ev.ID, ev.Slots[0].ID
				body, _ := json.Marshal(map[string]any{"event_id": eventID, "slot_id": slotID,
					"phone": fmt.Sprintf("13%09d", i), "name": "居民"})
				st, d, err := post(c, url, body, e.Kiosk)
				if err != nil {
					b.Error(err)
					return
				}
				if st == http.StatusCreated {
					booked.Add(1)
				}
				lats[w] = append(lats[w], d)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	want := min(int64(b.N), chorus.MaxSlotCapacity)
	if booked.Load() != want {
		b.Fatalf("booked %d of %d", booked.Load(), want)
	}
	report(b, all, booked.Load(), elapsed, "bookings/s")
}

// BenchmarkBookingsHTTPContended races 200 clients for 100 seats, once per
// iteration on a fresh event, and checks that exactly 100 win.
func BenchmarkBookingsHTTPContended(b *testing.B) {
	e := mustServeUnlimited(b)
	e.DB.RequireConfirm = false
	const clients, seats = 200, 100
	c := loopbackClient(clients)
	url := e.URL + "/api/bookings"
	var all []time.Duration
	var booked int64
	var elapsed time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		ev := e.MustEvent(b, 1, seats, false)
		bodies := make([][]byte, clients)
		for i := range bodies {
			bodies[i], _ = json.Marshal(map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
				"phone": fmt.Sprintf("139%08d", i), "name": "居民"})
		}
		lat := make([]time.Duration, clients)
		var won atomic.Int64
		var wg sync.WaitGroup
		startGate := make(chan struct{})
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-startGate
				st, d, err := post(c, url, bodies[i], e.Kiosk)
				if err != nil {
					b.Error(err)
					return
				}
				if st == http.StatusCreated {
					won.Add(1)
				} else if st != http.StatusConflict {
					b.Errorf("status %d", st)
				}
				lat[i] = d
			}(i)
		}
		b.StartTimer()
		start := time.Now()
		close(startGate)
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		if won.Load() != seats {
			b.Fatalf("%d bookings won %d seats", won.Load(), seats)
		}
		s, err := e.DB.Slot(context.Background(), ev.Slots[0].ID)
		if err != nil || s.Taken != seats {
			b.Fatalf("slot taken = %v, %v", s, err)
		}
		booked += won.Load()
		all = append(all, lat...)
		b.StartTimer()
	}
	report(b, all, booked, elapsed, "bookings/s")
}

// BenchmarkCheckinHTTP checks residents in at the door over HTTP on
// loopback: 32 staff phones at once, each request a different booking's
// 6-digit code.
func BenchmarkCheckinHTTP(b *testing.B) {
	e := MustServe(b)
	e.DB.RequireConfirm = false
	ev := e.MustEvent(b, 1, chorus.MaxSlotCapacity, false)
	n := min(b.N, chorus.MaxSlotCapacity)
	codes := make([]string, n)
	for i := range codes {
		bk, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID,
			Phone: fmt.Sprintf("13%09d", i)})
		if err != nil {
			b.Fatal(err)
		}
		codes[i] = bk.Code
	}
	e.Clock.Add(4*24*time.Hour + 30*time.Minute) // the clinic's morning
	admin := e.MustLogin(b, "door", chorus.RoleStaff)
	const clients = 32
	c := loopbackClient(clients)
	var next, ok atomic.Int64
	lats := make([][]time.Duration, clients)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				body, _ := json.Marshal(map[string]any{"event_id": ev.ID, "code": codes[i%int64(n)]})
				req, _ := http.NewRequest("POST", e.URL+"/api/admin/checkins", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range admin {
					req.Header.Set(k, v)
				}
				t0 := time.Now()
				res, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				}
				lats[w] = append(lats[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if ok.Load() != int64(b.N) {
		b.Fatalf("%d of %d check-ins answered 200", ok.Load(), b.N)
	}
	report(b, all, ok.Load(), elapsed, "checkins/s")
}

// BenchmarkQRPNG renders a check-in QR code as PNG (what a cache miss costs).
func BenchmarkQRPNG(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := server.QRPNG(fmt.Sprintf("http://192.0.2.1:8080/c/%028d", i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRCached fetches the same booking's QR code over HTTP: repeats
// come from the server's cache.
func BenchmarkQRCached(b *testing.B) {
	e := MustServe(b)
	ev := e.MustEvent(b, 1, 6, false)
	bk, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678"})
	if err != nil {
		b.Fatal(err)
	}
	c := loopbackClient(1)
	url := e.URL + "/qr/" + bk.CheckinToken + ".png"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkLiveFeed64 measures the console's live feed: a booking
// committed in SQLite until all of 64 open consoles (the most the server
// takes) have read the frame that names it. Each op is one booking.
func BenchmarkLiveFeed64(b *testing.B) {
	e := MustServe(b)
	ev := e.MustEvent(b, 1, chorus.MaxSlotCapacity, false)
	const consoles = 64
	h := http.Header{}
	for k, v := range e.Admin {
		h.Set(k, v)
	}
	h.Set("Origin", e.URL)
	got := make(chan struct{}, consoles*4)
	for i := 0; i < consoles; i++ {
		conn, _, err := websocket.DefaultDialer.Dial("ws"+e.URL[len("http"):]+"/api/admin/live", h)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		var hello map[string]any
		if err := conn.ReadJSON(&hello); err != nil {
			b.Fatal(err)
		}
		go func() {
			for {
				var f struct{ Topics []string }
				if err := conn.ReadJSON(&f); err != nil {
					return
				}
				for _, t := range f.Topics {
					if t == server.TopicEvents {
						got <- struct{}{}
					}
				}
			}
		}()
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID,
			Phone: fmt.Sprintf("139%08d", i)}); err != nil {
			b.Fatal(err)
		}
		for n := 0; n < consoles; n++ {
			select {
			case <-got:
			case <-time.After(10 * time.Second):
				b.Fatalf("booking %d: %d of %d consoles heard of it", i, n, consoles)
			}
		}
		lat = append(lat, time.Since(t0))
	}
	report(b, lat, int64(b.N), time.Since(start), "bookings/s")
}

// mustServeUnlimited is MustServe with the kiosk's rate limits off: a
// load test is one kiosk booking for thousands of phones.
func mustServeUnlimited(tb testing.TB) *env {
	tb.Helper()
	return serve(tb, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
		s.Limits = server.RateLimits{KioskActionsPerMinute: -1, KioskLookupsPerMinute: -1, PhonePerDay: -1, PairPerMinute: -1}
	}).finish(tb)
}
