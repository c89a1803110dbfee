package server_test

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// loginAs posts a login with the given extra headers and returns the
// answer and the cookies set.
func loginAs(t *testing.T, e *env, user, pass string, header map[string]string) (response, map[string]*http.Cookie) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/api/login", strings.NewReader(`{"username":"`+user+`","password":"`+pass+`"}`))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	cookies := map[string]*http.Cookie{}
	for _, c := range res.Cookies() {
		cookies[c.Name] = c
	}
	return response{Status: res.StatusCode}, cookies
}

// TestLogin_ParallelGuesses: 40 wrong passwords at once are not all
// checked: the count and the check are one transaction, so all but the
// free few are refused unchecked. The owner's known browser still gets in
// at once; an unknown one waits, and then gets in with the right password.
func TestLogin_ParallelGuesses(t *testing.T) {
	e := MustServe(t)
	ctx := context.Background()
	if err := e.DB.CreateStaff(ctx, &chorus.Staff{Username: "admin2", Name: "李婷", Role: chorus.RoleAdmin}, "guanghua-2026"); err != nil {
		t.Fatal(err)
	}
	ok, cookies := loginAs(t, e, "admin2", "guanghua-2026", nil) // the owner's browser, yesterday
	device := cookies[server.DeviceCookie]
	if ok.Status != 200 || device == nil || device.Value == "" || !device.HttpOnly || device.Path != "/api/login" {
		t.Fatalf("login = %d, device cookie %+v", ok.Status, device)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "admin2", "password": "wrong-guess"}, nil)
			mu.Lock()
			statuses[got.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[401] != chorus.FreeUserFailures || statuses[403] != 40-chorus.FreeUserFailures {
		t.Fatalf("40 parallel guesses: %v, want %d checked (401) and the rest refused unchecked (403)", statuses, chorus.FreeUserFailures)
	}

	got := do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "admin2", "password": "guanghua-2026"}, nil)
	if got.Status != 403 || !strings.Contains(got.ErrorMessage(), "后再试") {
		t.Fatalf("right password from an unknown browser while throttled = %d %s", got.Status, got.Raw)
	}
	known, _ := loginAs(t, e, "admin2", "guanghua-2026", map[string]string{"Cookie": device.Name + "=" + device.Value})
	if known.Status != 200 {
		t.Fatalf("the owner's known browser = %d, want 200", known.Status)
	}
	// The owner's login cleared the username's failures: a stranger now
	// gets the free tries again, not a lock.
	if got := do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "admin2", "password": "guanghua-2026"}, nil); got.Status != 200 {
		t.Fatalf("after the owner logged in = %d %s", got.Status, got.Raw)
	}
}

// TestLogin_SlowsDownThenLetsIn: failures make the next try wait, doubling;
// once the wait is over the right password works (no fixed lock-out), and
// tries made while waiting are not counted.
func TestLogin_SlowsDownThenLetsIn(t *testing.T) {
	e := MustServe(t)
	e.MustLogin(t, "wangwu", chorus.RoleStaff)
	login := func(pass string) response {
		return do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "wangwu", "password": pass}, nil)
	}
	for i := 0; i < chorus.FreeUserFailures; i++ {
		if got := login("wrong-guess"); got.Status != 401 {
			t.Fatalf("guess %d = %d", i, got.Status)
		}
	}
	for i := 0; i < 10; i++ {
		if got := login("guanghua-2026"); got.Status != 403 {
			t.Fatalf("while waiting = %d", got.Status)
		}
	}
	e.Clock.Add(chorus.LoginWait(chorus.LoginCounts{Failures: chorus.FreeUserFailures, Last: e.Clock.Now()}, chorus.FreeUserFailures, e.Clock.Now()))
	if got := login("guanghua-2026"); got.Status != 200 {
		t.Fatalf("after the wait = %d %s", got.Status, got.Raw)
	}
}

// TestLogin_BehindProxyAddressesAreSeparate: behind the documented proxy,
// guesses from one client do not hold back staff at another address.
func TestLogin_BehindProxyAddressesAreSeparate(t *testing.T) {
	e := serve(t, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}).finish(t)
	e.MustLogin(t, "wang", chorus.RoleStaff)
	for i := 0; i < 30; i++ {
		do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "user" + string(rune('a'+i%26)), "password": "wrong-guess"},
			map[string]string{"X-Forwarded-For": "203.0.113.9"})
	}
	got := do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "wang", "password": "guanghua-2026"},
		map[string]string{"X-Forwarded-For": "198.51.100.7"})
	if got.Status != 200 {
		t.Fatalf("staff at another address = %d %s", got.Status, got.Raw)
	}
	got = do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "wang", "password": "guanghua-2026"},
		map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if got.Status != 403 {
		t.Fatalf("the guessing address = %d, want 403", got.Status)
	}
}

