package kiosk

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// Hub timings.
const (
	// OfflineAfter is how long a kiosk may be silent before it counts as
	// offline: three missed heartbeats (the page beats every 10 s).
	OfflineAfter = 30 * time.Second
	// DefaultRefreshEvery re-reads events and programmes though nothing
	// was written, so that slots closing at their cut-off and events ending
	// reach the kiosks within this time.
	DefaultRefreshEvery = 30 * time.Second
)

// Store is what the hub reads: the same data as GET /api/events and GET
// /api/programmes, but every community's at once (each kiosk gets its
// community's events and programmes and the events open to the district),
// and every community's live announcements (each kiosk shows its own's).
type Store interface {
	DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error)
	// DistrictProgrammes returns the open programmes not yet ended on
	// their own community's clock at now.
	DistrictProgrammes(ctx context.Context, now time.Time) ([]chorus.Programme, error)
	LiveAnnouncements(ctx context.Context, now time.Time) ([]chorus.Announcement, error)
	// DistrictUpcomingEventsIn returns those of events ids that
	// DistrictUpcomingEvents would return, in its order: the re-read of
	// what a commit changed (NoteChanged).
	DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error)
}

// Hub keeps the connected kiosks current. Create it with NewHub, set the
// fields, then call Run; ServeKiosk adds connections. One goroutine, Run's,
// owns every connection and is talked to through channels, so a slow kiosk
// never delays another.
type Hub struct {
	Store Store
	// EventView renders an event exactly as GET /api/events does
	// (server.Server.EventView); nil sends the domain's JSON.
	EventView func(chorus.Event) any
	// Now is the clock of health and of what is open; tests replace it.
	Now func() time.Time
	// Location is the community's time zone, for the times kiosks show.
	Location *time.Location
	// Origins lists the origins (scheme://host[:port]) allowed besides the
	// server's own host, for a kiosk page served from another name.
	Origins      []string
	RefreshEvery time.Duration
	Logger       *slog.Logger
	// Changes is the broker on which commits are published (push.Events:
	// seats, bookings, events; push.Programmes: places): the hub follows
	// those topics from Run on and re-reads what they name. NewHub gives
	// the hub a broker of its own; the app shares the console's
	// (server.Server.Feed), so that one publication per commit reaches
	// consoles and kiosks alike.
	Changes *push.Broker
	// OnPresence, when set, is called from the hub's goroutine when a
	// kiosk connects or its last connection leaves; it must not block
	// (server.Server.NotifyTopics does not).
	OnPresence func()
	// ObserveFanout, when set, is told how long each change took from the
	// hub hearing of its commit to its last frame being taken by the last
	// kiosk's socket, and how many frames it wrote (one per kiosk for a
	// seats change; the server's part of a change reaching every kiosk,
	// chorus_kiosk_fanout_seconds). It is called from a writer and must
	// not block.
	ObserveFanout func(frames int, d time.Duration)

	upgrader   websocket.Upgrader
	register   chan *client
	unregister chan *client
	inbox      chan inbound
	loaded     chan loadResult
	commands   chan func()
	done       chan struct{} // closed when Run returns
	// writes hands kiosks with frames waiting to the writers' pool (see
	// startWrite); ownWriters counts those that got a goroutine of their
	// own instead (the queue full, or the hub stopped).
	writes     chan *client
	ownWriters atomic.Int64

	// noted holds the events and slots commits changed since the load
	// goroutine last took them (NoteChanged).
	notedMu     sync.Mutex
	notedEvents map[int64]bool
	notedSlots  map[int64]bool

	// Owned by Run's goroutine.
	clients map[*client]bool
	byKiosk map[int64]map[*client]bool
	seen    map[int64]*seen
	// shared holds the snapshots' tail common to the kiosks of each
	// community (loadResult.parts); nil until the first load.
	shared        map[int64][]byte
	announcements []chorus.Announcement
	// revoked holds the kiosks revoked while the server runs, so that a
	// connection authenticated just before its revocation is still ended.
	revoked map[int64]bool
}

// seen is what the hub last heard from a kiosk.
type seen struct {
	at         time.Time
	appVersion string
	screen     string
}

// inbound is one message read from a kiosk, or why it was refused.
type inbound struct {
	c   *client
	msg *Message
	err error
}

