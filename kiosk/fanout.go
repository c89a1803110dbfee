package kiosk

import (
	"sync/atomic"
	"time"
)

// fanout follows one change's frames to the kiosks, to tell
// Hub.ObserveFanout when the last one has been written: the server's part
// of issue 18's "one change reaching 10,000 kiosks", which the load
// generator, sharing the server's cores, cannot separate from its own.
// Each frame queued adds one; each written, or dropped with its kiosk,
// takes one away. A nil fanout does nothing.
type fanout struct {
	h       *Hub
	start   time.Time
	frames  atomic.Int64 // queued, to as many kiosks (or more: a change can be several frames)
	pending atomic.Int64
}

// newFanout starts following a change whose commit the hub heard of at
// start, holding one count of its own until the frames are all queued;
// nil when nothing is to be observed.
func (h *Hub) newFanout(start time.Time) *fanout {
	if h.ObserveFanout == nil || start.IsZero() {
		return nil
	}
	f := &fanout{h: h, start: start}
	f.pending.Store(1)
	return f
}

// add counts one more frame of the change queued.
func (f *fanout) add() {
	if f != nil {
		f.frames.Add(1)
		f.pending.Add(1)
	}
}

// done counts one frame written or dropped; the last reports the change.
func (f *fanout) done() {
	if f != nil && f.pending.Add(-1) == 0 {
		if n := f.frames.Load(); n > 0 {
			f.h.ObserveFanout(int(n), time.Since(f.start))
		}
	}
}
