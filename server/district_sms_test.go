package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
	"github.com/chorus-community/chorus/sqlite"
)

// Issue 16, helper C, end to end: two communities on one deployment, the
// store's outbox drained by the worker with the real Alibaba SDK against
// smsfake (which accepts both registered signatures), and Alibaba's pushes
// on the shared secret and on community 2's own.
const (
	hzySign        = "和泽苑社区"
	hzySecret      = "hzy-own-s3cret"
	hzyAckTemplate = "SMS_HZY_PARTNER_ACK"
	hzyBarber      = "13903520001"
	hzyResident    = "13712340002"
)

type districtSMSEnv struct {
	*smsEnv
	raw        *sql.DB
	ctx1, ctx2 context.Context
	e1, e2     int64
	kiosk      int64
}

func mustServeDistrictSMS(tb testing.TB) *districtSMSEnv {
	tb.Helper()
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "chorus.db")
	clk := clocktest.New(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai))
	st := stacktest.Start(tb, stacktest.Options{Now: clk.Now, Location: shanghai, DBPath: path,
		Configure: func(db *sqlite.DB, srv *server.Server, _ *kiosk.Hub) {
			db.ValidateMessage, srv.PushSecret = cat.Validate, pushSecret
		}})
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	bg := context.Background()
	e := &districtSMSEnv{raw: raw, ctx1: chorus.WithScope(bg, chorus.Scope{Community: 1}),
		ctx2: chorus.WithScope(bg, chorus.Scope{Community: 2})}
	e.exec(tb, "UPDATE community SET name = '光华街社区', sign_name = '光华街社区' WHERE id = 1")
	e.exec(tb, `INSERT INTO community (id, name, sign_name, push_secret, templates) VALUES (2, ?, ?, ?, ?)`,
		hzySign, hzySign, hzySecret, `{"partner_ack":"`+hzyAckTemplate+`"}`)
	place := &chorus.Place{Name: "社区活动室"}
	if err := st.DB.SavePlace(bg, place); err != nil {
		tb.Fatal(err)
	}
	for _, est := range []*int64{&e.e1, &e.e2} {
		x := &chorus.Estate{Name: fmt.Sprint("小区", est == &e.e2)}
		if err := st.DB.SaveEstate(bg, x); err != nil {
			tb.Fatal(err)
		}
		*est = x.ID
	}
	e.exec(tb, "UPDATE estates SET community_id = 2 WHERE id = ?", e.e2)
	e.exec(tb, "INSERT INTO kiosks (id, name, place_id, token_hash, created_ms) VALUES (9, '大厅', ?, 'x', 0)", place.ID)
	e.kiosk = 9
	barber := &chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{hzyBarber},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Active: true}
	if err := st.DB.SavePartner(e.ctx1, barber); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.DB.LinkPartner(e.ctx2, barber.ID, "", []chorus.ServiceKind{chorus.ServiceHaircut}, nil); err != nil {
		tb.Fatal(err)
	}
	e.exec(tb, "INSERT INTO residents (phone, name, community_id, created_ms) VALUES (?, '石女士', 2, 0)", hzyResident)

	vars := map[string][]string{}
	for _, t := range cat.Templates() {
		vars[t.Code] = t.Params
	}
	ack, _ := cat.Template(chorus.MsgPartnerAck)
	vars[hzyAckTemplate] = ack.Params
	fake := smsfake.New(smsfake.Options{Now: clk.Now, SignName: "光华街社区", SignNames: []string{hzySign}, Templates: vars})
	tb.Cleanup(fake.Close)
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID,
		AccessKeySecret: smsfake.DefaultAccessKeySecret, SignName: "光华街社区", Endpoint: fake.Endpoint, Scheme: "http",
		Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sender.Close() })
	w := &sms.Worker{Outbox: st.DB, Sender: sender, Catalogue: cat, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: -1}
	e.smsEnv = &smsEnv{env: &env{DB: st.DB, URL: st.URL, Clock: clk, Place: place.ID, Server: st.Server, Hub: st.Hub},
		Fake: fake, Sender: sender, Cat: cat, Worker: w}
	return e
}

func (e *districtSMSEnv) exec(tb testing.TB, q string, args ...any) {
	tb.Helper()
	if _, err := e.raw.Exec(q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// pushUp pushes one reply to the push URL of secret, with signName when
// not "" (older pushes carry it).
func (e *districtSMSEnv) pushUp(tb testing.TB, secret, phone, content, signName string) response {
	tb.Helper()
	seq++
	item := fmt.Sprintf(`{"phone_number":%q,"content":%q,"send_time":"2026-12-01 10:05:00","dest_code":"","sequence_id":"d%d"`,
		phone, content, seq)
	if signName != "" {
		item += fmt.Sprintf(`,"sign_name":%q`, signName)
	}
	return do(tb, http.DefaultClient, "POST", e.URL+"/sms/push/"+secret+"/up", "["+item+"}]", nil)
}

var seq int

// order asks for a haircut in ctx's community at estate for phone; from
// a kiosk it waits for the reply 1.
func (e *districtSMSEnv) order(tb testing.TB, ctx context.Context, estate int64, phone string, kiosk int64) *chorus.Order {
	tb.Helper()
	o, err := e.DB.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
		Phone: phone, Name: "石女士", Address: chorus.Address{EstateID: estate, Room: "101"}, Day: "2026-12-02",
		HalfDay: chorus.Afternoon, KioskID: kiosk}})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// sends returns the fake's sends to phone with kind's code or code.
