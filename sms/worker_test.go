package sms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// rig is a worker wired to the real Alibaba sender talking to the fake,
// on a shared test clock.
type rig struct {
	clk    *clocktest.Clock
	fake   *smsfake.Server
	sender *sms.Alibaba
	out    *memOutbox
	w      *sms.Worker
}

// newRig returns a rig whose sender gives up on a call after timeout.
func newRig(t *testing.T, timeout time.Duration) *rig {
	t.Helper()
	clk := newClock()
	fake, sender := MustFake(t, clk.Now, timeout)
	out := newMemOutbox(clk.Now)
	w := &sms.Worker{Outbox: out, Sender: sender, Catalogue: MustCatalogue(t), Now: clk.Now, Logger: discard,
		Rate: -1, Concurrency: 4}
	return &rig{clk: clk, fake: fake, sender: sender, out: out, w: w}
}

// add queues a booking confirmation to phone(i).
func (r *rig) add(i int) int64 {
	return r.out.Add(chorus.Message{Phone: phone(i), Kind: chorus.MsgBookingConfirm, Params: bookingParams(), ExpectsReply: true})
}

// mustRun runs one round and checks how many messages it handled.
func (r *rig) mustRun(t *testing.T, want int) {
	t.Helper()
	n, err := r.w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("RunOnce handled %d messages, want %d", n, want)
	}
}

