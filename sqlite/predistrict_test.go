package sqlite_test

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// PreDistrictFixture is a database written by the code before districts
// (commit bc40474, schema version 17): the demo seed of 光华街社区 with
// bookings checked in and missed, an order accepted, SMS sent and failed,
// two kiosks (one paired), two staff and a session. testdata/
// pre-district-gen.go.txt is the test that wrote it, run in a worktree
// of that commit.
const PreDistrictFixture = "testdata/pre-district.db"

// CopyFixture copies the pre-district database to a temporary file and
// returns its path: each test upgrades its own copy.
func CopyFixture(tb testing.TB) string {
	tb.Helper()
	src, err := os.Open(PreDistrictFixture)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(tb.TempDir(), "chorus.db")
	dst, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestPreDistrictUpgrade: a database made by the code before districts,
// opened by today's, loses nothing: every row of every table is still
// there, every community record is community 1's, each staff member keeps
// their role in community 1, each partner serves community 1 with its
// services and estates, and the store reads it all in community 1's scope
// (and none of it in community 2's).
func TestPreDistrictUpgrade(t *testing.T) {
	path := CopyFixture(t)
	ctx := context.Background()

	// What the old code wrote, read before today's code touches the file.
	before := map[string]int{}
	raw := MustRawDB(t, path)
	var version int
	if err := raw.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&version); err != nil || version != 17 {
		t.Fatalf("fixture schema version = %d, %v; want 17 (the code before districts)", version, err)
	}
	tables := rawRows(t, raw, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	for _, name := range tables {
		var n int
		if err := raw.QueryRow("SELECT COUNT(*) FROM " + name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		before[name] = n
	}
	for _, name := range []string{"residents", "events", "slots", "bookings", "orders", "messages", "staff", "kiosks", "partners", "estates", "places", "programmes", "enrolments", "sessions", "audit_log"} {
		if before[name] == 0 {
			t.Fatalf("the fixture has no %s: it tests nothing of them", name)
		}
	}
	oldStaff := rawRows(t, raw, "SELECT id, role FROM staff ORDER BY id")
	oldPartners := rawRows(t, raw, "SELECT id, services, estates FROM partners ORDER BY id")
	raw.Close()

	db, _ := MustOpenDBAt(t, path)
	raw = MustRawDB(t, path)
	if err := raw.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&version); err != nil || version < 18 {
		t.Fatalf("schema version after opening = %d, %v", version, err)
	}
	for name, n := range before {
		var after int
		if err := raw.QueryRow("SELECT COUNT(*) FROM " + name).Scan(&after); err != nil {
			t.Errorf("table %s after the upgrade: %v", name, err)
			continue
		}
		if name == "schema_migrations" {
			continue
		}
		if after != n {
			t.Errorf("table %s: %d rows before the upgrade, %d after", name, n, after)
		}
	}
	// Every table with a community_id holds community 1's rows only.
	for _, name := range rawRows(t, raw, "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'community_id'") {
		var others int
		if err := raw.QueryRow("SELECT COUNT(*) FROM " + name + " WHERE community_id <> 1").Scan(&others); err != nil {
			t.Fatal(err)
		}
		if others != 0 {
			t.Errorf("table %s: %d rows not community 1's", name, others)
		}
	}
	var name string
	if err := raw.QueryRow("SELECT name FROM community WHERE id = 1").Scan(&name); err != nil || name != "光华街社区" {
		t.Errorf("community 1 = %q, %v", name, err)
	}
	if got := rawRows(t, raw, "SELECT staff_id, role FROM staff_communities WHERE community_id = 1 ORDER BY staff_id"); !slices.Equal(got, oldStaff) {
		t.Errorf("staff roles in community 1 = %v, were %v", got, oldStaff)
	}
	if got := rawRows(t, raw, "SELECT staff_id, role FROM staff_communities WHERE community_id <> 1"); len(got) != 0 {
		t.Errorf("staff in other communities: %v", got)
	}
	if got := rawRows(t, raw, "SELECT partner_id, services, estates FROM partner_communities WHERE community_id = 1 ORDER BY partner_id"); !slices.Equal(got, oldPartners) {
		t.Errorf("partners in community 1 = %v, were %v", got, oldPartners)
	}
	var district int
	if err := raw.QueryRow("SELECT COUNT(*) FROM staff WHERE district <> 0").Scan(&district); err != nil || district != 0 {
		t.Errorf("district admins after the upgrade = %d, %v; want none", district, err)
	}

	// The store reads it all in community 1's scope.
	one := chorus.WithScope(ctx, chorus.Scope{Community: 1})
	estates, err := db.Estates(one)
	if err != nil || len(estates) != before["estates"] {
		t.Errorf("estates = %d, %v; want %d", len(estates), err, before["estates"])
	}
	partners, err := db.Partners(one)
	if err != nil || len(partners) != before["partners"] {
		t.Errorf("partners = %d, %v; want %d", len(partners), err, before["partners"])
	}
	orders, err := db.Orders(one, "")
	if err != nil || len(orders) != before["orders"] || orders[0].Status != chorus.OrderAccepted {
		t.Errorf("orders = %+v, %v", orders, err)
	}
	events, err := db.UpcomingEvents(one, T0)
	if err != nil || len(events) != before["events"] {
		t.Errorf("events = %d, %v; want %d", len(events), err, before["events"])
	}
	var statuses []chorus.Status
	for _, e := range events {
		bs, err := db.EventBookings(one, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			statuses = append(statuses, b.Status)
		}
	}
	if len(statuses) != before["bookings"] || !slices.Contains(statuses, chorus.StatusCheckedIn) || !slices.Contains(statuses, chorus.StatusNoShow) {
		t.Errorf("bookings = %v; want %d with one checked in and one no-show", statuses, before["bookings"])
	}
	msgs, err := db.Messages(one, "", 1000)
	if err != nil || len(msgs) != before["messages"] {
		t.Errorf("messages = %d, %v; want %d", len(msgs), err, before["messages"])
	}
	kiosks, err := db.Kiosks(one)
	if err != nil || len(kiosks) != before["kiosks"] {
		t.Errorf("kiosks = %d, %v; want %d", len(kiosks), err, before["kiosks"])
	}
	staff, err := db.StaffList(one)
	if err != nil || len(staff) != before["staff"] {
		t.Errorf("staff = %d, %v; want %d", len(staff), err, before["staff"])
	}
	res, err := db.Login(ctx, "admin", "guanghua-demo", "127.0.0.1", "test")
	if err != nil || res.Staff == nil || res.Staff.Role != chorus.RoleAdmin {
		t.Fatalf("login of the old admin = %+v, %v", res, err)
	}
	who, _, err := db.Session(ctx, res.Token)
	if err != nil || who.Username != "admin" || who.Role != chorus.RoleAdmin {
		t.Errorf("session of the old admin = %+v, %v", who, err)
	}

	// DistrictFigures counts it all as community 1's.
	figs, err := db.DistrictFigures(ctx, T0.AddDate(-1, 0, 0), T0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 || figs[0].ID != 1 || figs[0].Bookings != before["bookings"] || figs[0].Attended != 1 ||
		figs[0].NoShows != 1 || figs[0].OrdersAccepted != 1 || figs[0].SMSFailed != 1 || figs[0].Kiosks != 1 {
		t.Errorf("district figures = %+v", figs)
	}
}

// rawRows returns q's rows, each its columns as text joined by "|".
func rawRows(tb testing.TB, raw *sql.DB, q string) []string {
	tb.Helper()
	rows, err := raw.Query(q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, strings.Join(vals, "|"))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
