package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// createBooking books a seat for a resident. A repeated request (same
// phone and event, or the same idempotency key) answers 200 with the
// existing booking instead of 201.
func (s *Server) createBooking(w http.ResponseWriter, r *http.Request) error {
	return s.book(w, r, false)
}

// staffBooking books on behalf of a resident who phoned: confirmed at once.
func (s *Server) staffBooking(w http.ResponseWriter, r *http.Request) error {
	return s.book(w, r, true)
}

func (s *Server) book(w http.ResponseWriter, r *http.Request, staff bool) error {
	var req chorus.BookingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" && req.IdempotencyKey == "" {
		req.IdempotencyKey = k
	}
	req.Source, req.Actor = "api", chorus.ActorResident
	if staff {
		req.Source, req.Actor, req.Confirmed = "staff", actor(r), true
	}
	b, err := s.Store.Book(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if b.Existing {
		status = http.StatusOK
	}
	v := s.bookingView(*b, !staff)
	if b.Existing && !staff && !s.trusted(r) {
		// Anyone can type someone's phone: only a kiosk or staff see the
		// code and name of a booking the phone already held.
		v.Code, v.CheckinToken, v.Name = "", "", ""
	}
	WriteJSON(w, status, v)
	return nil
}

// lookupBookings lists a phone's live bookings.
func (s *Server) lookupBookings(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	list, err := s.Store.BookingsByPhone(r.Context(), phone)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.bookingView(list[i], true)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}

// residentBooking reads the booking of the path's id whose phone matches
// the body's {"phone"}: a resident acting on their own booking. Another
// phone's booking is not found, as if it did not exist.
func (s *Server) residentBooking(w http.ResponseWriter, r *http.Request) (*chorus.Booking, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var body struct {
		Phone string `json:"phone"`
	}
	if err := decode(w, r, &body); err != nil {
		return nil, err
	}
	phone, err := chorus.NormalizePhone(body.Phone)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Booking(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if b.Phone != phone {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
	}
	return b, nil
}

// cancelBooking cancels a resident's booking; the phone must match.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	b, err := s.residentBooking(w, r)
	if err != nil {
		return err
	}
	b, err = s.Store.Transition(r.Context(), b.ID, chorus.StatusCancelled, chorus.ActorResident, "居民取消")
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, true))
	return nil
}

func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Store.Booking(r.Context(), id)
	if err != nil {
		return err
	}
	hist, err := s.Store.History(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range hist {
		hist[i].At = hist[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"booking": s.bookingView(*b, false), "history": hist})
	return nil
}

// transitionBooking lets staff move a booking: confirm, cancel, check in,
// undo a check-in.
func (s *Server) transitionBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		To     chorus.Status `json:"to"`
		Reason string        `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.To.Label() == "" {
		return chorus.Errorf(chorus.EINVALID, "不认识的预约状态。")
	}
	b, err := s.Store.Transition(r.Context(), id, body.To, actor(r), chorus.Shorten(body.Reason, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, false))
	return nil
}

// moveBooking moves a booking to another slot of its event, keeping its
// id and check-in code: POST /api/admin/bookings/{id}/move {"slot_id"}.
func (s *Server) moveBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		SlotID int64  `json:"slot_id"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.SlotID <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请选择要改到的时段。")
	}
	b, err := s.Store.MoveBooking(r.Context(), id, body.SlotID, actor(r), chorus.Shorten(body.Reason, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, false))
	return nil
}
