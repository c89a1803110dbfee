package server_test

import (
	"strings"
	"testing"

	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/ui"
)

// TestRoutes_Table: the route table names each pattern once, with a
// method except for the /api/ catch-all, and guards every staff path.
func TestRoutes_Table(t *testing.T) {
	seen := map[string]bool{}
	counts := map[server.Guard]int{}
	for _, rt := range (&server.Server{Pages: ui.Routes()}).Routes() {
		if seen[rt.Pattern] {
			t.Errorf("%s registered twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		counts[rt.Guard]++
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok && rt.Pattern != "/api/" {
			t.Errorf("%s has no method", rt.Pattern)
		}
		if ok && strings.ToUpper(method) != method {
			t.Errorf("%s: method %q", rt.Pattern, method)
		}
		if rt.Guard == server.GuardPage {
			// The pages and their assets hold no data: every call they
			// make has its own guard.
			if method != "GET" || strings.HasPrefix(path, "/api/") {
				t.Errorf("page route %s", rt.Pattern)
			}
			continue
		}
		// A session's own settings (/api/me/...) are any staff member's.
		staffPath := strings.HasPrefix(path, "/api/admin/") || strings.HasPrefix(path, "/staff/") || strings.HasPrefix(path, "/api/me/")
		if staffPath != (rt.Guard == server.GuardStaff || rt.Guard == server.GuardAdmin || rt.Guard == server.GuardStaffPage) {
			t.Errorf("%s is guarded %s", rt.Pattern, rt.Guard)
		}
		// The district's routes are the district admin's alone.
		if strings.HasPrefix(path, "/api/district/") != (rt.Guard == server.GuardDistrict) {
			t.Errorf("%s is guarded %s", rt.Pattern, rt.Guard)
		}
	}
	if counts[server.GuardStaff]+counts[server.GuardAdmin] < 60 || counts[server.GuardKiosk] < 19 || counts[server.GuardPublic] < 20 ||
		counts[server.GuardPage] < 8 {
		t.Errorf("route table: %v", counts)
	}
	t.Logf("routes by guard: %v", counts)
}
