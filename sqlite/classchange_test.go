package sqlite_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestDB_ClassChangedSMS: moving a class to another weekday and venue
// texts each resident holding a place once (class_changed: the new
// weekday and time, the venue, from the first session to come); the
// waitlist is not told, and a new title, teacher or size texts nobody.
func TestDB_ClassChangedSMS(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 1)
	enrolIn(t, db, c, Phone(1))
	if e := enrolIn(t, db, c, Phone(2)); e.Status != chorus.StatusWaitlisted {
		t.Fatalf("second enrolment %s, want waitlisted", e.Status)
	}
	changed := func(ph string) []chorus.Message {
		return MessagesOf(MustMessages(t, db, ph), chorus.MsgClassChanged)
	}
	c.Title, c.Teacher, c.Capacity = "周四书法班", "李老师", 2
	if err := db.UpdateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := changed(Phone(1)); len(got) != 0 {
		t.Fatalf("title, teacher and size texted %+v", got)
	}
	c2, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	hall := MustPlace(t, db, "声乐室")
	c2.Sessions = nil
	c2.Weekday, c2.StartTime, c2.EndTime, c2.PlaceID = 6, "09:30", "11:00", hall.ID
	if err := db.UpdateClass(ctx, c2); err != nil {
		t.Fatal(err)
	}
	got := changed(Phone(1))
	if len(got) != 1 || got[0].Params["from"] != "12月5日" || got[0].Params["time"] != "每星期六09:30" ||
		got[0].Params["place"] != "声乐室" || got[0].Params["event"] != "周四书法班" {
		t.Fatalf("class_changed to the resident holding a place: %+v", got)
	}
	// A third resident, waitlisted behind the second (offered the place
	// the larger size freed), is not told.
	third := enrolIn(t, db, c2, Phone(3))
	if third.Status != chorus.StatusWaitlisted {
		t.Fatalf("third enrolment %s, want waitlisted", third.Status)
	}
	c2.FirstDate = "2026-12-12"
	if err := db.UpdateClass(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if got := changed(Phone(3)); len(got) != 0 {
		t.Fatalf("the waitlist was told: %+v", got)
	}
	if got := changed(Phone(1)); len(got) != 2 || got[1].Params["from"] != "12月12日" {
		t.Fatalf("first date moved: %+v", got)
	}
}
