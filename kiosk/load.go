package kiosk

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// loadRetry is how soon a failed read of the store is tried again.
const loadRetry = time.Second

// loadResult is what one read of the store changed for the kiosks.
type loadResult struct {
	frames []*frame // deltas, in order
	// resnap sends every kiosk a snapshot instead of frames: the set of
	// programmes changed, which has no delta.
	resnap bool
	shared []byte // the snapshots' common tail
	// announcements are the active ones, on the first load only.
	announcements []chorus.Announcement
}

// loader keeps what the kiosks were last told of events and programmes and
// turns fresh reads of the store into deltas. Only the load goroutine uses it.
type loader struct {
	h          *Hub
	loaded     bool
	now        time.Time // of the last read of events
	events     []chorus.Event
	eventIdx   map[int64]int
	programmes []chorus.Programme
	views      []any // events rendered by h.EventView
}

// loadLoop reads the store when changes wakes it (the broker coalesces
// the commits made meanwhile into one wake-up naming their topics), or
// every RefreshEvery, and hands the results to the hub. It runs outside
// the store's writer, so a slow read never holds a booking up.
func (h *Hub) loadLoop(ctx context.Context, changes *push.Sub) {
	l := &loader{h: h}
	every := h.RefreshEvery
	if every <= 0 {
		every = DefaultRefreshEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	// closing fires when the next slot's booking closes (its cut-off), so
	// that kiosks see it closed at once rather than at the next refresh.
	closing := time.NewTimer(time.Hour)
	closing.Stop()
	defer closing.Stop()
	var retry <-chan time.Time
	wake, closed := changes.Wake(), changes.Done()
	events, programmes := true, true
	for {
		if l.loaded || retry != nil {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				for _, t := range changes.Take() {
					switch t {
					case push.Events:
						events = true
					case push.Programmes:
						programmes = true
					}
				}
			case <-closed:
				// The broker closed (the server shuts down): only the
				// refresh and the cut-offs wake the loader now.
				wake, closed = nil, nil
				continue
			case <-tick.C:
				events, programmes = true, true
			case <-closing.C:
				events = true
			case <-retry:
			}
		}
		retry = nil
		if !events && !programmes {
			continue
		}
		res, err := l.load(ctx, events, programmes)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.Logger.Error("kiosk hub: read store", "err", err)
			retry = time.After(loadRetry)
			continue
		}
		events, programmes = false, false
		closing.Stop()
		if at := l.nextClose(); !at.IsZero() {
			closing.Reset(max(0, at.Sub(h.Now())))
		}
		select {
		case h.loaded <- res:
		case <-ctx.Done():
			return
		}
	}
}

// load re-reads events and/or programmes (everything on the first load)
// and returns the deltas from what the kiosks were last told.
func (l *loader) load(ctx context.Context, events, programmes bool) (loadResult, error) {
	h := l.h
	var res loadResult
	now := h.Now()
	first := !l.loaded
	if first {
		anns, err := h.Store.Announcements(ctx, now)
		if err != nil {
			return res, fmt.Errorf("announcements: %w", err)
		}
		res.announcements = anns
		events, programmes = true, true
	}
	if events {
		list, err := h.Store.UpcomingEvents(ctx, now)
		if err != nil {
			return res, fmt.Errorf("events: %w", err)
		}
		if !first {
			res.frames = l.eventDeltas(list, now)
		}
		l.setEvents(list, now)
	}
	if programmes {
		today := now.In(h.Location).Format(time.DateOnly)
		list, err := h.Store.Programmes(ctx, today)
		if err != nil {
			return res, fmt.Errorf("programmes: %w", err)
		}
		if !first {
			frames, resnap := l.programmeDeltas(list)
			res.frames = append(res.frames, frames...)
			res.resnap = resnap
		}
		l.programmes = list
	}
	shared, err := jsonTail(sharedPart{Events: l.views, Programmes: l.programmes})
	if err != nil {
		return res, fmt.Errorf("encode snapshot: %w", err)
	}
	res.shared = shared
	l.loaded = true
	return res, nil
}

