package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
)

// fri4 is Friday 2026-12-04 at hh:mm in Shanghai: 靓丽星期五.
func fri4(hh, mm int) time.Time { return time.Date(2026, 12, 4, hh, mm, 0, 0, shanghai) }

type volunteerFixture struct {
	db       *sqlite.DB
	clock    *Clock
	partner  int64
	activity *chorus.Activity
	shift    chorus.Shift
}

// mustVolunteerFixture stores a partner unit and the activity 靓丽星期五
// (环境整治) with one shift on Friday 08:30–11:30 for capacity people.
func mustVolunteerFixture(tb testing.TB, capacity int) *volunteerFixture {
	tb.Helper()
	db, clock := MustOpenDB(tb)
	ctx := context.Background()
	p := &chorus.Partner{Name: "和泽苑物业", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000099"}, Active: true}
	if err := db.SavePartner(ctx, p); err != nil {
		tb.Fatal(err)
	}
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼", Partners: []int64{p.ID}, Weekly: true}
	if err := db.SaveActivity(ctx, a); err != nil {
		tb.Fatal(err)
	}
	shifts, err := db.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri4(8, 30), End: fri4(11, 30), Task: "清理楼道杂物",
		Capacity: capacity}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return &volunteerFixture{db: db, clock: clock, partner: p.ID, activity: a, shift: shifts[0]}
}

// volunteer stores volunteer i (phone Phone(100+i)), consenting to
// call-outs of 环境整治.
func (f *volunteerFixture) volunteer(tb testing.TB, i int, edit ...func(*chorus.Volunteer)) *chorus.Volunteer {
	tb.Helper()
	v := &chorus.Volunteer{Name: fmt.Sprintf("志愿者%d", i), Phone: Phone(100 + i), Kinds: []string{"环境整治"}, Consent: true,
		PartnerID: f.partner}
	for _, e := range edit {
		e(v)
	}
	if err := f.db.SaveVolunteer(context.Background(), v); err != nil {
		tb.Fatal(err)
	}
	return v
}

var volunteerSeq atomic.Int64

