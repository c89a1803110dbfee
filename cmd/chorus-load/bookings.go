package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func init() {
	register("bookings", "bookings over HTTP with kiosk tokens (and the bare SQLite loop, -bare-db)", runBookings)
}

// bookingSlots is how many slots the benchmark's event has, each with the
// most seats a slot may have (chorus.MaxSlotCapacity): 200,000 seats, more
// than a run of a minute books, in an event of an ordinary size (every
// commit makes the kiosk hub read the upcoming events again).
const (
	bookingSlots    = 20
	bookingCapacity = 10000
)

// bookingFlags are the flags of `chorus-load bookings`.
type bookingFlags struct {
	url, user, password, metrics, bareDB string
	server, db                           string
	clients, kiosks, communities, rounds int
	instances                            int
	noBare                               bool
	duration, bareDuration               time.Duration
}

// runBookings sets up an event and paired kiosks through the API, then
// books from many HTTP clients at once for a while and prints bookings/s,
// the latencies, the errors and the writer's group-commit sizes. With
// -bare-db it first runs the bare SQLite loop of the same transaction on
// a copy of that file (see bare.go) and prints both with their ratio.
func runBookings(args []string) error {
	var f bookingFlags
	fs := flag.NewFlagSet("bookings", flag.ContinueOnError)
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "the server")
	fs.StringVar(&f.user, "user", "admin", "an admin account (the demo's)")
	fs.StringVar(&f.password, "password", "guanghua-demo", "its password (the demo's)")
	fs.StringVar(&f.metrics, "metrics", "", "the server's Prometheus /metrics URL, for the group-commit sizes; empty: not read")
	fs.StringVar(&f.bareDB, "bare-db", "", "the server's SQLite file: run the bare loop on a copy of it first; empty: no bare loop")
	fs.StringVar(&f.server, "server", "", "a chorus binary: start it on a temporary database with demo data on free loopback ports, "+
		"run the bare loop on a copy of its file, then the load, and stop it (-url, -metrics and -bare-db are then its own)")
	fs.BoolVar(&f.noBare, "no-bare", false, "with -server: skip the bare loop")
	fs.StringVar(&f.db, "db", "", "with -server: \"postgres\" runs the server on a new database of a throwaway PostgreSQL cluster "+
		"(fsync and synchronous_commit on), or give a postgres://… address of an empty database; empty: SQLite")
	fs.IntVar(&f.instances, "instances", 1, "with -db: how many instances of the server on that database, behind one address "+
		"(a round-robin proxy, `chorus-load lb`, in a process of its own) when more than one")
	fs.IntVar(&f.clients, "clients", 64, "concurrent HTTP clients")
	fs.IntVar(&f.kiosks, "kiosks", 8, "kiosks paired for the run; the clients take turns with their tokens")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long the clients book")
	fs.DurationVar(&f.bareDuration, "bare-duration", 5*time.Second, "how long the bare loop books")
	fs.IntVar(&f.communities, "communities", 0, "with -server: run twice on fresh servers, with 1 community and with this many "+
		"communities seeded (copies of community 1's estates, places, events and residents), and print both and their ratio; 0: one run")
	fs.IntVar(&f.rounds, "rounds", 1, "with -communities: how many times to run each, alternately (the medians are compared)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.clients < 1 || f.kiosks < 1 {
		return fmt.Errorf("-clients and -kiosks must be at least 1")
	}
	if f.communities > 0 {
		return runCommunities(f)
	}
	if f.db != "" {
		return runPostgresBookings(f)
	}
	var srv *benchServer
	if f.server != "" {
		var err error
		if srv, err = startBenchServer(f.server); err != nil {
			return err
		}
		defer srv.stop()
		f.url, f.metrics = srv.url, srv.metrics
		if !f.noBare {
			f.bareDB = srv.db
		}
		fmt.Printf("server: %s %s on %s\n", f.server, strings.Join(benchServerArgs, " "), f.url)
	}
	var bare *loopResult
	if f.bareDB != "" {
		r, err := bareLoop(f.bareDB, f.bareDuration)
		if err != nil {
			return fmt.Errorf("bare loop: %w", err)
		}
		bare = r
		fmt.Printf("bare loop: %d bookings in %.2fs = %.0f/s (one connection, synchronous=FULL, WAL, one commit each)\n",
			r.ok, r.elapsed.Seconds(), r.rate())
	}
	var cpu func() time.Duration
	if srv != nil {
		cpu = srv.cpu
	}
	r, err := loadOnce(f, cpu)
	if err != nil {
		return err
	}
	if bare != nil {
		fmt.Printf("ratio http/bare: %.2f (%.0f/s vs %.0f/s)\n", r.rate()/bare.rate(), r.rate(), bare.rate())
	}
	if r.ok == 0 {
		return fmt.Errorf("no booking succeeded")
	}
	return nil
}

