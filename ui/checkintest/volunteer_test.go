package checkintest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// TestCheckinPage_VolunteerToken (issue 20d): a volunteer's QR code at the
// clinic's door. Opened by the staff phone's camera app as /c/<token>, it
// checks the volunteer in to their shift of the morning with the door's
// words; scanned again after the shift (the scan tab's scanner), it checks
// them out and proposes their hours.
func TestCheckinPage_VolunteerToken(t *testing.T) {
	browsertest.Require(t)
	s := mustStack(t)
	ctx := context.Background()
	a := &chorus.Activity{Kind: "环境整治", Title: "义诊引导", Place: "社区活动室"}
	if err := s.DB.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	shifts, err := s.DB.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: start, End: start.Add(2 * time.Hour), Task: "引导排队",
		Capacity: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := &chorus.Volunteer{Name: "郑华", Phone: "13822220001", Consent: true}
	if err := s.DB.SaveVolunteer(ctx, v); err != nil {
		t.Fatal(err)
	}
	g, err := s.DB.SignUp(ctx, shifts[0].ID, v.ID, chorus.JoinStaff)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.DB.SignupToken(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := openPage(t, s)
	p.wait(`!document.getElementById('login').hidden`)
	p.do(chromedp.SendKeys(chromedp.ID("username"), staffUser), chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login-btn")))
	p.wait(`checkin.ready && document.getElementById('n-booked').innerText === '7'`) // the clinic, chosen first

	// The phone's camera app opens 郑华's QR code.
	p.drv.Navigate(s.URL + "/c/" + tok)
	p.waitAnswer("ok", "郑华")
	p.waitAnswer("ok", "签到成功")
	p.shot("volunteer-in")

	// After the shift, the scan tab reads it again: checked out.
	s.Clock.Set(time.Date(2026, 12, 5, 11, 10, 0, 0, shanghai))
	eval[any](p, fmt.Sprintf(`checkin.scanned(%q, 'scanner')`, s.URL+"/c/"+tok))
	p.waitAnswer("ok", "签退成功")
	roster, err := s.DB.Roster(ctx, shifts[0].ID)
	if err != nil || len(roster) != 1 || roster[0].CheckIn.IsZero() || roster[0].CheckOut.IsZero() || roster[0].ClaimID == 0 {
		t.Fatalf("roster %+v, %v", roster, err)
	}
}
