package kiosk_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/push"
)

// countingStore is a districtStore that leaves out events not open (as
// the store's upcoming reads do) and counts its reads of every upcoming
// event, telling each on full.
type countingStore struct {
	districtStore
	mu    sync.Mutex
	fulls int
	ins   [][]int64
	full  chan struct{}
}

func (s *countingStore) open(ctx context.Context, now time.Time) []chorus.Event {
	all, _ := s.districtStore.DistrictUpcomingEvents(ctx, now)
	return slices.DeleteFunc(all, func(e chorus.Event) bool { return e.Status != chorus.EventOpen })
}

func (s *countingStore) DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	s.mu.Lock()
	s.fulls++
	s.mu.Unlock()
	defer func() { s.full <- struct{}{} }()
	return s.open(ctx, now), nil
}

func (s *countingStore) DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error) {
	s.mu.Lock()
	s.ins = append(s.ins, ids)
	s.mu.Unlock()
	return eventsIn(s.open(ctx, now), ids), nil
}

func (s *countingStore) counts() (int, [][]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fulls, slices.Clone(s.ins)
}

// setStatus sets event id's status.
func (s *countingStore) setStatus(id int64, st chorus.EventStatus) {
	s.districtStore.mu.Lock()
	defer s.districtStore.mu.Unlock()
	for i := range s.events {
		if s.events[i].ID == id {
			s.events[i].Status = st
		}
	}
}

// TestHub_ReadsWhatChanged (issues 16 and 18): after a commit the hub
// reads again only the events the commit changed (NoteChanged: an
// event's id, or a slot's), not every upcoming event of every community,
// and the kiosks get the same deltas as before: a seat taken, an event
// cancelled. A slot it never read (a new event) and a publication that
// noted nothing (Refresh) read everything, as before.
func TestHub_ReadsWhatChanged(t *testing.T) {
	start := time.Now().Add(48 * time.Hour)
	slot := func(id int64) []chorus.Slot {
		return []chorus.Slot{{ID: 10 * id, EventID: id, Start: start.Add(time.Duration(id) * time.Hour),
			End: start.Add(time.Duration(id+1) * time.Hour), Capacity: 10}}
	}
	ev := func(id, community int64, title string, open bool) chorus.Event {
		return chorus.Event{ID: id, Kind: chorus.ServiceLecture, Title: title, PlaceID: 1, Status: chorus.EventOpen,
			Slots: slot(id), Community: community, DistrictOpen: open}
	}
	store := &countingStore{full: make(chan struct{}, 16)}
	store.events = []chorus.Event{ev(1, 1, "光华街义诊", false), ev(2, 1, "小礼堂健康讲座", true), ev(3, 2, "靓丽星期五", false)}
	hub, dial := districtHub(t, store)
	a, b := dial(1, 1), dial(2, 2)
	a.expect(t, kiosk.TypeSnapshot)
	b.expect(t, kiosk.TypeSnapshot)
	<-store.full // the first load
	fulls, _ := store.counts()

	// A seat taken at the clinic: the hub is told its slot.
	store.take(1)
	hub.NoteChanged(nil, []int64{10})
	hub.Changes.Publish(push.Events)
	if m := a.expect(t, kiosk.TypeSeats); m.EventID != 1 || m.SeatsLeft != 9 {
		t.Fatalf("光华街's kiosk: %s", m.Raw)
	}
	// The lecture open to the district is cancelled: the hub is told its id.
	store.setStatus(2, chorus.EventCancelled)
	hub.NoteChanged([]int64{2}, nil)
	hub.Changes.Publish(push.Events)
	for name, k := range map[string]*kclient{"光华街": a, "和泽苑": b} {
		if m := k.expect(t, kiosk.TypeEventRemoved); m.EventID != 2 {
			t.Fatalf("%s's kiosk: %s", name, m.Raw)
		}
	}
	if n, ins := store.counts(); n != fulls || len(ins) != 2 || !slices.Equal(ins[0], []int64{1}) || !slices.Equal(ins[1], []int64{2}) {
		t.Fatalf("reads after two commits: %d of everything (%d before), by id %v; want none, [[1] [2]]", n, fulls, ins)
	}

	// A new event of 和泽苑: its slot is unknown to the hub, which reads
	// everything, and 和泽苑's kiosk gets it in order.
	store.districtStore.mu.Lock()
	store.events = append(store.events, ev(4, 2, "和泽苑茶艺课", false))
	store.districtStore.mu.Unlock()
	hub.NoteChanged([]int64{4}, []int64{40})
	hub.Changes.Publish(push.Events)
	<-store.full
	if m := b.expect(t, kiosk.TypeEvent); !strings.Contains(string(m.Event), "和泽苑茶艺课") {
		t.Fatalf("和泽苑's kiosk: %s", m.Raw)
	}
	// Refresh notes nothing: everything is read.
	hub.Refresh()
	<-store.full
	if n, _ := store.counts(); n != fulls+2 {
		t.Fatalf("reads of everything = %d, want %d", n, fulls+2)
	}
}
