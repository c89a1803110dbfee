package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// mustSeededDB makes a database with community 1's estates, place, event
// and resident, and a community 2 holding one estate.
func mustSeededDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var estates []int64
	for _, n := range []string{"光华街16号院", "光华街1号院"} {
		e := &chorus.Estate{Name: n}
		must(db.SaveEstate(ctx, e))
		estates = append(estates, e.ID)
	}
	p := &chorus.Place{Name: "社区活动室"}
	must(db.SavePlace(ctx, p))
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	must(db.CreateEvent(ctx, &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID,
		Slots: []chorus.Slot{{Start: start, End: start.Add(time.Hour), Capacity: 10}, {Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), Capacity: 10}}}))
	must(db.SaveResident(ctx, &chorus.Resident{Phone: "13812345678", Name: "姚大娘", Address: chorus.Address{EstateID: estates[1], Unit: "1", Room: "101"}}))
	hz := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区"}
	must(db.AddCommunity(ctx, hz))
	must(db.SaveEstate(chorus.WithScope(ctx, chorus.Scope{Community: hz.ID}), &chorus.Estate{Name: "和泽苑一区"}))
	return path
}

func count(t *testing.T, raw *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestSeedCommunities: -communities 10 adds communities 3 to 10, each with
// copies of community 1's estates, place, event and slots (no seat taken)
// and residents, pointing at their own community's place and estates.
func TestSeedCommunities(t *testing.T) {
	path := mustSeededDB(t)
	if err := seedCommunities(path, 10); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if n := count(t, raw, "SELECT COUNT(*) FROM community"); n != 10 {
		t.Fatalf("communities = %d", n)
	}
	for c := 3; c <= 10; c++ {
		for table, want := range map[string]int{"estates": 2, "places": 1, "events": 1, "residents": 1} {
			if n := count(t, raw, "SELECT COUNT(*) FROM "+table+" WHERE community_id = ?", c); n != want {
				t.Errorf("community %d: %d %s, want %d", c, n, table, want)
			}
		}
		if n := count(t, raw, `SELECT COUNT(*) FROM slots s JOIN events e ON e.id = s.event_id JOIN places p ON p.id = e.place_id
			WHERE e.community_id = ? AND p.community_id = ? AND s.taken = 0`, c, c); n != 2 {
			t.Errorf("community %d: %d slots of its own event at its own place", c, n)
		}
		if n := count(t, raw, `SELECT COUNT(*) FROM residents r JOIN estates e ON e.id = r.estate_id
			WHERE r.community_id = ? AND e.community_id = ? AND e.name LIKE '%光华街1号院'`, c, c); n != 1 {
			t.Errorf("community %d: its resident lives in %d of its own estates", c, n)
		}
	}
	if n := count(t, raw, "SELECT COUNT(DISTINCT phone) FROM residents"); n != 9 {
		t.Errorf("distinct phones = %d, want 9", n)
	}
}

// TestSeedCommunities_One: -communities 1 folds everything into
// community 1.
func TestSeedCommunities_One(t *testing.T) {
	path := mustSeededDB(t)
	if err := seedCommunities(path, 1); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if n := count(t, raw, "SELECT COUNT(*) FROM community"); n != 1 {
		t.Errorf("communities = %d", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM estates WHERE community_id = 1"); n != 3 {
		t.Errorf("community 1's estates = %d, want 3", n)
	}
}
