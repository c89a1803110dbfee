// Package push fans "something changed" out to open streams: the staff
// console's live websocket, the attendance server-sent events and the
// kiosk hub, which follows the same commits to redraw every kiosk. A
// Broker holds the subscribers by topic; publishing marks the topics
// pending on each subscriber and wakes it through a one-slot channel, so
// a burst of publications coalesces into one wake-up naming every topic
// touched, and a subscriber that never reads never delays the publisher.
package push

import (
	"slices"
	"sort"
	"sync"
)

// Broker fans topics out to subscribers. Publish never blocks. The zero
// value is ready to use.
type Broker struct {
	mu     sync.Mutex
	topics map[string]map[*Sub]struct{}
	n      int
	closed bool
	moved  chan struct{} // closed and replaced whenever n changes
}

// Sub is one subscriber: wait on Wake, then Take the topics pending; Done
// is closed when the broker closes. Close unsubscribes.
type Sub struct {
	b       *Broker
	topics  []string
	pending map[string]bool // guarded by b.mu
	wake    chan struct{}
	done    chan struct{}
	gone    bool // unsubscribed; guarded by b.mu
	counted bool // opened by Subscribe: bounded by max, counted by Len
}

// Subscribe opens a subscriber to the topics; false when the broker is
// closed or holds max subscribers already (max <= 0: no bound).
func (b *Broker) Subscribe(max int, topics ...string) (*Sub, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || (max > 0 && b.n >= max) {
		return nil, false
	}
	s := b.add(topics)
	s.counted = true
	b.n++
	b.signal()
	return s, true
}

// Follow opens a subscriber for a listener inside the server (the kiosk
// hub) rather than a client's stream: it is never refused, does not count
// against Subscribe's max nor in Len and Count. On a closed broker its
// Done is closed already.
func (b *Broker) Follow(topics ...string) *Sub {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.add(topics)
	if b.closed {
		close(s.done)
	}
	return s
}

// add registers a new subscriber to topics; b.mu is held.
func (b *Broker) add(topics []string) *Sub {
	if b.topics == nil {
		b.topics = map[string]map[*Sub]struct{}{}
	}
	s := &Sub{b: b, topics: slices.Clone(topics), pending: map[string]bool{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, t := range s.topics {
		if b.topics[t] == nil {
			b.topics[t] = map[*Sub]struct{}{}
		}
		b.topics[t][s] = struct{}{}
	}
	return s
}

// Close unsubscribes s; closing twice is harmless.
func (s *Sub) Close() {
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.gone {
		return
	}
	s.gone = true
	for _, t := range s.topics {
		delete(b.topics[t], s)
		if len(b.topics[t]) == 0 {
			delete(b.topics, t)
		}
	}
	if s.counted {
		b.n--
		b.signal()
	}
}

// Wake receives when topics are pending; several publications before the
// subscriber reads make one wake-up.
func (s *Sub) Wake() <-chan struct{} { return s.wake }

// Done is closed when the broker closes.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Take returns and clears the topics pending on s, sorted.
func (s *Sub) Take() []string {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	out := make([]string, 0, len(s.pending))
	for t := range s.pending {
		out = append(out, t)
	}
	clear(s.pending)
	sort.Strings(out)
	return out
}

// Publish marks the topics pending on their subscribers and wakes them. It
// never blocks; topics nobody subscribed to are dropped.
func (b *Broker) Publish(topics ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Every topic is marked before anyone is woken, and each subscriber is
	// woken once: one that wakes at the first topic must not be woken again
	// for the second and read the same state twice.
	var touched []*Sub
	for _, t := range topics {
		for s := range b.topics[t] {
			// Pending topics mean a wake-up already sent and not yet
			// taken: Take will return these too.
			if len(s.pending) == 0 {
				touched = append(touched, s)
			}
			s.pending[t] = true
		}
	}
	for _, s := range touched {
		select {
		case s.wake <- struct{}{}:
		default: // already woken: it will take these topics too
		}
	}
}

// Len returns the number of open subscribers.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Count returns the number of open subscribers and a channel closed when
// it next changes (for tests that wait for a stream to open).
func (b *Broker) Count() (int, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.moved == nil {
		b.moved = make(chan struct{})
	}
	return b.n, b.moved
}

// signal wakes whoever waits in Count; b.mu is held.
func (b *Broker) signal() {
	if b.moved != nil {
		close(b.moved)
	}
	b.moved = make(chan struct{})
}

// Close closes every subscriber's Done and refuses new subscribers;
// closing twice is harmless.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	seen := map[*Sub]bool{}
	for _, subs := range b.topics {
		for s := range subs {
			if !seen[s] {
				seen[s] = true
				close(s.done)
			}
		}
	}
}
