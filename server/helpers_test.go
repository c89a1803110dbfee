package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

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
	Clock *clocktest.Clock
	Place int64
	// Admin carries an admin's session cookie and CSRF token; Kiosk a
	// paired kiosk's token.
	Admin map[string]string
	Kiosk map[string]string
	// Server is the server under test; Hub its kiosk hub.
	Server *server.Server
	Hub    *kiosk.Hub
}

// MustLogin creates a staff account with role and logs it in over HTTP,
// returning the headers that carry its session.
func (e *env) MustLogin(tb testing.TB, username string, role chorus.Role) map[string]string {
	tb.Helper()
	st := &chorus.Staff{Username: username, Name: "李婷", Role: role}
	if err := e.DB.CreateStaff(context.Background(), st, "guanghua-2026"); err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.URL+"/api/login", strings.NewReader(`{"username":"`+username+`","password":"guanghua-2026"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		tb.Fatalf("login = %d, %v", res.StatusCode, err)
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == server.SessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	return map[string]string{"Cookie": cookie, server.CSRFHeader: body.CSRF}
}

// MustPairKiosk registers and pairs a kiosk, returning its bearer header.
func (e *env) MustPairKiosk(tb testing.TB) map[string]string {
	tb.Helper()
	ctx := context.Background()
	_, code, err := e.DB.CreateKiosk(ctx, "活动室东墙", e.Place)
	if err != nil {
		tb.Fatal(err)
	}
	_, token, err := e.DB.Pair(ctx, code)
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]string{"Authorization": "Bearer " + token}
}

// finish logs an admin in and pairs a kiosk for a started server.
func (e *env) finish(tb testing.TB) *env {
	tb.Helper()
	e.Admin = e.MustLogin(tb, "liting", chorus.RoleAdmin)
	e.Kiosk = e.MustPairKiosk(tb)
	return e
}

// MustServe starts the server on a temp SQLite file, wired as
// cmd/chorus wires it (kiosk hub, attendance streams, live feed), with a
// place, an admin logged in and a kiosk paired.
func MustServe(tb testing.TB) *env {
	tb.Helper()
	return serve(tb, nil).finish(tb)
}

// serve starts the stack on the test clock with one place, 社区活动室;
// configure changes the store, server and hub before the first write.
func serve(tb testing.TB, configure func(*sqlite.DB, *server.Server, *kiosk.Hub)) *env {
	tb.Helper()
	clk := clocktest.New(time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai))
	st := stacktest.Start(tb, stacktest.Options{Now: clk.Now, Location: shanghai, Configure: configure})
	p := &chorus.Place{Name: "社区活动室"}
	if err := st.DB.SavePlace(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return &env{DB: st.DB, URL: st.URL, Clock: clk, Place: p.ID, Server: st.Server, Hub: st.Hub}
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

// with merges request headers: later maps win.
func with(hs ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = v
		}
	}
	return out
}

// lastCode returns the verification code last texted to phone, read from
// the outbox as the resident reads it on the phone.
func (e *env) lastCode(tb testing.TB, phone string) string {
	tb.Helper()
	list, err := e.DB.Messages(context.Background(), phone, 50)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range list {
		if m.Kind == chorus.MsgVerifyCode {
			return m.Params["code"]
		}
	}
	tb.Fatalf("no verification code sent to %s", phone)
	return ""
}

// MustVerify has kiosk (headers) send phone a verification code and type
// it back, returning the kiosk's headers with the proof.
func (e *env) MustVerify(tb testing.TB, kiosk map[string]string, phone string) map[string]string {
	tb.Helper()
	c := http.DefaultClient
	if got := do(tb, c, "POST", e.URL+"/api/verify", map[string]any{"phone": phone}, kiosk); got.Status != 200 {
		tb.Fatalf("send code = %d %s", got.Status, got.Raw)
	}
	got := do(tb, c, "POST", e.URL+"/api/verify/check", map[string]any{"phone": phone, "code": e.lastCode(tb, phone)}, kiosk)
	proof, _ := got.Body["proof"].(string)
	if got.Status != 200 || proof == "" {
		tb.Fatalf("check code = %d %s", got.Status, got.Raw)
	}
	return with(kiosk, map[string]string{server.ProofHeader: proof})
}
