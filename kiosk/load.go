package kiosk

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// loadRetry is how soon a failed read of the store is tried again.
const loadRetry = time.Second

// loadResult is what one read of the store changed for the kiosks: a
// part per community (see loader.parts), the same frames shared by every
// kiosk of it.
type loadResult struct {
	parts map[int64]*partResult
	// announcements are the active ones, on the first load only.
	announcements []chorus.Announcement
	// woke is when the load loop heard of the first commit this load
	// reads; zero for a load no commit woke (the first, a refresh).
	woke time.Time
}

// partResult is what one load changed for the kiosks of one community.
type partResult struct {
	frames []*frame // deltas, in order
	// resnap sends the part's kiosks a snapshot instead of frames: the
	// set of programmes changed, which has no delta, or the community has
	// a part of its own for the first time.
	resnap bool
	shared []byte // the snapshots' common tail
}

// elsewhere keys the part of the kiosks of a community with no event or
// programme of its own: they show the events open to the district only.
const elsewhere int64 = 0

// communityOf returns the community of a record or kiosk, DefaultCommunity
// for one that predates districts (0).
func communityOf(c int64) int64 {
	if c <= 0 {
		return chorus.DefaultCommunity
	}
	return c
}

// partOf returns the part of res that kiosks of community c get.
func (res *loadResult) partOf(c int64) *partResult {
	if p := res.parts[communityOf(c)]; p != nil {
		return p
	}
	return res.parts[elsewhere]
}

// loader keeps what the kiosks were last told of events and programmes and
// turns fresh reads of the store into deltas. Only the load goroutine uses it.
type loader struct {
	h      *Hub
	loaded bool
	now    time.Time // of the last read of events
	// events and programmes are every community's, as last read; views
	// renders the events by id (h.EventView), once for every community.
	events     []chorus.Event
	programmes []chorus.Programme
	views      map[int64]any
	// parts holds what each community's kiosks were last told: their
	// community's events and those open to the district, their
	// community's programmes. A community keeps its part once it had one.
	parts map[int64]*part
}

// part is what the kiosks of one community were last told.
type part struct {
	community  int64 // elsewhere: district-open events only
	fresh      bool  // made by this load
	now        time.Time
	events     []chorus.Event
	eventIdx   map[int64]int
	programmes []chorus.Programme
	views      []any
	shared     []byte // the snapshots' tail, as last encoded
}

