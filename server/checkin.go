package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
