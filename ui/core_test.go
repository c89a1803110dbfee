package ui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/ui"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// TestUI_SharedCore: the kiosk page, the console and the door check-in
// page load the one JavaScript core (lib/: the API client, times, the
// scanner), the same bytes, and no page script has a second copy of it:
// no error type of its own, no decoder call, no time-zone arithmetic, no
// fetch of JSON beside the client.
func TestUI_SharedCore(t *testing.T) {
	mux := http.NewServeMux()
	server.Mount(mux, ui.Routes())
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	scripts := regexp.MustCompile(`<script src="([^"]+)"`)
	core := map[string]string{} // lib file → its body, as the first page serves it
	for _, pg := range []struct {
		path string
		libs []string
	}{
		{"/kiosk", []string{"api.js", "time.js", "scan.js"}},
		{"/staff", []string{"api.js", "time.js"}},
		{"/staff/checkin", []string{"api.js", "time.js", "scan.js"}},
	} {
		_, html := get(t, ts.URL+pg.path)
		seen := map[string]bool{}
		for _, m := range scripts.FindAllStringSubmatch(html, -1) {
			url := m[1]
			res, body := get(t, ts.URL+url)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %s = %d", pg.path, url, res.StatusCode)
			}
			if i := strings.Index(url, "/lib/"); i >= 0 {
				name := url[i+len("/lib/"):]
				seen[name] = true
				if prev, ok := core[name]; ok && prev != body {
					t.Errorf("%s serves another lib/%s than the kiosk page", pg.path, name)
				}
				core[name] = body
				continue
			}
			if strings.Contains(url, "/vendor/") {
				continue
			}
			for _, copy := range []string{"extends Error", "jsQR(", "getTimezoneOffset", "timeZone", "inversionAttempts"} {
				if strings.Contains(body, copy) {
					t.Errorf("%s: %s has %q: a second copy of the shared core", pg.path, url, copy)
				}
			}
			// The kiosk's speech is audio, not JSON: the one fetch outside the client.
			if strings.Contains(body, "fetch(") && !strings.HasSuffix(url, "/js/speech.js") {
				t.Errorf("%s: %s calls fetch itself, not the shared API client", pg.path, url)
			}
		}
		for _, name := range pg.libs {
			if !seen[name] {
				t.Errorf("%s does not load lib/%s", pg.path, name)
			}
		}
	}
}

// coreResult is what the core's page test reads back.
type coreResult struct {
	Zone      string
	Parts     map[string]any
	ISO       []string
	Offset    int
	AddDays   string
	Fail      map[string]any
	CSRF      []string
	Drop      map[string]any
	Hang      map[string]any
	Parse     []any
	Repeats   []bool
	KeysFast  string
	KeysSlow  string
	Key       string
	BadZoneOK bool
}

