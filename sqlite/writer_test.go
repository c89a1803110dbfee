package sqlite_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/chorus-community/chorus/sqlite"
)

// TestDB_OnCommitPerBatch books from many goroutines at once, so that the
// writer commits them in batches, and checks what OnCommit heard: each
// commit names a slot or an event once, every slot booked is named, and
// the messages queued add up to one per booking.
func TestDB_OnCommitPerBatch(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	var mu sync.Mutex
	var heard []sqlite.Change
	db.OnCommit = func(c sqlite.Change) {
		mu.Lock()
		heard = append(heard, c)
		mu.Unlock()
	}
	e := MustEvent(t, db, Slots(2, 100)) // OnCommit is set before the first write
	const n = 60
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := db.Book(ctx, Req(e, i%2, Phone(i))); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	// OnCommit runs on the writer after a batch is answered: once a later
	// write is answered, every earlier batch's OnCommit has returned.
	MustPlace(t, db, "楼下活动室")
	mu.Lock()
	defer mu.Unlock()
	messages := 0
	var slots []int64
	for _, c := range heard {
		for _, ids := range [][]int64{c.Slots, c.Events} {
			if len(slices.Compact(slices.Clone(ids))) != len(ids) {
				t.Fatalf("a commit names an id twice: %+v", c)
			}
		}
		slots = append(slots, c.Slots...)
		messages += c.Messages
	}
	if messages != n {
		t.Fatalf("OnCommit heard of %d messages, want %d", messages, n)
	}
	for _, s := range e.Slots {
		if !slices.Contains(slots, s.ID) {
			t.Fatalf("slot %d never named (heard %+v)", s.ID, heard)
		}
	}
	if len(heard) > n+1 { // and the event's creation
		t.Fatalf("%d commits heard for %d bookings", len(heard), n)
	}
}