// nextClose returns when the next slot of the events last read stops
// taking bookings, or the zero time when none will.
func (l *loader) nextClose() time.Time {
	var next time.Time
	for _, e := range l.events {
		for _, s := range e.Slots {
			if !e.BookingOpen(s, l.now) {
				continue
			}
			if at := e.BookingCloses(s); next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	return next
}

func (l *loader) setEvents(list []chorus.Event, now time.Time) {
	l.events, l.now = list, now
	l.eventIdx = make(map[int64]int, len(list))
	l.views = make([]any, len(list))
	for i, e := range list {
		l.eventIdx[e.ID] = i
		l.views[i] = l.view(e)
	}
}

func (l *loader) view(e chorus.Event) any {
	if l.h.EventView != nil {
		return l.h.EventView(e)
	}
	return e
}

// eventDeltas compares fresh events with the last ones: a new or reshaped
// event is sent whole, a slot whose seats, waitlist or open state moved as
// "seats", an event gone (cancelled, closed, over) as "event_removed".
func (l *loader) eventDeltas(list []chorus.Event, now time.Time) []*frame {
	var out []*frame
	fresh := make(map[int64]bool, len(list))
	for _, e := range list {
		fresh[e.ID] = true
		i, ok := l.eventIdx[e.ID]
		if !ok || !sameEvent(&l.events[i], &e) {
			out = append(out, l.h.encode(eventMsg{header: head(TypeEvent), Event: l.view(e)}))
			continue
		}
		old := &l.events[i]
		for j, s := range e.Slots {
			o := old.Slots[j]
			open := e.BookingOpen(s, now)
			if s.SeatsLeft() != o.SeatsLeft() || s.Waiting != o.Waiting || open != old.BookingOpen(o, l.now) {
				out = append(out, l.h.encode(seatsMsg{header: head(TypeSeats), EventID: e.ID, SlotID: s.ID,
					SeatsLeft: s.SeatsLeft(), Waiting: s.Waiting, Open: open}))
			}
		}
	}
	for _, e := range l.events {
		if !fresh[e.ID] {
			out = append(out, l.h.encode(eventRemovedMsg{header: head(TypeEventRemoved), EventID: e.ID}))
		}
	}
	return out
}

// sameEvent reports whether two reads of an event differ in nothing but
// seats taken and waiting.
func sameEvent(a, b *chorus.Event) bool {
	if a.Kind != b.Kind || a.Title != b.Title || a.Description != b.Description || a.PlaceID != b.PlaceID ||
		a.Place != b.Place || a.PartnerID != b.PartnerID || a.Partner != b.Partner || a.Waitlist != b.Waitlist ||
		a.CutoffMinutes != b.CutoffMinutes || a.Status != b.Status || len(a.Slots) != len(b.Slots) {
		return false
	}
	for i := range a.Slots {
		s, t := &a.Slots[i], &b.Slots[i]
		if s.ID != t.ID || !s.Start.Equal(t.Start) || !s.End.Equal(t.End) || s.Capacity != t.Capacity {
			return false
		}
	}
	return true
}

// programmeDeltas compares fresh programmes with the last ones: places or
// waitlist moved go as "programme"; any other difference, a programme
// added, removed or edited, asks for snapshots.
func (l *loader) programmeDeltas(list []chorus.Programme) (frames []*frame, resnap bool) {
	if len(list) != len(l.programmes) {
		return nil, true
	}
	for i := range list {
		p, o := &list[i], &l.programmes[i]
		if !sameProgramme(o, p) {
			return nil, true
		}
		if p.PlacesLeft() != o.PlacesLeft() || p.Waiting != o.Waiting {
			frames = append(frames, l.h.encode(programmeMsg{header: head(TypeProgramme), ProgrammeID: p.ID,
				PlacesLeft: p.PlacesLeft(), Waiting: p.Waiting}))
		}
	}
	return frames, false
}

// sameProgramme reports whether two reads of a programme differ in nothing
// but places taken and waiting.
func sameProgramme(a, b *chorus.Programme) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Description == b.Description && a.PlaceID == b.PlaceID &&
		a.Place == b.Place && a.PartnerID == b.PartnerID && a.Partner == b.Partner && a.StartDate == b.StartDate &&
		a.EndDate == b.EndDate && a.MinAge == b.MinAge && a.MaxAge == b.MaxAge && a.Capacity == b.Capacity &&
		a.Status == b.Status
}
