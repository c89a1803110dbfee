package ui_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// phoneSMS sends the stack's outbox through the real Alibaba SDK to a
// local fake of its API, as the resident's phone would receive it.
type phoneSMS struct {
	fake   *smsfake.Server
	worker *sms.Worker
}

// mustSMS starts the fake SMS API for the stack's outbox.
func (s *stack) mustSMS(tb testing.TB) *phoneSMS {
	tb.Helper()
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		tb.Fatal(err)
	}
	vars := map[string][]string{}
	for _, t := range cat.Templates() {
		vars[t.Code] = t.Params
	}
	fake := smsfake.New(smsfake.Options{Now: s.Clock.Now, SignName: "光华街社区", Templates: vars})
	tb.Cleanup(fake.Close)
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID,
		AccessKeySecret: smsfake.DefaultAccessKeySecret, SignName: "光华街社区", Endpoint: fake.Endpoint, Scheme: "http",
		Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sender.Close() })
	return &phoneSMS{fake: fake, worker: &sms.Worker{Outbox: s.DB, Sender: sender, Catalogue: cat, Now: s.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: -1}}
}

// lastCode sends what is queued and returns the verification code last
// texted to phone, read from the fake's log of sends.
func (p *phoneSMS) lastCode(tb testing.TB, phone string) string {
	tb.Helper()
	if _, err := p.worker.RunOnce(context.Background()); err != nil {
		tb.Fatal(err)
	}
	code := ""
	for _, s := range p.fake.Sends() {
		if s.Phone == phone && s.TemplateCode == "SMS_CHORUS_VERIFY_CODE" {
			code = s.Params["code"]
		}
	}
	if len(code) != 6 {
		tb.Fatalf("no verification code texted to %s: %+v", phone, p.fake.Sends())
	}
	return code
}
