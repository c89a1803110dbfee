package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestHolidaysImport: chorus holidays import reads a holiday-cn file into
// the calendar and prints the class sessions it skipped; list prints the
// year's days; a bad file is said plainly and changes nothing.
func TestHolidaysImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "chorus.db")
	var out strings.Builder
	if err := holidaysImport(ctx, []string{"-db", path, "../../testdata/holiday-cn-2026.json"}, &out); err == nil ||
		!strings.Contains(err.Error(), "holidays import") {
		t.Fatalf("no database: %v", err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &chorus.Place{Name: "小礼堂"}
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000001"}, Active: true}
	if err := db.SavePlace(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	// A Thursday class of autumn 2030, so that 10-03 is still ahead.
	class := &chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: partner.ID, PlaceID: p.ID, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2030-09-05", LastDate: "2030-10-31", Capacity: 20}
	if err := db.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	db.Close()

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"year":2030,"days":[{"name":"国庆节","date":"2031-10-01","isOffDay":true}]}`), 0o600)
	if err := holidaysImport(ctx, []string{"-db", path, bad}, &out); err == nil || !strings.Contains(err.Error(), "不在 2030 年") {
		t.Fatalf("a bad file: %v", err)
	}
	if err := holidaysImport(ctx, []string{"-db", path}, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("no file: %v", err)
	}

	if err := holidaysImport(ctx, []string{"-db", path, "../../testdata/holiday-cn-2026.json"}, &out); err != nil ||
		!strings.Contains(out.String(), "2026: 39 days imported") || !strings.Contains(out.String(), "法定节假日 33, 调休上班 6") {
		t.Fatalf("import 2026 = %v: %s", err, out.String())
	}
	f2030 := filepath.Join(dir, "2030.json")
	os.WriteFile(f2030, []byte(`{"year":2030,"papers":["2030年节假日通知"],"days":[
		{"name":"国庆节","date":"2030-10-01","isOffDay":true},{"name":"国庆节","date":"2030-10-03","isOffDay":true},
		{"name":"国庆节","date":"2030-10-12","isOffDay":false}]}`), 0o600)
	out.Reset()
	if err := holidaysImport(ctx, []string{"-db", path, f2030}, &out); err != nil ||
		!strings.Contains(out.String(), "1 sessions skipped") ||
		!strings.Contains(out.String(), "skipped\tcommunity 1\tclass 1 书法班\t2030-10-03\t国庆节") {
		t.Fatalf("import 2030 = %v: %s", err, out.String())
	}
	out.Reset()
	if err := holidaysList(ctx, []string{"-db", path, "-year", "2026"}, &out); err != nil || strings.Count(out.String(), "\n") != 39 ||
		!strings.Contains(out.String(), "2026-10-10\t调休上班\t国庆节") || !strings.Contains(out.String(), "2026-10-01\t法定节假日\t国庆节") {
		t.Fatalf("list = %v:\n%s", err, out.String())
	}
}