// NewHub returns a hub reading from store, with the default clock, zone,
// logger and refresh period.
func NewHub(store Store) *Hub {
	h := &Hub{
		Store:        store,
		Now:          time.Now,
		Location:     time.Local,
		RefreshEvery: DefaultRefreshEvery,
		Logger:       slog.Default(),
		register:     make(chan *client),
		unregister:   make(chan *client),
		inbox:        make(chan inbound),
		Changes:      &push.Broker{},
		loaded:       make(chan loadResult),
		commands:     make(chan func()),
		done:         make(chan struct{}),
		writes:       make(chan *client, writeQueue),
		clients:      map[*client]bool{},
		byKiosk:      map[int64]map[*client]bool{},
		seen:         map[int64]*seen{},
		revoked:      map[int64]bool{},
	}
	h.upgrader = websocket.Upgrader{
		// ReadBufferSize 0: gorilla reads through the buffer the hub's
		// hijackWriter hands it (readBufferSize). Frames are written by
		// the hub itself, without a write buffer (client.writeFrame); the
		// pool serves only the closing frames, and only while writing.
		WriteBufferPool: &sync.Pool{},
		WriteBufferSize: 512,
		// ServeKiosk checks the origin before upgrading, to answer in JSON.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	return h
}

// Run serves the connected kiosks until ctx ends, then closes every
// connection.
func (h *Hub) Run(ctx context.Context) {
	defer close(h.done)
	for range writers {
		go h.writer()
	}
	// Following before the first load starts: a commit either lands before
	// that load reads, or wakes the loader again.
	changes := h.Changes.Follow(push.Events, push.Programmes)
	defer changes.Close()
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		h.loadLoop(loadCtx, changes)
	}()
	defer func() {
		stopLoad()
		<-loadDone
	}()
	for {
		select {
		case c := <-h.register:
			h.add(c)
		case c := <-h.unregister:
			h.remove(c)
		case in := <-h.inbox:
			h.handle(in)
		case res := <-h.loaded:
			h.apply(res)
		case fn := <-h.commands:
			fn()
		case <-ctx.Done():
			for c := range h.clients {
				h.remove(c)
			}
			return
		}
	}
}

// NoteChanged tells the hub which events and slots a commit changed. Call
// it before the commit's topics are published on Changes: the load that
// the publication wakes then re-reads those events only, not every
// upcoming event of every community. A publication of push.Events with
// nothing noted (Refresh, another publisher) re-reads them all, as do the
// periodic refresh and a slot's cut-off. It never blocks for long.
func (h *Hub) NoteChanged(events, slots []int64) {
	if len(events) == 0 && len(slots) == 0 {
		return
	}
	h.notedMu.Lock()
	defer h.notedMu.Unlock()
	if h.notedEvents == nil {
		h.notedEvents, h.notedSlots = map[int64]bool{}, map[int64]bool{}
	}
	for _, id := range events {
		h.notedEvents[id] = true
	}
	for _, id := range slots {
		h.notedSlots[id] = true
	}
}

// takeNoted returns and forgets what NoteChanged noted.
func (h *Hub) takeNoted() (events, slots map[int64]bool) {
	h.notedMu.Lock()
	defer h.notedMu.Unlock()
	events, slots = h.notedEvents, h.notedSlots
	h.notedEvents, h.notedSlots = nil, nil
	return events, slots
}

// Refresh makes the hub re-read events and programmes now, as a commit
// touching both would: it publishes both topics on h.Changes (consoles
// sharing the broker redraw too). It never blocks.
func (h *Hub) Refresh() {
	h.Changes.Publish(push.Events, push.Programmes)
}

// ServeKiosk upgrades the request of kiosk k, already authenticated, to a
// websocket and serves it. It returns EFORBIDDEN, before upgrading, when the
// request comes from a page of another origin; once upgraded, failures are
// only logged.
func (h *Hub) ServeKiosk(w http.ResponseWriter, r *http.Request, k *chorus.Kiosk) error {
	if !h.originAllowed(r) {
		return chorus.Errorf(chorus.EFORBIDDEN, "自助机页面的网址不对,请联系工作人员。")
	}
	hw := &hijackWriter{ResponseWriter: w, rc: http.NewResponseController(w)}
	conn, err := h.upgrader.Upgrade(hw, r, nil)
	if err != nil {
		h.Logger.Debug("kiosk upgrade failed", "kiosk", k.ID, "err", err)
		return nil // Upgrade has answered the request
	}
	c := newClient(h, conn, hw, k)
	select {
	case h.register <- c:
	case <-h.done:
		c.close()
		return nil
	}
	go c.readPump()
	return nil
}

// originAllowed admits requests without an Origin (not a browser: the token
// is what admits them), from the server's own host, or from h.Origins.
func (h *Hub) originAllowed(r *http.Request) bool {
	return push.SameOrigin(r, h.Origins...)
}

