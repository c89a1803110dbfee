package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

func init() {
	register("kiosks", "N kiosk websockets, one seats change at a time: time until every kiosk has it, server RSS per connection", runKiosks)
}

// kioskFlags are the kiosks subcommand's settings.
type kioskFlags struct {
	server    string
	url       string
	pid       int
	n         int
	kiosks    int
	changes   int
	warmup    int
	user      string
	password  string
	settle    time.Duration
	wait      time.Duration
	dialers   int
	sources   int
	metrics   string
	placeName string
	profile   string
	epoll     bool
	detach    bool
}

// fanout is one run of the kiosks subcommand: the staff session, the
// kiosks' tokens, the open connections and the change being timed.
type fanout struct {
	kioskFlags
	api     *kioskAPI
	tokens  []string
	eventID int64
	slotID  int64
	seats   int // seats left before the first change
	conns   []*websocket.Conn
	// rawFDs are the connections' descriptors the epoll loops read (the
	// conns are then closed, nil).
	rawFDs []int
	lost   atomic.Int64 // connections closed before the end
	// stopReaders stops the epoll loops, when they run.
	stopReaders func()
	current     atomic.Pointer[seatsChange]
}

// seatsChange is one timed change: every kiosk that receives the seats
// frame of the slot with the seats left after the change records its
// delay in got[i].
type seatsChange struct {
	slot, left []byte // "slot_id":N, and "seats_left":M, as the frame has them
	start      time.Time
	got        []time.Duration // per connection; 0: not yet
	n          atomic.Int64
	all        chan struct{} // closed when every connection has it
}

func runKiosks(args []string) error {
	var f fanout
	fs := flag.NewFlagSet("kiosks", flag.ContinueOnError)
	fs.StringVar(&f.server, "server", "", "start this Chorus binary on a temporary demo database and measure it (then -url, -pid and -metrics are its own)")
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "the server's base URL (loopback)")
	fs.IntVar(&f.pid, "pid", 0, "the server's process id, to read its RSS from /proc (0: not read)")
	fs.IntVar(&f.n, "n", 1000, "websocket connections to open")
	fs.IntVar(&f.kiosks, "kiosks", 100, "kiosks to pair; the connections are spread over their tokens")
	fs.IntVar(&f.changes, "changes", 20, "seats changes to time")
	fs.IntVar(&f.warmup, "warmup", 2, "seats changes made before timing")
	fs.StringVar(&f.user, "user", "admin", "staff username (the demo's admin)")
	fs.StringVar(&f.password, "password", "guanghua-demo", "staff password")
	fs.DurationVar(&f.settle, "settle", 5*time.Second, "pause after connecting before reading the server's RSS")
	fs.DurationVar(&f.wait, "wait", 30*time.Second, "longest wait for a change to reach every kiosk")
	fs.IntVar(&f.dialers, "dialers", 32, "connections opened at the same time")
	fs.IntVar(&f.sources, "sources", 8, "loopback source addresses (127.0.0.1…) the connections come from, for ephemeral ports")
	fs.StringVar(&f.metrics, "metrics", "", "the server's /metrics URL, to print its goroutines and memory (optional)")
	fs.StringVar(&f.placeName, "place", "", "name of the place of the kiosks and the event (default: the first place)")
	fs.BoolVar(&f.epoll, "epoll", epollAvailable, "read the connections from two epoll loops (Linux) rather than a goroutine each through gorilla/websocket: the load's CPU is the server's too")
	fs.BoolVar(&f.detach, "detach", true, "with -epoll, take the sockets away from Go's poller, so that a frame wakes one epoll set, not two")
	fs.StringVar(&f.profile, "cpuprofile", "", "write this process's CPU profile of the timed changes to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.n < 1 || f.kiosks < 1 || f.changes < 1 || f.sources < 1 || f.sources > 250 {
		return errors.New("-n, -kiosks and -changes must be at least 1, -sources 1 to 250")
	}
	if err := kiosksCheckNoFile(f.n); err != nil {
		return err
	}
	if f.server != "" {
		s, err := startBenchServer(f.server)
		if err != nil {
			return err
		}
		defer s.stop()
		f.url, f.pid, f.metrics = s.url, s.cmd.Process.Pid, s.metrics
	}
	f.api = newKioskAPI(f.url)
	return f.run()
}

