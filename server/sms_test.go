package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
	"github.com/chorus-community/chorus/sqlite"
)

const pushSecret = "push-s3cret"

// smsEnv is the whole SMS path: the store's outbox, the worker with the
// real Alibaba SDK against the local fake, and the push endpoints.
type smsEnv struct {
	*env
	Fake   *smsfake.Server
	Sender *sms.Alibaba
	Cat    *sms.Catalogue
	Worker *sms.Worker
}

func mustServeSMS(tb testing.TB) *smsEnv {
	tb.Helper()
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		tb.Fatal(err)
	}
	e := serve(tb, func(db *sqlite.DB, srv *server.Server, _ *kiosk.Hub) {
		db.ValidateMessage, srv.PushSecret = cat.Validate, pushSecret
	}).finish(tb)
	vars := map[string][]string{}
	for _, t := range cat.Templates() {
		vars[t.Code] = t.Params
	}
	fake := smsfake.New(smsfake.Options{Now: e.Clock.Now, SignName: "光华街社区", Templates: vars})
	tb.Cleanup(fake.Close)
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID,
		AccessKeySecret: smsfake.DefaultAccessKeySecret, SignName: "光华街社区", Endpoint: fake.Endpoint, Scheme: "http",
		Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sender.Close() })
	w := &sms.Worker{Outbox: e.DB, Sender: sender, Catalogue: cat, Now: e.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: -1}
	return &smsEnv{env: e, Fake: fake, Sender: sender, Cat: cat, Worker: w}
}

func (e *smsEnv) drain(tb testing.TB) {
	tb.Helper()
	if _, err := e.Worker.RunOnce(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func (e *smsEnv) push(tb testing.TB, kind, body string) response {
	tb.Helper()
	return do(tb, http.DefaultClient, "POST", e.URL+"/sms/push/"+pushSecret+"/"+kind, body, nil)
}

func TestSMS_EndToEnd(t *testing.T) {
	e := mustServeSMS(t)
	ev := e.MustEvent(t, 1, 6, true)
	c := http.DefaultClient
	b := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
		"phone": "13812345678", "name": "姚大娘"}, e.Kiosk).Body
	e.drain(t)

	sends := e.Fake.Sends()
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	s := sends[0]
	if s.Phone != "13812345678" || s.TemplateCode != "SMS_CHORUS_BOOKING" || s.Params["code"] != b["code"] ||
		s.Params["time"] != "12月5日周六09:00" || s.Params["place"] != "社区活动室" || s.SignName != "光华街社区" {
		t.Fatalf("send = %+v", s)
	}
	msgs, _ := e.DB.Messages(context.Background(), "13812345678", 10)
	if msgs[0].Status != chorus.MessageSubmitted || s.OutID != fmt.Sprint(msgs[0].ID) {
		t.Fatalf("message = %+v, out id %s", msgs[0], s.OutID)
	}

	t.Run("Receipt", func(t *testing.T) {
		body := fmt.Sprintf(`[{"phone_number":"13812345678","send_time":"2026-12-01 08:00:00","report_time":"2026-12-01 08:00:05",
			"success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":%q,"out_id":%q}]`, s.BizID, s.OutID)
		for i := 0; i < 2; i++ { // pushes repeat
			if got := e.push(t, "report", body); got.Status != 200 || string(got.Raw) != `{"code":0,"msg":"接收成功"}` {
				t.Fatalf("push = %d %s", got.Status, got.Raw)
			}
		}
		m, _ := e.DB.Message(context.Background(), msgs[0].ID)
		if m.Status != chorus.MessageDelivered {
			t.Fatalf("status = %s", m.Status)
		}
	})
	t.Run("ReplyConfirms", func(t *testing.T) {
		// A feature phone types a full-width 1 with a space; the push repeats,
		// once with sequence_id as a number and once as a string.
		for _, seq := range []string{`1234567890`, `"1234567890"`} {
			body := `[{"phone_number":"13812345678","content":" \uff11 ","send_time":"2026-12-01 08:10:00","dest_code":"1234","sequence_id":` + seq + `}]`
			if got := e.push(t, "up", body); got.Status != 200 {
				t.Fatalf("push = %d %s", got.Status, got.Raw)
			}
		}
		got, _ := e.DB.Booking(context.Background(), int64(b["id"].(float64)))
		if got.Status != chorus.StatusConfirmed {
			t.Fatalf("status = %s", got.Status)
		}
		hist, _ := e.DB.History(context.Background(), got.ID)
		if n := len(hist); n != 2 {
			t.Fatalf("%d transitions: the repeated push was applied twice", n)
		}
	})
	t.Run("ReplyOptOut", func(t *testing.T) {
		e.push(t, "up", `[{"phone_number":"+86 13912345678","content":"TD","send_time":"2026-12-01 08:11:00","sequence_id":"77"}]`)
		e.drain(t)
		var acks int
		for _, s := range e.Fake.Sends() {
			if s.Phone == "13912345678" && s.TemplateCode == "SMS_CHORUS_OPTOUT" {
				acks++
			}
		}
		if acks != 1 {
			t.Fatalf("opt-out acknowledged %d times", acks)
		}
	})
	t.Run("BadPushes", func(t *testing.T) {
		for _, body := range []string{`{bad`, `{"phone_number":"1"}`, strings.Repeat("[", 100)} {
			if got := e.push(t, "up", body); got.Status != 400 || got.ErrorCode() != "invalid" {
				t.Fatalf("push %q = %d %s", body, got.Status, got.Raw)
			}
		}
		if got := e.push(t, "report", `[]`); got.Status != 200 {
			t.Fatalf("empty array = %d", got.Status)
		}
		if got := do(t, c, "POST", e.URL+"/sms/push/wrong/up", `[]`, nil); got.Status != 404 {
			t.Fatalf("wrong secret = %d", got.Status)
		}
		// One bad item does not sink the batch.
		body := `[{"phone_number":"12","content":"1","sequence_id":"a"},{"phone_number":"13712345678","content":"2","sequence_id":"b"}]`
		if got := e.push(t, "up", body); got.Status != 200 {
			t.Fatalf("mixed batch = %d %s", got.Status, got.Raw)
		}
		inbox := do(t, c, "GET", e.URL+"/api/admin/inbox?all=1", nil, e.Admin)
		if !strings.Contains(string(inbox.Raw), `"phone":"13712345678"`) {
			t.Fatalf("inbox = %s", inbox.Raw)
		}
	})
	t.Run("ResendCodeLimited", func(t *testing.T) {
		id := int64(b["id"].(float64))
		url := fmt.Sprintf("%s/api/bookings/%d/resend-code", e.URL, id)
		statuses := []int{}
		for i := 0; i < 4; i++ {
			statuses = append(statuses, do(t, c, "POST", url, map[string]any{"phone": "13812345678"}, e.Kiosk).Status)
		}
		// Booking and confirmation already used 1 of 5 today: 3 resends, then no.
		if fmt.Sprint(statuses) != "[200 200 200 409]" {
			t.Fatalf("resends = %v", statuses)
		}
	})
}

