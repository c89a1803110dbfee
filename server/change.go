package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// moveOwnBooking moves a resident's booking to another slot of its event,
// from the kiosk's "您已经预约过" screen: POST /api/bookings/{id}/move
// {"phone", "slot_id"}. Another phone's booking is not found.
func (s *Server) moveOwnBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Phone  string `json:"phone"`
		SlotID int64  `json:"slot_id"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.SlotID <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请选择要改到的时段。")
	}
	// Moving takes the resident's slot away: a kiosk needs the phone's
	// proof, as for a cancel.
	if err := s.requireProof(r, body.Phone); err != nil {
		return err
	}
	if StaffFrom(r.Context()) != nil {
		// Staff act for residents of the communities they work in.
		if _, err := s.Store.Booking(r.Context(), id); err != nil {
			return err
		}
	}
	b, err := s.Store.MoveOwnBooking(r.Context(), id, body.Phone, body.SlotID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, s.viewer(r, body.Phone)))
	return nil
}

// changeHaircutDay moves a resident's open haircut order to another day,
// from the kiosk's answer to a second request: POST
// /api/haircuts/{id}/day {"phone", "day", "half_day"}.
func (s *Server) changeHaircutDay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Phone   string         `json:"phone"`
		Day     string         `json:"day"`
		HalfDay chorus.HalfDay `json:"half_day"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	// The day decides when someone comes to the resident's door: a kiosk
	// needs the phone's proof, as for a cancel.
	if err := s.requireProof(r, body.Phone); err != nil {
		return err
	}
	o, err := s.Store.ChangeOrderDay(r.Context(), id, body.Phone, body.Day, body.HalfDay)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.orderView(*o, s.viewer(r, body.Phone)))
	return nil
}
