package clocktest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/clocktest"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	c := clocktest.New(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now = %v, want %v", got, t0)
	}
	c.Add(time.Hour)
	c.Add(time.Minute)
	if got, want := c.Now(), t0.Add(time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("after two Adds = %v, want %v", got, want)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Errorf("after Set = %v, want %v", got, t0)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); c.Add(time.Second); c.Now() }()
	}
	wg.Wait()
	if got, want := c.Now(), t0.Add(10*time.Second); !got.Equal(want) {
		t.Errorf("after 10 concurrent Adds = %v, want %v", got, want)
	}
}

func TestRunning(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := clocktest.Running(t0)
	first := c.Now()
	if first.Before(t0) || first.Sub(t0) > time.Minute {
		t.Fatalf("Now = %v, want just after %v", first, t0)
	}
	// It flows with the wall clock: the next reading that differs is later.
	next := c.Now()
	for next.Equal(first) {
		next = c.Now()
	}
	if !next.After(first) {
		t.Errorf("a running clock went from %v back to %v", first, next)
	}
	c.Add(time.Hour)
	if got := c.Now(); got.Before(t0.Add(time.Hour)) || got.Sub(t0) > time.Hour+time.Minute {
		t.Errorf("after Add(1h) = %v, want just after %v", got, t0.Add(time.Hour))
	}
	t1 := time.Date(2026, 12, 5, 8, 50, 0, 0, time.UTC)
	c.Set(t1)
	if got := c.Now(); got.Before(t1) || got.Sub(t1) > time.Minute {
		t.Errorf("after Set = %v, want just after %v", got, t1)
	}
}
