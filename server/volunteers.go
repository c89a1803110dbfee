package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// VolunteerStore keeps volunteers, volunteer activities with their
// shifts, signups, presence and hours (issue 20). Every method acts in
// the context's scope; another community's object is ENOTFOUND.
type VolunteerStore interface {
	Volunteers(ctx context.Context) ([]chorus.Volunteer, error)
	Volunteer(ctx context.Context, id int64) (*chorus.Volunteer, error)
	VolunteerByPhone(ctx context.Context, phone string) (*chorus.Volunteer, error)
	SaveVolunteer(ctx context.Context, v *chorus.Volunteer) error
	Activities(ctx context.Context) ([]chorus.Activity, error)
	Activity(ctx context.Context, id int64, since time.Time) (*chorus.Activity, error)
	SaveActivity(ctx context.Context, a *chorus.Activity) error
	AddShifts(ctx context.Context, s chorus.Shift, weeks int) ([]chorus.Shift, error)
	Shift(ctx context.Context, id int64) (*chorus.Shift, error)
	OpenShifts(ctx context.Context, to time.Time) ([]chorus.Shift, error)
	Roster(ctx context.Context, shiftID int64) ([]chorus.Signup, error)
	SignUp(ctx context.Context, shiftID, volunteerID int64, channel string) (*chorus.Signup, error)
	CancelSignup(ctx context.Context, id int64) (*chorus.Signup, error)
	CallOut(ctx context.Context, shiftID int64) (int, error)
	ShiftPresence(ctx context.Context, shiftID int64, code string, at time.Time, by string) (*chorus.PresenceResult, error)
	CodePresence(ctx context.Context, code string, at time.Time, by string) (*chorus.PresenceResult, error)
	TokenPresence(ctx context.Context, token string, at time.Time, by string) (*chorus.PresenceResult, error)
	SignupToken(ctx context.Context, id int64) (string, error)
	SetPresence(ctx context.Context, id int64, in, out time.Time, by string) (*chorus.Signup, error)
	PendingHours(ctx context.Context) (*chorus.HoursQueue, error)
	Claim(ctx context.Context, id int64) (*chorus.Claim, error)
	DecideClaim(ctx context.Context, id int64, c chorus.Confirmer, confirm bool, note string) (*chorus.Claim, error)
	CorrectClaim(ctx context.Context, id int64, minutes int, note string) (*chorus.Claim, error)
	VolunteerFigures(ctx context.Context, year int) ([]chorus.VolunteerFigure, error)
	UnitFigures(ctx context.Context, year int) ([]chorus.UnitFigure, error)
	Certificate(ctx context.Context, id int64, year int) (*chorus.Certificate, error)
}

// volunteerRoutes are the routes of volunteers and their activities.
func (s *Server) volunteerRoutes(staff, kiosk, page func(string, handlerFunc) Route) []Route {
	return []Route{
		staff("GET /api/admin/volunteers", s.listVolunteers),
		staff("POST /api/admin/volunteers", s.saveVolunteer),
		staff("GET /api/admin/volunteers/{id}", s.getVolunteer),
		staff("PUT /api/admin/volunteers/{id}", s.saveVolunteer),
		staff("GET /api/admin/volunteer-figures", s.volunteerFigures),
		page("GET /staff/volunteers/{id}/certificate", s.certificatePage),
		staff("GET /api/admin/volunteer-activities", s.listActivities),
		staff("POST /api/admin/volunteer-activities", s.saveActivity),
		staff("GET /api/admin/volunteer-activities/{id}", s.getActivity),
		staff("PUT /api/admin/volunteer-activities/{id}", s.saveActivity),
		staff("POST /api/admin/volunteer-activities/{id}/shifts", s.addShifts),
		staff("GET /api/admin/shifts/{id}/roster", s.shiftRoster),
		staff("POST /api/admin/shifts/{id}/signups", s.staffSignUp),
		staff("POST /api/admin/shifts/{id}/callout", s.callOut),
		staff("POST /api/admin/shifts/{id}/presence", s.shiftPresence),
		staff("POST /api/admin/signups/{id}/cancel", s.cancelSignup),
		staff("PUT /api/admin/signups/{id}/presence", s.setPresence),
		staff("GET /api/admin/hours", s.pendingHours),
		staff("POST /api/admin/hours/{id}/decide", s.decideClaim),
		staff("POST /api/admin/hours/{id}/correct", s.correctClaim),
		kiosk("GET /api/volunteer-shifts", s.kioskShifts),
		kiosk("POST /api/volunteer-shifts/{id}/signups", s.kioskSignUp),
	}
}

func (s *Server) listVolunteers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Volunteers.Volunteers(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"volunteers": list, "kinds": chorus.ActivityKinds})
	return nil
}

func (s *Server) getVolunteer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Volunteers.Volunteer(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, v)
	return nil
}

