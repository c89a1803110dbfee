package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	events, err := s.Store.UpcomingEvents(r.Context(), s.Now())
	if err != nil {
		return err
	}
	out := make([]eventView, len(events))
	for i, e := range events {
		out[i] = s.eventView(e)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.Store.Event(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.eventView(*e))
	return nil
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) error {
	var in eventInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e := in.event()
	e.ID = 0
	for i := range e.Slots {
		e.Slots[i].ID = 0
	}
	if err := s.Store.CreateEvent(r.Context(), &e); err != nil {
		return err
	}
	return s.writeEvent(w, r, e.ID, http.StatusCreated)
}

// eventInput is an event as staff send it: the form GET returns is
// accepted as is, its computed fields ignored.
type eventInput struct {
	chorus.Event
	Slots []slotInput `json:"slots"`
}

type slotInput struct {
	chorus.Slot
	SeatsLeft *int  `json:"seats_left,omitempty"` // computed; ignored
	Open      *bool `json:"open,omitempty"`       // computed; ignored
}

func (in eventInput) event() chorus.Event {
	e := in.Event
	e.Slots = make([]chorus.Slot, len(in.Slots))
	for i, sl := range in.Slots {
		e.Slots[i] = sl.Slot
	}
	return e
}

func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// Only the fields sent change (decodeOver): a form that sends the
	// title alone cannot erase the description or the slots.
	current, err := s.Store.Event(r.Context(), id)
	if err != nil {
		return err
	}
	var in eventInput
	if err := decodeOver(w, r, current, &in); err != nil {
		return err
	}
	e := in.event()
	e.ID = id
	if err := s.Store.UpdateEvent(r.Context(), &e); err != nil {
		return err
	}
	return s.writeEvent(w, r, id, http.StatusOK)
}

func (s *Server) writeEvent(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	e, err := s.Store.Event(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, status, s.eventView(*e))
	return nil
}

func (s *Server) cancelEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason, err := decodeReason(w, r)
	if err != nil {
		return err
	}
	if err := s.Store.CancelEvent(r.Context(), id, actor(r), reason); err != nil {
		return err
	}
	return s.writeEvent(w, r, id, http.StatusOK)
}

func (s *Server) eventBookings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.Event(r.Context(), id); err != nil {
		return err
	}
	list, err := s.Store.EventBookings(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.bookingView(list[i], chorus.ViewerStaff)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}

// adminEvents lists events for staff by period (?when=upcoming, past,
// cancelled, all), whatever their status.
func (s *Server) adminEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := chorus.ParsePeriod(r.URL.Query().Get("when"))
	if err != nil {
		return err
	}
	events, err := s.Store.ListEvents(r.Context(), p, s.Now())
	if err != nil {
		return err
	}
	out := make([]eventView, len(events))
	for i, e := range events {
		out[i] = s.eventView(e)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}
