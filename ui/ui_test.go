package ui_test

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

func mustUI(tb testing.TB) (*ui.UI, *httptest.Server) {
	tb.Helper()
	u, err := ui.New()
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	server.Mount(mux, u.Routes())
	ts := httptest.NewServer(mux)
	tb.Cleanup(ts.Close)
	return u, ts
}

func get(tb testing.TB, url string, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestUI_KioskPage(t *testing.T) {
	u, ts := mustUI(t)
	res, body := get(t, ts.URL+"/kiosk")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /kiosk: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q: a kiosk must fetch the page anew to see new asset URLs", cc)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if !strings.Contains(body, `<html lang="zh-CN"`) || !strings.Contains(body, u.Version()) {
		t.Errorf("page head: %.300s", body)
	}
	// Every asset is on this server under its content hash; nothing else is
	// referenced (no CDN, no web fonts).
	urls := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(urls) < 5 {
		t.Fatalf("asset URLs in the page: %v", urls)
	}
	for _, m := range urls {
		if !regexp.MustCompile(`^/static/[0-9a-f]{12}/[A-Za-z/]+\.(js|css|svg)$`).MatchString(m[1]) {
			t.Errorf("asset URL %q is not a local content-hash URL", m[1])
		}
	}
	if strings.Contains(body, "://") {
		t.Errorf("the page names another origin")
	}
}

// TestUI_Favicon (issue 13, point 8): the pages name an icon of their own
// and /favicon.ico leads to it, so no page load logs a 404.
func TestUI_Favicon(t *testing.T) {
	u, ts := mustUI(t)
	for _, page := range []string{"/kiosk", "/"} {
		_, body := get(t, ts.URL+page)
		if want := `<link rel="icon" type="image/svg+xml" href="` + u.AssetURL("favicon.svg") + `">`; !strings.Contains(body, want) {
			t.Errorf("%s has no icon link %s", page, want)
		}
	}
	res, body := get(t, ts.URL+"/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
		t.Errorf("GET /favicon.ico: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
}

func TestUI_Assets(t *testing.T) {
	u, ts := mustUI(t)
	url := u.AssetURL("js/app.js")
	t.Run("OK", func(t *testing.T) {
		res, body := get(t, ts.URL+url)
		if res.StatusCode != 200 || !strings.Contains(body, "K.render") {
			t.Fatalf("GET %s: %s", url, res.Status)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("Content-Type = %q", ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control = %q", cc)
		}
		res, _ = get(t, ts.URL+url, "If-None-Match", res.Header.Get("ETag"))
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("revalidation: %s", res.Status)
		}
	})
	t.Run("ErrOldHash", func(t *testing.T) {
		res, _ := get(t, ts.URL+"/static/000000000000/js/app.js")
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("an old hash answers %s, not 404", res.Status)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		res, _ := get(t, ts.URL+"/static/000000000000/../../ui.go")
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("answers %s, not 404", res.Status)
		}
	})
	t.Run("CSSHash", func(t *testing.T) {
		if a, b := u.AssetURL("css/kiosk.css"), u.AssetURL("css/print.css"); a == b || !strings.HasSuffix(a, "/css/kiosk.css") {
			t.Errorf("asset URLs %q %q", a, b)
		}
	})
}

func TestUI_Landing(t *testing.T) {
	_, ts := mustUI(t)
	res, body := get(t, ts.URL+"/")
	if res.StatusCode != 200 || !strings.Contains(body, `href="/kiosk"`) || !strings.Contains(body, `lang="zh-CN"`) {
		t.Errorf("GET /: %s %.200s", res.Status, body)
	}
	res, _ = get(t, ts.URL+"/nothing-here")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing-here: %s", res.Status)
	}
}