// saveVolunteer is POST /api/admin/volunteers (a new one, joined through
// staff) and PUT /api/admin/volunteers/{id}.
func (s *Server) saveVolunteer(w http.ResponseWriter, r *http.Request) error {
	var v chorus.Volunteer
	if err := decode(w, r, &v); err != nil {
		return err
	}
	var before *chorus.Volunteer
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if before, err = s.Volunteers.Volunteer(r.Context(), id); err != nil {
			return err
		}
		v.ID, v.JoinedVia, status = id, before.JoinedVia, http.StatusOK
	} else {
		v.ID, v.JoinedVia = 0, chorus.JoinStaff
	}
	if err := s.Volunteers.SaveVolunteer(r.Context(), &v); err != nil {
		return err
	}
	got, err := s.Volunteers.Volunteer(r.Context(), v.ID)
	if err != nil {
		return err
	}
	auditChange(r, before, got)
	WriteJSON(w, status, got)
	return nil
}

func (s *Server) listActivities(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Volunteers.Activities(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"activities": list, "kinds": chorus.ActivityKinds})
	return nil
}

// getActivity is one activity with its shifts from a week ago on.
func (s *Server) getActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Volunteers.Activity(r.Context(), id, s.Now().AddDate(0, 0, -7))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) saveActivity(w http.ResponseWriter, r *http.Request) error {
	var a chorus.Activity
	if err := decode(w, r, &a); err != nil {
		return err
	}
	var before *chorus.Activity
	status := http.StatusCreated
	a.ID, a.Shifts = 0, nil
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if before, err = s.Volunteers.Activity(r.Context(), id, s.Now()); err != nil {
			return err
		}
		before.Shifts = nil
		a.ID, status = id, http.StatusOK
	}
	if err := s.Volunteers.SaveActivity(r.Context(), &a); err != nil {
		return err
	}
	auditChange(r, before, a)
	WriteJSON(w, status, a)
	return nil
}

// shiftBody is POST /api/admin/volunteer-activities/{id}/shifts.
type shiftBody struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Task     string    `json:"task"`
	Capacity int       `json:"capacity"`
	Weeks    int       `json:"weeks"` // a weekly activity's shift repeats this many weeks; 0 means 1
}

func (s *Server) addShifts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b shiftBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	list, err := s.Volunteers.AddShifts(r.Context(), chorus.Shift{ActivityID: id, Start: b.Start, End: b.End, Task: b.Task,
		Capacity: b.Capacity}, max(b.Weeks, 1))
	if err != nil {
		return err
	}
	auditChange(r, nil, list)
	WriteJSON(w, http.StatusCreated, map[string]any{"shifts": list})
	return nil
}

func (s *Server) shiftRoster(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sh, err := s.Volunteers.Shift(r.Context(), id)
	if err != nil {
		return err
	}
	list, err := s.Volunteers.Roster(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"shift": sh, "signups": list})
	return nil
}

func (s *Server) staffSignUp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		VolunteerID int64 `json:"volunteer_id"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	g, err := s.Volunteers.SignUp(r.Context(), id, b.VolunteerID, chorus.JoinStaff)
	if err != nil {
		return err
	}
	auditChange(r, nil, g)
	WriteJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) callOut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := s.Volunteers.CallOut(r.Context(), id)
	if err != nil {
		return err
	}
	auditChange(r, nil, map[string]any{"shift_id": id, "texted": n})
	WriteJSON(w, http.StatusOK, map[string]any{"texted": n})
	return nil
}

// shiftPresence is a code typed or scanned at a shift's door by staff:
// the first time checks the volunteer in, the second out.
func (s *Server) shiftPresence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Code string    `json:"code"`
		At   time.Time `json:"at,omitzero"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	res, err := s.Volunteers.ShiftPresence(r.Context(), id, b.Code, b.At, string(actor(r)))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) cancelSignup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := s.Volunteers.CancelSignup(r.Context(), id)
	if err != nil {
		return err
	}
	auditChange(r, nil, g)
	WriteJSON(w, http.StatusOK, g)
	return nil
}

// setPresence is staff entering a volunteer's check-in and check-out (a
// forgotten check-out): the hours are proposed again from them.
func (s *Server) setPresence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		CheckIn  time.Time `json:"check_in"`
		CheckOut time.Time `json:"check_out"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	g, err := s.Volunteers.SetPresence(r.Context(), id, b.CheckIn, b.CheckOut, string(actor(r)))
	if err != nil {
		return err
	}
	auditChange(r, nil, g)
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) pendingHours(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Volunteers.PendingHours(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, q)
	return nil
}

// decideClaim is staff confirming or rejecting a proposed claim.
func (s *Server) decideClaim(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Confirm bool   `json:"confirm"`
		Note    string `json:"note"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	before, err := s.Volunteers.Claim(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.Volunteers.DecideClaim(r.Context(), id, chorus.Confirmer{Staff: true, Login: StaffFrom(r.Context()).Username},
		b.Confirm, b.Note)
	if err != nil {
		return err
	}
	auditChange(r, before, c)
	WriteJSON(w, http.StatusOK, c)
	return nil
}