// shows reports whether the kiosks of p show event e.
func (p *part) shows(e *chorus.Event) bool {
	return e.DistrictOpen || (p.community != elsewhere && communityOf(e.Community) == p.community)
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
	// events and programmes say what to read again; full, that every
	// upcoming event must be read, not only those noted (noted, slots:
	// see NoteChanged).
	events, programmes, full := true, true, true
	noted, slots := map[int64]bool{}, map[int64]bool{}
	var woke time.Time // when a commit first woke the loader since its last load
	for {
		if l.loaded || retry != nil {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				if woke.IsZero() {
					woke = time.Now()
				}
				for _, t := range changes.Take() {
					switch t {
					case push.Events:
						events = true
						ev, sl := h.takeNoted()
						if len(ev) == 0 && len(sl) == 0 {
							full = true // a publication that noted nothing
						}
						maps.Copy(noted, ev)
						maps.Copy(slots, sl)
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
				events, programmes, full = true, true, true
			case <-closing.C:
				events, full = true, true
			case <-retry:
			}
		}
		retry = nil
		if !events && !programmes {
			continue
		}
		res, err := l.load(ctx, events, programmes, full, noted, slots)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.Logger.Error("kiosk hub: read store", "err", err)
			retry = time.After(loadRetry)
			continue
		}
		res.woke, woke = woke, time.Time{}
		events, programmes, full = false, false, false
		clear(noted)
		clear(slots)
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

// load re-reads events and/or programmes (everything on the first load;
// of the events, unless full, only those noted and those of the slots
// noted when it can) and returns, for each community's kiosks, the deltas
// from what they were last told.
func (l *loader) load(ctx context.Context, events, programmes, full bool, noted, slots map[int64]bool) (loadResult, error) {
	h := l.h
	var res loadResult
	now := h.Now()
	first := !l.loaded
	if first {
		anns, err := h.Store.LiveAnnouncements(ctx, now)
		if err != nil {
			return res, fmt.Errorf("announcements: %w", err)
		}
		res.announcements = anns
		events, programmes = true, true
		l.parts = map[int64]*part{elsewhere: {community: elsewhere}}
	}
	if events && !first && !full {
		done, err := l.reread(ctx, now, noted, slots)
		if err != nil {
			return res, err
		}
		full = !done
	}
	if events && (first || full) {
		list, err := h.Store.DistrictUpcomingEvents(ctx, now)
		if err != nil {
			return res, fmt.Errorf("events: %w", err)
		}
		l.events, l.now = list, now
		l.views = make(map[int64]any, len(list))
		for _, e := range list {
			l.views[e.ID] = l.view(e)
			l.addPart(e.Community)
		}
	}
	if programmes {
		list, err := h.Store.DistrictProgrammes(ctx, now)
		if err != nil {
			return res, fmt.Errorf("programmes: %w", err)
		}
		l.programmes = list
		for _, p := range list {
			l.addPart(p.Community)
		}
	}
	// A delta is encoded once per load and shared by every part.
	frames := map[string]*frame{}
	res.parts = make(map[int64]*partResult, len(l.parts))
	for c, p := range l.parts {
		r := &partResult{resnap: p.fresh && !first}
		if events || p.fresh {
			var list []chorus.Event
			for i := range l.events {
				if p.shows(&l.events[i]) {
					list = append(list, l.events[i])
				}
			}
			if !first && !p.fresh {
				r.frames = l.eventDeltas(p, list, now, frames)
			}
			l.setEvents(p, list)
		}
		if programmes || p.fresh {
			list := []chorus.Programme{}
			for _, g := range l.programmes {
				if p.community != elsewhere && communityOf(g.Community) == p.community {
					list = append(list, g)
				}
			}
			if !first && !p.fresh {
				fs, resnap := l.programmeDeltas(p, list, frames)
				r.frames = append(r.frames, fs...)
				r.resnap = r.resnap || resnap
			}
			p.programmes = list
		}
		// A part nothing changed for (a booking in another community)
		// keeps its tail: its kiosks were told nothing new.
		if p.shared == nil || p.fresh || r.resnap || len(r.frames) > 0 {
			shared, err := jsonTail(sharedPart{Events: p.views, Programmes: p.programmes})
			if err != nil {
				return res, fmt.Errorf("encode snapshot: %w", err)
			}
			p.shared = shared
		}
		p.fresh = false
		r.shared = p.shared
		res.parts[c] = r
	}
	l.loaded = true
	return res, nil
}

// maxReread bounds the events read again by id after commits; past it
// the loader reads every upcoming event, as one query.
const maxReread = 200

// reread reads again the events of noted and of the slots noted, and puts
// them in place of what was read before (an event no longer upcoming
// leaves), in the order DistrictUpcomingEvents gives. It reports false,
// having changed nothing, when it cannot tell which events those are (a
// slot of an event it never read: a new event) or they are too many: the
// caller then reads every upcoming event.
func (l *loader) reread(ctx context.Context, now time.Time, noted, slots map[int64]bool) (bool, error) {
	want := maps.Clone(noted)
	if want == nil {
		want = map[int64]bool{}
	}
	if len(slots) > 0 {
		of := map[int64]int64{}
		for _, e := range l.events {
			for _, s := range e.Slots {
				of[s.ID] = e.ID
			}
		}
		for id := range slots {
			e, ok := of[id]
			if !ok {
				return false, nil
			}
			want[e] = true
		}
	}
	if len(want) == 0 || len(want) > maxReread {
		return len(want) == 0, nil
	}
	got, err := l.h.Store.DistrictUpcomingEventsIn(ctx, now, slices.Sorted(maps.Keys(want)))
	if err != nil {
		return false, fmt.Errorf("events %v: %w", slices.Sorted(maps.Keys(want)), err)
	}
	list := make([]chorus.Event, 0, len(l.events)+len(got))
	for _, e := range l.events {
		if want[e.ID] {
			delete(l.views, e.ID)
			continue
		}
		list = append(list, e)
	}
	for _, e := range got {
		list = append(list, e)
		l.views[e.ID] = l.view(e)
		l.addPart(e.Community)
	}
	slices.SortStableFunc(list, func(a, b chorus.Event) int {
		if c := firstStart(a).Compare(firstStart(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	l.events, l.now = list, now
	return true, nil
}

// firstStart is when e's first slot starts, as DistrictUpcomingEvents
// orders events.
func firstStart(e chorus.Event) time.Time {
	var first time.Time
	for _, s := range e.Slots {
		if first.IsZero() || s.Start.Before(first) {
			first = s.Start
		}
	}
	return first
}

// addPart makes community c's part if it has none yet.
func (l *loader) addPart(c int64) {
	c = communityOf(c)
	if l.parts[c] == nil {
		l.parts[c] = &part{community: c, fresh: true, programmes: []chorus.Programme{}}
	}
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

func (l *loader) setEvents(p *part, list []chorus.Event) {
	p.events, p.now = list, l.now
	p.eventIdx = make(map[int64]int, len(list))
	p.views = make([]any, len(list))
	for i, e := range list {
		p.eventIdx[e.ID] = i
		p.views[i] = l.views[e.ID]
	}
}

func (l *loader) view(e chorus.Event) any {
	if l.h.EventView != nil {
		return l.h.EventView(e)
	}
	return e
}

// shared returns the frame of key made in this load, making it with make
// mk on first use: a delta is encoded once for every part that sends it.
func (l *loader) shared(frames map[string]*frame, key string, mk func() *frame) *frame {
	if f, ok := frames[key]; ok {
		return f
	}
	f := mk()
	frames[key] = f
	return f
}

// eventDeltas compares a part's fresh events with its last ones: a new or
// reshaped event is sent whole, a slot whose seats, waitlist or open state
// moved as "seats", an event gone (cancelled, closed, over, no longer open
// to the district) as "event_removed".
func (l *loader) eventDeltas(p *part, list []chorus.Event, now time.Time, frames map[string]*frame) []*frame {
	var out []*frame
	fresh := make(map[int64]bool, len(list))
	for _, e := range list {
		fresh[e.ID] = true
		i, ok := p.eventIdx[e.ID]
		if !ok || !sameEvent(&p.events[i], &e) {
			out = append(out, l.shared(frames, fmt.Sprint("e", e.ID), func() *frame {
				return l.h.encode(eventMsg{header: head(TypeEvent), Event: l.views[e.ID]})
			}))
			continue
		}
		old := &p.events[i]
		for j, s := range e.Slots {
			o := old.Slots[j]
			open := e.BookingOpen(s, now)
			if s.SeatsLeft() != o.SeatsLeft() || s.Waiting != o.Waiting || open != old.BookingOpen(o, p.now) {
				out = append(out, l.shared(frames, fmt.Sprint("s", s.ID), func() *frame {
					return l.h.encode(seatsMsg{header: head(TypeSeats), EventID: e.ID, SlotID: s.ID,
						SeatsLeft: s.SeatsLeft(), Waiting: s.Waiting, Open: open})
				}))
			}
		}
	}
	for _, e := range p.events {
		if !fresh[e.ID] {
			out = append(out, l.shared(frames, fmt.Sprint("r", e.ID), func() *frame {
				return l.h.encode(eventRemovedMsg{header: head(TypeEventRemoved), EventID: e.ID})
			}))
		}
	}
	return out
}

// sameEvent reports whether two reads of an event differ in nothing but
// seats taken and waiting.
func sameEvent(a, b *chorus.Event) bool {
	if a.Kind != b.Kind || a.Title != b.Title || a.Description != b.Description || a.PlaceID != b.PlaceID ||
		a.Place != b.Place || a.PartnerID != b.PartnerID || a.Partner != b.Partner || a.Waitlist != b.Waitlist ||
		a.CutoffMinutes != b.CutoffMinutes || a.Status != b.Status || len(a.Slots) != len(b.Slots) ||
		a.Community != b.Community || a.CommunityName != b.CommunityName || a.DistrictOpen != b.DistrictOpen {
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

// programmeDeltas compares a part's fresh programmes with its last ones:
// places or waitlist moved go as "programme"; any other difference, a
// programme added, removed or edited, asks for snapshots.
func (l *loader) programmeDeltas(pt *part, list []chorus.Programme, shared map[string]*frame) (frames []*frame, resnap bool) {
	if len(list) != len(pt.programmes) {
		return nil, true
	}
	for i := range list {
		p, o := &list[i], &pt.programmes[i]
		if !sameProgramme(o, p) {
			return nil, true
		}
		if p.PlacesLeft() != o.PlacesLeft() || p.Waiting != o.Waiting {
			frames = append(frames, l.shared(shared, fmt.Sprint("p", p.ID), func() *frame {
				return l.h.encode(programmeMsg{header: head(TypeProgramme), ProgrammeID: p.ID,
					PlacesLeft: p.PlacesLeft(), Waiting: p.Waiting})
			}))
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