// KioskChanged tells kiosk k's screens what staff changed: mode and settings
// as deltas, a new name or place with a snapshot, a revocation with
// "revoked" and the end of the connection.
func (h *Hub) KioskChanged(k chorus.Kiosk) {
	h.do(func() {
		if k.Revoked {
			h.revoked[k.ID] = true
		} else {
			delete(h.revoked, k.ID)
		}
		for c := range h.byKiosk[k.ID] {
			old := c.kiosk
			c.kiosk = k
			switch {
			case k.Revoked:
				h.revoke(c)
			case !c.ready:
			case old.Name != k.Name || old.PlaceID != k.PlaceID || old.Place != k.Place || old.Community != k.Community:
				h.send(c, h.snapshot(c))
			default:
				if old.Mode != k.Mode {
					h.send(c, h.encode(modeMsg{header: head(TypeMode), Mode: k.Mode}))
				}
				if old.Settings != k.Settings {
					h.send(c, h.encode(settingsMsg{header: head(TypeSettings), Settings: k.Settings}))
				}
			}
		}
	})
}

// Reload asks kiosk id's screens to reload the page (when idle).
func (h *Hub) Reload(id int64) {
	h.do(func() {
		f := h.encode(textMsg{header: head(TypeReload)})
		for c := range h.byKiosk[id] {
			if c.ready {
				h.send(c, f)
			}
		}
	})
}

// Announce shows a new announcement on the kiosks it is meant for, once:
// one already known (heard of twice) is not sent again.
func (h *Hub) Announce(a chorus.Announcement) {
	h.do(func() {
		for _, known := range h.announcements {
			if known.ID == a.ID && a.ID != 0 {
				return
			}
		}
		a = h.localAnnouncement(a)
		h.announcements = append([]chorus.Announcement{a}, h.announcements...)
		f := h.encode(announceMsg{header: head(TypeAnnounce), Announcement: a})
		for c := range h.clients {
			if c.ready && a.For(&c.kiosk) {
				h.send(c, f)
			}
		}
	})
}

// Health returns what the hub knows of each kiosk heard from since the
// server started; a kiosk missing from it is offline.
func (h *Hub) Health() map[int64]chorus.KioskHealth {
	out := make(chan map[int64]chorus.KioskHealth, 1)
	ok := h.do(func() {
		now := h.Now()
		m := make(map[int64]chorus.KioskHealth, len(h.seen))
		for id, s := range h.seen {
			m[id] = chorus.KioskHealth{
				Online:     len(h.byKiosk[id]) > 0 && now.Sub(s.at) < OfflineAfter,
				LastSeen:   s.at.In(h.Location),
				AppVersion: s.appVersion,
				Screen:     s.screen,
			}
		}
		out <- m
	})
	if !ok {
		return map[int64]chorus.KioskHealth{}
	}
	return <-out
}

// do runs fn on the hub's goroutine; it reports false when the hub has
// stopped.
func (h *Hub) do(fn func()) bool {
	select {
	case h.commands <- fn:
		return true
	case <-h.done:
		return false
	}
}

// deliver hands a kiosk's message to the hub; false means the hub stopped.
func (h *Hub) deliver(in inbound) bool {
	select {
	case h.inbox <- in:
		return true
	case <-h.done:
		return false
	}
}

// leave tells the hub a connection's reader has ended.
func (h *Hub) leave(c *client) {
	select {
	case h.unregister <- c:
	case <-h.done:
	}
}

// add registers a connection and sends its snapshot once there is one.
func (h *Hub) add(c *client) {
	h.clients[c] = true
	if h.byKiosk[c.id] == nil {
		h.byKiosk[c.id] = map[*client]bool{}
	}
	h.byKiosk[c.id][c] = true
	if len(h.byKiosk[c.id]) == 1 && h.OnPresence != nil {
		h.OnPresence()
	}
	h.touch(c.id, nil)
	if h.revoked[c.id] {
		h.revoke(c)
		return
	}
	if h.shared != nil {
		h.send(c, h.snapshot(c))
	}
}

// remove forgets a connection; its writer then says goodbye and closes it.
func (h *Hub) remove(c *client) {
	if !h.clients[c] {
		return
	}
	delete(h.clients, c)
	delete(h.byKiosk[c.id], c)
	if len(h.byKiosk[c.id]) == 0 {
		delete(h.byKiosk, c.id)
		if h.OnPresence != nil {
			h.OnPresence()
		}
	}
	c.end()
}

// send queues f for c, or drops c when its queue is full: the hub never
// waits for a kiosk.
func (h *Hub) send(c *client, f *frame) { h.sendPart(c, f, nil) }

// sendPart is send for a frame that is part of fan, a change broadcast.
func (h *Hub) sendPart(c *client, f *frame, fan *fanout) {
	if f == nil || !h.clients[c] {
		return
	}
	fan.add()
	if !c.enqueue(outgoing{data: f.wire(c.seq + 1), last: f.last, fan: fan}) {
		fan.done()
		h.Logger.Warn("kiosk too slow; dropped", "kiosk", c.id, "queued", sendBuffer)
		h.remove(c)
		// Close at once rather than after the writer's deadline; close may
		// be called alongside the reader and the writer.
		go c.close()
		return
	}
	c.seq++
	if f.snapshot {
		c.ready = true
	}
}

