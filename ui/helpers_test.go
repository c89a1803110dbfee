package ui_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testStart is when the tests' clock starts: a Tuesday morning, so that the
// screenshots always show the same dates.
var testStart = time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)

// Test residents' phones.
const (
	phoneYao   = "13812345678" // 姚大娘, address on file
	phoneNew   = "13700001111" // nobody yet
	phoneOther = "13900002222" // books through the API
)

// stack is Chorus as it runs: SQLite on a temp file, the kiosk hub fed by
// the store's commits, the HTTP server with the UI mounted, on a loopback
// address that survives a restart.
type stack struct {
	tb    testing.TB
	path  string
	addr  string
	URL   string
	Clock *clocktest.Clock // runs at the real pace from testStart: the page's timers are real
	DB    *sqlite.DB
	Hub   *kiosk.Hub
	st    *stacktest.Stack

	// Gate holds the kiosk pages' POST /api/bookings while closed, as a
	// server that hangs would, and the answers of their moves (改时间),
	// as a network that loses them would.
	Gate *gate

	opts stackOpts

	Room, Hall   int64
	Clinic       *chorus.Event // Saturday 09:00–11:30, 10 slots of 6 seats, the second full; waitlist
	Lecture      *chorus.Event // Saturday and Sunday afternoon: two days to choose from
	Yoga         *chorus.Event // today 19:00
	Care, Winter *chorus.Programme
}

// mustStack starts the stack with the test community.
func mustStack(tb testing.TB) *stack {
	tb.Helper()
	return mustStackWith(tb, stackOpts{})
}

// stackOpts are what a test changes in its stack.
type stackOpts struct {
	speaker       server.Speaker // speaks for the kiosk pages (server.Speech)
	perPhoneDaily int            // SMS a phone may get a day (0: no limit)
}

// mustStackWith is mustStack changed by o.
func mustStackWith(tb testing.TB, o stackOpts) *stack {
	tb.Helper()
	s := &stack{opts: o, tb: tb, path: filepath.Join(tb.TempDir(), "chorus.db"), Clock: clocktest.Running(testStart), Gate: newGate()}
	s.start("127.0.0.1:0")
	tb.Cleanup(s.Stop)
	tb.Cleanup(s.Gate.Open) // first: the server cannot stop with requests held
	s.seed()
	return s
}

func (s *stack) start(addr string) {
	st := stacktest.Start(s.tb, stacktest.Options{Now: s.Clock.Now, Location: shanghai, DBPath: s.path, Addr: addr, Pages: ui.KioskRoutes(),
		Wrap: s.Gate.wrap, Configure: func(db *sqlite.DB, srv *server.Server, _ *kiosk.Hub) {
			if s.opts.speaker != nil {
				srv.Speech = s.opts.speaker
			}
			db.PerPhoneDaily = s.opts.perPhoneDaily
		}})
	s.st, s.DB, s.Hub, s.addr, s.URL = st, st.DB, st.Hub, st.Addr, st.URL
}

// gate holds requests a kiosk page makes to POST /api/bookings (those
// with a "kiosk-" idempotency key) while it is closed.
type gate struct {
	mu      sync.Mutex
	closed  chan struct{} // nil while open
	held    atomic.Int32  // requests waiting at the gate
	arrived chan struct{} // one value per request held
}

func newGate() *gate { return &gate{arrived: make(chan struct{}, 64)} }

// Close makes the next requests wait until Open.
func (g *gate) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed == nil {
		g.closed = make(chan struct{})
	}
}

