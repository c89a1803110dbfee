package server_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
	"github.com/gorilla/websocket"
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
		got := do(t, c, "POST", e.URL+"/api/bookings", body, e.Kiosk)
		switch got.Status {
		case 200, 201:
		case 400, 404, 409, 429:
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

// FuzzStaffChanges sends arbitrary bodies to the staff endpoints that
// change bookings, enrolments, messages and residents, with an admin's
// session: the server must answer JSON with a known status, never 500,
// and never hold more seats or places than there are.
func FuzzStaffChanges(f *testing.F) {
	e := MustServe(f)
	ev := e.MustEvent(f, 2, 1, true)
	b, err := e.DB.Book(f.Context(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678"})
	if err != nil {
		f.Fatal(err)
	}
	p := &chorus.Programme{Title: "寒假托管班", PlaceID: e.Place, StartDate: "2027-01-18", EndDate: "2027-02-05", MinAge: 3, MaxAge: 12, Capacity: 2}
	if err := e.DB.CreateProgramme(f.Context(), p); err != nil {
		f.Fatal(err)
	}
	estate := &chorus.Estate{Name: "光华街16号院"}
	if err := e.DB.SaveEstate(f.Context(), estate); err != nil {
		f.Fatal(err)
	}
	if err := e.DB.SavePartner(f.Context(), &chorus.Partner{Name: "宏建建筑公司", Kind: chorus.PartnerBuilder,
		Phones: []string{"13503510005"}, Services: []chorus.ServiceKind{chorus.ServiceRepair}, Active: true}); err != nil {
		f.Fatal(err)
	}
	o, err := e.DB.CreateOrder(f.Context(), chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
		Phone: "13712345678", Address: chorus.Address{EstateID: estate.ID, Unit: "3", Room: "502"}, Day: "2026-12-02", HalfDay: chorus.Morning}})
	if err != nil {
		f.Fatal(err)
	}
	up, _, err := e.DB.HandleInbound(f.Context(), chorus.Inbound{Phone: "13812345678", Content: "你好", SequenceID: "up-1", Intent: chorus.IntentUnknown})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{
		fmt.Sprintf("POST /api/admin/bookings/%d/move", b.ID),
		"POST /api/admin/enrolments",
		"POST /api/admin/enrolments/1/cancel",
		"POST /api/admin/enrolments/1/confirm",
		"POST /api/admin/messages/1/resend",
		"PUT /api/admin/residents/13812345678/optout",
		fmt.Sprintf("POST /api/admin/programmes/%d/cancel", p.ID),
		fmt.Sprintf("POST /api/admin/orders/%d/answer", o.ID),
		fmt.Sprintf("POST /api/admin/inbox/%d/settle", up.ID),
	}
	f.Add(uint8(0), fmt.Sprintf(`{"slot_id":%d,"reason":"下午有事"}`, ev.Slots[1].ID))
	f.Add(uint8(0), `{"slot_id":-1}`)
	f.Add(uint8(1), fmt.Sprintf(`{"programme_id":%d,"phone":"13900000001","children":[{"name":"豆豆","age":4}]}`, p.ID))
	f.Add(uint8(1), fmt.Sprintf(`{"programme_id":%d,"phone":"13900000002","children":[{"age":4},{"age":5},{"age":6}]}`, p.ID))
	f.Add(uint8(2), `{"reason":"孩子生病"}`)
	f.Add(uint8(3), `{}`)
	f.Add(uint8(4), `{}`)
	f.Add(uint8(5), `{"opted_out":true}`)
	f.Add(uint8(5), `{"opted_out":"yes"}`)
	f.Add(uint8(6), `{"reason":"`+strings.Repeat("雨", 300)+`"}`)
	f.Add(uint8(7), `{"partner_id":1,"intent":"accept"}`)
	f.Add(uint8(7), `{"partner_id":1,"intent":"give_back"}`)
	f.Add(uint8(8), `{"note":"已回电"}`)
	f.Add(uint8(0), strings.Repeat("[", 1000))
	c := http.DefaultClient
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		method, path, _ := strings.Cut(paths[int(which)%len(paths)], " ")
		got := do(t, c, method, e.URL+path, body, e.Admin)
		switch got.Status {
		case 200, 201:
		case 400, 404, 409:
			if got.ErrorMessage() == "" {
				t.Fatalf("error without a message: %s", got.Raw)
			}
		default:
			t.Fatalf("status %d for %s %q: %s", got.Status, path, body, got.Raw)
		}
		for _, sl := range ev.Slots {
			s, err := e.DB.Slot(t.Context(), sl.ID)
			if err != nil || s.Taken > s.Capacity || s.Taken < 0 {
				t.Fatalf("slot = %+v, %v", s, err)
			}
		}
		if g, err := e.DB.Programme(t.Context(), p.ID); err != nil || g.Taken > g.Capacity || g.Taken < 0 {
			t.Fatalf("programme = %+v, %v", g, err)
		}
	})
}

// FuzzLiveFrames sends what a console (or anyone with a staff session)
// might send on the live feed: the server reads and drops it, keeps
// serving frames while it is at most 512 bytes, and closes the socket on a
// larger one; it never fails otherwise.
func FuzzLiveFrames(f *testing.F) {
	e := MustServe(f)
	h := http.Header{}
	for k, v := range e.Admin {
		h.Set(k, v)
	}
	h.Set("Origin", e.URL)
	f.Add(true, []byte(`{"type":"hello"}`))
	f.Add(false, []byte{0, 1, 2, 0xff})
	f.Add(true, []byte(strings.Repeat("雨", 200)))
	f.Add(true, []byte{})
	f.Fuzz(func(t *testing.T, text bool, frame []byte) {
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/api/admin/live", h)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var hello map[string]any
		if err := conn.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
			t.Fatalf("hello = %v, %v", hello, err)
		}
		typ := websocket.BinaryMessage
		if text {
			typ = websocket.TextMessage
		}
		if err := conn.WriteMessage(typ, frame); err != nil {
			t.Fatal(err)
		}
		e.Server.NotifyTopics(server.TopicSMS)
		var got map[string]any
		err = conn.ReadJSON(&got)
		if len(frame) <= 512 {
			if err != nil || got["type"] != "changed" {
				t.Fatalf("after a %d-byte frame: %v %v", len(frame), got, err)
			}
			return
		}
		// The frame naming sms may be written before the reader meets
		// the big frame; the close comes after it.
		if err == nil {
			err = conn.ReadJSON(&got)
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
			t.Fatalf("after a %d-byte frame: %v %v", len(frame), got, err)
		}
	})
}
