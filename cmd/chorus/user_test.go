package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorus-community/chorus/sqlite"
)

func TestUserAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	var out strings.Builder
	err := userAdd(context.Background(), []string{"-db", path, "-username", "liting", "-name", "李婷"},
		strings.NewReader("guanghua-2026\n"), &out)
	if err != nil || !strings.Contains(out.String(), "liting") {
		t.Fatalf("user add = %v: %s", err, out.String())
	}
	err = userAdd(context.Background(), []string{"-db", path, "-username", "liting", "-name", "李婷"},
		strings.NewReader("guanghua-2026\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "已经有人用了") {
		t.Fatalf("the same username again: %v", err)
	}
	if err := userAdd(context.Background(), []string{"-db", path, "-username", "wang", "-name", "王芳", "-role", "staff"},
		strings.NewReader("short\n"), &out); err == nil || !strings.Contains(err.Error(), "密码至少") {
		t.Fatalf("short password: %v", err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Login(context.Background(), "liting", "guanghua-2026", "127.0.0.1", ""); err != nil {
		t.Fatalf("login with the new account: %v", err)
	}
	// A backup of the live database opens and has the account.
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := backup(context.Background(), []string{"-db", path, dest}); err != nil {
		t.Fatal(err)
	}
	cp, err := sqlite.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, err := cp.CountStaff(context.Background()); err != nil || n != 1 {
		t.Fatalf("staff in the backup = %d, %v", n, err)
	}
	if err := backup(context.Background(), []string{"-db", path, dest}); err == nil {
		t.Fatal("backup over an existing file")
	}
}

// TestUserPasswd: chorus user passwd sets a new password; the old one no
// longer works; an unknown username and a missing database are refused.
func TestUserPasswd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	var out strings.Builder
	ctx := context.Background()
	if err := userAdd(ctx, []string{"-db", path, "-username", "liting", "-name", "李婷"}, strings.NewReader("guanghua-2026\n"), &out); err != nil {
		t.Fatal(err)
	}
	if err := userPasswd(ctx, []string{"-db", path, "-username", "liting"}, strings.NewReader("new-password-1\n"), &out); err != nil {
		t.Fatalf("passwd: %v", err)
	}
	if err := userPasswd(ctx, []string{"-db", path, "-username", "nobody"}, strings.NewReader("new-password-1\n"), &out); err == nil ||
		!strings.Contains(err.Error(), "nobody") {
		t.Fatalf("unknown user: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	if err := userPasswd(ctx, []string{"-db", missing, "-username", "liting"}, strings.NewReader("new-password-1\n"), &out); err == nil {
		t.Fatal("passwd on a missing database")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("passwd created %s: %v", missing, err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Login(ctx, "liting", "guanghua-2026", "127.0.0.1", ""); err == nil {
		t.Fatal("the old password still works")
	}
	if _, err := db.Login(ctx, "liting", "new-password-1", "127.0.0.1", ""); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}
