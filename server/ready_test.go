package server_test

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestReadyz_DiskFull: /readyz proves that a write commits. With the
// file-size limit at one byte (as good as a full disk: the WAL cannot
// grow) it answers 503 with the reason; once the disk has room, 200.
func TestReadyz_DiskFull(t *testing.T) {
	e := MustServe(t)
	if got := do(t, http.DefaultClient, "GET", e.URL+"/readyz", nil, nil); got.Status != 200 {
		t.Fatalf("readyz = %d %s", got.Status, got.Raw)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	full := syscall.Rlimit{Cur: 1, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Fatal(err)
	}
	got := do(t, http.DefaultClient, "GET", e.URL+"/readyz", nil, nil)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	reason, _ := got.Body["reason"].(string)
	if got.Status != 503 || !strings.Contains(reason, "写不进去") {
		t.Fatalf("readyz on a full disk = %d %s", got.Status, got.Raw)
	}
	if got := do(t, http.DefaultClient, "GET", e.URL+"/readyz", nil, nil); got.Status != 200 {
		t.Fatalf("readyz with room again = %d %s", got.Status, got.Raw)
	}
}

// TestHealthz_Version: /healthz names the version.
func TestHealthz_Version(t *testing.T) {
	e := MustServe(t)
	e.Server.Version = "v1.2.3"
	got := do(t, http.DefaultClient, "GET", e.URL+"/healthz", nil, nil)
	if got.Status != 200 || got.Body["version"] != "v1.2.3" {
		t.Fatalf("healthz = %d %s", got.Status, got.Raw)
	}
}
