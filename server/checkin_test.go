package server_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// zbar decodes a QR image file with zbarimg (Debian zbar-tools).
func zbar(tb testing.TB, path string) string {
	tb.Helper()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("zbarimg is missing: make test installs zbar-tools")
		}
		tb.Skip("zbarimg not installed (make test installs zbar-tools)")
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", path).Output()
	if err != nil {
		tb.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// fetchQR downloads /qr/<token>.<ext> and returns the decoded content.
func fetchQR(tb testing.TB, e *env, token, ext string) string {
	tb.Helper()
	res, err := http.Get(e.URL + "/qr/" + token + "." + ext)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		tb.Fatalf("qr status %d", res.StatusCode)
	}
	path := filepath.Join(tb.TempDir(), "qr.png")
	f, _ := os.Create(path)
	if ext == "svg" {
		img := rasterSVG(tb, res)
		png.Encode(f, img)
	} else {
		img, err := png.Decode(res.Body)
		if err != nil {
			tb.Fatal(err)
		}
		png.Encode(f, img)
	}
	f.Close()
	return zbar(tb, path)
}

var svgRun = regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`)

// rasterSVG draws the server's SVG QR code (unit squares on a white
// viewBox) at 8 px per module, exactly as a browser would.
func rasterSVG(tb testing.TB, res *http.Response) image.Image {
	tb.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	svg := string(raw)
	var n int
	if _, err := fmt.Sscanf(svg[strings.Index(svg, "viewBox="):], `viewBox="0 0 %d`, &n); err != nil {
		tb.Fatalf("viewBox: %v", err)
	}
	const px = 8
	img := image.NewGray(image.Rect(0, 0, n*px, n*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, m := range svgRun.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		for dy := 0; dy < px; dy++ {
			for dx := 0; dx < px; dx++ {
				img.SetGray(x*px+dx, y*px+dy, color.Gray{})
			}
		}
	}
	return img
}

