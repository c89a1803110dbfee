package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

type route struct{ role, method, path string }

// tableRoutes returns the routes of the server's route table
// (Server.Routes) under /api/ with one of the guards, so that a new route
// cannot escape the tests that walk them.
func tableRoutes(guards ...server.Guard) []route {
	var out []route
	for _, rt := range (&server.Server{}).Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if ok && strings.HasPrefix(path, "/api/") && slices.Contains(guards, rt.Guard) {
			out = append(out, route{string(rt.Guard), method, path})
		}
	}
	return out
}

// staffRoutes returns every staff and admin route of the route table.
func staffRoutes(t *testing.T) []route {
	t.Helper()
	var out []route
	for _, r := range tableRoutes(server.GuardStaff, server.GuardAdmin) {
		r.path = strings.NewReplacer("{id}", "1", "{phone}", "13812345678").Replace(r.path)
		out = append(out, r)
	}
	if len(out) < 40 {
		t.Fatalf("found only %d staff routes", len(out))
	}
	return out
}

// TestAuth_EveryStaffEndpoint: without a session 401; a kiosk token is no
// session; staff reach staff routes but get 403 on admin routes; admins
// reach all.
func TestAuth_EveryStaffEndpoint(t *testing.T) {
	ke := mustServeKiosks(t)
	e := ke.env
	e.Kiosk = e.MustPairKiosk(t)
	c := http.DefaultClient
	staff := e.MustLogin(t, "wang", chorus.RoleStaff)
	for _, r := range staffRoutes(t) {
		body := any(nil)
		if r.method != "GET" {
			body = map[string]any{}
		}
		if got := do(t, c, r.method, e.URL+r.path, body, nil); got.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a session = %d", r.method, r.path, got.Status)
		}
		if got := do(t, c, r.method, e.URL+r.path, body, e.Kiosk); got.Status != http.StatusUnauthorized {
			t.Errorf("%s %s with a kiosk token = %d", r.method, r.path, got.Status)
		}
		got := do(t, c, r.method, e.URL+r.path, body, staff)
		if r.role == "admin" && got.Status != http.StatusForbidden {
			t.Errorf("%s %s as staff = %d, want 403", r.method, r.path, got.Status)
		}
		if r.role == "staff" && (got.Status == http.StatusForbidden || got.Status == http.StatusUnauthorized) {
			t.Errorf("%s %s as staff = %d %s", r.method, r.path, got.Status, got.Raw)
		}
		if got := do(t, c, r.method, e.URL+r.path, body, e.Admin); got.Status == http.StatusForbidden || got.Status == http.StatusUnauthorized {
			t.Errorf("%s %s as admin = %d %s", r.method, r.path, got.Status, got.Raw)
		}
	}
}

func TestAuth_Login(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	login := func(user, pass string) response {
		return do(t, c, "POST", e.URL+"/api/login", map[string]any{"username": user, "password": pass}, nil)
	}
	t.Run("ErrWrongPassword", func(t *testing.T) {
		got := login("liting", "wrong-password")
		if got.Status != 401 || got.ErrorMessage() != "用户名或密码不对。" {
			t.Fatalf("wrong password = %d %s", got.Status, got.Raw)
		}
		if got := login("nobody", "whatever-it-is"); got.Status != 401 || got.ErrorMessage() != "用户名或密码不对。" {
			t.Fatalf("unknown user = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("Throttled", func(t *testing.T) {
		// Failures slow the next try down instead of locking the account for
		// a fixed 15 minutes (TestLogin_* cover the details).
		e.MustLogin(t, "wangwu", chorus.RoleStaff)
		for i := 0; i < 5; i++ {
			login("wangwu", "guess-"+string(rune('a'+i)))
		}
		got := login("wangwu", "guanghua-2026") // right, but too soon
		if got.Status != 403 || !strings.Contains(got.ErrorMessage(), "后再试") {
			t.Fatalf("after 5 failures = %d %s", got.Status, got.Raw)
		}
		e.Clock.Add(16 * time.Minute)
		if got := login("wangwu", "guanghua-2026"); got.Status != 200 {
			t.Fatalf("16 minutes later = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("MeAndLogout", func(t *testing.T) {
		me := do(t, c, "GET", e.URL+"/api/me", nil, e.Admin)
		if me.Status != 200 || me.Body["csrf_token"] != e.Admin["X-CSRF-Token"] {
			t.Fatalf("me = %d %s", me.Status, me.Raw)
		}
		h := e.MustLogin(t, "zhao", chorus.RoleStaff)
		if got := do(t, c, "POST", e.URL+"/api/logout", map[string]any{}, h); got.Status != 200 {
			t.Fatalf("logout = %d", got.Status)
		}
		if got := do(t, c, "GET", e.URL+"/api/me", nil, h); got.Status != 401 {
			t.Fatalf("me after logout = %d", got.Status)
		}
	})
	t.Run("IdleSessionEnds", func(t *testing.T) {
		h := e.MustLogin(t, "sun", chorus.RoleStaff)
		e.Clock.Add(13 * time.Hour)
		if got := do(t, c, "GET", e.URL+"/api/me", nil, h); got.Status != 401 {
			t.Fatalf("me after 13 idle hours = %d", got.Status)
		}
	})
}

func TestAuth_StaffAccountsAndAudit(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	got := do(t, c, "POST", e.URL+"/api/admin/staff", map[string]any{"username": "wang", "name": "王芳", "role": "staff",
		"password": "short"}, e.Admin)
	if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "密码") {
		t.Fatalf("short password = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", e.URL+"/api/admin/staff", map[string]any{"username": "wang", "name": "王芳", "role": "staff",
		"password": "guanghua-2026"}, e.Admin)
	if got.Status != 201 || strings.Contains(string(got.Raw), "guanghua") || strings.Contains(string(got.Raw), "hash") ||
		got.Body["created_at"] != "2026-12-01T08:00:00+08:00" {
		t.Fatalf("create = %d %s", got.Status, got.Raw)
	}
	wang := do(t, c, "POST", e.URL+"/api/login", map[string]any{"username": "wang", "password": "guanghua-2026"}, nil)
	if wang.Status != 200 {
		t.Fatalf("login = %d", wang.Status)
	}
	// Disabling the account ends its sessions.
	id := got.Body["id"].(float64)
	upd := do(t, c, "PUT", fmt.Sprintf("%s/api/admin/staff/%.0f", e.URL, id), map[string]any{"username": "wang-renamed", "name": "王芳", "role": "staff", "disabled": true}, e.Admin)
	// The answer is the stored account: its username cannot change, its
	// creation time is kept, in the community's zone.
	if upd.Status != 200 || upd.Body["username"] != "wang" || upd.Body["disabled"] != true || upd.Body["created_at"] != "2026-12-01T08:00:00+08:00" {
		t.Fatalf("disable = %d %s", upd.Status, upd.Raw)
	}
	if again := do(t, c, "POST", e.URL+"/api/login", map[string]any{"username": "wang", "password": "guanghua-2026"}, nil); again.Status != 401 {
		t.Fatalf("disabled login = %d", again.Status)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	if !strings.Contains(string(audit.Raw), `"action":"POST /api/admin/staff"`) || !strings.Contains(string(audit.Raw), `"username":"liting"`) {
		t.Fatalf("audit = %s", audit.Raw)
	}
}
