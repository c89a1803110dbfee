package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzCreateBooking sends arbitrary bodies to the booking endpoint: the
// server must answer JSON with a known status, never 500, and never book
// past capacity.
func FuzzCreateBooking(f *testing.F) {
	e := MustServe(f)
	ev := e.MustEvent(f, 1, 2, true)
	f.Add(`{"event_id":1,"slot_id":1,"phone":"13812345678","name":"姚大娘"}`)
	f.Add(`{"event_id":1,"slot_id":1,"phone":"+86 139-1234-5678","waitlist":true,"idempotency_key":"k"}`)
	f.Add(`{"event_id":-1}`)
	f.Add(`[]`)
	f.Add(`{"event_id":1e99}`)
	f.Add(`{"name":"\u0000"}`)
	f.Add(strings.Repeat("{", 1000))
	c := http.DefaultClient
	f.Fuzz(func(t *testing.T, body string) {
		got := do(t, c, "POST", e.URL+"/api/bookings", body, nil)
		switch got.Status {
		case 200, 201:
		case 400, 404, 409:
			if got.ErrorMessage() == "" {
				t.Fatalf("error without a message: %s", got.Raw)
			}
		default:
			t.Fatalf("status %d for %q: %s", got.Status, body, got.Raw)
		}
		s, err := e.DB.Slot(t.Context(), ev.Slots[0].ID)
		if err != nil || s.Taken > s.Capacity {
			t.Fatalf("slot = %+v, %v", s, err)
		}
	})
}
