package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// checkinLink is where a QR code leads: a staff phone's camera opens it,
// and the staff check-in page takes it from there.
func (s *Server) checkinLink(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/staff/checkin#t="+url.PathEscape(r.PathValue("token")), http.StatusFound)
}

// TokenFromScan takes a check-in token out of what a scanner typed: the
// whole /c/<token> URL, or the token alone.
func TokenFromScan(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/c/"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "?#/ "); i >= 0 {
		s = s[:i]
	}
	return s
}

// checkin checks a booking in at an event's door (staff).
func (s *Server) checkin(w http.ResponseWriter, r *http.Request) error {
	var req chorus.CheckinRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	req.Token, req.Actor = TokenFromScan(req.Token), actor(r)
	res, err := s.Store.CheckIn(r.Context(), req)
	if err != nil {
		return err
	}
	if res.Outcome == chorus.CheckinUnknown && (req.Code != "" || req.Token != "") {
		// A volunteer's code or QR code at the same door (issue 20).
		if p, ok, err := s.volunteerPresence(r.Context(), req.Code, req.Token, req.Actor); err != nil {
			return err
		} else if ok {
			WriteJSON(w, http.StatusOK, p)
			return nil
		}
	}
	if res.Booking != nil {
		b := s.bookingView(*res.Booking, chorus.ViewerDoor)
		res.Booking = &b
	}
	if !res.FirstAt.IsZero() {
		res.FirstAt = res.FirstAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

// presenceAnswer is a volunteer's presence as a check-in door shows it:
// the outcome and sentence of a booking's check-in, the big word, and the
// activity and time where a booking's event and slot go; no code, no
// phone.
type presenceAnswer struct {
	Outcome chorus.CheckinOutcome `json:"outcome"`
	Message string                `json:"message"`
	Word    string                `json:"word"`
	Booking map[string]any        `json:"booking"`
}

// volunteerPresence checks a volunteer in or out by the code typed, or
// the token of the QR code scanned, at a booking's door when no booking
// (nor class enrolment) has it; ok is false when no volunteer's signup has
// it either (the door's own "unknown" answer stands).
func (s *Server) volunteerPresence(ctx context.Context, code, token string, by chorus.Actor) (*presenceAnswer, bool, error) {
	if s.Volunteers == nil {
		return nil, false, nil
	}
	var p *chorus.PresenceResult
	var err error
	if token != "" {
		p, err = s.Volunteers.TokenPresence(ctx, token, time.Time{}, string(by))
	} else {
		p, err = s.Volunteers.CodePresence(ctx, code, time.Time{}, string(by))
	}
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	a := &presenceAnswer{Outcome: p.CheckinOutcome(), Message: p.Message, Word: p.Word()}
	if sh, err := s.Volunteers.Shift(ctx, p.Signup.ShiftID); err == nil {
		a.Booking = map[string]any{"name": p.Signup.Volunteer, "event_title": sh.Activity,
			"slot_start": sh.Start.In(s.Location), "slot_end": sh.End.In(s.Location)}
	}
	return a, true, nil
}

func (s *Server) attendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Store.Attendance(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a)
	return nil
}

// searchBookings finds an event's bookings by the last 4 digits of the
// phone or the name, for residents who came with nothing.
func (s *Server) searchBookings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.Store.SearchBookings(r.Context(), id, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.bookingView(list[i], chorus.ViewerDoor)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}

// kioskCheckin checks a resident in at a kiosk in check-in mode: the
// kiosk's camera or scanner read the QR code, or the resident typed the
// code. Only the event the kiosk is set to is accepted.
func (s *Server) kioskCheckin(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authKiosk(r)
	if err != nil {
		return err
	}
	var body struct {
		Token string `json:"token"`
		Code  string `json:"code"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if k.Mode.Kind != chorus.KioskCheckin || (k.Mode.EventID == 0 && k.Mode.ClassID == 0) {
		return chorus.Errorf(chorus.ECONFLICT, "这台自助机现在不办理签到,请找工作人员。")
	}
	// Set to a class, the kiosk checks in at its session of the day, by
	// the class's own path (chorus.DecideClassCheckin), as the door does.
	req := chorus.CheckinRequest{EventID: k.Mode.EventID, ClassID: k.Mode.ClassID, Token: TokenFromScan(body.Token), Code: body.Code,
		Actor: chorus.Actor(fmt.Sprintf("kiosk:%d", k.ID))}
	if req.Token == "" && req.Code == "" {
		return chorus.Errorf(chorus.EINVALID, "请扫描二维码或输入6位签到码。")
	}
	// The kiosk checks in its own community's events (one open to the
	// district at its host's kiosks only), whatever the route's scope.
	ctx := chorus.WithScope(r.Context(), chorus.Scope{Community: k.Community})
	res, err := s.Store.CheckIn(ctx, req)
	if err != nil {
		return err
	}
	if res.Outcome == chorus.CheckinUnknown && (req.Code != "" || req.Token != "") {
		// Not a booking of the event: a volunteer's code or QR code for
		// a shift going on now (issue 20), at the same door.
		if p, ok, err := s.volunteerPresence(ctx, req.Code, req.Token, req.Actor); err != nil {
			return err
		} else if ok {
			WriteJSON(w, http.StatusOK, p)
			return nil
		}
	}
	// The screen greets by name and shows the time only: no phone, no code.
	out := map[string]any{"outcome": res.Outcome, "message": res.Message}
	if b := res.Booking; b != nil {
		out["booking"] = map[string]any{"name": b.Name, "event_title": b.EventTitle,
			"slot_start": b.SlotStart.In(s.Location), "slot_end": b.SlotEnd.In(s.Location)}
	}
	if !res.FirstAt.IsZero() {
		out["first_at"] = res.FirstAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}