func TestWorker_RunOnce(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		ids := []int64{r.add(1), r.add(2), r.out.Add(chorus.Message{Phone: phone(3), Kind: chorus.MsgHelp})}
		r.mustRun(t, 3)
		byOut := r.fake.SendsByOutID()
		for _, id := range ids {
			m := r.out.Get(id)
			sends := byOut[fmt.Sprint(id)]
			if m.Status != chorus.MessageSubmitted || m.Attempts != 1 || len(sends) != 1 || m.BizID != sends[0].BizID {
				t.Errorf("message %d: %+v, sends %+v", id, m, sends)
			}
		}
		r.mustRun(t, 0) // nothing left
	})

	t.Run("SamePhoneInOrder", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		for range 5 {
			r.add(1)
		}
		r.add(2)
		r.mustRun(t, 6)
		var got []string
		for _, s := range r.fake.Sends() {
			if s.Phone == phone(1) {
				got = append(got, s.OutID)
			}
		}
		if fmt.Sprint(got) != "[1 2 3 4 5]" {
			t.Errorf("phone 1 got out ids %v, want in order", got)
		}
	})

	t.Run("Faults", func(t *testing.T) {
		nextMorning := time.Date(2026, 12, 6, 8, 0, 0, 0, cst)
		for _, tt := range []struct {
			name   string
			fault  smsfake.Fault
			status chorus.MessageStatus
			code   string
			next   time.Time // for retries
		}{
			{"Throttling", smsfake.Fault{Code: "Throttling.User"}, chorus.MessageQueued, "Throttling.User", start.Add(30 * time.Second)},
			{"HTTP500", smsfake.Fault{Status: 500}, chorus.MessageQueued, "HTTP500", start.Add(30 * time.Second)},
			{"ServiceUnavailable", smsfake.Fault{Code: "ServiceUnavailable"}, chorus.MessageQueued, "ServiceUnavailable", start.Add(30 * time.Second)},
			{"HourLimit", smsfake.Fault{Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发小时级流控Permits:5"},
				chorus.MessageQueued, "isv.BUSINESS_LIMIT_CONTROL", start.Add(time.Hour)},
			{"MinuteLimit", smsfake.Fault{Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发分钟级流控Permits:1"},
				chorus.MessageQueued, "isv.BUSINESS_LIMIT_CONTROL", start.Add(time.Minute)},
			{"DayLimit", smsfake.Fault{Code: "isv.DAY_LIMIT_CONTROL"}, chorus.MessageQueued, "isv.DAY_LIMIT_CONTROL", nextMorning},
			{"BadNumber", smsfake.Fault{Code: "isv.MOBILE_NUMBER_ILLEGAL"}, chorus.MessageFailed, "isv.MOBILE_NUMBER_ILLEGAL", time.Time{}},
			{"NoMoney", smsfake.Fault{Code: "isv.AMOUNT_NOT_ENOUGH"}, chorus.MessageFailed, "isv.AMOUNT_NOT_ENOUGH", time.Time{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := newRig(t, 5*time.Second)
				id := r.add(1)
				r.fake.Inject(tt.fault, 1)
				r.mustRun(t, 1)
				m := r.out.Get(id)
				if m.Status != tt.status || m.ErrCode != tt.code || m.Attempts != 1 {
					t.Fatalf("message = %s %s attempts %d, want %s %s", m.Status, m.ErrCode, m.Attempts, tt.status, tt.code)
				}
				if tt.status == chorus.MessageFailed {
					return
				}
				if !m.NextAttempt.Equal(tt.next) {
					t.Errorf("next attempt %v, want %v", m.NextAttempt.In(cst), tt.next.In(cst))
				}
				r.mustRun(t, 0) // not due yet
				r.clk.Add(tt.next.Sub(r.clk.Now()))
				r.mustRun(t, 1)
				if m := r.out.Get(id); m.Status != chorus.MessageSubmitted || m.Attempts != 2 || r.fake.Count() != 1 {
					t.Errorf("after retry: %s attempts %d, %d sends", m.Status, m.Attempts, r.fake.Count())
				}
				if n := r.fake.Calls("QuerySendDetails"); n != 0 {
					t.Errorf("%d lookups after a plain refusal, want none", n)
				}
			})
		}
	})

	t.Run("TimeoutNotRecorded", func(t *testing.T) {
		r := newRig(t, 100*time.Millisecond)
		id := r.add(1)
		r.fake.HangNext(1, false)
		r.mustRun(t, 1)
		m := r.out.Get(id)
		if m.Status != chorus.MessageQueued || m.ErrCode != sms.CodeTimeout || r.fake.Calls("QuerySendDetails") != 1 {
			t.Fatalf("message %s %s, %d lookups; want queued with a timeout after one lookup", m.Status, m.ErrCode,
				r.fake.Calls("QuerySendDetails"))
		}
		r.clk.Add(30 * time.Second)
		r.mustRun(t, 0) // the backoff passed, not the provider's lag: not yet
		r.clk.Add(30 * time.Second)
		r.mustRun(t, 1)
		m = r.out.Get(id)
		if m.Status != chorus.MessageSubmitted || r.fake.Count() != 1 || r.fake.Calls("QuerySendDetails") != 2 {
			t.Errorf("message %s, %d sends, %d lookups; want submitted once after looking again", m.Status,
				r.fake.Count(), r.fake.Calls("QuerySendDetails"))
		}
	})

	t.Run("TimeoutAfterRecord", func(t *testing.T) {
		r := newRig(t, 100*time.Millisecond)
		id := r.add(1)
		r.fake.HangNext(1, true)
		r.mustRun(t, 1)
		m := r.out.Get(id)
		if m.Status != chorus.MessageSubmitted || m.Attempts != 1 {
			t.Errorf("message %s attempts %d, want submitted on the lookup", m.Status, m.Attempts)
		}
		if r.fake.Count() != 1 || r.fake.Calls("SendSms") != 1 {
			t.Errorf("%d sends in %d calls, want exactly one", r.fake.Count(), r.fake.Calls("SendSms"))
		}
	})

	t.Run("ConnectionCutAfterRecord", func(t *testing.T) {
		r := newRig(t, 10*time.Second)
		id := r.add(1)
		r.fake.HangNext(1, true)
		go func() {
			r.fake.WaitHanging(context.Background(), 1)
			r.fake.Release()
		}()
		r.mustRun(t, 1)
		if m := r.out.Get(id); m.Status != chorus.MessageSubmitted || r.fake.Count() != 1 {
			t.Errorf("message %s, %d sends", m.Status, r.fake.Count())
		}
	})

	t.Run("LookupFails", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		id := r.add(1)
		r.out.MarkSending(context.Background(), id, r.clk.Now()) // left by a crash
		r.fake.Inject(smsfake.Fault{Action: "QuerySendDetails", Code: "Throttling.User"}, 1)
		r.clk.Add(sms.DefaultProviderLag) // the provider's records may show it now
		r.mustRun(t, 1)
		m := r.out.Get(id)
		if m.Status != chorus.MessageQueued || m.ErrCode != sms.CodeUnverified || r.fake.Calls("SendSms") != 0 {
			t.Fatalf("message %s %s, %d send calls; want queued unverified, nothing sent", m.Status, m.ErrCode, r.fake.Calls("SendSms"))
		}
		r.clk.Add(30 * time.Second)
		r.mustRun(t, 1)
		if m := r.out.Get(id); m.Status != chorus.MessageSubmitted || r.fake.Count() != 1 {
			t.Errorf("message %s, %d sends", m.Status, r.fake.Count())
		}
	})

	t.Run("MaxAttempts", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		r.w.MaxAttempts = 2
		id := r.add(1)
		r.fake.FailNext("Throttling", 2)
		r.mustRun(t, 1)
		r.clk.Add(time.Minute)
		r.mustRun(t, 1)
		if m := r.out.Get(id); m.Status != chorus.MessageFailed || m.ErrCode != "Throttling" || m.Attempts != 2 {
			t.Errorf("message %s %s attempts %d, want failed after 2", m.Status, m.ErrCode, m.Attempts)
		}
	})

	t.Run("InvalidParams", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		bad := r.out.Add(chorus.Message{Phone: phone(1), Kind: chorus.MsgBookingConfirm, Params: map[string]string{"event": "义诊"}})
		unknown := r.out.Add(chorus.Message{Phone: phone(2), Kind: "marketing"})
		r.mustRun(t, 2)
		if m := r.out.Get(bad); m.Status != chorus.MessageFailed || m.ErrCode != sms.CodeInvalidParams {
			t.Errorf("bad params: %s %s", m.Status, m.ErrCode)
		}
		if m := r.out.Get(unknown); m.Status != chorus.MessageFailed || m.ErrCode != sms.CodeNoTemplate {
			t.Errorf("unknown kind: %s %s", m.Status, m.ErrCode)
		}
		if r.fake.Calls("SendSms") != 0 {
			t.Error("invalid messages reached the provider")
		}
	})

	t.Run("ErrNotSetUp", func(t *testing.T) {
		if _, err := (&sms.Worker{}).RunOnce(context.Background()); err == nil {
			t.Error("want an error")
		}
	})
}

