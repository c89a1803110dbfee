package sms_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// newLagRig is newRig with a fake whose QuerySendDetails shows a send only
// lag after it was accepted, as the real provider's records lag.
func newLagRig(t *testing.T, timeout, lag time.Duration) *rig {
	t.Helper()
	clk := newClock()
	fake := smsfake.New(smsfake.Options{Now: clk.Now, SignName: testSign, Templates: catalogueVars(t), Lag: lag})
	t.Cleanup(fake.Close)
	a, err := sms.NewAlibaba(sms.AlibabaConfig{
		AccessKeyID: smsfake.DefaultAccessKeyID, AccessKeySecret: smsfake.DefaultAccessKeySecret,
		SignName: testSign, Endpoint: fake.Endpoint, Scheme: "http", Timeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	out := newMemOutbox(clk.Now)
	w := &sms.Worker{Outbox: out, Sender: a, Catalogue: MustCatalogue(t), Now: clk.Now, Logger: discard,
		Rate: -1, Concurrency: 4}
	return &rig{clk: clk, fake: fake, sender: a, out: out, w: w}
}

// TestWorker_HungCallDelaysOnlyItself is issue 12's point 2: SendSms calls
// that hang must not hold the other messages until their timeout, even
// when there are as many hung calls as the concurrency allows.
func TestWorker_HungCallDelaysOnlyItself(t *testing.T) {
	for _, tt := range []struct {
		name              string
		concurrency, hung int
	}{
		{"OneHung", 4, 1},
		{"EverySlotHung", 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, time.Minute)  // the hung calls would hold for a minute
			r.w.PollInterval = time.Hour // only Wake and finished sends start work
			r.w.Concurrency, r.w.SlowCall = tt.concurrency, 100*time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan error)
			go func() { stopped <- r.w.Run(ctx) }()
			defer func() {
				r.fake.Release()
				cancel()
				<-stopped
			}()

			r.fake.HangNext(tt.hung, false)
			var hung []int64
			for i := range tt.hung {
				hung = append(hung, r.add(100+i))
			}
			r.w.Wake()
			wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancelWait()
			if err := r.fake.WaitHanging(wait, tt.hung); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 8; i++ {
				r.add(i)
				r.w.Wake()
			}
			r.out.WaitCount(t, chorus.MessageSubmitted, 8) // well before the minute is up
			if h := r.fake.Hanging(); h != tt.hung {
				t.Fatalf("%d calls hanging, want %d", h, tt.hung)
			}
			for _, id := range hung {
				if m := r.out.Get(id); m.Status != chorus.MessageSending {
					t.Errorf("hung message %d %s, want still sending", id, m.Status)
				}
			}
		})
	}
}

// TestWorker_LookupKeepsFailing is issue 12's point 3: a message whose
// lookups keep failing reaches the final state unknown instead of staying
// queued forever, and is never sent blind.
func TestWorker_LookupKeepsFailing(t *testing.T) {
	for _, tt := range []struct {
		name, code string
		lookups    int // QuerySendDetails calls before it is unknown
	}{
		{"PermissionDenied", "isp.RAM_PERMISSION_DENY", 1},
		{"Throttled", "Throttling.User", sms.DefaultMaxLookups},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 5*time.Second)
			id := r.add(1)
			r.out.MarkSending(context.Background(), id, r.clk.Now()) // left by a crash
			r.fake.Inject(smsfake.Fault{Action: "QuerySendDetails", Code: tt.code}, 100)
			for range 20 {
				r.clk.Add(time.Hour)
				if _, err := r.w.RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			m := r.out.Get(id)
			if m.Status != chorus.MessageUnknown || m.ErrCode != sms.CodeLookupFailed {
				t.Fatalf("message %s %s after 20 hours, want unknown", m.Status, m.ErrCode)
			}
			if n := r.fake.Calls("QuerySendDetails"); n != tt.lookups {
				t.Errorf("%d lookups, want %d", n, tt.lookups)
			}
			if n := r.fake.Calls("SendSms"); n != 0 {
				t.Errorf("%d sends of a message whose first attempt may have arrived", n)
			}
		})
	}

	t.Run("NoAnswerEveryTime", func(t *testing.T) {
		// Every attempt's answer is lost and the provider never shows
		// them (a lag longer than the test): unknown, not failed.
		r := newLagRig(t, 50*time.Millisecond, 1000*time.Hour)
		r.w.MaxAttempts = 2
		id := r.add(1)
		r.fake.LoseNext(2)
		for range 4 {
			if _, err := r.w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.clk.Add(time.Hour)
		}
		if m := r.out.Get(id); m.Status != chorus.MessageUnknown || m.Attempts != 2 {
			t.Errorf("message %s %s after %d attempts, want unknown after 2", m.Status, m.ErrCode, m.Attempts)
		}
	})
}

