package sms_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
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
