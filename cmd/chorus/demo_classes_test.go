package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestSeedDemo_Classes: the demo has a term of 书法 and 瑜伽 with the
// institute, 元旦 skipped, 姚大娘 and 李大爷 in 书法 with their attendance,
// 李萌 in 瑜伽; the classes' places are not 托管 programmes.
func TestSeedDemo_Classes(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now, db.Location, db.PasswordCost = func() time.Time { return now }, loc, 4
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	if err := seedDemo(ctx, db, now, loc); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListClasses(ctx, chorus.PeriodUpcoming, "2026-12-01")
	if err != nil || len(list) != 2 || list[0].Partner != "中国电子科技集团第二研究所" {
		t.Fatalf("classes %+v %v", list, err)
	}
	for _, c := range list {
		full, err := db.Class(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 元旦 (2027-01-01 to 03) is stored; it falls on Friday to
		// Sunday, so neither the Tuesday nor the Thursday class loses a
		// session.
		for _, s := range full.Sessions {
			if s.Status != chorus.SessionScheduled {
				t.Fatalf("%s: %+v", c.Title, s)
			}
		}
		if len(full.Skipped) != 1 || full.Skipped[0].Reason != "元旦" {
			t.Fatalf("%s skipped %+v", c.Title, full.Skipped)
		}
	}
	var calligraphy chorus.Class
	for _, c := range list {
		if c.Title == "书法班" {
			calligraphy = c
		}
	}
	if calligraphy.Taken != 2 {
		t.Fatalf("书法 %+v", calligraphy)
	}
	marks, err := db.ClassMarks(ctx, calligraphy.ID)
	if err != nil || len(marks) != 8 { // 4 Thursdays held before 12-01, two residents
		t.Fatalf("marks %d %v", len(marks), err)
	}
	if l, _ := db.Programmes(ctx, "2026-12-01"); len(l) != 1 || l[0].Title != "寒假托管班" {
		t.Fatalf("programmes %+v", l)
	}
}