// correctClaim is staff correcting a proposed claim's minutes, with why;
// the audit log keeps the claim before and after.
func (s *Server) correctClaim(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Minutes int    `json:"minutes"`
		Note    string `json:"note"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	before, err := s.Volunteers.Claim(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.Volunteers.CorrectClaim(r.Context(), id, b.Minutes, b.Note)
	if err != nil {
		return err
	}
	auditChange(r, before, c)
	WriteJSON(w, http.StatusOK, c)
	return nil
}

// yearParam reads ?year=, the community's current year by default.
func (s *Server) yearParam(r *http.Request) (int, error) {
	q := r.URL.Query().Get("year")
	if q == "" {
		return s.Now().In(s.Location).Year(), nil
	}
	y, err := strconv.Atoi(q)
	if err != nil || y < 2000 || y > 2100 {
		return 0, chorus.Errorf(chorus.EINVALID, "年份不对。")
	}
	return y, nil
}

func (s *Server) volunteerFigures(w http.ResponseWriter, r *http.Request) error {
	year, err := s.yearParam(r)
	if err != nil {
		return err
	}
	people, err := s.Volunteers.VolunteerFigures(r.Context(), year)
	if err != nil {
		return err
	}
	units, err := s.Volunteers.UnitFigures(r.Context(), year)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"year": year, "volunteers": people, "units": units})
	return nil
}

// kioskShift is a shift as the kiosk's 我要帮忙 lists it: no names.
type kioskShift struct {
	ID       int64     `json:"id"`
	Activity string    `json:"activity"`
	Kind     string    `json:"kind"`
	Place    string    `json:"place"`
	Task     string    `json:"task"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Left     int       `json:"left"`
	Capacity int       `json:"capacity"`
}

// kioskShifts is GET /api/volunteer-shifts: this week's shifts (the next
// 7 days) with the places left.
func (s *Server) kioskShifts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Volunteers.OpenShifts(r.Context(), s.Now().AddDate(0, 0, 7))
	if err != nil {
		return err
	}
	out := make([]kioskShift, 0, len(list))
	for _, sh := range list {
		out = append(out, kioskShift{ID: sh.ID, Activity: sh.Activity, Kind: sh.Kind, Place: sh.Place, Task: sh.Task,
			Start: sh.Start.In(s.Location), End: sh.End.In(s.Location), Left: sh.PlacesLeft(), Capacity: sh.Capacity})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"shifts": out})
	return nil
}

// kioskSignUpBody is POST /api/volunteer-shifts/{id}/signups: a phone
// verified at this kiosk; a phone not yet a volunteer joins with a name
// and consent to be contacted.
type kioskSignUpBody struct {
	Phone   string `json:"phone"`
	Name    string `json:"name,omitempty"`
	Consent bool   `json:"consent,omitempty"`
}

// kioskSignUp signs the volunteer with a phone verified at this kiosk up
// for a shift (or a staff member does it for them). A phone not yet a
// volunteer joins here when a name is given and contact agreed to.
func (s *Server) kioskSignUp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b kioskSignUpBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	phone, err := chorus.NormalizePhone(b.Phone)
	if err != nil {
		return err
	}
	if err := s.requireProof(r, phone); err != nil {
		return err
	}
	if err := s.unmaskName(r, &b.Name, phone); err != nil {
		return err
	}
	sh, err := s.Volunteers.Shift(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := s.Volunteers.VolunteerByPhone(r.Context(), phone)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		if b.Name == "" || !b.Consent {
			return chorus.Errorf(chorus.EINVALID, "第一次报名请写上姓名,并同意社区给您发志愿活动短信。")
		}
		via := chorus.JoinKiosk
		if StaffFrom(r.Context()) != nil {
			via = chorus.JoinStaff
		}
		v = &chorus.Volunteer{Phone: phone, Name: b.Name, Consent: true, Kinds: []string{sh.Kind}, JoinedVia: via}
		err = s.Volunteers.SaveVolunteer(r.Context(), v)
	}
	if err != nil {
		return err
	}
	channel := chorus.JoinKiosk
	if StaffFrom(r.Context()) != nil {
		channel = chorus.JoinStaff
	}
	g, err := s.Volunteers.SignUp(r.Context(), id, v.ID, channel)
	if err != nil {
		return err
	}
	out := map[string]any{"signup": g.For(s.viewer(r, phone)), "shift": kioskShift{ID: sh.ID,
		Activity: sh.Activity, Kind: sh.Kind, Place: sh.Place, Task: sh.Task, Start: sh.Start.In(s.Location),
		End: sh.End.In(s.Location), Capacity: sh.Capacity}}
	if g.Status == chorus.SignupConfirmed {
		// The QR code of the place, shown on this kiosk's done screen
		// only (this answer), as a booking's is: scanned at the door it
		// checks the volunteer in, then out.
		tok, err := s.Volunteers.SignupToken(r.Context(), g.ID)
		if err != nil {
			return err
		}
		out["checkin_token"] = tok
	}
	WriteJSON(w, http.StatusCreated, out)
	return nil
}
