package server

import (
	"context"
	"net/http"
	"strconv"
	"sync"
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

// zoneTTL is how long the views keep a community's time zone: a change
// made by another process (chorus community set) shows within it.
const zoneTTL = time.Minute

// zoneCache is a server's cache of the communities' zones.
type zoneCache struct {
	mu sync.Mutex
	m  map[int64]cachedZone
}

type cachedZone struct {
	loc   *time.Location
	until time.Time
}

// viewZones holds each server's zoneCache.
var viewZones sync.Map // *Server -> *zoneCache

// zone returns the time zone of community's records in the views: the
// community's own when the store knows it (ZoneOf), else the deployment's.
func (s *Server) zone(community int64) *time.Location {
	zs, ok := s.Store.(interface {
		ZoneOf(context.Context, int64) *time.Location
	})
	if !ok || community == 0 {
		return s.Location
	}
	c, _ := viewZones.LoadOrStore(s, &zoneCache{m: map[int64]cachedZone{}})
	cache := c.(*zoneCache)
	now := s.Now()
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if z, ok := cache.m[community]; ok && now.Before(z.until) {
		return z.loc
	}
	loc := zs.ZoneOf(context.Background(), community)
	if loc == nil {
		loc = s.Location
	}
	cache.m[community] = cachedZone{loc: loc, until: now.Add(zoneTTL)}
	return loc
}

// eventView shows an event with its times in its community's zone.
func (s *Server) eventView(e chorus.Event) eventView {
	v := eventView{Event: e, Slots: make([]slotView, len(e.Slots))}
	loc := s.zone(e.Community)
	v.CreatedAt = e.CreatedAt.In(loc)
	now := s.Now()
	for i, sl := range e.Slots {
		v.Slots[i] = slotView{ID: sl.ID, Start: sl.Start.In(loc), End: sl.End.In(loc),
			Capacity: sl.Capacity, Taken: sl.Taken, SeatsLeft: sl.SeatsLeft(), Waiting: sl.Waiting,
			Open: e.BookingOpen(sl, now)}
	}
	return v
}

// bookingView shows a booking as v may see it (chorus.Viewer), with times
// in its event's community's zone.
func (s *Server) bookingView(b chorus.Booking, v chorus.Viewer) chorus.Booking {
	b = v.Booking(b)
	loc := s.zone(b.Community)
	b.SlotStart, b.SlotEnd = b.SlotStart.In(loc), b.SlotEnd.In(loc)
	b.CreatedAt = b.CreatedAt.In(loc)
	if !b.Deadline.IsZero() {
		b.Deadline = b.Deadline.In(loc)
	}
	if !b.CheckedInAt.IsZero() {
		b.CheckedInAt = b.CheckedInAt.In(loc)
	}
	return b
}

// enrolmentView shows an enrolment as v may see it, in its programme's
// community's zone.
func (s *Server) enrolmentView(e chorus.Enrolment, v chorus.Viewer) chorus.Enrolment {
	e = v.Enrolment(e)
	loc := s.zone(e.Community)
	e.CreatedAt = e.CreatedAt.In(loc)
	if !e.Deadline.IsZero() {
		e.Deadline = e.Deadline.In(loc)
	}
	return e
}

// orderView shows an order as v may see it, in its community's zone.
func (s *Server) orderView(o chorus.Order, v chorus.Viewer) chorus.Order {
	o = v.Order(o)
	loc := s.zone(o.Community)
	o.CreatedAt = o.CreatedAt.In(loc)
	if !o.AcceptedAt.IsZero() {
		o.AcceptedAt = o.AcceptedAt.In(loc)
	}
	if !o.DoneAt.IsZero() {
		o.DoneAt = o.DoneAt.In(loc)
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
