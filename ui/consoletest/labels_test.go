package consoletest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConsole_AuditLabels: every change a staff member can make through a
// staff or admin route is written to the audit log under its route
// pattern; the 工作人员 page must show each in words, not as a raw route.
// The routes are read from the server's source, so a new one cannot be
// forgotten.
func TestConsole_AuditLabels(t *testing.T) {
	js, err := os.ReadFile("../console/js/staff.js")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../server/*.go")
	route := regexp.MustCompile(`\b(?:staff|admin)\("((?:POST|PUT|DELETE|PATCH) /api/[^"]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			n++
			if !strings.Contains(string(js), "'"+m[1]+"':") {
				t.Errorf("staff.js has no audit label for %s", m[1])
			}
		}
	}
	if n < 30 {
		t.Fatalf("found only %d change routes in the server's source", n)
	}
}