// revoke sends c "revoked" and ends its connection.
func (h *Hub) revoke(c *client) {
	f := h.encode(textMsg{header: head(TypeRevoked), Message: "这台自助机已停用,请联系工作人员。"})
	if f != nil {
		f.last = true
	}
	h.send(c, f)
	h.remove(c)
}

// handle acts on a kiosk's message.
func (h *Hub) handle(in inbound) {
	c := in.c
	if !h.clients[c] {
		return
	}
	h.touch(c.id, in.msg)
	if in.err != nil {
		h.send(c, h.encode(textMsg{header: head(TypeError), Message: chorus.ErrorMessage(in.err)}))
		return
	}
	if in.msg.Type == TypeResync && c.ready {
		h.send(c, h.snapshot(c))
	}
}

// touch records that kiosk id spoke, with what m says of it.
func (h *Hub) touch(id int64, m *Message) {
	s := h.seen[id]
	if s == nil {
		s = &seen{}
		h.seen[id] = s
	}
	s.at = h.Now()
	if m == nil {
		return
	}
	if m.AppVersion != "" {
		s.appVersion = m.AppVersion
	}
	if m.Screen != "" {
		s.screen = m.Screen
	}
}

// apply broadcasts a load's deltas, then keeps its snapshot tail and sends
// snapshots to the connections still waiting for their first.
func (h *Hub) apply(res loadResult) {
	if res.announcements != nil {
		// The first load: keep any announced while it read.
		known := map[int64]bool{}
		for _, a := range h.announcements {
			known[a.ID] = true
		}
		for _, a := range res.announcements {
			if !known[a.ID] {
				h.announcements = append(h.announcements, h.localAnnouncement(a))
			}
		}
		slices.SortFunc(h.announcements, func(a, b chorus.Announcement) int { return cmp.Compare(b.ID, a.ID) })
	}
	// Frame by frame, as before districts: each kiosk gets its part's.
	most := 0
	for _, p := range res.parts {
		if !p.resnap {
			most = max(most, len(p.frames))
		}
	}
	fan := h.newFanout(res.woke)
	for i := range most {
		for c := range h.clients {
			if p := res.partOf(c.kiosk.Community); c.ready && !p.resnap && i < len(p.frames) {
				h.sendPart(c, p.frames[i], fan)
			}
		}
	}
	fan.done() // newFanout's own count: the last write now ends it
	h.shared = make(map[int64][]byte, len(res.parts))
	for k, p := range res.parts {
		h.shared[k] = p.shared
	}
	h.pruneAnnouncements()
	for c := range h.clients {
		if !c.ready || res.partOf(c.kiosk.Community).resnap {
			h.send(c, h.snapshot(c))
		}
	}
}

// snapshot makes c's snapshot: its own part, then the tail shared by the
// kiosks of its community.
func (h *Hub) snapshot(c *client) *frame {
	if h.shared == nil {
		return nil
	}
	tail, ok := h.shared[communityOf(c.kiosk.Community)]
	if !ok {
		tail = h.shared[elsewhere]
	}
	now := h.Now()
	k := &c.kiosk
	anns := []chorus.Announcement{}
	for _, a := range h.announcements {
		if a.For(k) && a.ExpiresAt.After(now) {
			anns = append(anns, a)
		}
	}
	f := h.encode(snapshotHead{
		header:        head(TypeSnapshot),
		Kiosk:         kioskInfo{ID: k.ID, Name: k.Name, Place: k.Place, Community: communityOf(k.Community)},
		Mode:          k.Mode,
		Settings:      k.Settings,
		Announcements: anns,
		ServerTime:    now.In(h.Location),
	})
	if f == nil {
		return nil
	}
	b := f.parts[0]
	b[len(b)-1] = ',' // the shared tail closes the object
	f.parts = append(f.parts, tail)
	f.snapshot = true
	return f
}

// pruneAnnouncements forgets expired announcements.
func (h *Hub) pruneAnnouncements() {
	now := h.Now()
	kept := h.announcements[:0]
	for _, a := range h.announcements {
		if a.ExpiresAt.After(now) {
			kept = append(kept, a)
		}
	}
	h.announcements = kept
}

func (h *Hub) localAnnouncement(a chorus.Announcement) chorus.Announcement {
	a.ExpiresAt, a.CreatedAt = a.ExpiresAt.In(h.Location), a.CreatedAt.In(h.Location)
	return a
}

// encode makes a frame, logging the error it should never have.
func (h *Hub) encode(v any) *frame {
	f, err := encodeFrame(v)
	if err != nil {
		h.Logger.Error("kiosk message", "err", err)
	}
	return f
}
