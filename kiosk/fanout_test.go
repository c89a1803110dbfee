package kiosk_test

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus/kiosk"
)

// TestHub_SharedDeltaKeepsEachSeq: a delta is encoded once per seq and
// shared, yet kiosks that connected at different times each get it with
// their own next seq and the same content.
func TestHub_SharedDeltaKeepsEachSeq(t *testing.T) {
	f := mustFixture(t, 1, 5)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	early := f.dial(t, tok)
	early.expect(t, kiosk.TypeSnapshot)
	f.mustBook(t, 0, "13800138001")
	if m := early.expect(t, kiosk.TypeSeats); m.Seq != 2 || m.SeatsLeft != 4 {
		t.Fatalf("early kiosk: %s", m.Raw)
	}
	late := f.dial(t, tok)
	late.expect(t, kiosk.TypeSnapshot)
	twin := f.dial(t, tok)
	twin.expect(t, kiosk.TypeSnapshot)
	f.mustBook(t, 0, "13800138002")
	a, b, c := early.expect(t, kiosk.TypeSeats), late.expect(t, kiosk.TypeSeats), twin.expect(t, kiosk.TypeSeats)
	if a.Seq != 3 || b.Seq != 2 || c.Seq != 2 {
		t.Fatalf("seq = %d, %d, %d; want 3, 2, 2", a.Seq, b.Seq, c.Seq)
	}
	strip := func(raw []byte) string { _, rest, _ := bytes.Cut(raw, []byte(",")); return string(rest) }
	if strip(a.Raw) != strip(b.Raw) || string(b.Raw) != string(c.Raw) || b.SeatsLeft != 3 {
		t.Fatalf("deltas differ: %s / %s / %s", a.Raw, b.Raw, c.Raw)
	}
}

// TestHub_IdleHoldsNoWriter: an idle connection keeps one goroutine, its
// reader; a writer runs only while frames wait for it.
func TestHub_IdleHoldsNoWriter(t *testing.T) {
	const kiosks = 8
	f := mustFixture(t, 1, 50)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	for range kiosks {
		f.dial(t, tok).expect(t, kiosk.TypeSnapshot)
	}
	// The writers end once they have written; poll the goroutines until
	// they have, within waitFor.
	deadline := time.Now().Add(waitFor)
	for {
		readers, writers := countGoroutines("kiosk.(*client).readPump"), countGoroutines("kiosk.(*client).write")
		if readers == kiosks && writers == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d readers and %d writers for %d idle kiosks, want %d and 0", readers, writers, kiosks, kiosks)
		}
		time.Sleep(10 * time.Millisecond) // polling the runtime: nothing to wait on
	}
}

// countGoroutines counts the goroutines with fn in their stack.
func countGoroutines(fn string) int {
	var b strings.Builder
	pprof.Lookup("goroutine").WriteTo(&b, 2)
	n := 0
	for _, g := range strings.Split(b.String(), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// TestHub_PoolWrites: a change reaches every kiosk through the writers'
// pool, with no goroutine started per kiosk (issue 18: creating one per
// kiosk for each change cost 15 % of the fan-out's CPU).
func TestHub_PoolWrites(t *testing.T) {
	const kiosks = 40
	f := mustFixture(t, 1, 50)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	var conns []*kclient
	for range kiosks {
		c := f.dial(t, tok)
		c.expect(t, kiosk.TypeSnapshot)
		conns = append(conns, c)
	}
	before := kiosk.OwnWriters(f.Hub)
	f.mustBook(t, 0, "13800138001")
	for _, c := range conns {
		if m := c.expect(t, kiosk.TypeSeats); m.SeatsLeft != 49 {
			t.Fatalf("seats: %s", m.Raw)
		}
	}
	if n := kiosk.OwnWriters(f.Hub) - before; n != 0 {
		t.Errorf("%d kiosks got a writer goroutine of their own, want 0 (the pool)", n)
	}
}

// TestHub_ObserveFanout: the hub reports each change once its frame has
// been written to every kiosk, with how many frames (one a kiosk here); a kiosk that
// stopped reading and was closed does not hold the report back.
func TestHub_ObserveFanout(t *testing.T) {
	type obs struct {
		frames int
		d      time.Duration
	}
	seen := make(chan obs, 16)
	f := mustFixtureWith(t, 1, 50, func(h *kiosk.Hub) {
		h.ObserveFanout = func(n int, d time.Duration) { seen <- obs{n, d} }
	})
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	clients := []*kclient{f.dial(t, tok), f.dial(t, tok), f.dial(t, tok)}
	for _, c := range clients {
		c.expect(t, kiosk.TypeSnapshot)
	}
	f.mustBook(t, 0, "13800138001")
	for _, c := range clients {
		c.expect(t, kiosk.TypeSeats)
	}
	select {
	case o := <-seen:
		if o.frames != 3 || o.d <= 0 {
			t.Fatalf("observed %d frames in %s, want 3 and a duration", o.frames, o.d)
		}
	case <-time.After(waitFor):
		t.Fatal("no fan-out observed after a booking reached 3 kiosks")
	}

	clients[2].conn.Close() // gone: the next change must still be reported
	f.mustBook(t, 0, "13800138002")
	for _, c := range clients[:2] {
		c.expect(t, kiosk.TypeSeats)
	}
	select {
	case o := <-seen:
		if o.frames < 2 || o.frames > 3 {
			t.Fatalf("observed %d frames, want 2 (or 3, when the change was queued before the hub saw the close)", o.frames)
		}
	case <-time.After(waitFor):
		t.Fatal("a closed kiosk held the fan-out report back")
	}
}