// runPostgresBookings runs the bookings load against the server on
// PostgreSQL (f.db), with f.instances instances behind one address.
func runPostgresBookings(f bookingFlags) error {
	if f.server == "" {
		return fmt.Errorf("-db needs -server")
	}
	p, err := startPostgresBench(f.server, f.db, f.instances)
	if err != nil {
		return err
	}
	defer p.stop()
	f.url, f.metrics = p.url, strings.Join(p.metrics, ",")
	fmt.Printf("server: %s %s, %s (load average %s)\n", f.server, strings.Join(benchServerArgs, " "), p.describe(), loadAverage())
	r, err := loadOnce(f, p.cpu)
	if err != nil {
		return err
	}
	if r.ok == 0 {
		return fmt.Errorf("no booking succeeded")
	}
	return nil
}

// loadOnce sets up an event and kiosks through the API, books from
// f.clients clients for f.duration and prints what it measured; cpu, when
// set, reads the server's CPU time so far.
func loadOnce(f bookingFlags, cpuOf func() time.Duration) (*loopResult, error) {
	api, err := newStaffAPI(f.url, f.user, f.password)
	if err != nil {
		return nil, err
	}
	ev, err := api.benchEvent()
	if err != nil {
		return nil, err
	}
	tokens := make([]string, f.kiosks)
	for i := range tokens {
		if tokens[i], err = api.pairedKiosk(ev.placeID, fmt.Sprintf("压测%d号机", i+1)); err != nil {
			return nil, err
		}
	}
	before, err := scrapeBatches(f.metrics)
	if err != nil {
		return nil, err
	}
	var cpu0 time.Duration
	if cpuOf != nil {
		cpu0 = cpuOf()
	}
	self0 := selfCPU()
	r := bookOverHTTP(f, ev, tokens)
	if r.ok > 0 {
		if cpuOf != nil {
			cpu := cpuOf() - cpu0
			r.serverCPU = cpu
			fmt.Printf("server cpu: %.2fs over the run, %.0f µs per booking\n", cpu.Seconds(), float64(cpu.Microseconds())/float64(r.ok))
		}
		cpu := selfCPU() - self0
		fmt.Printf("client cpu (this process): %.2fs over the run, %.0f µs per booking\n", cpu.Seconds(), float64(cpu.Microseconds())/float64(r.ok))
	}
	after, err := scrapeBatches(f.metrics)
	if err != nil {
		return nil, err
	}
	fmt.Printf("http: %d bookings in %.2fs = %.0f/s (%d clients, %d kiosks, from this process)\n",
		r.ok, r.elapsed.Seconds(), r.rate(), f.clients, f.kiosks)
	fmt.Printf("http latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", r.pct(0.50), r.pct(0.99), r.pct(1))
	fmt.Printf("http errors: %d%s\n", r.errors, r.statusNote())
	if f.metrics != "" {
		fmt.Println("group commit:", after.minus(before))
	}
	return r, nil
}

// runCommunities measures bookings/s on a fresh server with one community
// and on another with f.communities communities seeded, one after the
// other in the same run, and prints their ratio.
func runCommunities(f bookingFlags) error {
	if f.server == "" {
		return fmt.Errorf("-communities needs -server")
	}
	if f.rounds < 1 {
		f.rounds = 1
	}
	rates, cpus := map[int][]float64{}, map[int][]float64{}
	for round := 1; round <= f.rounds; round++ {
		for _, n := range []int{1, f.communities} {
			srv, err := startBenchServer(f.server)
			if err != nil {
				return err
			}
			if err := seedCommunities(srv.db, n); err != nil {
				srv.stop()
				return fmt.Errorf("seed %d communities: %w", n, err)
			}
			g := f
			g.url, g.metrics = srv.url, srv.metrics
			fmt.Printf("== round %d, %d communities: server %s on %s (load average %s)\n", round, n, f.server, g.url, loadAverage())
			r, err := loadOnce(g, srv.cpu)
			srv.stop()
			if err != nil {
				return err
			}
			if r.ok == 0 {
				return fmt.Errorf("no booking succeeded")
			}
			rates[n] = append(rates[n], r.rate())
			cpus[n] = append(cpus[n], float64(r.serverCPU.Microseconds())/float64(r.ok))
		}
	}
	one, many := median(rates[1]), median(rates[f.communities])
	fmt.Printf("bookings/s, 1 community: %s; %d communities: %s\n", joinRates(rates[1]), f.communities, joinRates(rates[f.communities]))
	fmt.Printf("server cpu per booking (median): 1 community %.0f µs, %d communities %.0f µs\n", median(cpus[1]), f.communities, median(cpus[f.communities]))
	fmt.Printf("ratio %d communities / 1 (medians): %.3f (%.0f/s vs %.0f/s)\n", f.communities, many/one, many, one)
	return nil
}

