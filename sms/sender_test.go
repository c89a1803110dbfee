package sms_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		code   string
		status int
		want   sms.Class
	}{
		{"Throttling", 400, sms.ClassRetry},
		{"Throttling.User", 400, sms.ClassRetry},
		{"isp.SYSTEM_ERROR", 200, sms.ClassRetry},
		{"isp.GATEWAY_ERROR", 200, sms.ClassRetry},
		{"InternalError", 500, sms.ClassRetry},
		{"ServiceUnavailable", 503, sms.ClassRetry},
		{"HTTP500", 500, sms.ClassRetry},
		{"HTTP429", 429, sms.ClassRetry},
		{"SomethingNew", 502, sms.ClassRetry},
		{sms.CodeNetwork, 0, sms.ClassRetry},
		{"isv.BUSINESS_LIMIT_CONTROL", 200, sms.ClassDeferred},
		{"isv.DAY_LIMIT_CONTROL", 200, sms.ClassDeferred},
		{"isv.MONTH_LIMIT_CONTROL", 200, sms.ClassDeferred},
		{"isv.MOBILE_NUMBER_ILLEGAL", 200, sms.ClassPermanent},
		{"isv.INVALID_JSON_PARAM", 200, sms.ClassPermanent},
		{"isv.TEMPLATE_MISSING_PARAMETERS", 200, sms.ClassPermanent},
		{"isv.AMOUNT_NOT_ENOUGH", 200, sms.ClassPermanent},
		{"isv.BLACK_KEY_CONTROL_LIMIT", 200, sms.ClassPermanent},
		{"isp.RAM_PERMISSION_DENY", 200, sms.ClassPermanent},
		{"SignatureDoesNotMatch", 400, sms.ClassPermanent},
		{"InvalidAccessKeyId.NotFound", 404, sms.ClassPermanent},
		{"isv.SOMETHING_NEW", 200, sms.ClassPermanent}, // unknown: shown to staff, not repeated
		{sms.CodeTimeout, 0, sms.ClassUnknown},
		{sms.CodeConnectionLost, 0, sms.ClassUnknown},
		{sms.CodeUnverified, 0, sms.ClassUnknown},
		{sms.CodeInvalidParams, 0, sms.ClassPermanent},
	} {
		if got := sms.Classify(tt.code, tt.status); got != tt.want {
			t.Errorf("Classify(%q, %d) = %s, want %s", tt.code, tt.status, got, tt.want)
		}
	}
}

func TestSendError(t *testing.T) {
	cause := errors.New("read: connection reset")
	err := error(&sms.SendError{Code: sms.CodeConnectionLost, Message: "SendSms: reset", Class: sms.ClassUnknown, Err: cause})
	if !errors.Is(err, cause) {
		t.Error("SendError does not unwrap to its cause")
	}
	if s := err.Error(); !strings.Contains(s, sms.CodeConnectionLost) || !strings.Contains(s, "unknown") {
		t.Errorf("Error() = %q", s)
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := 30*time.Second, 30*time.Minute
	for _, tt := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute},
		{6, 16 * time.Minute}, {7, 30 * time.Minute}, {100, 30 * time.Minute},
	} {
		if got := sms.Backoff(tt.attempts, lo, hi); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

func TestDeferUntil(t *testing.T) {
	now := time.Date(2026, 12, 31, 22, 30, 0, 0, cst)
	for _, tt := range []struct {
		code, msg string
		want      time.Time
	}{
		{"isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1", now.Add(time.Minute)},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5", now.Add(time.Hour)},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10", time.Date(2027, 1, 1, 8, 0, 0, 0, cst)},
		{"isv.BUSINESS_LIMIT_CONTROL", "", now.Add(time.Hour)},
		{"isv.DAY_LIMIT_CONTROL", "触发日发送限额", time.Date(2027, 1, 1, 8, 0, 0, 0, cst)},
		{"isv.MONTH_LIMIT_CONTROL", "", time.Date(2027, 1, 1, 8, 0, 0, 0, cst)},
	} {
		if got := sms.DeferUntil(tt.code, tt.msg, now.UTC()); !got.Equal(tt.want) {
			t.Errorf("DeferUntil(%s, %s) = %v, want %v", tt.code, tt.msg, got.In(cst), tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, cst)
	l := sms.NewLimiter(10, 2, t0) // 10 a second, 2 saved up at most
	for i, tt := range []struct {
		at   time.Duration
		want time.Duration
	}{
		// It starts empty: no burst at start, each waits its turn.
		{0, 100 * time.Millisecond}, {0, 200 * time.Millisecond}, {0, 300 * time.Millisecond},
		{2 * time.Second, 0}, {2 * time.Second, 0}, // refilled while idle (and capped at the burst)
		{2 * time.Second, 100 * time.Millisecond},
	} {
		if got := l.Reserve(t0.Add(tt.at)); got != tt.want {
			t.Errorf("reservation %d at +%v: wait %v, want %v", i, tt.at, got, tt.want)
		}
	}
	if got := sms.NewLimiter(-1, 0, t0).Reserve(t0); got != 0 {
		t.Errorf("unlimited: wait %v", got)
	}
}

// TestLimiter_NoBurstAtStart is issue 12's point 10: a worker that starts
// (or restarts) must not let its whole concurrency through at once.
func TestLimiter_NoBurstAtStart(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, cst)
	l := sms.NewLimiter(100, 16, t0)
	for i := range 16 {
		want := time.Duration(i+1) * 10 * time.Millisecond
		if got := l.Reserve(t0); got != want {
			t.Fatalf("send %d at start waits %v, want %v", i+1, got, want)
		}
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := &sms.LogSender{Logger: slog.New(slog.NewTextHandler(&buf, nil)), SignName: testSign}
	out, err := MustCatalogue(t).Outgoing(chorus.Message{ID: 3, Phone: "13812345678", Kind: chorus.MsgBookingConfirm, Params: bookingParams()})
	if err != nil {
		t.Fatal(err)
	}
	id1, err1 := s.Send(context.Background(), out)
	id2, err2 := s.Send(context.Background(), out)
	if err1 != nil || err2 != nil || id1 == "" || id1 == id2 {
		t.Errorf("biz ids %q %q, errors %v %v", id1, id2, err1, err2)
	}
	// The log shows kind, masked phone and template, never the text (it
	// carries codes and addresses); this test used to expect the text.
	logged := buf.String()
	if strings.Contains(logged, "13812345678") || !strings.Contains(logged, "138****5678") ||
		!strings.Contains(logged, string(chorus.MsgBookingConfirm)) || !strings.Contains(logged, out.TemplateCode) ||
		strings.Contains(logged, "您已预约免费义诊") || strings.Contains(logged, out.Text) {
		t.Errorf("log = %s", logged)
	}
	// The full text only with the explicit flag, and only at debug level.
	for _, tt := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelInfo, false}, {slog.LevelDebug, true}} {
		var b bytes.Buffer
		full := &sms.LogSender{Logger: slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: tt.level})), SignName: testSign, FullText: true}
		full.Send(context.Background(), out)
		if got := strings.Contains(b.String(), "\u3010"+testSign+"\u3011您已预约免费义诊"); got != tt.want {
			t.Errorf("FullText at %v: text logged %v, want %v: %s", tt.level, got, tt.want, b.String())
		}
	}
	if found, err := s.Lookup(context.Background(), "13812345678", 3, time.Now()); found || err != nil {
		t.Errorf("Lookup = %v, %v", found, err)
	}
	var _ sms.Sender = s
	var _ sms.Sender = (*sms.Alibaba)(nil)
}
