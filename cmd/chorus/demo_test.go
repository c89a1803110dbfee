package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestSeedDemo: `make run` starts on a community with something in it,
// seeded once: a second start leaves the database alone.
func TestSeedDemo(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc) // a Tuesday morning
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now, db.Location, db.PasswordCost, db.RequireConfirm = func() time.Time { return now }, loc, 4, true
	// 光华街社区's records: community 1's scope, and only what is community
	// 1's in the file (the store's lists are scoped once the district
	// lands; ofCommunity keeps the counts right either way).
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	raw := mustRaw(t, path)
	for range 2 {
		if err := seedDemo(ctx, db, now, loc); err != nil {
			t.Fatal(err)
		}
	}

	all, err := db.UpcomingEvents(ctx, now)
	all = ofCommunity(t, raw, "events", 1, all, func(e chorus.Event) int64 { return e.ID })
	var events, open []chorus.Event // the community's events; the institute's open hours (issue 19)
	for _, e := range all {
		if e.Kind == chorus.ServiceVenue {
			open = append(open, e)
		} else {
			events = append(events, e)
		}
	}
	if err != nil || len(events) != 3 {
		t.Fatalf("events = %d, %v", len(events), err)
	}
	// The institute's 小礼堂, 体育馆, 声乐室 and 图书室; the lecture in its
	// 小礼堂 agreed by SMS; open hours of this week and the next.
	venues, err := db.Venues(ctx)
	if err != nil || len(venues) != 4 {
		t.Fatalf("venues = %d, %v", len(venues), err)
	}
	// The 体育馆 limits each resident to 2 sessions a week; the 图书室
	// opens on 法定节假日 mornings; the 2026 calendar is imported.
	for _, v := range venues {
		switch v.Place {
		case "电子二所体育馆":
			if v.WeekLimit != 2 {
				t.Errorf("体育馆 week limit %d, want 2", v.WeekLimit)
			}
		case "电子二所图书室":
			if n := len(v.Hours); n != 3 || v.Hours[2].Day != chorus.DayHoliday || v.Hours[2].Start != "09:00" {
				t.Errorf("图书室 hours %+v: want a 法定节假日 rule", v.Hours)
			}
		}
	}
	if cal, err := db.Holidays(ctx, 2026); err != nil || len(cal) < 30 || cal[0].Source == "" {
		t.Errorf("the 2026 calendar: %d days, %v", len(cal), err)
	} else if !slices.ContainsFunc(cal, func(d chorus.CalendarDay) bool { return d.Date == "2026-10-01" && d.Name == "国庆节" }) {
		t.Errorf("the 2026 calendar has no 国庆节 on 10-01: %+v", cal)
	}
	if len(open) != 6 || open[0].Title == "" {
		t.Errorf("open-hours events = %d", len(open))
	}
	for _, e := range open {
		if e.Title == "电子二所体育馆开放" && (e.Slots[0].Capacity != 20 || e.Slots[0].Start.In(loc).Format("15:04") != "18:00") {
			t.Errorf("体育馆 opens %+v", e.Slots[0])
		}
	}
	if reqs, err := db.VenueRequests(ctx, chorus.VenueApproved, 10); err != nil || len(reqs) != 1 || reqs[0].Event != "冬季健康讲座" {
		t.Errorf("agreed requests = %+v, %v", reqs, err)
	}
	var clinic chorus.Event
	for _, e := range events {
		if e.Title == "免费义诊" {
			clinic = e
		}
	}
	if len(clinic.Slots) != 10 || !clinic.Slots[0].Start.Equal(time.Date(2026, 12, 5, 9, 0, 0, 0, loc)) || clinic.Slots[0].Taken != 2 {
		t.Fatalf("clinic = %s at %s with %d taken", clinic.Title, clinic.Slots[0].Start, clinic.Slots[0].Taken)
	}
	bookings, err := db.EventBookings(ctx, clinic.ID)
	if err != nil || len(bookings) != 3 {
		t.Fatalf("clinic bookings = %+v, %v", bookings, err)
	}
	statuses := map[string]chorus.Status{}
	for _, b := range bookings {
		statuses[b.Name] = b.Status
	}
	if statuses["姚大娘"] != chorus.StatusConfirmed || statuses["李大爷"] != chorus.StatusPending || statuses["赵大娘"] != chorus.StatusConfirmed {
		t.Errorf("statuses = %v", statuses)
	}
	// The repair at 光华街16号院 (no property management) went to the builder.
	orders, err := db.Orders(ctx, "")
	orders = ofCommunity(t, raw, "orders", 1, orders, func(o chorus.Order) int64 { return o.ID })
	if err != nil || len(orders) != 1 || orders[0].Status != chorus.OrderDispatched || orders[0].Kind != chorus.ServiceRepair {
		t.Fatalf("orders = %+v, %v", orders, err)
	}
	if msgs, _ := db.Messages(ctx, "13503510005", 5); len(msgs) != 1 || msgs[0].Kind != chorus.MsgPartnerOrder {
		t.Errorf("the builder's messages = %+v", msgs)
	}
	progs, err := db.Programmes(ctx, "2026-12-01")
	progs = ofCommunity(t, raw, "programmes", 1, progs, func(p chorus.Programme) int64 { return p.ID })
	if err != nil || len(progs) != 1 || progs[0].Taken != 1 {
		t.Fatalf("programmes = %+v, %v", progs, err)
	}
	staff, err := db.StaffList(ctx)
	staff = ofCommunity(t, raw, "staff", 1, staff, func(s chorus.Staff) int64 { return s.ID })
	if err != nil || len(staff) != 3 { // 李婷, 王刚 and the district admin
		t.Errorf("staff = %+v, %v", staff, err)
	}
}

