package push_test

import (
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/chorus-community/chorus/push"
)

// woken reports whether s has a wake-up waiting, without blocking.
func woken(s *push.Sub) bool {
	select {
	case <-s.Wake():
		return true
	default:
		return false
	}
}

// A burst of publications becomes one wake-up naming every topic, sorted
// and once each; topics a subscriber did not ask for never reach it.
func TestCoalescing(t *testing.T) {
	var b push.Broker
	s, ok := b.Subscribe(0, push.Events, push.SMS, push.Orders)
	if !ok {
		t.Fatal("subscribe refused")
	}
	defer s.Close()
	b.Publish(push.SMS)
	b.Publish(push.Events, push.SMS)
	b.Publish(push.Kiosks, push.Events)
	if !woken(s) {
		t.Fatal("no wake-up after three publications")
	}
	if woken(s) {
		t.Fatal("a second wake-up: publications did not coalesce")
	}
	if got, want := s.Take(), []string{push.Events, push.SMS}; !slices.Equal(got, want) {
		t.Fatalf("Take = %v, want %v", got, want)
	}
	if got := s.Take(); len(got) != 0 {
		t.Fatalf("second Take = %v, want nothing", got)
	}
}

// A subscriber woken but not yet done taking is not woken again by what
// is published meanwhile: Take returns it, and a stream reads the state
// once per batch, not twice (one check-in names its event twice).
func TestNoSecondWakeBeforeTake(t *testing.T) {
	var b push.Broker
	s, _ := b.Subscribe(0, push.Attendance(1), push.Events)
	defer s.Close()
	b.Publish(push.Attendance(1))
	<-s.Wake()
	b.Publish(push.Attendance(1), push.Events, push.Attendance(1))
	if woken(s) {
		t.Fatal("woken again before Take")
	}
	if got, want := s.Take(), []string{push.Attendance(1), push.Events}; !slices.Equal(got, want) {
		t.Fatalf("Take = %v, want %v", got, want)
	}
	b.Publish(push.Events)
	if !woken(s) {
		t.Fatal("not woken by a publication after Take")
	}
}

// Publishing to topics nobody follows, or nothing, wakes nobody.
func TestPublishTable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sub     []string
		publish []string
		want    []string
	}{
		{"own topic", []string{push.Attendance(1)}, []string{push.Attendance(1)}, []string{push.Attendance(1)}},
		{"other event", []string{push.Attendance(1)}, []string{push.Attendance(2)}, nil},
		{"named twice", []string{push.Attendance(7)}, []string{push.Attendance(7), push.Attendance(7)}, []string{push.Attendance(7)}},
		{"nothing", push.ConsoleTopics(), nil, nil},
		{"unknown topic", push.ConsoleTopics(), []string{"nobody"}, nil},
		{"console", push.ConsoleTopics(), []string{push.Kiosks, push.Orders}, []string{push.Kiosks, push.Orders}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b push.Broker
			s, _ := b.Subscribe(0, tc.sub...)
			defer s.Close()
			b.Publish(tc.publish...)
			if w := woken(s); w != (tc.want != nil) {
				t.Fatalf("woken = %v, want %v", w, tc.want != nil)
			}
			if got := s.Take(); !slices.Equal(got, tc.want) && !(len(got) == 0 && tc.want == nil) {
				t.Fatalf("Take = %v, want %v", got, tc.want)
			}
		})
	}
}

// A closed subscriber hears nothing more, frees its place, and closing it
// twice is harmless.
func TestUnsubscribe(t *testing.T) {
	var b push.Broker
	s1, _ := b.Subscribe(2, push.Events)
	s2, _ := b.Subscribe(2, push.Events)
	if _, ok := b.Subscribe(2, push.Events); ok {
		t.Fatal("a third subscriber admitted over a bound of 2")
	}
	n, moved := b.Count()
	if n != 2 {
		t.Fatalf("Count = %d, want 2", n)
	}
	s1.Close()
	s1.Close()
	select {
	case <-moved:
	default:
		t.Fatal("Count's channel not closed when a subscriber left")
	}
	if b.Len() != 1 {
		t.Fatalf("Len = %d after one Close, want 1", b.Len())
	}
	b.Publish(push.Events)
	if woken(s1) {
		t.Fatal("a closed subscriber was woken")
	}
	if !woken(s2) {
		t.Fatal("the open subscriber was not woken")
	}
	s3, ok := b.Subscribe(2, push.Events)
	if !ok {
		t.Fatal("the freed place was not given again")
	}
	s3.Close()
	s2.Close()
	if b.Len() != 0 {
		t.Fatalf("Len = %d after every Close, want 0", b.Len())
	}
}