func (f *fanout) run() error {
	fmt.Printf("kiosks: %d websocket connections over %d kiosk tokens, %d timed seats changes, server %s\n",
		f.n, f.kiosks, f.changes, f.url)
	fmt.Printf("load average at start: %s\n", fanoutLoadAverage())
	if err := f.api.login(f.user, f.password); err != nil {
		return err
	}
	place, err := f.api.place(f.placeName)
	if err != nil {
		return err
	}
	if err := f.pair(place); err != nil {
		return err
	}
	if err := f.newEvent(place); err != nil {
		return err
	}
	before := f.memory("before connecting")
	start := time.Now()
	if err := f.connect(); err != nil {
		return err
	}
	defer f.close()
	fmt.Printf("connected %d in %.1f s\n", f.n, time.Since(start).Seconds())
	time.Sleep(f.settle)
	after := f.memory("connected and idle")
	if before > 0 && after > 0 {
		fmt.Printf("server RSS per idle connection: %.1f KB ((%d − %d) KB / %d)\n",
			float64(after-before)*1024/float64(f.n)/1000, after, before, f.n)
	}
	if err := f.time(); err != nil {
		return err
	}
	f.memory("after the changes")
	fmt.Printf("load average at end: %s\n", fanoutLoadAverage())
	return nil
}

// pair registers and pairs f.kiosks kiosks at place and keeps their tokens.
func (f *fanout) pair(place int64) error {
	stamp := time.Now().Format("150405")
	f.tokens = make([]string, f.kiosks)
	errs := make(chan error, f.kiosks)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range f.tokens {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			tok, err := f.api.pairKiosk(fmt.Sprintf("压测%s-%d", stamp, i+1), place)
			if err != nil {
				errs <- err
				return
			}
			f.tokens[i] = tok
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when closed empty
}

// newEvent creates a clinic a week ahead with one large slot, whose seats
// the changes take one by one.
func (f *fanout) newEvent(place int64) error {
	need := f.changes + f.warmup
	id, slot, seats, err := f.api.newEvent(place, time.Now().AddDate(0, 0, 7), 10000)
	if err != nil {
		return err
	}
	if seats < need {
		return fmt.Errorf("the new slot has %d seats, want %d", seats, need)
	}
	f.eventID, f.slotID, f.seats = id, slot, seats
	return nil
}

// connect opens f.n websockets, each with a fresh ticket of one of the
// tokens (round robin), reads each one's snapshot and starts its reader.
func (f *fanout) connect() error {
	f.conns = make([]*websocket.Conn, f.n)
	wsURL := "ws" + strings.TrimPrefix(f.url, "http") + "/kiosk/ws?ticket="
	next := atomic.Int64{}
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for w := range f.dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &websocket.Dialer{
				HandshakeTimeout: 30 * time.Second,
				ReadBufferSize:   1024,
				WriteBufferSize:  256,
				NetDialContext: (&net.Dialer{Timeout: 30 * time.Second,
					LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+w%f.sources))}}).DialContext,
			}
			for firstErr.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= f.n {
					return
				}
				conn, err := f.dial(d, wsURL, f.tokens[i%len(f.tokens)])
				if err != nil {
					err = fmt.Errorf("connection %d: %w", i+1, err)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				f.conns[i] = conn
				if !f.epoll {
					go f.read(i, conn)
				}
			}
		}()
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		f.close()
		return *p
	}
	if f.epoll {
		return f.readEpoll()
	}
	return nil
}

// dial opens one kiosk websocket and reads its snapshot.
func (f *fanout) dial(d *websocket.Dialer, wsURL, token string) (*websocket.Conn, error) {
	ticket, err := f.api.ticket(token)
	if err != nil {
		return nil, err
	}
	conn, _, err := d.Dial(wsURL+ticket, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil || !bytes.Contains(data, []byte(`"type":"snapshot"`)) {
		conn.Close()
		return nil, fmt.Errorf("first message %.80q: %v", data, err)
	}
	conn.SetReadDeadline(time.Time{})
	return conn, nil
}

// read reads connection i through gorilla/websocket, a goroutine per
// connection (-epoll=false, or not on Linux); it answers pings (gorilla's
// default) until closed.
func (f *fanout) read(i int, conn *websocket.Conn) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			f.lost.Add(1)
			return
		}
		f.received(i, data, time.Now())
	}
}

// received records when connection i got the seats frame of the change
// being timed. Frames are matched as bytes, not decoded: the load's CPU
// is taken from the server's on this machine.
func (f *fanout) received(i int, data []byte, now time.Time) {
	c := f.current.Load()
	if c == nil || c.got[i] != 0 || !bytes.Contains(data, []byte(`"type":"seats"`)) ||
		!bytes.Contains(data, c.slot) || !bytes.Contains(data, c.left) {
		return
	}
	c.got[i] = max(now.Sub(c.start), time.Nanosecond)
	if int(c.n.Add(1)) == f.n {
		close(c.all)
	}
}