// mustRaw opens a plain connection on the database file, to read which
// community each record belongs to.
func mustRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// ofCommunity keeps the items of list that are community's records of
// table (staff: its members and the district admins).
func ofCommunity[T any](tb testing.TB, raw *sql.DB, table string, community int64, list []T, id func(T) int64) []T {
	tb.Helper()
	q := "SELECT COUNT(*) FROM " + table + " WHERE id = ? AND community_id = ?"
	if table == "staff" {
		q = "SELECT COUNT(*) FROM staff WHERE id = ? AND (district = 1 OR id IN (SELECT staff_id FROM staff_communities WHERE community_id = ?))"
	}
	var out []T
	for _, x := range list {
		var n int
		if err := raw.QueryRow(q, id(x), community).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n > 0 {
			out = append(out, x)
		}
	}
	return out
}

// TestSeedDemo_District: the demo's district holds 和泽苑社区 next to
// 光华街社区: its estates, place, events, holiday childcare with
// 山涤星光幼儿园, residents and their orders for a home haircut and
// medicine are community 2's; its shops serve it alone, the district
// hospital and the childcare units serve both; 郭娜 and 张丽 work there,
// 王刚 in both, and 街道 is the district admin. Nothing of 光华街's moved.
func TestSeedDemo_District(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now, db.Location, db.PasswordCost, db.RequireConfirm = func() time.Time { return now }, loc, 4, true
	if err := seedDemo(context.Background(), db, now, loc); err != nil {
		t.Fatal(err)
	}
	raw := mustRaw(t, path)
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var name string
	if err := raw.QueryRow("SELECT name FROM community WHERE id = 2").Scan(&name); err != nil || name != "和泽苑社区" {
		t.Fatalf("community 2 = %q, %v", name, err)
	}
	for _, c := range []struct {
		table    string
		one, two int
	}{
		// 光华街: 3 events and 6 weeks of the institute's open hours; 寒假托管班 and
		// the places of 书法班 and 瑜伽班.
		{"estates", 12, 3}, {"places", 5, 1}, {"events", 9, 2}, {"programmes", 3, 1}, {"residents", 5, 2}, {"orders", 1, 2},
	} {
		if n := count("SELECT COUNT(*) FROM " + c.table + " WHERE community_id = 1"); n != c.one {
			t.Errorf("光华街's %s = %d, want %d", c.table, n, c.one)
		}
		if n := count("SELECT COUNT(*) FROM " + c.table + " WHERE community_id = 2"); n != c.two {
			t.Errorf("和泽苑's %s = %d, want %d", c.table, n, c.two)
		}
	}
	if n := count("SELECT COUNT(*) FROM events WHERE community_id = 2 AND title = '靓丽星期五'"); n != 1 {
		t.Errorf("靓丽星期五 = %d", n)
	}
	// Issue 20: 和泽苑's volunteers, mostly from the partner units, and the
	// weekly 靓丽星期五 with four Fridays of shifts, some taken.
	if n := count("SELECT COUNT(*) FROM volunteers WHERE community_id = 2 AND partner_id IS NOT NULL"); n != 5 {
		t.Errorf("和泽苑's volunteers from partner units = %d, want 5", n)
	}
	if n := count(`SELECT COUNT(*) FROM volunteer_shifts s JOIN volunteer_activities a ON a.id = s.activity_id
		WHERE a.community_id = 2 AND a.title = '靓丽星期五' AND a.weekly = 1`); n != 5 {
		t.Errorf("靓丽星期五's shifts = %d, want 4 to come and last Friday's", n)
	}
	if n := count("SELECT COUNT(*) FROM volunteer_signups WHERE community_id = 2 AND status = 'confirmed'"); n != 9 {
		t.Errorf("和泽苑's volunteer signups = %d, want 6 to come and last Friday's 3", n)
	}
	// Last Friday's hours were confirmed and credited from the pool:
	// 2h, 1h45 and 1h30 (in at 08:50, counted from 09:00).
	if n := count(`SELECT COALESCE(SUM(minutes), 0) FROM hours_claims WHERE community_id = 2 AND source = 'shift'
		AND status = 'confirmed'`); n != 315 {
		t.Errorf("last Friday's confirmed minutes = %d, want 315", n)
	}
	if n := count("SELECT COUNT(*) FROM bank_transfers WHERE community_id = 2 AND kind = 'earn'"); n != 3 {
		t.Errorf("earn transfers = %d, want 3", n)
	}
	// The time bank has real figures: two help requests confirmed, paid
	// from 孙大爷's granted hours and from the pool; balances are sums of
	// the ledger, which balances.
	if n := count("SELECT COUNT(*) FROM help_requests WHERE community_id = 2 AND status = 'confirmed'"); n != 2 {
		t.Errorf("和泽苑's confirmed help requests = %d, want 2", n)
	}
	if n := count(`SELECT COALESCE(SUM(e.minutes), 0) FROM bank_entries e JOIN bank_accounts a ON a.id = e.account_id
		JOIN volunteers v ON v.id = a.volunteer_id WHERE v.phone = '13812341007'`); n != 90 {
		t.Errorf("周阿姨's balance = %d minutes, want 90", n)
	}
	if n := count(`SELECT COALESCE(SUM(e.minutes), 0) FROM bank_entries e JOIN bank_accounts a ON a.id = e.account_id
		JOIN residents r ON r.id = a.resident_id WHERE r.phone = '13812340001'`); n != 150 {
		t.Errorf("孙大爷's balance = %d minutes, want 240 granted less 90", n)
	}
	if n := count("SELECT COALESCE(SUM(minutes), 0) FROM bank_entries"); n != 0 {
		t.Errorf("the ledger sums to %d, want 0", n)
	}
	if n := count(`SELECT COUNT(*) FROM programmes g JOIN partners p ON p.id = g.partner_id
		WHERE g.community_id = 2 AND p.name = '山涤星光幼儿园'`); n != 1 {
		t.Errorf("和泽苑's childcare with 山涤星光幼儿园 = %d", n)
	}
	if n := count("SELECT COUNT(DISTINCT kind) FROM orders WHERE community_id = 2 AND kind IN ('haircut','medicine')"); n != 2 {
		t.Errorf("和泽苑's home haircut and medicine orders = %d kinds", n)
	}
	links := func(partner string) string {
		t.Helper()
		var s string
		if err := raw.QueryRow(`SELECT COALESCE(GROUP_CONCAT(community_id, ','), '') FROM (SELECT pc.community_id FROM partner_communities pc
			JOIN partners p ON p.id = pc.partner_id WHERE p.name = ? ORDER BY pc.community_id)`, partner).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for partner, want := range map[string]string{"辖区医院": "1,2", "山涤星光幼儿园": "1,2", "山西省妇女儿童发展服务中心": "1,2",
		"和泽苑快剪理发店": "2", "和泽苑惠民大药房": "2", "宏建建筑公司": "1", "巧手理发店": "1"} {
		if got := links(partner); got != want {
			t.Errorf("%s serves communities %q, want %q", partner, got, want)
		}
	}
	member := func(username string) string {
		t.Helper()
		var s string
		if err := raw.QueryRow(`SELECT COALESCE(GROUP_CONCAT(c, ','), '') FROM (SELECT sc.community_id || ':' || sc.role AS c
			FROM staff_communities sc JOIN staff s ON s.id = sc.staff_id WHERE s.username = ? ORDER BY sc.community_id)`, username).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for username, want := range map[string]string{"admin": "1:admin", "wanggang": "1:staff,2:staff", "guona": "2:admin",
		"zhangli": "2:staff", "jiedao": "1:admin,2:admin"} {
		if got := member(username); got != want {
			t.Errorf("%s works in %q, want %q", username, got, want)
		}
	}
	if n := count("SELECT COUNT(*) FROM staff WHERE district = 1"); n != 1 || count("SELECT district FROM staff WHERE username = 'jiedao'") != 1 {
		t.Errorf("district admins = %d, jiedao not one of them", n)
	}
	if _, err := db.Login(context.Background(), "jiedao", DemoPassword, "127.0.0.1", "test"); err != nil {
		t.Errorf("the district admin cannot log in with the demo password: %v", err)
	}
}

// TestDemoCalendar_SameAsTestdata: the demo's embedded 2026 calendar is
// the copy of testdata/holiday-cn-2026.json (the State Council's notice).
func TestDemoCalendar_SameAsTestdata(t *testing.T) {
	want, err := os.ReadFile("../../testdata/holiday-cn-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(holidays2026, want) {
		t.Error("cmd/chorus/holiday-cn-2026.json differs from testdata/holiday-cn-2026.json: copy it again")
	}
}
