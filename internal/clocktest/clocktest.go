// Package clocktest is the one fake clock of Chorus's tests: it stands
// still until a test moves it, so nothing in a test waits on the wall
// clock. Its Now is given to the store, the hub, the server and the SMS
// jobs wherever they take a Now func() time.Time.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a fake clock, safe for use by many goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock standing at t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d (backwards when d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
