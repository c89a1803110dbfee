package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// kioskEnv is a server with the kiosk routes and a running hub, and an
// admin logged in (no kiosk paired yet).
type kioskEnv struct {
	*env
	Hub *kiosk.Hub
}

func mustServeKiosks(tb testing.TB) *kioskEnv {
	tb.Helper()
	e := serve(tb, nil)
	e.Admin = e.MustLogin(tb, "liting", chorus.RoleAdmin)
	return &kioskEnv{env: e, Hub: e.Hub}
}

// decodeQR reads the QR code of a PNG data URL with zbarimg.
func decodeQR(t *testing.T, dataURL string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		t.Fatalf("qr = %.40s…, want a PNG data URL", dataURL)
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pairing.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	return zbar(t, file)
}

func TestServer_Kiosks(t *testing.T) {
	e := mustServeKiosks(t)
	c := http.DefaultClient

	created := do(t, c, "POST", e.URL+"/api/admin/kiosks", map[string]any{"name": "活动室东墙", "place_id": e.Place}, e.Admin)
	if created.Status != http.StatusCreated {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	code, _ := created.Body["pairing_code"].(string)
	url, _ := created.Body["pairing_url"].(string)
	kv, _ := created.Body["kiosk"].(map[string]any)
	if !regexp.MustCompile(`^[0-9]{8}$`).MatchString(code) || url != e.URL+"/kiosk#pair="+code ||
		kv["name"] != "活动室东墙" || kv["online"] != false || created.Body["pairing_expires_at"] != "2026-12-02T08:00:00+08:00" {
		t.Fatalf("create = %s", created.Raw)
	}
	id := int64(kv["id"].(float64))

	t.Run("QR", func(t *testing.T) {
		if got := decodeQR(t, created.Body["qr"].(string)); got != url {
			t.Fatalf("QR says %q, want %q", got, url)
		}
	})

	var token string
	t.Run("Pair", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": code}, nil)
		token, _ = got.Body["token"].(string)
		if got.Status != http.StatusOK || len(token) != 64 || got.Body["kiosk"].(map[string]any)["id"] != float64(id) {
			t.Fatalf("pair = %d %s", got.Status, got.Raw)
		}
		if again := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": code}, nil); again.Status != http.StatusBadRequest {
			t.Fatalf("pair again = %d %s", again.Status, again.Raw)
		}
		me := do(t, c, "GET", e.URL+"/api/kiosk/me", nil, map[string]string{"Authorization": "Bearer " + token})
		if me.Status != http.StatusOK || me.Body["kiosk"].(map[string]any)["name"] != "活动室东墙" {
			t.Fatalf("me = %d %s", me.Status, me.Raw)
		}
		if me := do(t, c, "GET", e.URL+"/api/kiosk/me", nil, nil); me.Status != http.StatusUnauthorized {
			t.Fatalf("me without a token = %d %s", me.Status, me.Raw)
		}
	})

	t.Run("Staff", func(t *testing.T) {
		path := fmt.Sprintf("%s/api/admin/kiosks/%d", e.URL, id)
		if got := do(t, c, "PUT", path, map[string]any{"name": "活动室西墙"}, e.Admin); got.Status != 200 || got.Body["name"] != "活动室西墙" {
			t.Fatalf("rename = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "PUT", path+"/mode", map[string]any{"kind": "closed", "message": "今天休息"}, e.Admin); got.Status != 200 ||
			got.Body["mode"].(map[string]any)["message"] != "今天休息" {
			t.Fatalf("mode = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "PUT", path+"/mode", map[string]any{"kind": "party"}, e.Admin); got.Status != 400 || got.ErrorMessage() == "" {
			t.Fatalf("bad mode = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "PUT", path+"/settings", map[string]any{"idle_seconds": 120, "text_size": 1}, e.Admin); got.Status != 200 ||
			got.Body["settings"].(map[string]any)["idle_seconds"] != float64(120) {
			t.Fatalf("settings = %d %s", got.Status, got.Raw)
		}
		// Only what is sent changes: the printer alone keeps the idle time.
		if got := do(t, c, "PUT", path+"/settings", map[string]any{"printer": true}, e.Admin); got.Status != 200 ||
			got.Body["settings"].(map[string]any)["idle_seconds"] != float64(120) || got.Body["settings"].(map[string]any)["printer"] != true {
			t.Fatalf("settings {printer} = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "POST", path+"/reload", nil, e.Admin); got.Status != 200 {
			t.Fatalf("reload = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "POST", e.URL+"/api/admin/kiosks/999/reload", nil, e.Admin); got.Status != 404 {
			t.Fatalf("reload of no kiosk = %d %s", got.Status, got.Raw)
		}
		ann := do(t, c, "POST", e.URL+"/api/admin/announcements", map[string]any{"text": "下午三点停电检修", "kiosk_id": id,
			"expires_at": "2026-12-01T18:00:00+08:00"}, e.Admin)
		if ann.Status != http.StatusCreated || ann.Body["announcement"].(map[string]any)["expires_at"] != "2026-12-01T18:00:00+08:00" {
			t.Fatalf("announce = %d %s", ann.Status, ann.Raw)
		}
		if list := do(t, c, "GET", e.URL+"/api/admin/announcements", nil, e.Admin); len(list.Body["announcements"].([]any)) != 1 {
			t.Fatalf("announcements = %s", list.Raw)
		}
		list := do(t, c, "GET", e.URL+"/api/admin/kiosks", nil, e.Admin)
		kiosks, _ := list.Body["kiosks"].([]any)
		if len(kiosks) != 1 || kiosks[0].(map[string]any)["paired_at"] != "2026-12-01T08:00:00+08:00" {
			t.Fatalf("kiosks = %s", list.Raw)
		}
		// A new code for a kiosk whose screen was replaced.
		again := do(t, c, "POST", path+"/pairing", nil, e.Admin)
		if again.Status != 200 || again.Body["pairing_code"] == code {
			t.Fatalf("new code = %d %s", again.Status, again.Raw)
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		fresh := do(t, c, "POST", fmt.Sprintf("%s/api/admin/kiosks/%d/pairing", e.URL, id), nil, e.Admin)
		paired := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": fresh.Body["pairing_code"]}, nil)
		tok := paired.Body["token"].(string)
		// Asked twice, the kiosk is remembered (sqlite's kiosk cache):
		// the revocation must still end its access at once.
		for range 2 {
			if me := do(t, c, "GET", e.URL+"/api/kiosk/me", nil, map[string]string{"Authorization": "Bearer " + tok}); me.Status != 200 {
				t.Fatalf("me before revocation = %d %s", me.Status, me.Raw)
			}
		}
		got := do(t, c, "POST", fmt.Sprintf("%s/api/admin/kiosks/%d/revoke", e.URL, id), nil, e.Admin)
		if got.Status != 200 || got.Body["revoked"] != true {
			t.Fatalf("revoke = %d %s", got.Status, got.Raw)
		}
		me := do(t, c, "GET", e.URL+"/api/kiosk/me", nil, map[string]string{"Authorization": "Bearer " + tok})
		if me.Status != http.StatusForbidden || me.ErrorCode() != chorus.EFORBIDDEN {
			t.Fatalf("me when revoked = %d %s", me.Status, me.Raw)
		}
		book := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": 1, "slot_id": 1, "phone": "13812345678"},
			map[string]string{"Authorization": "Bearer " + tok})
		if book.Status != http.StatusForbidden || book.ErrorCode() != chorus.EFORBIDDEN {
			t.Fatalf("booking when revoked = %d %s", book.Status, book.Raw)
		}
	})

	t.Run("ErrNotStaff", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{{"GET", "/api/admin/kiosks"}, {"POST", "/api/admin/kiosks"},
			{"POST", "/api/admin/announcements"}, {"POST", fmt.Sprintf("/api/admin/kiosks/%d/revoke", id)}} {
			if got := do(t, c, r.method, e.URL+r.path, nil, nil); got.Status != http.StatusUnauthorized {
				t.Errorf("%s %s without a session = %d", r.method, r.path, got.Status)
			}
			tok := map[string]string{"Authorization": "Bearer " + token}
			if got := do(t, c, r.method, e.URL+r.path, nil, tok); got.Status != http.StatusUnauthorized {
				t.Errorf("%s %s with a kiosk token = %d", r.method, r.path, got.Status)
			}
		}
	})
}

// TestServer_PairLimit refuses pairing from one address after 10 attempts
// a minute, with 429 and the sentence the kiosk shows; another address
// still pairs, and a minute later the first one may try again. Behind a
// trusted proxy the address is X-Forwarded-For's; from any other peer the
// header is ignored, so it cannot be used to dodge the limit.
func TestServer_PairLimit(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(map[bool]string{false: "DirectPeer", true: "TrustedProxy"}[trusted], func(t *testing.T) {
			e := serve(t, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
				if trusted {
					s.TrustedProxies, _ = server.ParseTrustedProxies("127.0.0.1/32,::1")
				}
			})
			c := http.DefaultClient
			_, code, err := e.DB.CreateKiosk(context.Background(), "活动室东墙", e.Place)
			if err != nil {
				t.Fatal(err)
			}
			wrong := "00000000"
			if code == wrong {
				wrong = "11111111"
			}
			// Each miss claims another client address: only a trusted
			// proxy's claim is believed.
			from := func(i int) map[string]string {
				return map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)}
			}
			guesser := map[string]string{"X-Forwarded-For": "198.51.100.7"}
			for i := range server.DefaultPairPerMinute {
				h := guesser
				if !trusted {
					h = from(i)
				}
				if got := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": wrong}, h); got.Status != http.StatusBadRequest {
					t.Fatalf("miss %d = %d %s", i, got.Status, got.Raw)
				}
			}
			h := guesser
			if !trusted {
				h = from(99)
			}
			got := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": code}, h)
			if got.Status != http.StatusTooManyRequests || got.ErrorMessage() != chorus.TooOften {
				t.Fatalf("after %d misses = %d %s", server.DefaultPairPerMinute, got.Status, got.Raw)
			}
			if trusted {
				// The office's own screen, behind the same proxy, pairs.
				if got := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": code},
					map[string]string{"X-Forwarded-For": "192.0.2.10"}); got.Status != http.StatusOK {
					t.Fatalf("another address = %d %s", got.Status, got.Raw)
				}
				return
			}
			e.Clock.Add(time.Minute)
			if got := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": code}, nil); got.Status != http.StatusOK {
				t.Fatalf("a minute later = %d %s", got.Status, got.Raw)
			}
		})
	}
}