// reply handles text from phone as the SMS push would.
func (f *volunteerFixture) reply(tb testing.TB, phone, text string) *chorus.Inbound {
	tb.Helper()
	in := sms.Up{Phone: phone, Content: text, SequenceID: fmt.Sprint("vol", volunteerSeq.Add(1))}.Inbound()
	out, _, err := f.db.HandleInbound(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (f *volunteerFixture) roster(tb testing.TB) map[string]int {
	tb.Helper()
	list, err := f.db.Roster(context.Background(), f.shift.ID)
	if err != nil {
		tb.Fatal(err)
	}
	n := map[string]int{}
	for _, g := range list {
		n[g.Status]++
	}
	return n
}

func TestDB_SaveVolunteer(t *testing.T) {
	f := mustVolunteerFixture(t, 3)
	ctx := context.Background()
	v := f.volunteer(t, 1)
	if v.ID == 0 || v.ConsentAt.IsZero() || v.Community != 1 {
		t.Fatalf("saved = %+v", v)
	}
	got, err := f.db.Volunteer(ctx, v.ID)
	if err != nil || got.Partner != "和泽苑物业" || len(got.Kinds) != 1 || !got.Consent {
		t.Fatalf("Volunteer = %+v, %v", got, err)
	}
	wantCode(t, f.db.SaveVolunteer(ctx, &chorus.Volunteer{Name: "重复", Phone: v.Phone}), chorus.ECONFLICT)
	// A resident id sent by the caller is not believed: the link is the
	// phone's resident in the community, here none.
	v.ResidentID = 1
	if err := f.db.SaveVolunteer(ctx, v); err != nil || v.ResidentID != 0 {
		t.Errorf("resident id sent = %d, %v; want none linked", v.ResidentID, err)
	}
	v.Consent, v.Status = false, chorus.VolunteerPaused
	if err := f.db.SaveVolunteer(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Volunteer(ctx, v.ID); got.Consent || got.Status != chorus.VolunteerPaused {
		t.Errorf("after withdrawing consent = %+v", got)
	}
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := f.db.Volunteer(other, v.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's volunteer: %v", err)
	}
	wantCode(t, f.db.SaveVolunteer(other, &chorus.Volunteer{ID: v.ID, Name: "改名", Phone: v.Phone}), chorus.ENOTFOUND)
	if _, err := f.db.Shift(other, f.shift.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's shift: %v", err)
	}
}

// TestDB_SignUp_FirstN: of many volunteers signing up for a shift at once,
// exactly its capacity get a place; the rest are on the waitlist, each
// told which by SMS.
func TestDB_SignUp_FirstN(t *testing.T) {
	const capacity, many = 3, 16
	f := mustVolunteerFixture(t, capacity)
	var vols []*chorus.Volunteer
	for i := range many {
		vols = append(vols, f.volunteer(t, i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, many)
	for _, v := range vols {
		wg.Go(func() {
			if _, err := f.db.SignUp(context.Background(), f.shift.ID, v.ID, chorus.JoinKiosk); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := f.roster(t); got[chorus.SignupConfirmed] != capacity || got[chorus.SignupWaitlist] != many-capacity {
		t.Errorf("roster = %v, want %d places and %d waiting", got, capacity, many-capacity)
	}
	s, _ := f.db.Shift(context.Background(), f.shift.ID)
	if s.Taken != capacity || s.PlacesLeft() != 0 || s.Waiting != many-capacity {
		t.Errorf("shift = %+v", s)
	}
	signed, full := 0, 0
	for _, v := range vols {
		msgs := MustMessages(t, f.db, v.Phone)
		signed += len(MessagesOf(msgs, chorus.MsgShiftSignup))
		full += len(MessagesOf(msgs, chorus.MsgShiftFull))
	}
	if signed != capacity || full != many-capacity {
		t.Errorf("told: %d places, %d full", signed, full)
	}
	_, err := f.db.SignUp(context.Background(), f.shift.ID, vols[0].ID, chorus.JoinStaff)
	wantCode(t, err, chorus.ECONFLICT)
}

// TestDB_SignUp_FirstNBySMS: the same race through replies 参加N: exactly
// N win, the others are told it is full and put on the waitlist.
func TestDB_SignUp_FirstNBySMS(t *testing.T) {
	const capacity, many = 4, 12
	f := mustVolunteerFixture(t, capacity)
	var vols []*chorus.Volunteer
	for i := range many {
		vols = append(vols, f.volunteer(t, i))
	}
	var wg sync.WaitGroup
	outcomes := make(chan string, many)
	for _, v := range vols {
		wg.Go(func() { outcomes <- f.reply(t, v.Phone, fmt.Sprintf("参加%d", f.shift.ID)).Outcome })
	}
	wg.Wait()
	close(outcomes)
	won, waiting := 0, 0
	for o := range outcomes {
		switch o {
		case fmt.Sprintf("已报名班次%d", f.shift.ID):
			won++
		case fmt.Sprintf("班次%d已满,已排入候补", f.shift.ID):
			waiting++
		default:
			t.Errorf("outcome %q", o)
		}
	}
	if won != capacity || waiting != many-capacity {
		t.Errorf("won %d, waiting %d; want %d, %d", won, waiting, capacity, many-capacity)
	}
	if got := f.roster(t); got[chorus.SignupConfirmed] != capacity {
		t.Errorf("roster = %v", got)
	}
	// A stranger's 参加N (issue 20's gaps: the reply is the phone's own
	// proof) makes them a volunteer, with consent and no name, and puts
	// them in line like anyone; it never takes a place held.
	if in := f.reply(t, "13912345678", fmt.Sprintf("参加%d", f.shift.ID)); !in.Handled ||
		in.Outcome != fmt.Sprintf("班次%d已满,已排入候补", f.shift.ID) {
		t.Errorf("stranger's 参加: %+v", in)
	}
	if v, err := f.db.VolunteerByPhone(context.Background(), "13912345678"); err != nil || !v.Consent || v.JoinedVia != chorus.JoinSMS || v.Name != "" {
		t.Errorf("the stranger as a volunteer: %+v, %v", v, err)
	}
	if got := f.roster(t); got[chorus.SignupConfirmed] != capacity {
		t.Errorf("roster after the stranger = %v", got)
	}
}

// TestDB_CancelSignup_GivesPlace: 取消N frees a place, which goes to the
// first on the waitlist at once, told by SMS.
func TestDB_CancelSignup_GivesPlace(t *testing.T) {
	f := mustVolunteerFixture(t, 1)
	ctx := context.Background()
	a, b, c := f.volunteer(t, 1), f.volunteer(t, 2), f.volunteer(t, 3)
	for _, v := range []*chorus.Volunteer{a, b, c} {
		if _, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
	}
	in := f.reply(t, a.Phone, fmt.Sprintf("取消%d", f.shift.ID))
	if !in.Handled || in.Outcome != fmt.Sprintf("已取消班次%d的报名", f.shift.ID) {
		t.Fatalf("取消 = %+v", in)
	}
	list, _ := f.db.Roster(ctx, f.shift.ID)
	status := map[int64]string{}
	for _, g := range list {
		status[g.VolunteerID] = g.Status
	}
	if status[a.ID] != chorus.SignupCancelled || status[b.ID] != chorus.SignupConfirmed || status[c.ID] != chorus.SignupWaitlist {
		t.Errorf("statuses = %v", status)
	}
	if len(MessagesOf(MustMessages(t, f.db, b.Phone), chorus.MsgShiftPlace)) != 1 ||
		len(MessagesOf(MustMessages(t, f.db, a.Phone), chorus.MsgShiftCancelled)) != 1 {
		t.Error("the place given and the cancellation were not both told")
	}
	if in := f.reply(t, a.Phone, fmt.Sprintf("取消%d", f.shift.ID)); !in.Handled || in.Outcome != fmt.Sprintf("班次%d的报名已经取消过了", f.shift.ID) {
		t.Errorf("取消 again: %+v", in)
	}
}

// TestDB_ShiftPresence_Hours: check-in and check-out by code with a fake
// clock: the hours are the overlap with the shift rounded down to 15
// minutes, proposed for confirmation; a missing check-out goes to staff.
func TestDB_ShiftPresence_Hours(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	early, late, forgot := f.volunteer(t, 1), f.volunteer(t, 2), f.volunteer(t, 3)
	codes := map[int64]string{}
	for _, v := range []*chorus.Volunteer{early, late, forgot} {
		g, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		codes[v.ID] = g.Code
		if m := MessagesOf(MustMessages(t, f.db, v.Phone), chorus.MsgShiftSignup); len(m) != 1 || m[0].Params["checkin"] != g.Code {
			t.Fatalf("signup SMS = %+v, want the check-in code %s", m, g.Code)
		}
	}
	presence := func(v *chorus.Volunteer, want string) {
		t.Helper()
		res, err := f.db.ShiftPresence(ctx, f.shift.ID, codes[v.ID], time.Time{}, "staff:wang")
		if err != nil || res.Outcome != want {
			t.Fatalf("presence of %s = %+v, %v; want %s", v.Name, res, err, want)
		}
	}
	f.clock.Set(fri4(7, 0))
	if _, err := f.db.ShiftPresence(ctx, f.shift.ID, codes[early.ID], time.Time{}, "staff:wang"); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Errorf("check-in 90 minutes early: %v", err)
	}
	if _, err := f.db.ShiftPresence(ctx, f.shift.ID, "000000x", time.Time{}, "staff:wang"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("wrong code: %v", err)
	}
	f.clock.Set(fri4(8, 10))
	presence(early, chorus.PresenceIn)
	presence(forgot, chorus.PresenceIn)
	f.clock.Set(fri4(8, 44))
	presence(late, chorus.PresenceIn)
	f.clock.Set(fri4(11, 10))
	presence(late, chorus.PresenceOut) // 08:44–11:10: 146 minutes, 135 counted
	f.clock.Set(fri4(11, 52))
	presence(early, chorus.PresenceOut) // 08:10–11:52: the whole shift, 180
	presence(early, chorus.PresenceAlready)
	q, err := f.db.PendingHours(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for _, c := range q.Claims {
		got[c.VolunteerID] = c.Minutes
		if c.Status != chorus.ClaimProposed || c.Activity != "靓丽星期五" {
			t.Errorf("claim = %+v", c)
		}
	}
	if len(got) != 2 || got[early.ID] != 180 || got[late.ID] != 135 {
		t.Errorf("claimed minutes = %v, want early 180, late 135", got)
	}
	if len(q.Signups) != 1 || q.Signups[0].VolunteerID != forgot.ID || q.Signups[0].ToStaff != "没有签退记录" {
		t.Errorf("to staff = %+v", q.Signups)
	}
	// Staff enter the forgotten check-out: its claim is proposed.
	g, err := f.db.SetPresence(ctx, q.Signups[0].ID, fri4(8, 10), fri4(10, 0), "staff:wang")
	if err != nil || g.ClaimID == 0 || g.ToStaff != "" {
		t.Fatalf("SetPresence = %+v, %v", g, err)
	}
	if c, _ := f.db.Claim(ctx, g.ClaimID); c.Minutes != 90 {
		t.Errorf("forgot's claim = %+v, want 90 minutes", c)
	}
}

// TestDB_DecideClaim: staff or the activity's leader confirm a claim, never
// the volunteer themself; the leader's own hours need staff; a decided
// claim is not decided again, and corrections are for proposed claims.
func TestDB_DecideClaim(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	leader, helper := f.volunteer(t, 1), f.volunteer(t, 2)
	f.activity.LeaderID = leader.ID
	if err := f.db.SaveActivity(ctx, f.activity); err != nil {
		t.Fatal(err)
	}
	claims := map[int64]int64{}
	for _, v := range []*chorus.Volunteer{leader, helper} {
		g, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(fri4(12, 0))
		g, err = f.db.SetPresence(ctx, g.ID, fri4(8, 30), fri4(11, 30), "staff:wang")
		if err != nil {
			t.Fatal(err)
		}
		claims[v.ID] = g.ClaimID
		f.clock.Set(T0)
	}
	f.clock.Set(fri4(12, 0))
	asLeader := chorus.Confirmer{VolunteerID: leader.ID}
	_, err := f.db.DecideClaim(ctx, claims[leader.ID], asLeader, true, "")
	wantCode(t, err, chorus.EFORBIDDEN)
	_, err = f.db.DecideClaim(ctx, claims[helper.ID], chorus.Confirmer{VolunteerID: helper.ID}, true, "")
	wantCode(t, err, chorus.EFORBIDDEN)
	c, err := f.db.DecideClaim(ctx, claims[helper.ID], asLeader, true, "")
	if err != nil || c.Status != chorus.ClaimConfirmed || c.DecidedBy != fmt.Sprintf("leader:%d", leader.ID) {
		t.Fatalf("leader confirms = %+v, %v", c, err)
	}
	_, err = f.db.DecideClaim(ctx, claims[helper.ID], chorus.Confirmer{Staff: true, Login: "wang"}, false, "")
	wantCode(t, err, chorus.ECONFLICT)
	_, err = f.db.CorrectClaim(ctx, claims[helper.ID], 60, "走得早")
	wantCode(t, err, chorus.ECONFLICT)
	c, err = f.db.CorrectClaim(ctx, claims[leader.ID], 150, "十一点就走了")
	if err != nil || c.Minutes != 150 {
		t.Fatalf("CorrectClaim = %+v, %v", c, err)
	}
	c, err = f.db.DecideClaim(ctx, claims[leader.ID], chorus.Confirmer{Staff: true, Login: "wang"}, true, "")
	if err != nil || c.Status != chorus.ClaimConfirmed || c.Minutes != 150 || c.DecidedBy != "staff:wang" {
		t.Errorf("staff confirms the leader's = %+v, %v", c, err)
	}
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	_, err = f.db.DecideClaim(other, claims[leader.ID], chorus.Confirmer{Staff: true, Login: "li"}, true, "")
	wantCode(t, err, chorus.ENOTFOUND)
}

// TestDB_CallOut: the call-out goes only to active, consenting volunteers
// who asked for the activity's kind, once per shift; an opt-out stops it.
func TestDB_CallOut(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	yes := f.volunteer(t, 1)
	noConsent := f.volunteer(t, 2, func(v *chorus.Volunteer) { v.Consent = false })
	paused := f.volunteer(t, 3, func(v *chorus.Volunteer) { v.Status = chorus.VolunteerPaused })
	otherKind := f.volunteer(t, 4, func(v *chorus.Volunteer) { v.Kinds = []string{"文明宣讲"} })
	optedOut := f.volunteer(t, 5)
	f.reply(t, optedOut.Phone, "TD")
	n, err := f.db.CallOut(ctx, f.shift.ID)
	if err != nil || n != 1 {
		t.Fatalf("CallOut = %d, %v; want 1", n, err)
	}
	if m := MessagesOf(MustMessages(t, f.db, yes.Phone), chorus.MsgShiftCallOut); len(m) != 1 ||
		m[0].Params["code"] != fmt.Sprint(f.shift.ID) || m[0].Params["count"] != "5" {
		t.Errorf("call-out = %+v", m)
	}
	for _, v := range []*chorus.Volunteer{noConsent, paused, otherKind} {
		if m := MessagesOf(MustMessages(t, f.db, v.Phone), chorus.MsgShiftCallOut); len(m) != 0 {
			t.Errorf("%s was called out", v.Name)
		}
	}
	if m := MessagesOf(MustMessages(t, f.db, optedOut.Phone), chorus.MsgShiftCallOut); len(m) != 1 || m[0].Status != chorus.MessageRefused {
		t.Errorf("opted out: %+v", m)
	}
	if n, err := f.db.CallOut(ctx, f.shift.ID); err != nil || n != 0 {
		t.Errorf("second call-out = %d, %v; want nobody texted twice", n, err)
	}
}

// TestDB_ShiftReminders: the day before, once, to those holding a place.
func TestDB_ShiftReminders(t *testing.T) {
	f := mustVolunteerFixture(t, 1)
	ctx := context.Background()
	in, waiting := f.volunteer(t, 1), f.volunteer(t, 2)
	for _, v := range []*chorus.Volunteer{in, waiting} {
		if _, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.db.QueueShiftReminders(ctx, time.Date(2026, 12, 2, 18, 0, 0, 0, shanghai), 17); err != nil || n != 0 {
		t.Errorf("two days before = %d, %v", n, err)
	}
	thu := time.Date(2026, 12, 3, 18, 0, 0, 0, shanghai)
	if n, err := f.db.QueueShiftReminders(ctx, thu, 17); err != nil || n != 1 {
		t.Errorf("the day before = %d, %v; want 1", n, err)
	}
	if n, err := f.db.QueueShiftReminders(ctx, thu.Add(time.Hour), 17); err != nil || n != 0 {
		t.Errorf("again = %d, %v; want 0", n, err)
	}
	if len(MessagesOf(MustMessages(t, f.db, in.Phone), chorus.MsgShiftReminder)) != 1 ||
		len(MessagesOf(MustMessages(t, f.db, waiting.Phone), chorus.MsgShiftReminder)) != 0 {
		t.Error("reminder went to the wrong people")
	}
}

// TestDB_WeeklyShifts: a weekly activity's shift repeats for the weeks
// asked; a one-off activity's does not.
func TestDB_WeeklyShifts(t *testing.T) {
	f := mustVolunteerFixture(t, 3)
	ctx := context.Background()
	got, err := f.db.AddShifts(ctx, chorus.Shift{ActivityID: f.activity.ID, Start: fri4(14, 0), End: fri4(16, 0),
		Task: "文明劝导", Capacity: 4}, 4)
	if err != nil || len(got) != 4 || !got[3].Start.Equal(fri4(14, 0).AddDate(0, 0, 21)) {
		t.Fatalf("AddShifts = %+v, %v", got, err)
	}
	once := &chorus.Activity{Kind: "文明宣讲", Title: "垃圾分类宣讲", Place: "活动室"}
	if err := f.db.SaveActivity(ctx, once); err != nil {
		t.Fatal(err)
	}
	got, err = f.db.AddShifts(ctx, chorus.Shift{ActivityID: once.ID, Start: fri4(14, 0), End: fri4(16, 0), Task: "讲解",
		Capacity: 2}, 4)
	if err != nil || len(got) != 1 {
		t.Errorf("one-off AddShifts = %d shifts, %v", len(got), err)
	}
	_, err = f.db.AddShifts(ctx, chorus.Shift{ActivityID: once.ID, Start: T0.Add(-time.Hour), End: T0, Task: "讲解", Capacity: 2}, 1)
	wantCode(t, err, chorus.EINVALID)
	open, err := f.db.OpenShifts(ctx, T0.AddDate(0, 0, 7))
	if err != nil || len(open) != 3 { // this week's: the fixture's, 14:00 weekly, the one-off
		t.Errorf("OpenShifts = %d, %v", len(open), err)
	}
}

// TestDB_Reply_CancelRouting: 取消N is a venue approver's and a
// volunteer's word. The number routes it by the replying phone: the
// approver of venue request N withdraws it, a volunteer of shift N
// cancels their signup, and a phone that is both is told by SMS that
// nothing was done and staff will call — nothing changes.
func TestDB_Reply_CancelRouting(t *testing.T) {
	vf := mustVenueFixture(t)
	ctx := context.Background()
	e := vf.mustEvent(t, "健康讲座", dec12(14, 0), dec12(16, 0))
	req := vf.request(t, e.ID)
	f := &volunteerFixture{db: vf.db, clock: vf.clock}
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼"}
	if err := f.db.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	shifts, err := f.db.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri4(8, 30), End: fri4(11, 30), Task: "清扫", Capacity: 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	f.shift = shifts[0]
	if f.shift.ID != req.ID {
		t.Fatalf("shift %d and venue request %d should share their number for this test", f.shift.ID, req.ID)
	}
	both := f.volunteer(t, 1, func(v *chorus.Volunteer) { v.Phone = hallApprover })
	only := f.volunteer(t, 2)
	for _, v := range []*chorus.Volunteer{both, only} {
		if _, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff); err != nil {
			t.Fatal(err)
		}
	}
	n := fmt.Sprint(req.ID)
	in := f.reply(t, hallApprover, "取消"+n)
	if in.Handled || in.Outcome != chorus.AskWhich(req.ID) {
		t.Errorf("both: %+v", in)
	}
	// The phone hears that nothing was done and staff will call.
	if msgs, err := f.db.Messages(ctx, hallApprover, 5); err != nil || len(msgs) == 0 ||
		msgs[0].Kind != chorus.MsgReplyUnclear || msgs[0].Params["order"] != n {
		t.Errorf("the phone that is both was told %+v, %v; want reply_unclear naming %s", msgs, err, n)
	}
	if got := f.roster(t); got[chorus.SignupConfirmed] != 2 {
		t.Errorf("a reply asked about changed the roster: %v", got)
	}
	if r := vf.request(t, e.ID); r.Status != req.Status {
		t.Errorf("a reply asked about changed the venue request: %s", r.Status)
	}
	if in := f.reply(t, only.Phone, "取消"+n); !in.Handled || in.Outcome != "已取消班次"+n+"的报名" {
		t.Errorf("volunteer only: %+v", in)
	}
	if in := f.reply(t, venueStranger, "取消"+n); in.Handled || in.Outcome != "这个号码不能答复场馆申请"+n+",请工作人员处理" {
		t.Errorf("stranger (as before): %+v", in)
	}
}

// TestDB_VolunteerFigures: a year's figures count confirmed hours only,
// per volunteer, per partner unit (and in the partner figures for the
// yearly thanks), and on the certificate.
func TestDB_VolunteerFigures(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	a, b, c := f.volunteer(t, 1), f.volunteer(t, 2), f.volunteer(t, 3, func(v *chorus.Volunteer) { v.PartnerID = 0 })
	staff := chorus.Confirmer{Staff: true, Login: "wang"}
	claim := func(v *chorus.Volunteer, out time.Time) int64 {
		t.Helper()
		g, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(fri4(12, 0))
		g, err = f.db.SetPresence(ctx, g.ID, fri4(8, 30), out, "staff:wang")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(T0)
		return g.ClaimID
	}
	ca, cb, cc := claim(a, fri4(11, 30)), claim(b, fri4(10, 0)), claim(c, fri4(11, 30))
	f.clock.Set(fri4(12, 0))
	for _, id := range []int64{ca, cc} {
		if _, err := f.db.DecideClaim(ctx, id, staff, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	_ = cb // proposed, never confirmed: counted nowhere
	figs, err := f.db.VolunteerFigures(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]chorus.VolunteerFigure{}
	for _, x := range figs {
		got[x.VolunteerID] = x
	}
	if got[a.ID].Minutes != 180 || got[a.ID].Times != 1 || got[a.ID].Activities != 1 || got[b.ID].Minutes != 0 || got[c.ID].Minutes != 180 {
		t.Errorf("volunteer figures = %+v", figs)
	}
	units, err := f.db.UnitFigures(ctx, 2026)
	if err != nil || len(units) != 1 || units[0].People != 1 || units[0].Times != 1 || units[0].Minutes != 180 || units[0].Activities != 1 {
		t.Errorf("unit figures = %+v, %v", units, err)
	}
	pf, err := f.db.PartnerFigures(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai), time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pf {
		if p.ID == f.partner && (p.Total.Volunteers != 1 || p.Total.VolunteerTimes != 1 || p.Total.VolunteerHours != 3 ||
			p.Total.VolunteerActivities != 1) {
			t.Errorf("partner figures = %+v", p.Total)
		}
	}
	cert, err := f.db.Certificate(ctx, a.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Minutes != 180 || cert.Times != 1 || len(cert.Lines) != 1 || cert.Lines[0].Activity != "靓丽星期五" ||
		cert.Lines[0].First != "2026-12-04" || cert.Serial != fmt.Sprintf("ZY-1-2026-%06d-20261204", a.ID) || cert.Name != a.Name {
		t.Errorf("certificate = %+v", cert)
	}
	if cert, _ := f.db.Certificate(ctx, b.ID, 2026); cert.Minutes != 0 || len(cert.Lines) != 0 {
		t.Errorf("unconfirmed hours on a certificate: %+v", cert)
	}
	if _, err := f.db.Certificate(chorus.WithScope(ctx, chorus.Scope{Community: 2}), a.ID, 2026); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's certificate: %v", err)
	}
}

// TestDB_CodePresence: a door that names no shift (the kiosk's check-in
// mode, the staff's door page) finds the signup by its code among the
// shifts going on now, in the scope's community only.
func TestDB_CodePresence(t *testing.T) {
	f := mustVolunteerFixture(t, 5)
	ctx := context.Background()
	v := f.volunteer(t, 1)
	g, err := f.db.SignUp(ctx, f.shift.ID, v.ID, chorus.JoinStaff)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CodePresence(ctx, g.Code, time.Time{}, "kiosk:1"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("three days before the shift: %v", err)
	}
	f.clock.Set(fri4(8, 25))
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := f.db.CodePresence(other, g.Code, time.Time{}, "kiosk:9"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another community's door: %v", err)
	}
	res, err := f.db.CodePresence(ctx, g.Code, time.Time{}, "kiosk:1")
	if err != nil || res.Outcome != chorus.PresenceIn || res.CheckinOutcome() != chorus.CheckinOK || res.Word() != "✓ 签到成功" {
		t.Fatalf("check in = %+v, %v", res, err)
	}
	f.clock.Set(fri4(13, 0)) // after the shift, still the same day
	res, err = f.db.CodePresence(ctx, g.Code, time.Time{}, "kiosk:1")
	if err != nil || res.Outcome != chorus.PresenceOut || res.Word() != "✓ 签退成功" || res.Signup.ClaimID == 0 {
		t.Fatalf("check out = %+v, %v", res, err)
	}
	if c, _ := f.db.Claim(ctx, res.Signup.ClaimID); c.Minutes != 180 {
		t.Errorf("claim = %+v, want 180 minutes", c)
	}
}
