package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// slotView is a slot as the API shows it: local times and seats left.
type slotView struct {
	ID        int64     `json:"id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Capacity  int       `json:"capacity"`
	Taken     int       `json:"taken"`
	SeatsLeft int       `json:"seats_left"`
	Waiting   int       `json:"waiting"`
	// Open is false once booking of the slot has closed.
	Open bool `json:"open"`
}

// eventView is an event as the API shows it.
type eventView struct {
	chorus.Event
	Slots []slotView `json:"slots"`
}

func (s *Server) eventView(e chorus.Event) eventView {
	v := eventView{Event: e, Slots: make([]slotView, len(e.Slots))}
	v.CreatedAt = e.CreatedAt.In(s.Location)
	now := s.Now()
	for i, sl := range e.Slots {
		v.Slots[i] = slotView{ID: sl.ID, Start: sl.Start.In(s.Location), End: sl.End.In(s.Location),
			Capacity: sl.Capacity, Taken: sl.Taken, SeatsLeft: sl.SeatsLeft(), Waiting: sl.Waiting,
			Open: e.BookingOpen(sl, now)}
	}
	return v
}

// bookingView shows a booking as v may see it (chorus.Viewer), with times
// in the community's zone.
func (s *Server) bookingView(b chorus.Booking, v chorus.Viewer) chorus.Booking {
	b = v.Booking(b)
	b.SlotStart, b.SlotEnd = b.SlotStart.In(s.Location), b.SlotEnd.In(s.Location)
	b.CreatedAt = b.CreatedAt.In(s.Location)
	if !b.Deadline.IsZero() {
		b.Deadline = b.Deadline.In(s.Location)
	}
	if !b.CheckedInAt.IsZero() {
		b.CheckedInAt = b.CheckedInAt.In(s.Location)
	}
	return b
}

// enrolmentView shows an enrolment as v may see it.
func (s *Server) enrolmentView(e chorus.Enrolment, v chorus.Viewer) chorus.Enrolment {
	e = v.Enrolment(e)
	e.CreatedAt = e.CreatedAt.In(s.Location)
	if !e.Deadline.IsZero() {
		e.Deadline = e.Deadline.In(s.Location)
	}
	return e
}

// orderView shows an order as v may see it.
func (s *Server) orderView(o chorus.Order, v chorus.Viewer) chorus.Order {
	o = v.Order(o)
	o.CreatedAt = o.CreatedAt.In(s.Location)
	if !o.AcceptedAt.IsZero() {
		o.AcceptedAt = o.AcceptedAt.In(s.Location)
	}
	if !o.DoneAt.IsZero() {
		o.DoneAt = o.DoneAt.In(s.Location)
	}
	return o
}

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, chorus.Errorf(chorus.ENOTFOUND, "没有找到这一项。")
	}
	return id, nil
}

// queryPhone reads and normalises the phone query parameter.
func queryPhone(r *http.Request) (string, error) {
	return chorus.NormalizePhone(r.URL.Query().Get("phone"))
}

// today returns the community's current date as YYYY-MM-DD.
func (s *Server) today() string { return s.Now().In(s.Location).Format(time.DateOnly) }
