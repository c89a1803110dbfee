package sms_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// benchBacklog bounds the messages queued but not yet submitted, like a
// steady stream of bookings rather than one huge import.
const benchBacklog = 200

// BenchmarkOutbox drains the in-memory outbox through the real Alibaba
// SDK to the local fake, with the Worker's defaults and no rate limit.
// Messages are queued as the backlog allows, each followed by Wake, as the
// storage does after a commit. It reports messages/s and the 50th and
// 99th percentile of enqueue→submitted.
func BenchmarkOutbox(b *testing.B) {
	_, sender := MustFake(b, time.Now, 10*time.Second)
	out := newMemOutbox(time.Now)
	room := make(chan struct{}, benchBacklog)
	out.onSubmitted = func(int64) { <-room }
	w := &sms.Worker{Outbox: out, Sender: sender, Catalogue: MustCatalogue(b), Logger: discard, Rate: -1}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		w.Run(ctx)
		close(stopped)
	}()
	b.ResetTimer()
	t0 := time.Now()
	for i := range b.N {
		room <- struct{}{}
		out.Add(chorus.Message{Phone: phone(i % 10000), Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
		w.Wake()
	}
	out.WaitCount(b, chorus.MessageSubmitted, b.N)
	elapsed := time.Since(t0)
	b.StopTimer()
	cancel()
	<-stopped

	lat := make([]time.Duration, 0, b.N)
	out.mu.Lock()
	for id, m := range out.msgs {
		lat = append(lat, out.done[id].Sub(m.CreatedAt))
	}
	out.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// retryCounting is an outbox that counts the messages put back in the
// queue (here: the sends that hung until their timeout).
type retryCounting struct {
	*memOutbox
	retried atomic.Int64
	onRetry func()
}

func (o *retryCounting) MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error {
	err := o.memOutbox.MarkRetry(ctx, id, next, code, msg)
	o.retried.Add(1)
	o.onRetry()
	return err
}

// benchPacedRate is the pace messages are queued at in the paced
// benchmarks: below the worker's default rate (100/s), as a steady day's
// bookings are, so the figures show the send path, not a backlog.
const benchPacedRate = 80

// benchOutboxPaced drains the outbox with the Worker's production
// defaults (DefaultRate, DefaultConcurrency, DefaultTimeout, the limiter
// starting empty) through the real SDK to the fake, queuing
// benchPacedRate messages a second. With hangEvery set, every
// hangEvery-th SendSms hangs until the call's 10 s timeout. It reports the
// 50th and 99th percentile of enqueue→submitted of the messages that were
// not hung, and how many hung.
func benchOutboxPaced(b *testing.B, hangEvery int) {
	fake := smsfake.New(smsfake.Options{SignName: testSign, Templates: catalogueVars(b), HangEvery: hangEvery})
	b.Cleanup(fake.Close)
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID,
		AccessKeySecret: smsfake.DefaultAccessKeySecret, SignName: testSign, Endpoint: fake.Endpoint, Scheme: "http"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sender.Close() })
	mem := newMemOutbox(time.Now)
	out := &retryCounting{memOutbox: mem}
	out.onRetry = func() {
		mem.mu.Lock()
		mem.notifyLocked()
		mem.mu.Unlock()
	}
	w := &sms.Worker{Outbox: out, Sender: sender, Catalogue: MustCatalogue(b), Logger: discard}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		w.Run(ctx)
		close(stopped)
	}()
	tick := time.NewTicker(time.Second / benchPacedRate)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		mem.Add(chorus.Message{Phone: phone(i % 10000), Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
		w.Wake()
	}
	for {
		mem.mu.Lock()
		ch := mem.changed
		mem.mu.Unlock()
		if mem.Count(chorus.MessageSubmitted)+int(out.retried.Load()) >= b.N {
			break
		}
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			b.Fatalf("stuck: %d submitted, %d retried of %d", mem.Count(chorus.MessageSubmitted), out.retried.Load(), b.N)
		}
	}
	b.StopTimer()
	cancel()
	<-stopped

	var lat []time.Duration
	mem.mu.Lock()
	for id, m := range mem.msgs {
		if m.Status == chorus.MessageSubmitted {
			lat = append(lat, mem.done[id].Sub(m.CreatedAt))
		}
	}
	mem.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(out.retried.Load()), "hung")
}

// BenchmarkOutboxPaced is the no-fault baseline of the paced benchmarks:
// go test -run '^$' -bench OutboxPaced -benchtime 1000x ./sms/
func BenchmarkOutboxPaced(b *testing.B) { benchOutboxPaced(b, 0) }

// BenchmarkOutboxPaced_OneInFiftyHangs hangs one SendSms in 50 until its
// timeout: the others' p99 must stay within twice the baseline's.
func BenchmarkOutboxPaced_OneInFiftyHangs(b *testing.B) { benchOutboxPaced(b, 50) }
