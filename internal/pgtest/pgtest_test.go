package pgtest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// recorder is a testing.TB that records a skip or a failure.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

// TestUnavailable: without PostgreSQL a test is skipped with a message
// saying why and how to run it, unless $CHORUS_TEST_POSTGRES=1 (make test,
// CI), when it fails.
func TestUnavailable(t *testing.T) {
	why := errors.New("PostgreSQL is not installed")
	t.Setenv(Require, "")
	r := &recorder{TB: t}
	unavailable(r, why)
	if r.failed != "" || !strings.Contains(r.skipped, "not installed") || !strings.Contains(r.skipped, "make test") {
		t.Errorf("without $%s: skipped %q, failed %q", Require, r.skipped, r.failed)
	}
	t.Setenv(Require, "1")
	r = &recorder{TB: t}
	unavailable(r, why)
	if r.skipped != "" || !strings.Contains(r.failed, "required") {
		t.Errorf("with $%s=1: skipped %q, failed %q", Require, r.skipped, r.failed)
	}
}

// TestDSN: the cluster starts and each DSN is a database of its own.
func TestDSN(t *testing.T) {
	a, b := DSN(t), DSN(t)
	if a == b || !strings.HasPrefix(a, "postgres://") {
		t.Errorf("DSN = %q and %q, want two databases", a, b)
	}
}

func TestMain(m *testing.M) { os.Exit(Main(m)) }