func (e *districtSMSEnv) sends(phone string, codes ...string) []smsfake.Send {
	var out []smsfake.Send
	for _, c := range codes {
		out = append(out, e.sendsOf(phone, c)...)
	}
	return out
}

// TestDistrictSMS_SignedPerCommunity: each community's SMS goes out with
// its own signature, and with its own template code where it has one;
// the partner's 接N on community 2's own push URL takes community 2's
// order, and its acknowledgement goes out signed 和泽苑社区 with
// 和泽苑's template.
func TestDistrictSMS_SignedPerCommunity(t *testing.T) {
	e := mustServeDistrictSMS(t)
	o1 := e.order(t, e.ctx1, e.e1, "13712340001", 0)
	o2 := e.order(t, e.ctx2, e.e2, hzyResident, 0)
	e.drain(t)
	got := map[string]string{}
	for _, s := range e.sends(hzyBarber, "SMS_CHORUS_PARTNER_ORDER") {
		got[s.Params["order"]] = s.SignName
	}
	if want := map[string]string{fmt.Sprint(o1.ID): "光华街社区", fmt.Sprint(o2.ID): hzySign}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partner orders signed %v, want %v", got, want)
	}

	if r := e.pushUp(t, "no-such-secret", hzyBarber, fmt.Sprint("接", o2.ID), ""); r.Status != 404 {
		t.Fatalf("push on an unknown secret = %d", r.Status)
	}
	if r := e.pushUp(t, hzySecret, hzyBarber, fmt.Sprint("接", o2.ID), ""); r.Status != 200 {
		t.Fatalf("push on community 2's secret = %d %s", r.Status, r.Raw)
	}
	if o, err := e.DB.Order(e.ctx2, o2.ID); err != nil || o.Status != chorus.OrderAccepted {
		t.Fatalf("community 2's order = %+v, %v", o, err)
	}
	e.drain(t)
	acks := e.sends(hzyBarber, "SMS_CHORUS_PARTNER_ACK", hzyAckTemplate)
	if len(acks) != 1 || acks[0].SignName != hzySign || acks[0].TemplateCode != hzyAckTemplate {
		t.Fatalf("acks = %+v", acks)
	}
	// 接 for community 1's order on the shared URL: signed 光华街社区, with
	// the deployment's template (community 1 has none of its own).
	if r := e.pushUp(t, pushSecret, hzyBarber, fmt.Sprint("接", o1.ID), ""); r.Status != 200 {
		t.Fatalf("push = %d", r.Status)
	}
	e.drain(t)
	acks = e.sends(hzyBarber, "SMS_CHORUS_PARTNER_ACK")
	if len(acks) != 1 || acks[0].SignName != "光华街社区" || acks[0].Params["order"] != fmt.Sprint(o1.ID) {
		t.Fatalf("community 1's ack = %+v", acks)
	}
	for c, want := range map[context.Context]int{e.ctx1: 1, e.ctx2: 1} {
		if list, err := e.DB.Inbox(c, false, 10); err != nil || len(list) != want {
			t.Fatalf("inbox = %+v, %v", list, err)
		}
	}
}

