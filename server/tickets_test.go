package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestServer_KioskTicket: on one instance (SQLite) a websocket ticket
// opens the kiosk's socket once; used again, or used after its 30 s, it is
// refused with 401 and a Chinese sentence.
func TestServer_KioskTicket(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ticket := func() string {
		t.Helper()
		tk := do(t, c, "POST", e.URL+"/api/kiosk/ticket", nil, e.Kiosk)
		s, _ := tk.Body["ticket"].(string)
		if tk.Status != 200 || s == "" {
			t.Fatalf("ticket = %d %s", tk.Status, tk.Raw)
		}
		return s
	}
	dial := func(tk string) (int, string) {
		t.Helper()
		conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/kiosk/ws?ticket="+tk, nil)
		if err == nil {
			conn.Close()
			return http.StatusSwitchingProtocols, ""
		}
		if res == nil {
			t.Fatal(err)
		}
		var body strings.Builder
		buf := make([]byte, 512)
		n, _ := res.Body.Read(buf)
		body.Write(buf[:n])
		return res.StatusCode, body.String()
	}
	tk := ticket()
	if code, body := dial(tk); code != http.StatusSwitchingProtocols {
		t.Fatalf("fresh ticket = %d %s", code, body)
	}
	if code, body := dial(tk); code != http.StatusUnauthorized || !strings.Contains(body, "连接凭证已失效") {
		t.Errorf("ticket used twice = %d %s", code, body)
	}
	late := ticket()
	e.Clock.Add(30 * time.Second)
	if code, body := dial(late); code != http.StatusUnauthorized || !strings.Contains(body, "连接凭证已失效") {
		t.Errorf("ticket after 30 s = %d %s", code, body)
	}
	if code, _ := dial(strings.Repeat("a", 4096)); code != http.StatusUnauthorized {
		t.Errorf("a 4 KB ticket = %d", code)
	}
}
