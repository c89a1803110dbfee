package kiosk_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/push"
)

// districtStore holds the events and programmes of several communities
// in memory; tests change them and publish.
type districtStore struct {
	mu         sync.Mutex
	events     []chorus.Event
	programmes []chorus.Programme
}

func (s *districtStore) DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]chorus.Event, len(s.events))
	for i, e := range s.events {
		e.Slots = append([]chorus.Slot(nil), e.Slots...)
		out[i] = e
	}
	return out, nil
}

func (s *districtStore) DistrictProgrammes(ctx context.Context, now time.Time) ([]chorus.Programme, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chorus.Programme{}, s.programmes...), nil
}

func (s *districtStore) LiveAnnouncements(ctx context.Context, now time.Time) ([]chorus.Announcement, error) {
	return []chorus.Announcement{}, nil
}

// take takes a seat of event id's slot.
func (s *districtStore) take(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.events {
		if s.events[i].ID == id {
			s.events[i].Slots[0].Taken++
		}
	}
}

// districtHub runs a hub on store behind a server that admits a kiosk of
// community ?community=N with id ?kiosk=M, as the server does once it has
// authenticated the kiosk's ticket.
func districtHub(t *testing.T, store kiosk.Store) (*kiosk.Hub, func(id, community int64) *kclient) {
	t.Helper()
	hub := kiosk.NewHub(store)
	hub.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { hub.Run(ctx); close(stopped) }()
	t.Cleanup(func() { stop(); <-stopped })
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.URL.Query().Get("kiosk"), 10, 64)
		c, _ := strconv.ParseInt(r.URL.Query().Get("community"), 10, 64)
		hub.ServeKiosk(w, r, &chorus.Kiosk{ID: id, Community: c, Name: "自助机", PlaceID: 1,
			Mode: chorus.KioskMode{Kind: chorus.KioskBooking}, Settings: chorus.DefaultKioskSettings()})
	}))
	t.Cleanup(ts.Close)
	dial := func(id, community int64) *kclient {
		u := "ws" + strings.TrimPrefix(ts.URL, "http") + "?kiosk=" + strconv.FormatInt(id, 10) +
			"&community=" + strconv.FormatInt(community, 10)
		conn, _, err := websocket.DefaultDialer.Dial(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return startClient(t, conn)
	}
	return hub, dial
}

