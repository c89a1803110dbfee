package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestCommunityAdd: chorus community add adds a community with its
// settings; chorus user add -community makes its staff, -district a
// district admin; mistakes are said plainly and change nothing.
func TestCommunityAdd(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chorus.db")
	var out strings.Builder
	err := communityAdd(ctx, []string{"-db", path, "-name", "和泽苑社区", "-sign", "和泽苑社区", "-timezone", "Asia/Shanghai",
		"-staff-phone", "13900000001"}, &out)
	if err != nil || !strings.Contains(out.String(), "community 2 和泽苑社区") {
		t.Fatalf("community add = %v: %s", err, out.String())
	}
	if err := communityAdd(ctx, []string{"-db", path, "-name", "和泽苑社区"}, &out); err == nil || !strings.Contains(err.Error(), "已经有") {
		t.Errorf("the same name again: %v", err)
	}
	if err := communityAdd(ctx, []string{"-db", path, "-name", "锦绣社区", "-timezone", "Moon/Base"}, &out); err == nil ||
		!strings.Contains(err.Error(), "时区") {
		t.Errorf("a bad time zone: %v", err)
	}
	if err := communityAdd(ctx, []string{"-db", path}, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no name: %v", err)
	}
	out.Reset()
	if err := communityList(ctx, []string{"-db", path}, &out); err != nil ||
		!strings.Contains(out.String(), "2\t和泽苑社区\t【和泽苑社区】\tAsia/Shanghai\t13900000001") || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("community list = %v:\n%s", err, out.String())
	}

	pw := func() *strings.Reader { return strings.NewReader("heze-2026-pw\n") }
	if err := userAdd(ctx, []string{"-db", path, "-username", "zhaomin", "-name", "赵敏", "-community", "和泽苑社区", "-role", "staff"}, pw(), &out); err != nil {
		t.Fatal(err)
	}
	if err := userAdd(ctx, []string{"-db", path, "-username", "jiedao", "-name", "街道王", "-district"}, pw(), &out); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"9", "没有的社区"} {
		if err := userAdd(ctx, []string{"-db", path, "-username", "nobody", "-name", "某", "-community", c}, pw(), &out); err == nil ||
			!strings.Contains(err.Error(), "没有") {
			t.Errorf("-community %s: %v", c, err)
		}
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountStaff(ctx); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
	zm, err := db.Login(ctx, "zhaomin", "heze-2026-pw", "127.0.0.1", "")
	if err != nil || zm.Staff.Community != 2 || zm.Staff.Role != chorus.RoleStaff || len(zm.Staff.Communities) != 1 {
		t.Fatalf("zhaomin = %+v, %v", zm, err)
	}
	// zhaomin also works for community 1, as admin.
	db.Close()
	if err := userJoin(ctx, []string{"-db", path, "-username", "zhaomin", "-community", "1", "-role", "admin"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := userJoin(ctx, []string{"-db", path, "-username", "nobody", "-community", "1"}, &out); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("join an unknown account: %v", err)
	}
	if db, err = sqlite.Open(path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	zm, err = db.Login(ctx, "zhaomin", "heze-2026-pw", "127.0.0.1", "")
	if err != nil || zm.Staff.Community != 1 || zm.Staff.Role != chorus.RoleAdmin || len(zm.Staff.Communities) != 2 {
		t.Fatalf("zhaomin after joining community 1 = %+v, %v", zm.Staff, err)
	}
	jd, err := db.Login(ctx, "jiedao", "heze-2026-pw", "127.0.0.1", "")
	if err != nil || !jd.Staff.District || len(jd.Staff.Communities) != 2 {
		t.Fatalf("jiedao = %+v, %v", jd, err)
	}
}

// TestCommunitySet: chorus community set changes the settings given and
// keeps the others; template codes are added and dropped by kind; the
// push secret comes from the environment only.
func TestCommunitySet(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chorus.db")
	var out strings.Builder
	if err := communityAdd(ctx, []string{"-db", path, "-name", "和泽苑社区", "-timezone", "Asia/Urumqi"}, &out); err != nil {
		t.Fatal(err)
	}
	kinds := chorus.MessageKinds()
	k0, k1 := string(kinds[0]), string(kinds[1])
	err := communitySet(ctx, []string{"-db", path, "-id", "和泽苑社区", "-staff-phone", "139 0000 0003",
		"-template", k0 + "=SMS_100000001", "-template", k1 + "=SMS_100000002"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if err := communitySet(ctx, []string{"-db", path, "-id", "2", "-template", k1 + "="}, &out); err != nil {
		t.Fatal(err)
	}
	if err := communitySet(ctx, []string{"-db", path, "-id", "2", "-template", "no_such_kind=SMS_1"}, &out); err == nil ||
		!strings.Contains(err.Error(), "没有") {
		t.Errorf("unknown kind: %v", err)
	}
	if err := communitySet(ctx, []string{"-db", path, "-id", "2", "-push-secret-from-env"}, &out); err == nil {
		t.Error("a push secret from an empty environment")
	}
	t.Setenv("CHORUS_COMMUNITY_PUSH_SECRET", "hezeyuan-push-secret-2026")
	if err := communitySet(ctx, []string{"-db", path, "-id", "2", "-push-secret-from-env"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := communitySet(ctx, []string{"-db", path, "-id", "9", "-name", "九"}, &out); err == nil || !strings.Contains(err.Error(), "没有编号为 9") {
		t.Errorf("no such community: %v", err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.CommunityByID(ctx, 2)
	if err != nil || c.Name != "和泽苑社区" || c.TimeZone != "Asia/Urumqi" || c.StaffPhone != "13900000003" ||
		len(c.Templates) != 1 || c.Templates[k0] != "SMS_100000001" || c.PushSecret != "hezeyuan-push-secret-2026" {
		t.Errorf("community 2 = %+v, %v", c, err)
	}
}