// median returns the median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

func joinRates(xs []float64) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.0f/s", x)
	}
	return b.String()
}

// loadAverage returns the first three fields of /proc/loadavg ("" where
// there is none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// loopResult is what one run of bookings measured.
type loopResult struct {
	ok, errors int64
	elapsed    time.Duration
	lat        []time.Duration // sorted
	statuses   map[int]int64   // of failed requests
	firstErr   string
	serverCPU  time.Duration // the server's CPU time over the run (-server)
}

func (r *loopResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// pct returns the p-th latency (0 ≤ p ≤ 1) in milliseconds.
func (r *loopResult) pct(p float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.lat[int(p*float64(len(r.lat)-1))].Microseconds()) / 1000
}

func (r *loopResult) statusNote() string {
	if r.errors == 0 {
		return ""
	}
	var parts []string
	for st, n := range r.statuses {
		parts = append(parts, fmt.Sprintf("%d×%d", n, st))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + "; first: " + r.firstErr + ")"
}

// benchEvent is the event the clients book.
type benchEvent struct {
	id, placeID int64
	slots       []int64
}

// bookOverHTTP runs f.clients clients for f.duration, each booking a new
// phone in turn with the kiosk token of its number.
func bookOverHTTP(f bookingFlags, ev benchEvent, tokens []string) *loopResult {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.DisableCompression = f.clients, f.clients, true
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := f.url + "/api/bookings"
	var next atomic.Int64
	res := &loopResult{statuses: map[int]int64{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(f.duration)
	for w := 0; w < f.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			auth := "Bearer " + tokens[w%len(tokens)]
			var lat []time.Duration
			var ok, bad int64
			statuses := map[int]int64{}
			var firstErr string
			for time.Now().Before(stop) {
				i := next.Add(1)
				body := fmt.Sprintf(`{"event_id":%d,"slot_id":%d,"phone":"139%08d","name":"居民"}`,
					ev.id, ev.slots[i%int64(len(ev.slots))], i)
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", auth)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					bad++
					statuses[0]++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				if resp.StatusCode == http.StatusCreated {
					ok++
					continue
				}
				bad++
				statuses[resp.StatusCode]++
				if firstErr == "" {
					firstErr = strings.TrimSpace(string(msg))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.ok += ok
			res.errors += bad
			res.lat = append(res.lat, lat...)
			for st, n := range statuses {
				res.statuses[st] += n
			}
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	sortDurations(res.lat)
	return res
}

// selfCPU returns the CPU time this process has used (user and system).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// staffAPI is an admin's session on the server.
type staffAPI struct {
	url, csrf string
	c         *http.Client
}

func newStaffAPI(url, user, password string) (*staffAPI, error) {
	jar, _ := cookiejar.New(nil)
	a := &staffAPI{url: url, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := a.call("POST", "/api/login", map[string]string{"username": user, "password": password}, &out); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	a.csrf = out.CSRF
	return a, nil
}

// call sends body as JSON and decodes a 2xx answer into out.
func (a *staffAPI) call(method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, a.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(msg, out)
}

// benchEvent creates an open event of bookingSlots slots with every seat
// free, starting tomorrow, at the first place.
func (a *staffAPI) benchEvent() (benchEvent, error) {
	var places struct {
		Places []struct {
			ID int64 `json:"id"`
		} `json:"places"`
	}
	if err := a.call("GET", "/api/places", nil, &places); err != nil {
		return benchEvent{}, err
	}
	if len(places.Places) == 0 {
		return benchEvent{}, fmt.Errorf("no place: start the server with -demo")
	}
	type slot struct {
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		Capacity int       `json:"capacity"`
	}
	day := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	var slots []slot
	for i := 0; i < bookingSlots; i++ {
		s := day.Add(time.Duration(i) * time.Hour)
		slots = append(slots, slot{Start: s, End: s.Add(30 * time.Minute), Capacity: bookingCapacity})
	}
	var ev struct {
		ID    int64 `json:"id"`
		Slots []struct {
			ID int64 `json:"id"`
		} `json:"slots"`
	}
	err := a.call("POST", "/api/admin/events", map[string]any{"kind": "lecture", "title": "压测讲座",
		"place_id": places.Places[0].ID, "slots": slots}, &ev)
	if err != nil {
		return benchEvent{}, err
	}
	out := benchEvent{id: ev.ID, placeID: places.Places[0].ID}
	for _, s := range ev.Slots {
		out.slots = append(out.slots, s.ID)
	}
	if len(out.slots) == 0 {
		return out, fmt.Errorf("event %d has no slots", ev.ID)
	}
	return out, nil
}

// pairedKiosk registers a kiosk and pairs it as its page would, returning
// its token.
func (a *staffAPI) pairedKiosk(placeID int64, name string) (string, error) {
	var k struct {
		Code string `json:"pairing_code"`
	}
	if err := a.call("POST", "/api/admin/kiosks", map[string]any{"name": name, "place_id": placeID}, &k); err != nil {
		return "", err
	}
	var p struct {
		Token string `json:"token"`
	}
	kiosk := &staffAPI{url: a.url, c: a.c}
	if err := kiosk.call("POST", "/api/kiosk/pair", map[string]string{"code": k.Code}, &p); err != nil {
		return "", err
	}
	return p.Token, nil
}

// batchStats are the sums of the server's group-commit histogram
// (chorus_db_group_commit_size) at one moment.
type batchStats struct {
	count, sum float64
	buckets    map[string]float64 // by upper bound, cumulative
}

// minus describes the batches committed between b0 and b.
func (b batchStats) minus(b0 batchStats) string {
	n, sum := b.count-b0.count, b.sum-b0.sum
	if n == 0 {
		return "no batches"
	}
	out := fmt.Sprintf("%.0f batches, %.1f transactions per batch on average;", n, sum/n)
	prev := 0.0
	for _, le := range b.bounds() {
		c := b.buckets[le] - b0.buckets[le]
		if c > prev {
			out += fmt.Sprintf(" ≤%s: %.0f%%", le, 100*(c-prev)/n)
		}
		prev = c
	}
	return out
}

// bounds returns the histogram's upper bounds, smallest first.
func (b batchStats) bounds() []string {
	les := make([]string, 0, len(b.buckets))
	for le := range b.buckets {
		les = append(les, le)
	}
	sort.Slice(les, func(i, j int) bool { return leValue(les[i]) < leValue(les[j]) })
	return les
}

func leValue(le string) float64 {
	if le == "+Inf" {
		return 1e18
	}
	v, _ := strconv.ParseFloat(le, 64)
	return v
}

// scrapeBatches reads the group-commit histogram from the server's
// /metrics (the sum over several, comma-separated); "" reads nothing.
func scrapeBatches(urls string) (batchStats, error) {
	return scrapeHistogram(urls, "chorus_db_group_commit_size")
}

// scrapeHistogram reads histogram name from the servers' /metrics (the
// sum over several, comma-separated); "" reads nothing.
func scrapeHistogram(urls, name string) (batchStats, error) {
	s := batchStats{buckets: map[string]float64{}}
	if urls == "" {
		return s, nil
	}
	// Several instances (comma-separated URLs): their batches together.
	for _, url := range strings.Split(urls, ",") {
		if err := s.scrape(url, name); err != nil {
			return s, err
		}
	}
	return s, nil
}

// scrape adds histogram name at url to s.
func (s *batchStats) scrape(url, name string) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		switch {
		case key == name+"_count":
			s.count += v
		case key == name+"_sum":
			s.sum += v
		case strings.HasPrefix(key, name+"_bucket{le=\""):
			s.buckets[strings.TrimSuffix(strings.TrimPrefix(key, name+"_bucket{le=\""), "\"}")] += v
		}
	}
	return sc.Err()
}
