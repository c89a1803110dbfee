package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sqlite"
)

// freeAddr returns a loopback address no one listens on, for a Chorus
// process to take.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// servingInstance starts a real Chorus process on dsn (instanceProcess)
// and waits until it answers /healthz; it returns its base URL.
func servingInstance(t *testing.T, name, dsn string) string {
	t.Helper()
	addr := freeAddr(t)
	instanceProcess(t, name, []string{"CHORUS_DB=" + dsn, "CHORUS_ADDR=" + addr, "CHORUS_LOG_LEVEL=info"})
	url := "http://" + addr
	wait(t, name+" serving", func() bool {
		res, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return url
}

// postJSON sends a JSON POST with header and decodes the answer into out.
func postJSON(t *testing.T, url string, body any, header map[string]string, out any) {
	t.Helper()
	buf, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", url, bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("POST %s = %d %s", url, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %s: %v", url, raw, err)
		}
	}
}

// seatsFrame is the part of a kiosk frame this test reads.
type seatsFrame struct {
	Type      string `json:"type"`
	SlotID    int64  `json:"slot_id"`
	SeatsLeft int    `json:"seats_left"`
}

// frames reads conn's frames onto a channel until it closes.
func frames(conn *websocket.Conn) <-chan seatsFrame {
	out := make(chan seatsFrame, 64)
	go func() {
		defer close(out)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var f seatsFrame
			if json.Unmarshal(msg, &f) == nil {
				out <- f
			}
		}
	}()
	return out
}

// awaitSeats waits up to d for a seats frame saying slot has left seats.
func awaitSeats(t *testing.T, in <-chan seatsFrame, slot int64, left int, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-in:
			if !ok {
				t.Fatalf("the kiosk's websocket closed before seats_left %d arrived", left)
			}
			if f.Type == "seats" && f.SlotID == slot && f.SeatsLeft == left {
				return
			}
		case <-deadline:
			t.Fatalf("no seats frame with seats_left %d for slot %d within %v", left, slot, d)
		}
	}
}

// TestPostgresBookingReachesKioskOnOtherInstance: two real Chorus
// processes on one PostgreSQL database; a paired kiosk fetches its ticket
// and opens its websocket on B; a booking made over HTTP through A reaches
// that kiosk as a seats frame with the new figure within 1 s.
func TestPostgresBookingReachesKioskOnOtherInstance(t *testing.T) {
	dsn := pgtest.DSN(t)
	db, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	place := &chorus.Place{Name: "社区活动室"}
	if err := db.SavePlace(ctx, place); err != nil {
		t.Fatal(err)
	}
	day := time.Now().Add(72 * time.Hour).Truncate(24 * time.Hour)
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: day, End: day.Add(15 * time.Minute), Capacity: 10}}}
	if err := db.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	_, code, err := db.CreateKiosk(ctx, "活动室东墙", place.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := db.Pair(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	kiosk := map[string]string{"Authorization": "Bearer " + token}
	a := servingInstance(t, "A", dsn)
	b := servingInstance(t, "B", dsn)

	var tk struct {
		Ticket string `json:"ticket"`
	}
	postJSON(t, b+"/api/kiosk/ticket", nil, kiosk, &tk)
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(b, "http")+"/kiosk/ws?ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	in := frames(conn)
	if f := <-in; f.Type != "snapshot" {
		t.Fatalf("first frame %q, want the snapshot", f.Type)
	}
	slot := ev.Slots[0].ID
	book := func(phone string) {
		postJSON(t, a+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": slot, "phone": phone, "name": "姚大娘"}, kiosk, nil)
	}
	// A first booking proves B is listening (its LISTEN starts with it);
	// the one measured is the second.
	book("13812345670")
	awaitSeats(t, in, slot, 9, 30*time.Second)
	start := time.Now()
	book("13812345671")
	awaitSeats(t, in, slot, 8, time.Second-time.Since(start))
	t.Logf("booking through A to the kiosk on B: %v", time.Since(start))
}