// TestWorker_Crash stops a worker mid-batch the hard way: two sends hang at
// the provider (one already recorded there, one not), the process "dies"
// (its outbox writes stop landing) and its context is cancelled. A new
// worker on the same outbox must bring every message to the provider
// exactly once.
func TestWorker_Crash(t *testing.T) {
	r := newRig(t, 10*time.Second)
	const total = 12
	for i := range total {
		r.add(i)
	}
	r.fake.HangNext(1, true)  // the first send reaches the provider, its answer never comes back
	r.fake.HangNext(1, false) // the second never reaches it

	dying := &deadOutbox{memOutbox: r.out}
	w1 := &sms.Worker{Outbox: dying, Sender: r.sender, Catalogue: MustCatalogue(t), Now: r.clk.Now, Logger: discard,
		Rate: -1, Concurrency: 2}
	ctx1, cancel1 := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w1.RunOnce(ctx1)
		close(done)
	}()
	wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelWait()
	if err := r.fake.WaitHanging(wait, 2); err != nil {
		t.Fatal(err)
	}
	dying.dead.Store(true) // the process is gone: nothing more it writes lands
	cancel1()
	r.fake.Release() // its connections die with it
	<-done

	if got := r.out.Count(chorus.MessageSending); got != 2 {
		t.Fatalf("%d messages left sending, want the 2 in flight", got)
	}
	if got := r.fake.Count(); got != 1 {
		t.Fatalf("provider has %d sends before the restart, want 1", got)
	}

	w2 := &sms.Worker{Outbox: r.out, Sender: r.sender, Catalogue: MustCatalogue(t), Now: r.clk.Now, Logger: discard,
		Rate: -1, Concurrency: 4}
	if _, err := w2.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The two left sending are looked up only once the provider's records
	// may show them.
	r.clk.Add(sms.DefaultProviderLag)
	if _, err := w2.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.out.Count(chorus.MessageSubmitted); got != total {
		t.Errorf("%d messages submitted, want %d", got, total)
	}
	byOut := r.fake.SendsByOutID()
	for id := int64(1); id <= total; id++ {
		if n := len(byOut[fmt.Sprint(id)]); n != 1 {
			t.Errorf("message %d reached the provider %d times, want exactly once", id, n)
		}
	}
	if len(byOut) != total {
		t.Errorf("provider has %d out ids, want %d", len(byOut), total)
	}
}