// eventsOf decodes a snapshot's events.
func eventsOf(t *testing.T, m msg) []chorus.Event {
	t.Helper()
	var out []chorus.Event
	for _, raw := range m.Events {
		var e chorus.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func eventIDs(list []chorus.Event) []int64 {
	var out []int64
	for _, e := range list {
		out = append(out, e.ID)
	}
	return out
}

// TestHub_DistrictKiosks: a kiosk of 和泽苑 (community 2) gets its own
// events and programmes and the events 光华街 (community 1) opened to the
// district, labelled with their host, never 光华街's other events or
// programmes, in its snapshot or in deltas; a kiosk of a community with
// nothing of its own gets the district-open events alone.
func TestHub_DistrictKiosks(t *testing.T) {
	start := time.Now().Add(48 * time.Hour)
	slot := func(id int64) []chorus.Slot {
		return []chorus.Slot{{ID: id, EventID: id, Start: start, End: start.Add(time.Hour), Capacity: 10}}
	}
	store := &districtStore{
		events: []chorus.Event{
			{ID: 1, Kind: chorus.ServiceClinic, Title: "光华街义诊", PlaceID: 1, Status: chorus.EventOpen, Slots: slot(1),
				Community: 1, CommunityName: "光华街社区"},
			{ID: 2, Kind: chorus.ServiceLecture, Title: "小礼堂健康讲座", PlaceID: 1, Status: chorus.EventOpen, Slots: slot(2),
				Community: 1, CommunityName: "光华街社区", DistrictOpen: true},
			{ID: 3, Kind: chorus.ServiceLecture, Title: "靓丽星期五", PlaceID: 2, Status: chorus.EventOpen, Slots: slot(3),
				Community: 2, CommunityName: "和泽苑社区"},
		},
		programmes: []chorus.Programme{
			{ID: 1, Title: "光华街寒假托管", Capacity: 10, Status: chorus.EventOpen, Community: 1},
			{ID: 2, Title: "和泽苑寒假托管", Capacity: 10, Status: chorus.EventOpen, Community: 2},
		},
	}
	hub, dial := districtHub(t, store)
	a, b, c := dial(1, 1), dial(2, 2), dial(3, 3)

	snapA, snapB, snapC := a.expect(t, kiosk.TypeSnapshot), b.expect(t, kiosk.TypeSnapshot), c.expect(t, kiosk.TypeSnapshot)
	for name, tc := range map[string]struct {
		m          msg
		want       []int64
		programmes int
	}{
		"光华街":  {snapA, []int64{1, 2}, 1},
		"和泽苑":  {snapB, []int64{2, 3}, 1},
		"其他社区": {snapC, []int64{2}, 0},
	} {
		got := eventIDs(eventsOf(t, tc.m))
		if len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Errorf("%s's kiosk: events %v, want %v", name, got, tc.want)
		}
		if len(tc.m.Programmes) != tc.programmes {
			t.Errorf("%s's kiosk: programmes %s", name, tc.m.Programmes)
		}
	}
	for _, e := range eventsOf(t, snapB) {
		if e.ID == 2 && (e.CommunityName != "光华街社区" || e.Community != 1 || !e.DistrictOpen) {
			t.Errorf("the district-open event on 和泽苑's kiosk is not labelled: %+v", e)
		}
	}
	if strings.Contains(string(snapB.Raw), "光华街义诊") || strings.Contains(string(snapB.Raw), "光华街寒假托管") {
		t.Fatalf("和泽苑's kiosk got 光华街's own records: %s", snapB.Raw)
	}
	var who struct {
		Kiosk struct{ Community int64 } `json:"kiosk"`
	}
	if err := json.Unmarshal(snapB.Raw, &who); err != nil || who.Kiosk.Community != 2 {
		t.Fatalf("the snapshot does not say the kiosk's community: %s", snapB.Raw)
	}

	// A seat taken at 光华街's own clinic: only 光华街's kiosk hears.
	// Then one at the district-wide lecture: every kiosk hears, and that
	// is the next message of 和泽苑's and the other's.
	store.take(1)
	hub.Changes.Publish(push.Events)
	if m := a.expect(t, kiosk.TypeSeats); m.EventID != 1 || m.SeatsLeft != 9 {
		t.Fatalf("光华街's kiosk: %s", m.Raw)
	}
	store.take(2)
	hub.Changes.Publish(push.Events)
	for name, k := range map[string]*kclient{"光华街": a, "和泽苑": b, "其他社区": c} {
		if m := k.expect(t, kiosk.TypeSeats); m.EventID != 2 || m.SeatsLeft != 9 {
			t.Fatalf("%s's kiosk: %s, want the lecture's seats", name, m.Raw)
		}
	}

	// 光华街 closes the lecture to the district: it leaves the other
	// kiosks, stays on its own.
	store.mu.Lock()
	store.events[1].DistrictOpen = false
	store.mu.Unlock()
	hub.Changes.Publish(push.Events)
	for name, k := range map[string]*kclient{"和泽苑": b, "其他社区": c} {
		if m := k.expect(t, kiosk.TypeEventRemoved); m.EventID != 2 {
			t.Fatalf("%s's kiosk: %s", name, m.Raw)
		}
	}
	if m := a.expect(t, kiosk.TypeEvent); !strings.Contains(string(m.Event), `"district_open":false`) {
		t.Fatalf("光华街's kiosk: %s", m.Raw)
	}
	if got := eventIDs(eventsOf(t, b.sync(t))); len(got) != 1 || got[0] != 3 {
		t.Fatalf("和泽苑's kiosk after the closing: %v", got)
	}

	// Community 3's first event of its own: its kiosk gets a snapshot
	// with it (its part, no longer the district-open events alone).
	store.mu.Lock()
	store.events = append(store.events, chorus.Event{ID: 4, Kind: chorus.ServiceClinic, Title: "三社区义诊", PlaceID: 3,
		Status: chorus.EventOpen, Slots: slot(4), Community: 3})
	store.mu.Unlock()
	hub.Changes.Publish(push.Events)
	if got := eventIDs(eventsOf(t, c.expect(t, kiosk.TypeSnapshot))); len(got) != 1 || got[0] != 4 {
		t.Fatalf("community 3's kiosk: %v", got)
	}
	if m := b.sync(t); strings.Contains(string(m.Raw), "三社区义诊") {
		t.Fatalf("和泽苑's kiosk got community 3's event: %s", m.Raw)
	}
}

func (s *districtStore) DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error) {
	all, err := s.DistrictUpcomingEvents(ctx, now)
	return eventsIn(all, ids), err
}