// time makes the seats changes one after another, each a staff booking of
// the event's slot, and prints how long each took to reach every kiosk.
func (f *fanout) time() error {
	if f.profile != "" {
		out, err := os.Create(f.profile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fan0, _ := scrapeHistogram(f.metrics, fanoutMetric)
	var toAll, first, each, answered, afterAnswer []time.Duration
	var srvCPU, selfCPUs time.Duration // over the timed changes
	for k := 1; k <= f.warmup+f.changes; k++ {
		c := &seatsChange{slot: fmt.Appendf(nil, `"slot_id":%d,`, f.slotID), left: fmt.Appendf(nil, `"seats_left":%d,`, f.seats-k),
			got: make([]time.Duration, f.n), all: make(chan struct{})}
		srv0, self0 := procCPU(f.pid), selfCPU()
		c.start = time.Now()
		f.current.Store(c)
		if err := f.api.book(f.eventID, f.slotID, fmt.Sprintf("139%08d", (time.Now().UnixNano()/1000+int64(k))%1e8)); err != nil {
			return err
		}
		ans := time.Since(c.start)
		select {
		case <-c.all:
		case <-time.After(f.wait):
			return fmt.Errorf("change %d reached %d of %d kiosks in %s (%d connections lost)",
				k, c.n.Load(), f.n, f.wait, f.lost.Load())
		}
		if k <= f.warmup {
			continue
		}
		srvCPU += procCPU(f.pid) - srv0
		selfCPUs += selfCPU() - self0
		slowest, fastest := time.Duration(0), time.Duration(1<<62)
		for _, d := range c.got {
			slowest, fastest = max(slowest, d), min(fastest, d)
		}
		toAll = append(toAll, slowest)
		first = append(first, fastest)
		afterAnswer = append(afterAnswer, max(slowest-ans, 0))
		each = append(each, c.got...)
		answered = append(answered, ans)
		time.Sleep(300 * time.Millisecond) // the next change starts on a quiet server
	}
	fmt.Printf("one seats change to all %d kiosks (%d changes, from the booking request): %s\n", f.n, f.changes, fanoutQuantiles(toAll))
	fmt.Printf("first kiosk to have it, from the booking request: %s\n", fanoutQuantiles(first))
	fmt.Printf("per kiosk, request to frame (%d frames): %s\n", len(each), fanoutQuantiles(each))
	fmt.Printf("booking answered (commit): %s\n", fanoutQuantiles(answered))
	fmt.Printf("last kiosk after the booking's answer: %s\n", fanoutQuantiles(afterAnswer))
	if fan, err := scrapeHistogram(f.metrics, fanoutMetric); err == nil && fan.count > fan0.count {
		fmt.Printf("the server's part (%s, from the hub hearing of the commit to the last kiosk's socket written): %s\n",
			fanoutMetric, fan.durations(fan0))
	}
	if f.pid > 0 {
		fmt.Printf("CPU per change (booking and fan-out, /proc, 10 ms steps summed over %d changes): server %.1f ms, load generator %.1f ms\n",
			f.changes, ms(srvCPU)/float64(f.changes), ms(selfCPUs)/float64(f.changes))
	}
	if n := f.lost.Load(); n > 0 {
		fmt.Printf("connections lost: %d\n", n)
	}
	return nil
}

// memory prints the server's RSS (and its goroutines and memory from
// /metrics when given) and returns the RSS in KB; 0 without -pid.
func (f *fanout) memory(when string) int64 {
	var rss int64
	if f.pid > 0 {
		var err error
		rss, err = kiosksRSS(f.pid)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rss: %v\n", err)
		} else {
			fmt.Printf("server RSS %s: %d KB\n", when, rss)
		}
	}
	if f.metrics != "" {
		if m, err := f.api.goMetrics(f.metrics); err == nil {
			fmt.Printf("server %s: %s\n", when, m)
		}
	}
	return rss
}

func (f *fanout) close() {
	if f.stopReaders != nil {
		f.stopReaders()
	}
	f.closeRaw()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range f.conns {
		if c == nil {
			continue
		}
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		c.Close()
		if ctx.Err() != nil {
			break
		}
	}
}

// kiosksRSS reads VmRSS, in KB, from /proc/<pid>/status.
func kiosksRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			_, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// kiosksCheckNoFile raises the soft limit of open files to the hard one
// (Go does so at start on Linux too) and checks that n connections fit.
func kiosksCheckNoFile(n int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("setrlimit: %w", err)
		}
	}
	if need := uint64(n) + 100; lim.Cur < need {
		return fmt.Errorf("%d connections need %d open files; the limit is %d", n, need, lim.Cur)
	}
	return nil
}

// loadAverage is the first three fields of /proc/loadavg.
func fanoutLoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fanoutMetric is the server's histogram of its part of each change.
const fanoutMetric = "chorus_kiosk_fanout_seconds"

// durations describes the observations of a seconds histogram between b0
// and b: their mean and how many fell within each bound (the warm-up
// changes included).
func (b batchStats) durations(b0 batchStats) string {
	n, sum := b.count-b0.count, b.sum-b0.sum
	out := fmt.Sprintf("%.0f changes, mean %.1f ms;", n, 1000*sum/n)
	prev := 0.0
	for _, le := range b.bounds() {
		if c := b.buckets[le] - b0.buckets[le]; c > prev {
			out += fmt.Sprintf(" %.0f ≤ %s s,", c-prev, le)
			prev = c
		}
	}
	return strings.TrimSuffix(out, ",")
}
