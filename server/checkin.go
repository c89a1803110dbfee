package server

import (
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
	req.Token, req.Actor = TokenFromScan(req.Token), chorus.ActorStaff
	res, err := s.Store.CheckIn(r.Context(), req)
	if err != nil {
		return err
	}
	if res.Booking != nil {
		b := s.bookingView(*res.Booking, true)
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
		list[i] = s.bookingView(list[i], true)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}
