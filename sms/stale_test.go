package sms_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// pausingOutbox answers its second call of Due from a snapshot taken at
// once but handed back only when released: the outbox's answer is older
// than what happens meanwhile, as a database read racing a send's end is.
type pausingOutbox struct {
	*memOutbox
	calls            atomic.Int32
	snapped, release chan struct{}
	afterRelease     chan struct{} // closed at the first Due after the paused one
	once             sync.Once
	// The first MarkSending says so on inSending and waits for goSending:
	// the worker has started the message but not yet marked it.
	inSending, goSending chan struct{}
	sendingOnce          sync.Once
}

func (o *pausingOutbox) MarkSending(ctx context.Context, id int64, at time.Time) error {
	o.sendingOnce.Do(func() {
		close(o.inSending)
		<-o.goSending
	})
	return o.memOutbox.MarkSending(ctx, id, at)
}

func (o *pausingOutbox) Due(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error) {
	msgs, err := o.memOutbox.Due(ctx, now, limit)
	switch o.calls.Add(1) {
	case 2:
		close(o.snapped)
		<-o.release
	case 3:
		o.once.Do(func() { close(o.afterRelease) })
	}
	return msgs, err
}

// countingSender counts its sends.
type countingSender struct{ sends atomic.Int32 }

func (s *countingSender) Send(ctx context.Context, m sms.Outgoing) (string, error) {
	s.sends.Add(1)
	return "biz", nil
}

func (s *countingSender) Lookup(context.Context, string, int64, time.Time) (bool, error) {
	return false, nil
}

// TestWorker_StaleDueSendsOnce: a send that ends while the worker is
// asking the outbox what is due must not be started again from that
// older answer (it was: the message went out twice whenever a read raced
// the end of its send, as in BenchmarkOutbox past 10,000 messages).
func TestWorker_StaleDueSendsOnce(t *testing.T) {
	out := &pausingOutbox{memOutbox: newMemOutbox(time.Now), snapped: make(chan struct{}), release: make(chan struct{}),
		afterRelease: make(chan struct{}), inSending: make(chan struct{}), goSending: make(chan struct{})}
	sender := &countingSender{}
	w := &sms.Worker{Outbox: out, Sender: sender, Catalogue: MustCatalogue(t), Logger: discard, Rate: -1}
	first := out.Add(chorus.Message{Phone: phone(1), Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.Run(ctx); close(stopped) }()

	<-out.inSending // the first message is started, not yet marked sending
	w.Wake()
	<-out.snapped // the worker asks what is due: the outbox still has it queued
	close(out.goSending)
	out.WaitCount(t, chorus.MessageSubmitted, 1) // it is sent and ends meanwhile
	close(out.release)                           // the older answer comes back
	<-out.afterRelease                           // and the worker has acted on it
	// A second message shows the worker at work after that answer; once it
	// is submitted, any send started from the older answer has run too.
	out.Add(chorus.Message{Phone: phone(2), Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
	w.Wake()
	out.WaitCount(t, chorus.MessageSubmitted, 2)
	cancel()
	<-stopped
	if n := sender.sends.Load(); n != 2 {
		t.Fatalf("%d sends for 2 messages: message %d was sent again from the outbox's older answer", n, first)
	}
}