// TestLogin_AdminLiftsThrottle: 工作人员 lists throttled usernames and
// addresses, and an admin lets one try again at once.
func TestLogin_AdminLiftsThrottle(t *testing.T) {
	e := MustServe(t)
	e.MustLogin(t, "zhao", chorus.RoleStaff)
	for i := 0; i < chorus.FreeUserFailures+1; i++ {
		do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "zhao", "password": "wrong-guess"}, nil)
	}
	list := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/throttles", nil, e.Admin)
	th, _ := list.Body["throttles"].([]any)
	if list.Status != 200 || len(th) != 1 || th[0].(map[string]any)["username"] != "zhao" {
		t.Fatalf("throttles = %d %s", list.Status, list.Raw)
	}
	if got := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/throttles/lift", map[string]any{"username": "zhao"}, e.Admin); got.Status != 200 {
		t.Fatalf("lift = %d %s", got.Status, got.Raw)
	}
	if got := do(t, http.DefaultClient, "POST", e.URL+"/api/login", map[string]any{"username": "zhao", "password": "guanghua-2026"}, nil); got.Status != 200 {
		t.Fatalf("after lifting = %d %s", got.Status, got.Raw)
	}
}

// TestLogin_SecureCookies: the session and device cookies are Secure when
// the public URL is https or a trusted proxy says the client used https,
// and not when an untrusted peer claims it; logout clears the cookie with
// the same attributes and needs the CSRF token.
func TestLogin_SecureCookies(t *testing.T) {
	for _, tt := range []struct {
		name      string
		publicURL string
		proxies   string
		header    map[string]string
		want      bool
	}{
		{"PlainHTTP", "", "", nil, false},
		{"HTTPSPublicURL", "https://chorus.example", "", nil, true},
		{"TrustedProxySaysHTTPS", "", "127.0.0.1", map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"UntrustedPeerSaysHTTPS", "", "", map[string]string{"X-Forwarded-Proto": "https"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := serve(t, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
				s.PublicURL = tt.publicURL
				s.TrustedProxies, _ = server.ParseTrustedProxies(tt.proxies)
			}).finish(t)
			if err := e.DB.CreateStaff(context.Background(), &chorus.Staff{Username: "wang", Name: "王芳", Role: chorus.RoleStaff}, "guanghua-2026"); err != nil {
				t.Fatal(err)
			}
			res, cookies := loginAs(t, e, "wang", "guanghua-2026", tt.header)
			sess, dev := cookies[server.SessionCookie], cookies[server.DeviceCookie]
			if res.Status != 200 || sess == nil || dev == nil {
				t.Fatalf("login = %d %v", res.Status, cookies)
			}
			if sess.Secure != tt.want || dev.Secure != tt.want || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode {
				t.Fatalf("session cookie %+v, device %+v: Secure want %v", sess, dev, tt.want)
			}
			h := map[string]string{"Cookie": sess.Name + "=" + sess.Value}
			for k, v := range tt.header {
				h[k] = v
			}
			if got := do(t, http.DefaultClient, "POST", e.URL+"/api/logout", map[string]any{}, h); got.Status != 403 {
				t.Fatalf("logout without the CSRF token = %d, want 403", got.Status)
			}
			if got := do(t, http.DefaultClient, "GET", e.URL+"/api/me", nil, h); got.Status != 200 {
				t.Fatalf("session after a refused logout = %d", got.Status)
			}
			me := do(t, http.DefaultClient, "GET", e.URL+"/api/me", nil, h)
			h[server.CSRFHeader], _ = me.Body["csrf_token"].(string)
			req, _ := http.NewRequest("POST", e.URL+"/api/logout", strings.NewReader("{}"))
			for k, v := range h {
				req.Header.Set(k, v)
			}
			out, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out.Body.Close()
			var cleared *http.Cookie
			for _, c := range out.Cookies() {
				if c.Name == server.SessionCookie {
					cleared = c
				}
			}
			if out.StatusCode != 200 || cleared == nil || cleared.MaxAge >= 0 || cleared.Secure != tt.want || !cleared.HttpOnly ||
				cleared.SameSite != http.SameSiteStrictMode || cleared.Path != "/" {
				t.Fatalf("logout = %d, cleared cookie %+v", out.StatusCode, cleared)
			}
			if got := do(t, http.DefaultClient, "GET", e.URL+"/api/me", nil, h); got.Status != 401 {
				t.Fatalf("session after logout = %d", got.Status)
			}
		})
	}
}
