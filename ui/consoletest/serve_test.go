package consoletest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/ui"
)

// get fetches url with an optional If-None-Match.
func get(t *testing.T, url, etag string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// TestConsole_Serving checks the page and its assets: the page is never
// cached and admits only its own origin; each asset is under its content
// hash, cached for a year, and gone under any other hash.
func TestConsole_Serving(t *testing.T) {
	mux := http.NewServeMux()
	server.Mount(mux, ui.ConsoleRoutes())
	ts := httptest.NewServer(mux)
	defer ts.Close()

	for _, path := range []string{"/staff", "/staff/"} {
		res, body := get(t, ts.URL+path, "")
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="zh-CN">`) {
			t.Fatalf("%s = %d", path, res.StatusCode)
		}
		for h, want := range map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s %s = %q, want %q", path, h, got, want)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s CSP = %q", path, csp)
		}
	}
	if res, _ := get(t, ts.URL+"/staff/nothing", ""); res.StatusCode != 404 {
		t.Errorf("/staff/nothing = %d", res.StatusCode)
	}

	_, page := get(t, ts.URL+"/staff", "")
	refs := regexp.MustCompile(`(?:src|href)="(/staff/assets/([0-9a-f]{12})/([^"]+))"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 10 {
		t.Fatalf("the page refers to %d assets", len(refs))
	}
	if foreign := regexp.MustCompile(`(?:src|href)="(https?:)?//`).FindString(page); foreign != "" {
		t.Errorf("the page loads from another origin: %s", foreign)
	}
	for _, r := range refs {
		res, body := get(t, ts.URL+r[1], "")
		if res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s = %d", r[1], res.StatusCode)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s Cache-Control = %q", r[1], cc)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "text/css") {
			t.Errorf("%s Content-Type = %q", r[1], ct)
		}
		if res, _ := get(t, ts.URL+r[1], `"`+r[2]+`"`); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag = %d, want 304", r[1], res.StatusCode)
		}
		if res, _ := get(t, ts.URL+"/staff/assets/000000000000/"+r[3], ""); res.StatusCode != 404 {
			t.Errorf("%s under another hash = %d, want 404", r[3], res.StatusCode)
		}
	}
}