// Open lets the waiting requests through.
func (g *gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed != nil {
		close(g.closed)
		g.closed = nil
	}
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/move") {
			g.mu.Lock()
			ch := g.closed
			g.mu.Unlock()
			if ch != nil {
				// A move is carried out at once and its answer held: a
				// slow network that loses the answer, not the request.
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
				g.held.Add(1)
				select {
				case g.arrived <- struct{}{}:
				default:
				}
				<-ch
				g.held.Add(-1)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
		}
		if r.Method == http.MethodPost && r.URL.Path == "/api/bookings" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			g.mu.Lock()
			ch := g.closed
			g.mu.Unlock()
			if ch != nil && bytes.Contains(body, []byte(`"idempotency_key":"kiosk-`)) {
				g.held.Add(1)
				select {
				case g.arrived <- struct{}{}:
				default:
				}
				<-ch
				g.held.Add(-1)
				// The page may have given up on this request meanwhile;
				// the server still carries it out, as a hung one does.
				r = r.WithContext(context.WithoutCancel(r.Context()))
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Stop stops the server as a crash or a power cut would, kiosks' websockets
// and all, and closes the database.
func (s *stack) Stop() {
	if s.st != nil {
		s.st.Stop()
		s.st = nil
	}
}

// Restart starts the server again on the same address and database.
func (s *stack) Restart() { s.start(s.addr) }

func (s *stack) must(err error) {
	s.tb.Helper()
	if err != nil {
		s.tb.Fatal(err)
	}
}

// seed fills the database with a small 光华街社区.
func (s *stack) seed() {
	ctx := context.Background()
	db := s.DB
	s.must(db.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}))
	estates := map[string]int64{}
	for _, n := range []string{"光华街16号院", "中铁诺德逸宸云著", "光华街1号院", "光华街8号院", "电子二所宿舍", "光华小区",
		"和平里小区", "新建路12号院", "锦绣苑", "文化宫宿舍", "阳光花园", "邮电宿舍"} {
		e := &chorus.Estate{Name: n}
		switch n { // three estates with their layout entered, the others not yet
		case "和平里小区":
			e.Buildings, e.Units = 9, 3
		case "光华小区":
			e.Buildings, e.Units = 12, 4
		case "光华街16号院":
			e.Buildings, e.Units = 1, 4
		}
		s.must(db.SaveEstate(ctx, e))
		estates[n] = e.ID
	}
	room := &chorus.Place{Name: "社区活动室", Address: "光华街社区服务中心二楼"}
	hall := &chorus.Place{Name: "电子二所小礼堂"}
	s.must(db.SavePlace(ctx, room))
	s.must(db.SavePlace(ctx, hall))
	s.Room, s.Hall = room.ID, hall.ID

	sat := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	s.Clinic = &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: room.ID, Waitlist: true, CutoffMinutes: 60,
		Description: "辖区医院大夫免费测量血压、血糖、尿酸和骨密度。"}
	for i := 0; i < 10; i++ {
		t := sat.Add(time.Duration(i) * 15 * time.Minute)
		capacity := 6
		if i == 1 {
			capacity = 1
		}
		s.Clinic.Slots = append(s.Clinic.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: capacity})
	}
	s.Lecture = &chorus.Event{Kind: chorus.ServiceLecture, Title: "冬季健康讲座", PlaceID: hall.ID, Waitlist: true, CutoffMinutes: 30,
		Description: "冬季心脑血管疾病预防,讲座后可以提问。"}
	for _, day := range []int{5, 6} {
		t := time.Date(2026, 12, day, 14, 0, 0, 0, shanghai)
		s.Lecture.Slots = append(s.Lecture.Slots, chorus.Slot{Start: t, End: t.Add(90 * time.Minute), Capacity: 80})
	}
	yoga := time.Date(2026, 12, 1, 19, 0, 0, 0, shanghai)
	s.Yoga = &chorus.Event{Kind: chorus.ServiceLecture, Title: "公益瑜伽课", PlaceID: room.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: yoga, End: yoga.Add(time.Hour), Capacity: 20}}}
	for _, e := range []*chorus.Event{s.Clinic, s.Lecture, s.Yoga} {
		s.must(db.CreateEvent(ctx, e))
	}
	s.Care = &chorus.Programme{Title: "寒假托管班", PlaceID: room.ID, StartDate: "2026-12-22", EndDate: "2027-01-18",
		MinAge: 4, MaxAge: 12, Capacity: 30, Description: "科技模型制作、儿童沙盘、硬笔书法、绘画。"}
	s.Winter = &chorus.Programme{Title: "元旦手工班", PlaceID: room.ID, StartDate: "2026-12-30", EndDate: "2027-01-01",
		MinAge: 6, MaxAge: 10, Capacity: 1}
	s.must(db.CreateProgramme(ctx, s.Care))
	s.must(db.CreateProgramme(ctx, s.Winter))
	s.must(db.SaveResident(ctx, &chorus.Resident{Phone: phoneYao, Name: "姚大娘",
		Address: chorus.Address{EstateID: estates["中铁诺德逸宸云著"], Building: "3", Unit: "2", Room: "401"}}))

	// The second clinic slot and the 元旦手工班 are full.
	_, err := db.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: s.Clinic.Slots[1].ID, Phone: "13500003333",
		Name: "赵大娘", Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
	s.must(err)
	_, err = db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: s.Winter.ID, Phone: "13500003333", Children: []chorus.Child{{Age: 7}}})
	s.must(err)
	a := &chorus.Announcement{Text: "明天上午停水,义诊照常进行。", Speak: true}
	s.must(db.CreateAnnouncement(ctx, a))
	s.Hub.Announce(*a)
}

// newKiosk registers a kiosk in the activity room and returns its id and
// pairing code.
func (s *stack) newKiosk() (int64, string) {
	k, code, err := s.DB.CreateKiosk(context.Background(), "活动室东墙", s.Room)
	s.must(err)
	return k.ID, code
}

// Staff changes, made as the staff API makes them: in the store, then
// passed to the kiosk's screens through the hub. (The tests go around the
// staff login: what they test is what the screens do with the change.)

// setMode sets kiosk id's mode.
func (s *stack) setMode(id int64, m chorus.KioskMode) {
	s.tb.Helper()
	k, err := s.DB.SetKioskMode(context.Background(), id, m)
	s.must(err)
	s.Hub.KioskChanged(*k)
}

// setSettings sets kiosk id's settings.
func (s *stack) setSettings(id int64, set chorus.KioskSettings) {
	s.tb.Helper()
	k, err := s.DB.SetKioskSettings(context.Background(), id, set)
	s.must(err)
	s.Hub.KioskChanged(*k)
}

// revoke revokes kiosk id.
func (s *stack) revoke(id int64) {
	s.tb.Helper()
	k, err := s.DB.RevokeKiosk(context.Background(), id)
	s.must(err)
	s.Hub.KioskChanged(*k)
}

// book books a seat as another kiosk or staff would, straight in the
// store.
func (s *stack) book(eventID, slotID int64, phone string) chorus.Booking {
	s.tb.Helper()
	b, err := s.DB.Book(context.Background(), chorus.BookingRequest{EventID: eventID, SlotID: slotID, Phone: phone, Source: "api"})
	s.must(err)
	return *b
}