func TestWorker_Run(t *testing.T) {
	t.Run("WakeAndStop", func(t *testing.T) {
		r := newRig(t, 5*time.Second)
		r.w.PollInterval = time.Hour // only Wake can start a round
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error)
		go func() { stopped <- r.w.Run(ctx) }()
		r.out.WaitCount(t, chorus.MessageSubmitted, 0)
		for i := range 3 {
			r.add(i)
			r.w.Wake()
		}
		r.out.WaitCount(t, chorus.MessageSubmitted, 3)
		r.add(9)
		r.w.Wake()
		r.w.Wake() // never blocks
		r.out.WaitCount(t, chorus.MessageSubmitted, 4)
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("Run = %v", err)
		}
	})

	t.Run("FinishesInFlight", func(t *testing.T) {
		r := newRig(t, 10*time.Second)
		r.w.PollInterval = time.Hour
		id := r.add(1)
		r.fake.HangNext(1, false)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error)
		go func() { stopped <- r.w.Run(ctx) }()
		wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancelWait()
		if err := r.fake.WaitHanging(wait, 1); err != nil {
			t.Fatal(err)
		}
		cancel()
		select {
		case <-stopped:
			t.Fatal("Run returned with a send in flight")
		default:
		}
		r.fake.Release()
		<-stopped
		if m := r.out.Get(id); m.Status != chorus.MessageQueued || m.ErrCode != sms.CodeConnectionLost {
			t.Errorf("message %s %s: the outcome of the send in flight must be recorded", m.Status, m.ErrCode)
		}
	})

	t.Run("ErrNotSetUp", func(t *testing.T) {
		if err := (&sms.Worker{}).Run(context.Background()); err == nil {
			t.Error("want an error")
		}
	})
}

// failingSender fails every call with err.
type failingSender struct{ err error }

func (s failingSender) Send(context.Context, sms.Outgoing) (string, error) { return "", s.err }
func (s failingSender) Lookup(context.Context, string, int64, time.Time) (bool, error) {
	return false, nil
}

func TestWorker_PlainError(t *testing.T) {
	clk := newClock()
	out := newMemOutbox(clk.Now)
	id := out.Add(chorus.Message{Phone: phone(1), Kind: chorus.MsgHelp})
	w := &sms.Worker{Outbox: out, Sender: failingSender{errors.New("boom")}, Catalogue: MustCatalogue(t), Now: clk.Now,
		Logger: discard, Rate: -1}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Not a *SendError: treated as an unknown outcome, looked up next time.
	if m := out.Get(id); m.Status != chorus.MessageQueued || m.ErrCode != sms.CodeConnectionLost {
		t.Errorf("message %s %s", m.Status, m.ErrCode)
	}
}
