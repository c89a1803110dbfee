package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// mustOutgoing renders a booking confirmation for message id.
func mustOutgoing(tb testing.TB, id int64, ph string) sms.Outgoing {
	tb.Helper()
	out, err := MustCatalogue(tb).Outgoing(chorus.Message{ID: id, Phone: ph, Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// mustSendError asserts err is a *SendError with the code and class.
func mustSendError(tb testing.TB, err error, code string, class sms.Class) *sms.SendError {
	tb.Helper()
	var se *sms.SendError
	if !errors.As(err, &se) {
		tb.Fatalf("err = %v, want a *SendError", err)
	}
	if code != "" && se.Code != code {
		tb.Errorf("code = %q, want %q (%v)", se.Code, code, se)
	}
	if se.Class != class {
		tb.Errorf("class = %q, want %q (%v)", se.Class, class, se)
	}
	return se
}

func TestAlibaba_Send(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		clk := newClock()
		fake, a := MustFake(t, clk.Now, 5*time.Second)
		bizID, err := a.Send(context.Background(), mustOutgoing(t, 42, "13812345678"))
		if err != nil {
			t.Fatal(err)
		}
		sends := fake.Sends()
		if len(sends) != 1 {
			t.Fatalf("fake got %d sends, want 1", len(sends))
		}
		got := sends[0]
		if got.BizID != bizID || got.OutID != "42" || got.Phone != "13812345678" || got.SignName != testSign ||
			got.TemplateCode != "SMS_CHORUS_BOOKING" || got.Params["place"] != "社区活动室" || !got.At.Equal(start) {
			t.Errorf("send = %+v (biz id %q)", got, bizID)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 5*time.Second)
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				if _, err := a.Send(context.Background(), mustOutgoing(t, int64(i+1), phone(i))); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := len(fake.SendsByOutID()); got != 40 {
			t.Errorf("fake has %d out ids, want 40", got)
		}
	})

	t.Run("Faults", func(t *testing.T) {
		for _, tt := range []struct {
			fault  smsfake.Fault
			code   string
			class  sms.Class
			status int
		}{
			{smsfake.Fault{Code: "Throttling.User"}, "Throttling.User", sms.ClassRetry, 400},
			{smsfake.Fault{Code: "Throttling"}, "Throttling", sms.ClassRetry, 400},
			{smsfake.Fault{Code: "isp.SYSTEM_ERROR"}, "isp.SYSTEM_ERROR", sms.ClassRetry, 200},
			{smsfake.Fault{Code: "InternalError"}, "InternalError", sms.ClassRetry, 500},
			{smsfake.Fault{Status: 500}, "HTTP500", sms.ClassRetry, 500},
			{smsfake.Fault{Status: 502}, "HTTP502", sms.ClassRetry, 502},
			{smsfake.Fault{Code: "isv.BUSINESS_LIMIT_CONTROL"}, "isv.BUSINESS_LIMIT_CONTROL", sms.ClassDeferred, 200},
			{smsfake.Fault{Code: "isv.DAY_LIMIT_CONTROL"}, "isv.DAY_LIMIT_CONTROL", sms.ClassDeferred, 200},
			{smsfake.Fault{Code: "isv.MOBILE_NUMBER_ILLEGAL"}, "isv.MOBILE_NUMBER_ILLEGAL", sms.ClassPermanent, 200},
			{smsfake.Fault{Code: "isv.AMOUNT_NOT_ENOUGH"}, "isv.AMOUNT_NOT_ENOUGH", sms.ClassPermanent, 200},
			{smsfake.Fault{Code: "isv.SOMETHING_NEW"}, "isv.SOMETHING_NEW", sms.ClassPermanent, 200},
		} {
			t.Run(tt.code, func(t *testing.T) {
				fake, a := MustFake(t, time.Now, 5*time.Second)
				fake.Inject(tt.fault, 1)
				_, err := a.Send(context.Background(), mustOutgoing(t, 1, "13812345678"))
				se := mustSendError(t, err, tt.code, tt.class)
				if se.HTTPStatus != tt.status {
					t.Errorf("status = %d, want %d", se.HTTPStatus, tt.status)
				}
				if fake.Count() != 0 {
					t.Errorf("fake recorded %d sends, want 0", fake.Count())
				}
				if _, err := a.Send(context.Background(), mustOutgoing(t, 1, "13812345678")); err != nil {
					t.Errorf("next send: %v", err)
				}
			})
		}
	})

	t.Run("ErrTimeout", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 100*time.Millisecond)
		fake.HangNext(1, false)
		_, err := a.Send(context.Background(), mustOutgoing(t, 7, "13812345678"))
		mustSendError(t, err, sms.CodeTimeout, sms.ClassUnknown)
		if fake.Count() != 0 {
			t.Errorf("fake recorded %d sends, want 0", fake.Count())
		}
	})

	t.Run("ErrCancelled", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 10*time.Second)
		fake.HangNext(1, false)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			fake.WaitHanging(context.Background(), 1)
			cancel()
		}()
		_, err := a.Send(ctx, mustOutgoing(t, 7, "13812345678"))
		mustSendError(t, err, sms.CodeTimeout, sms.ClassUnknown)
	})

	t.Run("ErrConnectionCut", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 10*time.Second)
		fake.HangNext(1, true)
		go func() {
			fake.WaitHanging(context.Background(), 1)
			fake.Release()
		}()
		_, err := a.Send(context.Background(), mustOutgoing(t, 7, "13812345678"))
		mustSendError(t, err, sms.CodeConnectionLost, sms.ClassUnknown)
		if fake.Count() != 1 {
			t.Errorf("fake recorded %d sends, want 1", fake.Count())
		}
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		a, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s", SignName: testSign,
			Endpoint: addr, Scheme: "http", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Send(context.Background(), mustOutgoing(t, 7, "13812345678"))
		mustSendError(t, err, sms.CodeNetwork, sms.ClassRetry)
	})

	t.Run("ErrWrongSecret", func(t *testing.T) {
		fake, _ := MustFake(t, time.Now, 5*time.Second)
		a, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID, AccessKeySecret: "not-the-secret",
			SignName: testSign, Endpoint: fake.Endpoint, Scheme: "http"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Send(context.Background(), mustOutgoing(t, 7, "13812345678"))
		se := mustSendError(t, err, "SignatureDoesNotMatch", sms.ClassPermanent)
		if se.HTTPStatus != 400 || fake.Count() != 0 {
			t.Errorf("status %d, %d sends recorded", se.HTTPStatus, fake.Count())
		}
	})

	t.Run("ErrUnknownKey", func(t *testing.T) {
		fake, _ := MustFake(t, time.Now, 5*time.Second)
		a, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: "LTAIsomeoneelse", AccessKeySecret: smsfake.DefaultAccessKeySecret,
			SignName: testSign, Endpoint: fake.Endpoint, Scheme: "http"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Send(context.Background(), mustOutgoing(t, 7, "13812345678"))
		mustSendError(t, err, "InvalidAccessKeyId.NotFound", sms.ClassPermanent)
	})

	t.Run("ErrProviderChecks", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 5*time.Second)
		for _, tt := range []struct {
			name string
			out  sms.Outgoing
			code string
		}{
			{"bad phone", sms.Outgoing{Phone: "12345", TemplateCode: "SMS_CHORUS_HELP", ParamJSON: "{}"}, "isv.MOBILE_NUMBER_ILLEGAL"},
			{"number param", sms.Outgoing{Phone: "13812345678", TemplateCode: "SMS_CHORUS_ORDER_TAKEN", ParamJSON: `{"order":1024}`}, "isv.INVALID_JSON_PARAM"},
			{"not an object", sms.Outgoing{Phone: "13812345678", TemplateCode: "SMS_CHORUS_ORDER_TAKEN", ParamJSON: `["1024"]`}, "isv.INVALID_JSON_PARAM"},
			{"missing param", sms.Outgoing{Phone: "13812345678", TemplateCode: "SMS_CHORUS_ORDER_TAKEN", ParamJSON: `{}`}, "isv.TEMPLATE_MISSING_PARAMETERS"},
			{"unknown template", sms.Outgoing{Phone: "13812345678", TemplateCode: "SMS_404", ParamJSON: `{}`}, "isv.SMS_TEMPLATE_ILLEGAL"},
		} {
			_, err := a.Send(context.Background(), tt.out)
			mustSendError(t, err, tt.code, sms.ClassPermanent)
		}
		if fake.Count() != 0 {
			t.Errorf("fake recorded %d sends, want 0", fake.Count())
		}
	})
}