// TestDistrictSMS_ReplyRoutedBySignature: a resident asked to confirm an
// order by each community; the reply pushed on community 2's own URL, and
// later one on the shared URL with 和泽苑's signature, each answer 和泽苑's
// order alone; an R on community 2's URL stops community 1's SMS too, its
// acknowledgement signed 和泽苑社区.
func TestDistrictSMS_ReplyRoutedBySignature(t *testing.T) {
	e := mustServeDistrictSMS(t)
	o1 := e.order(t, e.ctx1, e.e1, hzyResident, e.kiosk)
	o2 := e.order(t, e.ctx2, e.e2, hzyResident, e.kiosk)
	e.drain(t)
	signs := map[string]bool{}
	for _, s := range e.sends(hzyResident, "SMS_CHORUS_ORDER_CONFIRM") {
		signs[s.SignName] = true
	}
	if !signs["光华街社区"] || !signs[hzySign] || len(signs) != 2 {
		t.Fatalf("confirmations signed %v", signs)
	}
	for i, push := range []struct{ secret, sign string }{{hzySecret, ""}, {pushSecret, hzySign}} {
		o2 := o2
		if i > 0 { // another order of 和泽苑 to confirm
			o2 = e.order(t, e.ctx2, e.e2, hzyResident, e.kiosk)
		}
		if r := e.pushUp(t, push.secret, hzyResident, "1", push.sign); r.Status != 200 {
			t.Fatalf("push = %d %s", r.Status, r.Raw)
		}
		if o, _ := e.DB.Order(e.ctx2, o2.ID); o.Status != chorus.OrderDispatched {
			t.Fatalf("%+v: 和泽苑's order = %s", push, o.Status)
		}
		if o, _ := e.DB.Order(e.ctx1, o1.ID); !o.AwaitingReply {
			t.Fatalf("%+v: 光华街's order answered by a reply to 和泽苑: %+v", push, o)
		}
		if list, _ := e.DB.Inbox(e.ctx2, false, 10); len(list) != i+1 || list[0].Community != 2 {
			t.Fatalf("%+v: 和泽苑's inbox = %+v", push, list)
		}
	}

	e.Clock.Add(24 * time.Hour) // the phone's SMS of the day are used up
	if r := e.pushUp(t, hzySecret, hzyResident, "R", ""); r.Status != 200 {
		t.Fatalf("opt-out push = %d", r.Status)
	}
	e.drain(t)
	if ack := e.sends(hzyResident, "SMS_CHORUS_OPTOUT"); len(ack) != 1 || ack[0].SignName != hzySign {
		all, _ := e.DB.Messages(e.ctx2, hzyResident, 20)
		t.Fatalf("opt-out ack = %+v; %+v", ack, all)
	}
	// Community 1's next SMS to the phone is refused: the opt-out is the
	// deployment's.
	if err := e.DB.Queue(e.ctx1, chorus.Message{Phone: hzyResident, Kind: chorus.MsgOrderTaken, OrderID: o1.ID,
		Params: map[string]string{"order": fmt.Sprint(o1.ID)}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.DB.Messages(e.ctx1, hzyResident, 10)
	if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgOrderTaken || msgs[0].Status != chorus.MessageRefused {
		t.Fatalf("community 1's message after the opt-out = %+v, %v", msgs, err)
	}
}

// TestDistrict_PartnerRoutes: the yearly figures of every partner
// (GET /api/district/partners) and linking an existing partner to the
// caller's community by phone (POST /api/admin/partners/link).
func TestDistrict_PartnerRoutes(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	p := do(t, c, "POST", e.URL+"/api/admin/partners", map[string]any{"name": "巧手理发店", "kind": "barbershop",
		"phones": []string{hzyBarber}, "services": []string{"haircut"}, "active": true}, e.Admin)
	if p.Status != 201 {
		t.Fatalf("partner = %d %s", p.Status, p.Raw)
	}
	got := do(t, c, "POST", e.URL+"/api/admin/partners/link", map[string]any{"phone": hzyBarber,
		"services": []string{"haircut", "repair"}}, e.Admin)
	if got.Status != 200 || fmt.Sprint(got.Body["services"]) != "[haircut repair]" || got.Body["id"] != p.Body["id"] {
		t.Fatalf("link = %d %s", got.Status, got.Raw)
	}
	for _, tt := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"phone": "13900009999"}, 404},
		{map[string]any{"id": 999}, 404},
		{map[string]any{}, 400},
		{map[string]any{"id": p.Body["id"], "estates": []int{999}}, 400},
	} {
		if got := do(t, c, "POST", e.URL+"/api/admin/partners/link", tt.body, e.Admin); got.Status != tt.status || got.ErrorMessage() == "" {
			t.Fatalf("link %v = %d %s, want %d", tt.body, got.Status, got.Raw, tt.status)
		}
	}
	staff := e.MustLogin(t, "wangfang", chorus.RoleStaff)
	if got := do(t, c, "POST", e.URL+"/api/admin/partners/link", map[string]any{"phone": hzyBarber}, staff); got.Status != 403 {
		t.Fatalf("link by staff = %d", got.Status)
	}

	if got := do(t, c, "GET", e.URL+"/api/district/partners?year=2026", nil, e.Admin); got.Status != 403 {
		t.Fatalf("a community admin's partner figures = %d %s", got.Status, got.Raw)
	}
	district := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	figs := do(t, c, "GET", e.URL+"/api/district/partners?year=2026", nil, district)
	if figs.Status != 200 || figs.Body["year"] != float64(2026) {
		t.Fatalf("figures = %d %s", figs.Status, figs.Raw)
	}
	list, _ := figs.Body["partners"].([]any)
	if len(list) != 1 {
		t.Fatalf("figures = %s", figs.Raw)
	}
	one := list[0].(map[string]any)
	comms, _ := one["communities"].([]any)
	if one["name"] != "巧手理发店" || len(comms) != 1 || one["total"].(map[string]any)["orders"] != float64(0) {
		t.Fatalf("figures = %s", figs.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/district/partners?year=abc", nil, district); got.Status != 400 {
		t.Fatalf("year abc = %d", got.Status)
	}
	if got := do(t, c, "GET", e.URL+"/api/district/partners", nil, staff); got.Status != 403 {
		t.Fatalf("figures for staff = %d", got.Status)
	}
}
