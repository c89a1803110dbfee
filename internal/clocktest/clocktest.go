// Package clocktest is the one fake clock of Chorus's tests: it stands
// still until a test moves it, so nothing in a test waits on the wall
// clock. Its Now is given to the store, the hub, the server and the SMS
// jobs wherever they take a Now func() time.Time. A browser test, whose
// page runs real timers, starts one Running instead: it flows at the
// wall clock's pace from a fixed start, and a test may still move it.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a fake clock, safe for use by many goroutines.
type Clock struct {
	mu  sync.Mutex
	t   time.Time
	run time.Time // when, by the wall clock, a running clock read t; zero: it stands still
}

// New returns a clock standing at t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Running returns a clock reading start now and running at the wall
// clock's pace from there.
func Running(start time.Time) *Clock { return &Clock{t: start, run: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.run.IsZero() {
		return c.t.Add(time.Since(c.run))
	}
	return c.t
}

// Add moves the clock by d (backwards when d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t; a running clock runs on from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	if !c.run.IsZero() {
		c.run = time.Now()
	}
	c.mu.Unlock()
}