func TestServer_CheckIn(t *testing.T) {
	e := MustServe(t)
	ev := e.MustEvent(t, 2, 6, true)
	other := e.MustEvent(t, 1, 6, false)
	c := http.DefaultClient
	book := func(evt *chorus.Event, phone, name string) map[string]any {
		got := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": evt.ID, "slot_id": evt.Slots[0].ID,
			"phone": phone, "name": name}, e.Kiosk)
		if got.Status != 201 {
			t.Fatalf("book = %d %s", got.Status, got.Raw)
		}
		return got.Body
	}
	checkin := func(body map[string]any) response {
		return do(t, c, "POST", e.URL+"/api/admin/checkins", body, e.Admin)
	}
	li := book(ev, "13812345678", "李阿姨")
	token := li["checkin_token"].(string)
	wang := book(ev, "13912345678", "王大爷")
	zhao := book(ev, "13512345678", "赵大娘")
	shi := book(ev, "13712345678", "石女士")
	yao := book(ev, "13612345678", "姚大娘")
	t.Run("ErrNotToday", func(t *testing.T) {
		got := checkin(map[string]any{"event_id": ev.ID, "token": token})
		if got.Body["outcome"] != "other_event" || !strings.Contains(got.Body["message"].(string), "不是今天") {
			t.Fatalf("days before = %s", got.Raw)
		}
	})
	// The clinic's morning: 2026-12-05 08:40.
	e.Clock.Add(4*24*time.Hour + 40*time.Minute)
	e.Admin = e.MustLogin(t, "door", chorus.RoleStaff) // yesterday's session has lapsed

	t.Run("QRDecodesAndChecksIn", func(t *testing.T) {
		for _, ext := range []string{"png", "svg"} {
			url := fetchQR(t, e, token, ext)
			if url != e.URL+"/c/"+token {
				t.Fatalf("%s decodes to %q", ext, url)
			}
		}
		// A scanner types the whole URL; the page sends it as is.
		got := checkin(map[string]any{"event_id": ev.ID, "token": e.URL + "/c/" + token})
		if got.Status != 200 || got.Body["outcome"] != "ok" || !strings.Contains(got.Body["message"].(string), "李阿姨") {
			t.Fatalf("check-in = %d %s", got.Status, got.Raw)
		}
		again := checkin(map[string]any{"event_id": ev.ID, "token": token})
		if again.Body["outcome"] != "already" || again.Body["first_at"] == nil {
			t.Fatalf("again = %s", again.Raw)
		}
	})
	t.Run("LinkRedirectsToStaffPage", func(t *testing.T) {
		nc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := nc.Get(e.URL + "/c/" + token)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/staff/checkin#t="+token {
			t.Fatalf("redirect = %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("ForgedAlteredRefused", func(t *testing.T) {
		altered := []byte(token)
		altered[3] ^= 1
		for _, tok := range []string{string(altered), strings.Repeat("A", len(token)), "short", token + "x"} {
			got := checkin(map[string]any{"event_id": ev.ID, "token": tok})
			if got.Status != 200 || got.Body["outcome"] != "unknown" {
				t.Fatalf("token %q = %s", tok, got.Raw)
			}
			if qr := do(t, c, "GET", e.URL+"/qr/"+tok+".png", nil, nil); qr.Status != 404 {
				t.Fatalf("qr of %q = %d", tok, qr.Status)
			}
		}
	})
	t.Run("CodeAndOtherEvent", func(t *testing.T) {
		got := checkin(map[string]any{"event_id": other.ID, "code": wang["code"]})
		if got.Body["outcome"] != "unknown" {
			t.Fatalf("code at another event = %s", got.Raw)
		}
		got = checkin(map[string]any{"event_id": other.ID, "token": wang["checkin_token"]})
		if got.Body["outcome"] != "other_event" || !strings.Contains(got.Body["message"].(string), "免费义诊") {
			t.Fatalf("token at another event = %s", got.Raw)
		}
		got = checkin(map[string]any{"event_id": ev.ID, "code": wang["code"]})
		if got.Body["outcome"] != "ok" {
			t.Fatalf("code = %s", got.Raw)
		}
		bad := checkin(map[string]any{"event_id": ev.ID, "code": "12ab"})
		if bad.Status != 400 || !strings.Contains(bad.ErrorMessage(), "6位") {
			t.Fatalf("bad code = %d %s", bad.Status, bad.Raw)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		do(t, c, "POST", fmt.Sprintf("%s/api/bookings/%.0f/cancel", e.URL, zhao["id"]), map[string]any{"phone": "13512345678"}, e.Admin)
		got := checkin(map[string]any{"event_id": ev.ID, "code": zhao["code"]})
		if got.Body["outcome"] != "cancelled" {
			t.Fatalf("cancelled = %s", got.Raw)
		}
	})
	t.Run("ConcurrentScansOneCheckIn", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[string]int{}
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := checkin(map[string]any{"event_id": ev.ID, "code": shi["code"]})
				mu.Lock()
				o, _ := got.Body["outcome"].(string)
				if o == "" {
					o = string(got.Raw)
				}
				outcomes[o]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if outcomes["ok"] != 1 || outcomes["already"] != 19 {
			t.Fatalf("outcomes = %v", outcomes)
		}
		hist, _ := e.DB.History(context.Background(), int64(shi["id"].(float64)))
		n := 0
		for _, h := range hist {
			if h.To == chorus.StatusCheckedIn {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d check-in transitions", n)
		}
	})
	t.Run("OfflineScanFirstTimeWins", func(t *testing.T) {
		checkin(map[string]any{"event_id": ev.ID, "code": yao["code"]}) // 08:40 on the clock
		earlier := e.Clock.Now().Add(-10 * time.Minute)
		got := checkin(map[string]any{"event_id": ev.ID, "code": yao["code"], "at": earlier.Format(time.RFC3339)})
		first, _ := time.Parse(time.RFC3339, got.Body["first_at"].(string))
		if got.Body["outcome"] != "already" || !first.Equal(earlier) {
			t.Fatalf("synced = %s", got.Raw)
		}
	})
	t.Run("UndoAndAttendance", func(t *testing.T) {
		undo := do(t, c, "POST", fmt.Sprintf("%s/api/admin/bookings/%.0f/transition", e.URL, li["id"]), map[string]any{"to": "confirmed", "reason": "扫错了"}, e.Admin)
		if undo.Status != 200 || undo.Body["status"] != "confirmed" {
			t.Fatalf("undo = %d %s", undo.Status, undo.Raw)
		}
		got := do(t, c, "GET", fmt.Sprintf("%s/api/admin/events/%d/attendance", e.URL, ev.ID), nil, e.Admin)
		// 李 (undone), 王 (in), 石 (in), 姚 (in); 赵 cancelled.
		if got.Body["booked"] != float64(4) || got.Body["checked_in"] != float64(3) || got.Body["not_yet"] != float64(1) {
			t.Fatalf("attendance = %s", got.Raw)
		}
	})
	t.Run("Search", func(t *testing.T) {
		got := do(t, c, "GET", fmt.Sprintf("%s/api/admin/events/%d/search?q=5678", e.URL, ev.ID), nil, e.Admin)
		list := got.Body["bookings"].([]any)
		if len(list) != 5 { // every test phone ends in 5678
			t.Fatalf("by digits = %d %s", len(list), got.Raw)
		}
		got = do(t, c, "GET", fmt.Sprintf("%s/api/admin/events/%d/search?q=%s", e.URL, ev.ID, "%E7%9F%B3"), nil, e.Admin) // 石
		if list := got.Body["bookings"].([]any); len(list) != 1 {
			t.Fatalf("by name = %s", got.Raw)
		}
	})
}

func TestServer_KioskCheckin(t *testing.T) {
	e := mustServeKiosks(t)
	ev := e.MustEvent(t, 1, 6, false)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/kiosks", map[string]any{"name": "活动室东墙", "place_id": e.Place}, e.Admin)
	if created.Status != 201 {
		t.Fatalf("create kiosk = %d %s", created.Status, created.Raw)
	}
	paired := do(t, c, "POST", e.URL+"/api/kiosk/pair", map[string]any{"code": created.Body["pairing_code"]}, nil)
	if paired.Status != 200 {
		t.Fatalf("pair = %d %s", paired.Status, paired.Raw)
	}
	kiosk := map[string]string{"Authorization": "Bearer " + paired.Body["token"].(string)}
	kid := created.Body["kiosk"].(map[string]any)["id"]
	li := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
		"phone": "13812345678", "name": "李阿姨"}, kiosk).Body
	e.Clock.Add(4*24*time.Hour + 40*time.Minute) // the clinic's morning
	e.Admin = e.MustLogin(t, "door", chorus.RoleStaff)

	t.Run("ErrNotInCheckinMode", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": li["code"]}, kiosk)
		if got.Status != http.StatusConflict || !strings.Contains(got.ErrorMessage(), "不办理签到") {
			t.Fatalf("booking mode = %d %s", got.Status, got.Raw)
		}
	})
	mode := do(t, c, "PUT", fmt.Sprintf("%s/api/admin/kiosks/%.0f/mode", e.URL, kid),
		map[string]any{"kind": "checkin", "event_id": ev.ID}, e.Admin)
	if mode.Status != 200 {
		t.Fatalf("mode = %d %s", mode.Status, mode.Raw)
	}
	t.Run("ErrNoToken", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": li["code"]}, nil)
		if got.Status != http.StatusUnauthorized {
			t.Fatalf("no token = %d", got.Status)
		}
	})
	t.Run("ScannedURL", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"token": e.URL + "/c/" + li["checkin_token"].(string)}, kiosk)
		if got.Status != 200 || got.Body["outcome"] != "ok" || got.Body["message"] != "李阿姨,签到成功!" {
			t.Fatalf("check-in = %d %s", got.Status, got.Raw)
		}
		if strings.Contains(string(got.Raw), "13812345678") || strings.Contains(string(got.Raw), li["code"].(string)) {
			t.Fatalf("the kiosk answer shows the phone or code: %s", got.Raw)
		}
	})
	t.Run("TypedCodeAgain", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": li["code"]}, kiosk)
		if got.Body["outcome"] != "already" {
			t.Fatalf("again = %s", got.Raw)
		}
	})
}
