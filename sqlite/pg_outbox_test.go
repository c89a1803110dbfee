package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/storetest"
	"github.com/chorus-community/chorus/sqlite"
)

// TestPostgresOutboxTwoInstances queues 120 messages and lets two stores on
// one database drain the outbox at once, as two instances' workers do
// (Due, MarkSending, the send, MarkSubmitted): every message is sent, and
// none twice.
func TestPostgresOutboxTwoInstances(t *testing.T) {
	a, b := twoPG(t)
	ctx := context.Background()
	const n = 120
	for i := range n {
		m := chorus.Message{Phone: fmt.Sprintf("138%08d", i), Kind: chorus.MsgHelp}
		if err := a.Queue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	sent := map[int64]int{}
	by := map[*sqlite.DB]int{}
	drain := func(db *sqlite.DB) {
		now := db.Now()
		for {
			msgs, err := db.Due(ctx, now, 7)
			if err != nil {
				t.Error(err)
				return
			}
			if len(msgs) == 0 {
				return
			}
			for _, m := range msgs {
				if err := db.MarkSending(ctx, m.ID, now); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				sent[m.ID]++
				by[db]++
				mu.Unlock()
				if err := db.MarkSubmitted(ctx, m.ID, "biz", now); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}
	var wg sync.WaitGroup
	for _, db := range []*sqlite.DB{a, b} { // one worker per instance
		wg.Add(1)
		go func() { defer wg.Done(); drain(db) }()
	}
	wg.Wait()
	if len(sent) != n {
		t.Errorf("%d messages sent, want %d", len(sent), n)
	}
	t.Logf("instance A sent %d, B %d", by[a], by[b])
	for id, k := range sent {
		if k != 1 {
			t.Errorf("message %d sent %d times", id, k)
		}
	}
}

// TestPostgresOutboxLeaseMoves: a message claimed by an instance that then
// dies (it never marks it) is left to that instance until its lease runs
// out, then claimed by the other, in status sending, so that its worker
// looks it up before sending again.
func TestPostgresOutboxLeaseMoves(t *testing.T) {
	a, b := twoPG(t)
	clock := clocktest.New(storetest.T0)
	a.Now, b.Now = clock.Now, clock.Now
	ctx := context.Background()
	if err := a.Queue(ctx, chorus.Message{Phone: "13800000001", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Due(ctx, clock.Now(), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("A's due = %v, %v; want the message", got, err)
	}
	if err := a.MarkSending(ctx, got[0].ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	// A dies here, mid-send.
	if again, err := b.Due(ctx, clock.Now(), 10); err != nil || len(again) != 0 {
		t.Fatalf("B's due while A's lease holds = %v, %v; want nothing", again, err)
	}
	clock.Add(2*time.Minute + time.Millisecond)
	again, err := b.Due(ctx, clock.Now(), 10)
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID || again[0].Status != chorus.MessageSending {
		t.Fatalf("B's due after A's lease = %+v, %v; want the message, sending", again, err)
	}
	if mine, err := a.Due(ctx, clock.Now(), 10); err != nil || len(mine) != 0 {
		t.Errorf("A's due once B holds the message = %v, %v; want nothing", mine, err)
	}
}