// deadStore is the store of a process that died: after dead is set,
// nothing it writes lands.
type deadStore struct {
	*sqlite.DB
	dead atomic.Bool
}

func (d *deadStore) MarkSubmitted(ctx context.Context, id int64, bizID string, at time.Time) error {
	if d.dead.Load() {
		return context.Canceled
	}
	return d.DB.MarkSubmitted(ctx, id, bizID, at)
}

func (d *deadStore) MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error {
	if d.dead.Load() {
		return context.Canceled
	}
	return d.DB.MarkRetry(ctx, id, next, code, msg)
}

// TestSMS_CrashMidBatch stops the worker mid-batch — one send reached the
// provider with its answer lost, one never left — and restarts it on the
// same SQLite outbox: every message reaches the provider exactly once.
func TestSMS_CrashMidBatch(t *testing.T) {
	e := mustServeSMS(t)
	ev := e.MustEvent(t, 1, 100, false)
	const total = 30
	for i := 0; i < total; i++ {
		if _, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID,
			Phone: fmt.Sprintf("1381234%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	e.Fake.HangNext(1, true)  // reaches the provider; the answer never comes back
	e.Fake.HangNext(1, false) // never reaches it
	dying := &deadStore{DB: e.DB}
	w1 := &sms.Worker{Outbox: dying, Sender: e.Sender, Catalogue: e.Cat, Now: e.Clock.Now, Logger: e.Worker.Logger,
		Rate: -1, Concurrency: 2}
	ctx1, cancel1 := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w1.RunOnce(ctx1); close(done) }()
	wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelWait()
	if err := e.Fake.WaitHanging(wait, 2); err != nil {
		t.Fatal(err)
	}
	dying.dead.Store(true)
	cancel1()
	e.Fake.Release()
	<-done

	w2 := &sms.Worker{Outbox: e.DB, Sender: e.Sender, Catalogue: e.Cat, Now: e.Clock.Now, Logger: e.Worker.Logger, Rate: -1}
	for round := 0; round < 5; round++ {
		if _, err := w2.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			// The two left sending are looked up once the provider's
			// records may show them.
			e.Clock.Add(sms.DefaultProviderLag)
		}
	}
	byOut := e.Fake.SendsByOutID()
	if len(byOut) != total {
		t.Fatalf("%d distinct messages reached the provider, want %d", len(byOut), total)
	}
	for out, s := range byOut {
		if len(s) != 1 {
			t.Fatalf("OutId %s sent %d times", out, len(s))
		}
	}
	msgs, _ := e.DB.Messages(context.Background(), "", 100)
	for _, m := range msgs {
		if m.Status != chorus.MessageSubmitted {
			t.Fatalf("message %d is %s", m.ID, m.Status)
		}
	}
}