// TestSharedCore_InBrowser runs the shared core in Chromium set to New
// York's time: times show in the community's zone from /api/community
// whatever the device's, the client gives one ApiError for a refusal, a
// dropped connection and a timeout, sends the CSRF token on changes only,
// and the scanner parses, debounces and tells a scanner from a person.
func TestSharedCore_InBrowser(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	u, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	server.Mount(mux, u.Routes())
	mux.HandleFunc("GET /api/community", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"name":"光华街社区","sign_name":"光华街社区","time_zone":"Asia/Shanghai"}`)
	})
	mux.HandleFunc("POST /api/fail", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"error":{"code":"conflict","message":"这个时段已经约满了。"}}`)
	})
	mux.HandleFunc("/api/echo", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"csrf": r.Header.Get("X-CSRF-Token")})
	})
	mux.HandleFunc("GET /api/drop", func(w http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			c.Close()
		}
	})
	mux.HandleFunc("GET /api/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("GET /core", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><title>core</title>`)
		for _, js := range []string{"js/lib/api.js", "js/lib/time.js", "vendor/jsQR.js", "js/lib/scan.js"} {
			fmt.Fprintf(w, `<script src="%s"></script>`, u.AssetURL(js))
		}
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	p := browsertest.NewPage(t, browsertest.New(t))
	p.FailOnThrow()
	if _, err := chromedp.Call(p.Ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	p.Navigate(ts.URL + "/core")
	got := browsertest.Eval[coreResult](p, `(async () => {
  const T = Chorus.time, S = Chorus.scan;
  const api = Chorus.client({ timeout: 300, csrf: () => 'tok' });
  const caught = async (path, method) => { try { await api(method || 'GET', path); return null; } catch (e) {
    return { name: e.constructor.name, status: e.status, code: e.code, message: e.message, network: e.network }; } };
  T.setZone('Europe/London');
  T.fromCommunity(await api('GET', '/api/community'));
  const r = { Zone: T.zone };
  r.Parts = T.parts('2026-12-04T17:30:00Z');            // Saturday 01:30 in Shanghai, Friday in New York
  r.ISO = [T.iso('2026-12-05', '09:00')];
  r.Offset = T.offset(Date.parse('2026-12-05T01:00:00Z'));
  r.AddDays = T.addDays('2026-12-31', 1);
  r.BadZoneOK = T.setZone('Mars/Olympus');                // refused: the zone stays
  T.setZone('America/New_York');
  r.ISO.push(T.iso('2026-03-08', '01:30'), T.iso('2026-03-08', '03:30')); // either side of the clocks going forward
  T.setZone('Asia/Shanghai');
  r.Fail = await caught('/api/fail', 'POST');
  r.CSRF = [(await api('GET', '/api/echo')).csrf, (await api('POST', '/api/echo', {})).csrf];
  r.Drop = await caught('/api/drop');
  r.Hang = await caught('/api/hang');
  r.Parse = ['http://192.168.1.5:8080/c/AbCdEfGhIjKlMnOpQrStUv?x=1', ' 123456 ', 'AbCdEfGhIjKlMnOpQrStUv', '6901234567892', 'https://example.com/', '12345']
    .map((x) => S.parse(x));
  const seen = S.repeats({ camera: 60000 });
  r.Repeats = [seen('a', 'camera'), seen('a', 'camera'), seen('b', 'camera'), seen('a', 'scanner'), seen('a', 'scanner')];
  const fast = S.keys({ maxGap: 150, maxAvg: 50, minLen: 6 });
  [...'123456'].forEach((c, i) => fast.push(c, 1000 + i * 10));
  r.KeysFast = fast.end(1060);
  [...'123456'].forEach((c, i) => fast.push(c, 5000 + i * 120));
  r.KeysSlow = fast.end(5720);
  r.Key = Chorus.key('kiosk');
  return r;
})()`)

	if got.Zone != "Asia/Shanghai" {
		t.Errorf("zone after /api/community = %q, want Asia/Shanghai", got.Zone)
	}
	if got.Parts["ymd"] != "2026-12-05" || got.Parts["hm"] != "01:30" || got.Parts["wd"] != float64(6) {
		t.Errorf("parts of 2026-12-04T17:30Z = %v, want Saturday 2026-12-05 01:30 (Shanghai), whatever the device's zone", got.Parts)
	}
	if want := []string{"2026-12-05T09:00:00+08:00", "2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"}; fmt.Sprint(got.ISO) != fmt.Sprint(want) {
		t.Errorf("iso = %v, want %v", got.ISO, want)
	}
	if got.Offset != 480 || got.AddDays != "2027-01-01" || got.BadZoneOK {
		t.Errorf("offset %d (want 480), addDays %q (want 2027-01-01), unknown zone taken %v", got.Offset, got.AddDays, got.BadZoneOK)
	}
	if got.Fail["name"] != "ApiError" || got.Fail["status"] != float64(409) || got.Fail["code"] != "conflict" ||
		got.Fail["message"] != "这个时段已经约满了。" || got.Fail["network"] != false {
		t.Errorf("a refusal = %v, want ApiError 409 conflict with the server's sentence", got.Fail)
	}
	if got.CSRF[0] != "" || got.CSRF[1] != "tok" {
		t.Errorf("CSRF sent on GET %q, on POST %q; want only on POST", got.CSRF[0], got.CSRF[1])
	}
	for name, e := range map[string]map[string]any{"a dropped connection": got.Drop, "a call with no answer": got.Hang} {
		if e["name"] != "ApiError" || e["status"] != float64(0) || e["code"] != "network" || e["network"] != true || e["message"] == "" {
			t.Errorf("%s = %v, want a network ApiError with a sentence", name, e)
		}
	}
	wantParse := `[map[token:AbCdEfGhIjKlMnOpQrStUv] map[code:123456] map[token:AbCdEfGhIjKlMnOpQrStUv] <nil> <nil> <nil>]`
	if fmt.Sprint(got.Parse) != wantParse {
		t.Errorf("parse = %v, want %s", got.Parse, wantParse)
	}
	if fmt.Sprint(got.Repeats) != "[false true false false false]" {
		t.Errorf("repeats = %v, want a repeat only for the camera's second reading of a", got.Repeats)
	}
	if got.KeysFast != "123456" || got.KeysSlow != "" {
		t.Errorf("keys: a scanner's burst read %q (want 123456), a person's typing %q (want nothing)", got.KeysFast, got.KeysSlow)
	}
	if !regexp.MustCompile(`^kiosk-[0-9a-f]{32}$`).MatchString(got.Key) {
		t.Errorf("key = %q", got.Key)
	}
}