func TestAlibaba_Lookup(t *testing.T) {
	t.Run("Found", func(t *testing.T) {
		clk := newClock()
		_, a := MustFake(t, clk.Now, 5*time.Second)
		if _, err := a.Send(context.Background(), mustOutgoing(t, 99, "13812345678")); err != nil {
			t.Fatal(err)
		}
		found, err := a.Lookup(context.Background(), "13812345678", 99, clk.Now())
		if err != nil || !found {
			t.Errorf("Lookup = %v, %v; want found", found, err)
		}
		if found, _ := a.Lookup(context.Background(), "13812345678", 100, clk.Now()); found {
			t.Error("found an id never sent")
		}
		if found, _ := a.Lookup(context.Background(), "13900000000", 99, clk.Now()); found {
			t.Error("found the id under another phone")
		}
		if found, _ := a.Lookup(context.Background(), "13812345678", 99, clk.Now().Add(-48*time.Hour)); found {
			t.Error("found the id on another day")
		}
	})

	t.Run("AcrossMidnight", func(t *testing.T) {
		// Sent at 23:59:59 China time; the attempt is recorded a moment
		// after midnight.
		clk := clocktest.New(time.Date(2026, 12, 5, 15, 59, 59, 0, time.UTC))
		_, a := MustFake(t, clk.Now, 5*time.Second)
		if _, err := a.Send(context.Background(), mustOutgoing(t, 5, "13812345678")); err != nil {
			t.Fatal(err)
		}
		found, err := a.Lookup(context.Background(), "13812345678", 5, clk.Now().Add(2*time.Second))
		if err != nil || !found {
			t.Errorf("Lookup = %v, %v; want found", found, err)
		}
	})

	t.Run("ManyPages", func(t *testing.T) {
		clk := newClock()
		_, a := MustFake(t, clk.Now, 5*time.Second)
		for i := range 120 {
			if _, err := a.Send(context.Background(), mustOutgoing(t, int64(1000+i), "13812345678")); err != nil {
				t.Fatal(err)
			}
		}
		found, err := a.Lookup(context.Background(), "13812345678", 1119, clk.Now())
		if err != nil || !found {
			t.Errorf("Lookup of the last = %v, %v; want found on page 3", found, err)
		}
	})

	t.Run("Err", func(t *testing.T) {
		fake, a := MustFake(t, time.Now, 5*time.Second)
		fake.Inject(smsfake.Fault{Action: "QuerySendDetails", Code: "Throttling.User"}, 1)
		_, err := a.Lookup(context.Background(), "13812345678", 1, time.Now())
		mustSendError(t, err, "Throttling.User", sms.ClassRetry)
	})
}

func TestNewAlibaba(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  sms.AlibabaConfig
	}{
		{"no key", sms.AlibabaConfig{AccessKeySecret: "s", SignName: testSign}},
		{"no secret", sms.AlibabaConfig{AccessKeyID: "k", SignName: testSign}},
		{"no sign", sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s"}},
		{"bad scheme", sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s", SignName: testSign, Scheme: "ftp"}},
		{"url endpoint", sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s", SignName: testSign, Endpoint: "https://x/"}},
		{"bad region", sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s", SignName: testSign, Region: "cn hangzhou"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sms.NewAlibaba(tt.cfg); err == nil {
				t.Error("want an error")
			}
		})
	}
	if _, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: "k", AccessKeySecret: "s", SignName: testSign}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func ExampleNewAlibaba() {
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{
		AccessKeyID:     "LTAI...",
		AccessKeySecret: "...",
		SignName:        "光华街社区",
	})
	fmt.Println(sender != nil, err)
	// Output: true <nil>
}
