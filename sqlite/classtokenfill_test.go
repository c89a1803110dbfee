package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_ClassTokenBackfill (issue 19): class enrolments made before class
// tokens existed (token_nonce NULL) get one when the store is opened on
// the file (migration 0030): a signed token each, unlike the others', that
// checks the resident in at the class's door.
func TestDB_ClassTokenBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, _ := MustOpenDBAt(t, path)
	c := winterClass(t, db, 5)
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	db.Close()
	// As the file was before tokens: no nonce, and migration 30 not run
	// (the later ones stay applied).
	raw := MustRawDB(t, path)
	if _, err := raw.Exec("UPDATE enrolments SET token_nonce = NULL"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("ALTER TABLE kiosks DROP COLUMN mode_class_id"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM schema_migrations WHERE version = 30"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, clock := MustOpenDBAt(t, path)
	list, err := db.ClassEnrolments(ctx, c.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("enrolments %+v, %v", list, err)
	}
	for _, e := range list {
		if e.CheckinToken == "" || e.CheckinToken == wang.CheckinToken || e.CheckinToken == li.CheckinToken {
			t.Fatalf("enrolment %d token %q: want a new one", e.ID, e.CheckinToken)
		}
		if err := db.ParseToken(ctx, e.CheckinToken); err != nil {
			t.Fatalf("token of enrolment %d not signed: %v", e.ID, err)
		}
	}
	if list[0].CheckinToken == list[1].CheckinToken {
		t.Fatalf("both enrolments got token %q", list[0].CheckinToken)
	}
	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-03", shanghai)
	clock.Set(day.Add(18*time.Hour + 55*time.Minute))
	res, err := db.CheckIn(ctx, chorus.CheckinRequest{ClassID: c.ID, Token: list[0].CheckinToken})
	if err != nil || res.Outcome != chorus.CheckinOK {
		t.Fatalf("check-in with the new token: %+v, %v", res, err)
	}
}