// TestSMS_DispatchEndToEnd: a home haircut from the kiosk goes to the
// barbershop by SMS through the real SDK and the fake; the barber replies
// 接<number>; the resident hears who comes and when; a second barber who
// replies late hears it is taken.
func TestSMS_DispatchEndToEnd(t *testing.T) {
	e := mustServeSMS(t)
	c := http.DefaultClient
	e.Clock.Add(2 * time.Hour) // Tuesday 10:00: barbershops open
	est := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "光华街16号院"}, e.Admin)
	for _, p := range []map[string]any{
		{"name": "巧手理发店", "kind": "barbershop", "phones": []string{"13903510002"}, "services": []string{"haircut"},
			"opens_at": "09:00", "closes_at": "18:00", "priority": 1, "active": true},
		{"name": "光华美发", "kind": "barbershop", "phones": []string{"13703510003"}, "services": []string{"haircut"},
			"opens_at": "09:00", "closes_at": "18:00", "priority": 1, "active": true},
	} {
		if got := do(t, c, "POST", e.URL+"/api/admin/partners", p, e.Admin); got.Status != 201 {
			t.Fatalf("partner = %d %s", got.Status, got.Raw)
		}
	}
	order := do(t, c, "POST", e.URL+"/api/haircuts", map[string]any{"phone": "13912345678", "name": "李大爷",
		"address": map[string]any{"estate_id": est.Body["id"], "unit": "3", "room": "502"}, "day": "2026-12-02", "half_day": "pm"}, e.Admin) // staff: dispatched at once
	if order.Status != 201 || order.Body["status"] != "dispatched" {
		t.Fatalf("order = %d %s", order.Status, order.Raw)
	}
	no := fmt.Sprintf("%.0f", order.Body["id"])
	e.drain(t)
	var offers int
	for _, s := range e.Fake.Sends() {
		if s.TemplateCode == "SMS_CHORUS_PARTNER_ORDER" && s.Params["order"] == no && s.Params["estate"] == "光华街16号院" && s.Params["room"] == "3单元502" {
			offers++
		}
	}
	if offers != 2 {
		t.Fatalf("%d partner orders sent, want 2", offers)
	}
	reply := func(phone, content, seq string) {
		body := fmt.Sprintf(`[{"phone_number":%q,"content":%q,"send_time":"2026-12-01 10:05:00","sequence_id":%q}]`, phone, content, seq)
		if got := e.push(t, "up", body); got.Status != 200 {
			t.Fatalf("push = %d %s", got.Status, got.Raw)
		}
	}
	reply("13903510002", "接"+no, "s1")
	reply("13703510003", " 接单 "+no+" ", "s2") // too late
	e.drain(t)
	got := do(t, c, "GET", e.URL+"/api/admin/orders/"+no, nil, e.Admin)
	if o := got.Body["order"].(map[string]any); o["status"] != "accepted" || o["partner"] != "巧手理发店" {
		t.Fatalf("order = %s", got.Raw)
	}
	var toResident, taken int
	for _, s := range e.Fake.Sends() {
		switch {
		case s.Phone == "13912345678" && s.TemplateCode == "SMS_CHORUS_HAIRCUT" && s.Params["partner"] == "巧手理发店" && s.Params["time"] == "12月2日周三下午":
			toResident++
		case s.Phone == "13703510003" && s.TemplateCode == "SMS_CHORUS_ORDER_TAKEN":
			taken++
		}
	}
	if toResident != 1 || taken != 1 {
		t.Fatalf("resident told %d times, late barber told %d times", toResident, taken)
	}
	reply("13903510002", "完成"+no, "s3")
	got = do(t, c, "GET", e.URL+"/api/admin/orders/"+no, nil, e.Admin)
	if o := got.Body["order"].(map[string]any); o["status"] != "done" {
		t.Fatalf("after 完成 = %s", got.Raw)
	}
	if tl := got.Body["timeline"].([]any); len(tl) < 4 {
		t.Fatalf("timeline = %v", tl)
	}
}
