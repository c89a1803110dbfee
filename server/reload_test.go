package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestServer_KioskReload: staff's POST /api/admin/kiosks/{id}/reload
// reaches the kiosk's open websocket as a reload frame (the request also
// goes through the store, whose commit carries it to other instances).
func TestServer_KioskReload(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	k, err := e.DB.KioskByToken(context.Background(), strings.TrimPrefix(e.Kiosk["Authorization"], "Bearer "))
	if err != nil {
		t.Fatal(err)
	}
	tk := do(t, c, "POST", e.URL+"/api/kiosk/ticket", nil, e.Kiosk)
	ticket, _ := tk.Body["ticket"].(string)
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/kiosk/ws?ticket="+ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f struct {
		Type string `json:"type"`
	}
	if err := conn.ReadJSON(&f); err != nil || f.Type != "snapshot" {
		t.Fatalf("first frame %q, %v", f.Type, err)
	}
	if got := do(t, c, "POST", fmt.Sprintf("%s/api/admin/kiosks/%d/reload", e.URL, k.ID), nil, e.Admin); got.Status != 200 {
		t.Fatalf("reload = %d %s", got.Status, got.Raw)
	}
	for f.Type != "reload" {
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("no reload frame: %v", err)
		}
	}
}
