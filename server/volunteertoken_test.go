package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestVolunteers_DoorTokens: a volunteer's QR code (/c/<token>, signed as
// bookings' are) scanned at the staff's door page and at a kiosk in
// check-in mode checks them in to a shift going on now, and the second
// scan out, with the Chinese words of the code; a forged token is
// "unknown" and a booking's token works as before.
func TestVolunteers_DoorTokens(t *testing.T) {
	e := MustServe(t)
	ctx := context.Background()
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 6, false)
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼"}
	if err := e.DB.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	shifts, err := e.DB.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri, End: fri.Add(3 * time.Hour), Task: "清扫", Capacity: 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for i, name := range []string{"李华", "王芳"} {
		v := &chorus.Volunteer{Name: name, Phone: fmt.Sprintf("1381234900%d", i), Consent: true}
		if err := e.DB.SaveVolunteer(ctx, v); err != nil {
			t.Fatal(err)
		}
		g, err := e.DB.SignUp(ctx, shifts[0].ID, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.DB.SignupToken(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	k, err := e.DB.Kiosks(ctx)
	if err != nil || len(k) == 0 {
		t.Fatalf("kiosks = %v, %v", k, err)
	}
	if _, err := e.DB.SetKioskMode(ctx, k[0].ID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: ev.ID}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 8, 20, 0, 0, shanghai))
	admin := e.MustLogin(t, "door", chorus.RoleStaff)
	// The door page posts what the scanner read: the whole link here.
	got := do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"event_id": ev.ID, "token": e.URL + "/c/" + tokens[0]}, admin)
	if got.Status != 200 || got.Body["outcome"] != "ok" || got.Body["word"] != "✓ 签到成功" || got.Body["message"] != "李华,签到成功,谢谢您来帮忙!" {
		t.Fatalf("door page check-in = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"token": tokens[1]}, e.Kiosk)
	if got.Status != 200 || got.Body["outcome"] != "ok" || got.Body["booking"].(map[string]any)["event_title"] != "靓丽星期五" {
		t.Fatalf("kiosk check-in = %d %s", got.Status, got.Raw)
	}
	bad := []byte(tokens[1])
	bad[5] ^= 1
	if got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"token": string(bad)}, e.Kiosk); got.Body["outcome"] != "unknown" {
		t.Errorf("a forged token = %d %s", got.Status, got.Raw)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 11, 40, 0, 0, shanghai))
	got = do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"token": tokens[1]}, e.Kiosk)
	if got.Body["outcome"] != "ok" || got.Body["word"] != "✓ 签退成功" {
		t.Fatalf("kiosk check-out = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"event_id": ev.ID, "token": tokens[0]}, admin)
	if got.Body["outcome"] != "ok" || got.Body["word"] != "✓ 签退成功" {
		t.Fatalf("door page check-out = %d %s", got.Status, got.Raw)
	}
	q, err := e.DB.PendingHours(ctx)
	if err != nil || len(q.Claims) != 2 {
		t.Errorf("hours to confirm = %+v, %v", q, err)
	}
}