// A subscriber that never reads does not block the publisher, however
// often it publishes, nor delay a subscriber that does read.
func TestNeverReaderDoesNotBlock(t *testing.T) {
	var b push.Broker
	deaf, _ := b.Subscribe(0, push.Events)
	defer deaf.Close()
	reader, _ := b.Subscribe(0, push.Events)
	defer reader.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 10000 {
			b.Publish(push.Events)
		}
	}()
	got := 0
	for got == 0 {
		<-reader.Wake()
		got = len(reader.Take())
	}
	wg.Wait() // would hang if Publish waited on deaf
	if !woken(deaf) {
		t.Fatal("the deaf subscriber holds no wake-up")
	}
}

// Close ends every subscriber and refuses new ones.
func TestClose(t *testing.T) {
	var b push.Broker
	s1, _ := b.Subscribe(0, push.Events, push.SMS)
	s2, _ := b.Subscribe(0, push.Attendance(3))
	b.Close()
	b.Close()
	for _, s := range []*push.Sub{s1, s2} {
		select {
		case <-s.Done():
		default:
			t.Fatal("Done not closed by Close")
		}
	}
	if _, ok := b.Subscribe(0, push.Events); ok {
		t.Fatal("a closed broker admitted a subscriber")
	}
	s1.Close()
	s2.Close()
}

// Concurrent subscribers, publishers and closers are race-free (-race).
func TestConcurrent(t *testing.T) {
	var b push.Broker
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				s, ok := b.Subscribe(0, push.Attendance(int64(i%3)), push.Events)
				if !ok {
					return
				}
				b.Publish(push.Attendance(int64(i%2)), push.Events)
				s.Take()
				s.Close()
			}
		}()
	}
	wg.Wait()
	b.Close()
	if b.Len() != 0 {
		t.Fatalf("Len = %d, want 0", b.Len())
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin  string
		allowed []string
		want    bool
	}{
		{"", nil, true},
		{"https://chorus.example", nil, true},
		{"https://CHORUS.example", nil, true},
		{"https://evil.example", nil, false},
		{"null", nil, false},
		{"://bad", nil, false},
		{"https://kiosk.example", []string{"https://kiosk.example/"}, true},
		{"https://kiosk.example", []string{"http://kiosk.example"}, false},
	} {
		r := httptest.NewRequest("GET", "https://chorus.example/api/admin/live", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := push.SameOrigin(r, tc.allowed...); got != tc.want {
			t.Errorf("SameOrigin(%q, %v) = %v, want %v", tc.origin, tc.allowed, got, tc.want)
		}
	}
}

// A follower (the kiosk hub on the console's broker) hears the same
// publications, coalesced, without taking a stream's place: it is not
// refused at the bound, not counted, and its Done closes with the broker.
func TestFollow(t *testing.T) {
	var b push.Broker
	s, ok := b.Subscribe(1, push.Events)
	if !ok {
		t.Fatal("subscribe refused")
	}
	defer s.Close()
	f := b.Follow(push.Events, push.Programmes)
	if b.Len() != 1 {
		t.Fatalf("Len = %d with one stream and a follower, want 1", b.Len())
	}
	b.Publish(push.Programmes)
	b.Publish(push.Events, push.Orders)
	if !woken(f) || woken(f) {
		t.Fatal("want exactly one wake-up for the follower")
	}
	if got, want := f.Take(), []string{push.Events, push.Programmes}; !slices.Equal(got, want) {
		t.Fatalf("Take = %v, want %v", got, want)
	}
	f.Close()
	f.Close()
	if b.Len() != 1 {
		t.Fatalf("Len = %d after the follower closed, want 1", b.Len())
	}
	g := b.Follow(push.Events)
	b.Close()
	select {
	case <-g.Done():
	default:
		t.Fatal("follower's Done open after Close")
	}
	select {
	case <-b.Follow(push.Events).Done():
	default:
		t.Fatal("Done of a follower of a closed broker is open")
	}
}