// TestWorker_ProviderLag is issue 12's point 11: the provider's records
// lag behind SendSms, so a lookup right after a lost answer finds nothing.
// Neither a retry in the same process nor a quick restart may take that
// for "not sent".
func TestWorker_ProviderLag(t *testing.T) {
	const lag = 45 * time.Second
	t.Run("Timeout", func(t *testing.T) {
		r := newLagRig(t, 100*time.Millisecond, lag)
		id := r.add(1)
		r.fake.LoseNext(1)
		r.mustRun(t, 1) // accepted, answer lost, lookup too early
		for range 10 {
			r.clk.Add(10 * time.Second)
			if _, err := r.w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if m := r.out.Get(id); m.Status != chorus.MessageSubmitted {
			t.Errorf("message %s %s", m.Status, m.ErrCode)
		}
		if n := len(r.fake.SendsByOutID()[fmt.Sprint(id)]); n != 1 {
			t.Errorf("the provider accepted message %d %d times, want once", id, n)
		}
	})

	t.Run("QuickRestart", func(t *testing.T) {
		r := newLagRig(t, 10*time.Second, lag)
		id := r.add(1)
		r.fake.LoseNext(1)
		dying := &deadOutbox{memOutbox: r.out}
		w1 := &sms.Worker{Outbox: dying, Sender: r.sender, Catalogue: MustCatalogue(t), Now: r.clk.Now, Logger: discard, Rate: -1}
		ctx1, cancel1 := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			w1.RunOnce(ctx1)
			close(done)
		}()
		wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancelWait()
		if err := r.fake.WaitHanging(wait, 1); err != nil {
			t.Fatal(err)
		}
		dying.dead.Store(true) // kill -9
		cancel1()
		r.fake.Release()
		<-done

		// The new process starts a second later and keeps running.
		r.clk.Add(time.Second)
		w2 := &sms.Worker{Outbox: r.out, Sender: r.sender, Catalogue: MustCatalogue(t), Now: r.clk.Now, Logger: discard, Rate: -1}
		for range 12 {
			if _, err := w2.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.clk.Add(10 * time.Second)
		}
		if m := r.out.Get(id); m.Status != chorus.MessageSubmitted {
			t.Errorf("message %s %s", m.Status, m.ErrCode)
		}
		if n := len(r.fake.SendsByOutID()[fmt.Sprint(id)]); n != 1 {
			t.Errorf("the provider accepted message %d %d times, want exactly once", id, n)
		}
	})
}

// TestWorker_ExtendCode checks that a message expecting a reply goes out
// with an SmsUpExtendCode naming it, and the others without.
func TestWorker_ExtendCode(t *testing.T) {
	r := newRig(t, 5*time.Second)
	ask := r.add(1)
	help := r.out.Add(chorus.Message{Phone: phone(2), Kind: chorus.MsgHelp})
	r.mustRun(t, 2)
	byOut := r.fake.SendsByOutID()
	if got := byOut[fmt.Sprint(ask)][0].ExtendCode; got != "0000001" {
		t.Errorf("booking confirmation sent with extend code %q, want 0000001", got)
	}
	if got := byOut[fmt.Sprint(help)][0].ExtendCode; got != "" {
		t.Errorf("help sent with extend code %q, want none", got)
	}
	if id, ok := chorus.ReplyTo("12340000001"); !ok || id != ask {
		t.Errorf("ReplyTo = %d %v, want %d", id, ok, ask)
	}
}
