package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// Issue 16, helper C: orders, partners across communities, SMS by
// community. Community 1 is 光华街社区, community 2 和泽苑社区 with its own
// signature, staff phone and template code for partner orders.
const (
	sharedBarber = "13903520001" // 巧手理发店: community 1 (haircuts) and 2 (haircuts, repairs in 和泽苑1号院)
	onlyOne      = "13903520002" // 光华美发: community 1 only, haircuts, first in its waves
	staffTwo     = "13800000222" // 和泽苑社区's on-duty phone
	residentOne  = "13712340001" // lives in 光华街16号院
	residentTwo  = "13712340002" // lives in 和泽苑1号院
	signTwo      = "和泽苑社区"
	templateTwo  = "SMS_HZY_PARTNER_ORDER"
)

type districtFixture struct {
	db          *sqlite.DB
	raw         *sql.DB
	clock       *Clock
	ctx1, ctx2  context.Context
	district    context.Context
	e1, e2, e2b int64 // 光华街16号院 (1), 和泽苑1号院 and 和泽苑2号院 (2)
	shared      int64 // 巧手理发店
	only1       int64 // 光华美发
}

func mustDistrictFixture(tb testing.TB) *districtFixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "chorus.db")
	db, clock := MustOpenDBAt(tb, path)
	raw := MustRawDB(tb, path)
	db.StaffPhone = staffPhone
	bg := context.Background()
	f := &districtFixture{db: db, raw: raw, clock: clock,
		ctx1:     chorus.WithScope(bg, chorus.Scope{Community: 1}),
		ctx2:     chorus.WithScope(bg, chorus.Scope{Community: 2}),
		district: chorus.WithScope(bg, chorus.Scope{Community: 1, District: true})}
	f.exec(tb, "UPDATE community SET name = '光华街社区', sign_name = '光华街社区' WHERE id = 1")
	f.exec(tb, `INSERT INTO community (id, name, sign_name, staff_phone, templates) VALUES (2, ?, ?, ?, ?)`,
		signTwo, signTwo, staffTwo, `{"partner_order":"`+templateTwo+`"}`)
	f.e1 = MustEstate(tb, db, "光华街16号院").ID
	f.e2 = MustEstate(tb, db, "和泽苑1号院").ID
	f.e2b = MustEstate(tb, db, "和泽苑2号院").ID
	f.exec(tb, "UPDATE estates SET community_id = 2 WHERE id IN (?, ?)", f.e2, f.e2b)
	shared := &chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{sharedBarber},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Priority: 1, Active: true}
	only1 := &chorus.Partner{Name: "光华美发", Kind: chorus.PartnerBarbershop, Phones: []string{onlyOne},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut, chorus.ServiceRepair}, Priority: 0, Active: true}
	for _, p := range []*chorus.Partner{shared, only1} {
		if err := db.SavePartner(f.ctx1, p); err != nil {
			tb.Fatal(err)
		}
	}
	// 和泽苑社区 links the barber 光华街 already has, by its phone.
	if _, err := db.LinkPartner(f.ctx2, 0, sharedBarber,
		[]chorus.ServiceKind{chorus.ServiceHaircut, chorus.ServiceRepair}, []int64{f.e2}); err != nil {
		tb.Fatal(err)
	}
	f.shared, f.only1 = shared.ID, only1.ID
	for phone, c := range map[string]int64{residentOne: 1, residentTwo: 2} {
		f.exec(tb, "INSERT INTO residents (phone, name, community_id, created_ms) VALUES (?, '', ?, 0)", phone, c)
	}
	clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)) // Tuesday 10:00
	return f
}

func (f *districtFixture) exec(tb testing.TB, q string, args ...any) {
	tb.Helper()
	if _, err := f.raw.Exec(q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// order makes a staff order in ctx's community for phone at estate.
func (f *districtFixture) order(tb testing.TB, ctx context.Context, kind chorus.ServiceKind, phone string, estate int64) *chorus.Order {
	tb.Helper()
	o, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: kind, HaircutRequest: chorus.HaircutRequest{Phone: phone,
		Name: "石女士", Address: chorus.Address{EstateID: estate, Unit: "1", Room: "101"}, Day: "2026-12-02",
		HalfDay: chorus.Afternoon}})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// offered returns the partner ids sent order id, from order_offers.
func (f *districtFixture) offered(tb testing.TB, id int64) map[int64]bool {
	tb.Helper()
	rows, err := f.raw.Query("SELECT partner_id FROM order_offers WHERE order_id = ? AND wave > 0", id)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			tb.Fatal(err)
		}
		out[p] = true
	}
	return out
}

// messages returns the messages of kind to phone as ctx's community lists
// them (refused ones too).
func (f *districtFixture) messages(tb testing.TB, ctx context.Context, phone string, kind chorus.MessageKind) []chorus.Message {
	tb.Helper()
	msgs, err := f.db.Messages(ctx, phone, 100)
	if err != nil {
		tb.Fatal(err)
	}
	return MessagesOf(msgs, kind)
}

func (f *districtFixture) reply(tb testing.TB, in chorus.Inbound) *chorus.Inbound {
	tb.Helper()
	seq++
	if in.SequenceID == "" {
		in.SequenceID = fmt.Sprint("district", seq)
	}
	out, _, err := f.db.HandleInbound(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestDistrict_PartnersPerCommunity(t *testing.T) {
	f := mustDistrictFixture(t)
	byID := func(ctx context.Context) map[int64]chorus.Partner {
		list, err := f.db.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]chorus.Partner{}
		for _, p := range list {
			out[p.ID] = p
		}
		return out
	}
	one, two := byID(f.ctx1), byID(f.ctx2)
	if len(one) != 2 || len(two) != 1 {
		t.Fatalf("community 1 sees %d partners, community 2 %d; want 2 and 1", len(one), len(two))
	}
	if p := one[f.shared]; fmt.Sprint(p.Services, p.Estates) != "[haircut] []" {
		t.Fatalf("community 1 sees the shared barber with %v %v", p.Services, p.Estates)
	}
	if p := two[f.shared]; fmt.Sprint(p.Services, p.Estates) != fmt.Sprint("[haircut repair] [", f.e2, "]") {
		t.Fatalf("community 2 sees the shared barber with %v %v", p.Services, p.Estates)
	}

	// Saving in community 2 changes its own link, not community 1's.
	p := two[f.shared]
	p.Services, p.Estates, p.Name = []chorus.ServiceKind{chorus.ServiceHaircut}, []int64{f.e2, f.e2b}, "巧手理发店(总店)"
	if err := f.db.SavePartner(f.ctx2, &p); err != nil {
		t.Fatal(err)
	}
	if p := byID(f.ctx1)[f.shared]; fmt.Sprint(p.Services, p.Estates) != "[haircut] []" || p.Name != "巧手理发店(总店)" {
		t.Fatalf("community 1's link changed by community 2's save: %+v", p)
	}
	// A partner of community 1 alone is not found from community 2, and
	// a community cannot be given another's estate.
	q := one[f.only1]
	wantCode(t, f.db.SavePartner(f.ctx2, &q), chorus.ENOTFOUND)
	p.Estates = []int64{f.e1}
	wantCode(t, f.db.SavePartner(f.ctx2, &p), chorus.EINVALID)
	_, err := f.db.LinkPartner(f.ctx2, 0, "13900009999", nil, nil)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.LinkPartner(f.ctx2, f.only1, "", []chorus.ServiceKind{"massage"}, nil)
	wantCode(t, err, chorus.EINVALID)
	// A new partner saved in community 2 serves community 2 alone.
	n := &chorus.Partner{Name: "和泽苑药房", Kind: chorus.PartnerPharmacy, Phones: []string{"13903520003"},
		Services: []chorus.ServiceKind{chorus.ServiceMedicine}, Active: true}
	if err := f.db.SavePartner(f.ctx2, n); err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(f.ctx1)[n.ID]; ok {
		t.Fatal("community 1 sees community 2's new partner")
	}
}

// TestDistrict_DispatchSharedPartner: each community's orders go to the
// partners linked to it, with what they take and cover there; an order of
// community 2 is never offered to a partner only linked to 1, and the
// alert when nobody can take one goes to its community's staff phone.
func TestDistrict_DispatchSharedPartner(t *testing.T) {
	f := mustDistrictFixture(t)

	o2 := f.order(t, f.ctx2, chorus.ServiceHaircut, residentTwo, f.e2)
	if o2.Community != 2 || o2.Status != chorus.OrderDispatched {
		t.Fatalf("community 2's order = %+v", o2)
	}
	if got := f.offered(t, o2.ID); !got[f.shared] || got[f.only1] {
		t.Fatalf("community 2's haircut offered to %v, want the shared barber alone", got)
	}
	msgs := f.messages(t, f.ctx2, sharedBarber, chorus.MsgPartnerOrder)
	if len(msgs) != 1 || msgs[0].Community != 2 || msgs[0].Params["estate"] != "和泽苑1号院" {
		t.Fatalf("the shared barber's SMS for community 2 = %+v", msgs)
	}
	if n := len(f.messages(t, f.ctx1, onlyOne, chorus.MsgPartnerOrder)); n != 0 {
		t.Fatalf("光华美发 got %d SMS of community 2's order", n)
	}

	// Community 1's haircut: its own first wave (光华美发, priority 0).
	o1 := f.order(t, f.ctx1, chorus.ServiceHaircut, residentOne, f.e1)
	if got := f.offered(t, o1.ID); o1.Community != 1 || !got[f.only1] || got[f.shared] {
		t.Fatalf("community 1's haircut (community %d) offered to %v, want 光华美发 first", o1.Community, got)
	}

	// A repair in 和泽苑2号院: the shared barber repairs only in 和泽苑1号院
	// there, and 光华美发 (repairs in community 1) is not community 2's.
	r2 := f.order(t, f.ctx2, chorus.ServiceRepair, residentTwo, f.e2b)
	if got := f.offered(t, r2.ID); len(got) != 0 {
		t.Fatalf("repair in 和泽苑2号院 offered to %v", got)
	}
	if m := f.messages(t, f.ctx2, staffTwo, chorus.MsgOrderUnclaimed); len(m) != 1 || m[0].OrderID != r2.ID {
		t.Fatalf("和泽苑's staff phone got %+v", m)
	}
	if m := f.messages(t, f.ctx1, staffPhone, chorus.MsgOrderUnclaimed); len(m) != 0 {
		t.Fatalf("the deployment's staff phone was alerted for community 2: %+v", m)
	}
	// In 和泽苑1号院 the shared barber takes repairs; in community 1 it does
	// not: with 光华美发 off, nobody repairs there, and community 1, with
	// no staff phone of its own, alerts the deployment's.
	if got := f.offered(t, f.order(t, f.ctx2, chorus.ServiceRepair, "13712340003", f.e2).ID); !got[f.shared] {
		t.Fatalf("repair in 和泽苑1号院 offered to %v", got)
	}
	f.exec(t, "UPDATE partners SET active = 0 WHERE id = ?", f.only1)
	r1 := f.order(t, f.ctx1, chorus.ServiceRepair, "13712340004", f.e1)
	if got := f.offered(t, r1.ID); len(got) != 0 {
		t.Fatalf("repair in community 1 offered to %v (the shared barber does not repair there)", got)
	}
	if m := f.messages(t, f.ctx1, staffPhone, chorus.MsgOrderUnclaimed); len(m) != 1 || m[0].OrderID != r1.ID {
		t.Fatalf("the deployment's staff phone got %+v for community 1", m)
	}
	// Order numbers are the deployment's: none repeats across communities.
	if ids := map[int64]bool{o1.ID: true, o2.ID: true, r1.ID: true, r2.ID: true}; len(ids) != 4 {
		t.Fatalf("order numbers repeat: %v", ids)
	}
}

// TestDistrict_AcceptOrderOfCommunity2: 接N from the shared barber finds
// community 2's order; a partner not linked to community 2 cannot take
// it, even with its number; the reply lands in community 2's inbox.
func TestDistrict_AcceptOrderOfCommunity2(t *testing.T) {
	f := mustDistrictFixture(t)
	o2 := f.order(t, f.ctx2, chorus.ServiceHaircut, residentTwo, f.e2)

	in := f.reply(t, chorus.Inbound{Phone: onlyOne, Content: fmt.Sprint("接", o2.ID), Intent: chorus.IntentAccept, Order: o2.ID})
	if in.Handled {
		t.Fatalf("a partner of community 1 alone took community 2's order: %+v", in)
	}
	in = f.reply(t, chorus.Inbound{Phone: sharedBarber, Content: fmt.Sprint("接", o2.ID), Intent: chorus.IntentAccept, Order: o2.ID})
	if !in.Handled || in.Community != 2 {
		t.Fatalf("reply = %+v", in)
	}
	got, err := f.db.Order(f.ctx2, o2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != chorus.OrderAccepted || got.PartnerID != f.shared {
		t.Fatalf("order = %+v", got)
	}
	ack := f.messages(t, f.ctx2, sharedBarber, chorus.MsgPartnerAck)
	if len(ack) != 1 || ack[0].Community != 2 {
		t.Fatalf("the barber's ack = %+v", ack)
	}
	told := f.messages(t, f.ctx2, residentTwo, chorus.MsgHaircutAccepted)
	if len(told) != 1 || told[0].Community != 2 {
		t.Fatalf("the resident was told %+v", told)
	}
	// The inbox: community 2 has the 接 reply, community 1 neither.
	two, err := f.db.Inbox(f.ctx2, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	one, err := f.db.Inbox(f.ctx1, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(two) != 2 || len(one) != 0 {
		t.Fatalf("inbox: community 2 has %d replies, community 1 %d; want 2 and 0", len(two), len(one))
	}
	_, err = f.db.SettleInbound(f.ctx1, two[0].ID, "王", "")
	wantCode(t, err, chorus.ENOTFOUND)
}

// TestDistrict_OrdersScoped: another community's order is not found, in
// lists, lookups and changes; the district sees it.
func TestDistrict_OrdersScoped(t *testing.T) {
	f := mustDistrictFixture(t)
	o2 := f.order(t, f.ctx2, chorus.ServiceHaircut, residentTwo, f.e2)
	o1 := f.order(t, f.ctx1, chorus.ServiceHaircut, residentOne, f.e1)

	_, err := f.db.Order(f.ctx1, o2.ID)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.OrderTimeline(f.ctx1, o2.ID)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.CancelOrder(f.ctx1, o2.ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.ConfirmOrder(f.ctx1, o2.ID, chorus.ActorStaff)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.PartnerAnswer(f.ctx1, o2.ID, f.shared, chorus.IntentAccept, chorus.ActorStaff)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.ChangeOrderDay(f.ctx1, o2.ID, residentTwo, "2026-12-03", chorus.Morning)
	wantCode(t, err, chorus.ENOTFOUND)
	// Staff of community 1 cannot order for an estate of community 2.
	_, err = f.db.CreateOrder(f.ctx1, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
		Phone: "13712340009", Address: chorus.Address{EstateID: f.e2, Room: "1"}, Day: "2026-12-02", HalfDay: chorus.Morning}})
	wantCode(t, err, chorus.EINVALID)

	for ctx, want := range map[context.Context]int64{f.ctx1: o1.ID, f.ctx2: o2.ID} {
		list, err := f.db.Orders(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != want {
			t.Fatalf("orders listed = %+v, want %d alone", list, want)
		}
	}
	if list, _ := f.db.OrdersOf(f.ctx1, residentTwo); len(list) != 0 {
		t.Fatalf("community 1 lists community 2's orders of a phone: %+v", list)
	}
	if list, _ := f.db.OrdersOf(f.ctx2, residentTwo); len(list) != 1 {
		t.Fatalf("community 2 lists %d of its resident's orders", len(list))
	}
	// Messages and partner figures likewise.
	if m := f.messages(t, f.ctx1, sharedBarber, chorus.MsgPartnerOrder); len(m) != 0 {
		t.Fatalf("community 1 lists community 2's SMS: %+v", m)
	}
	m2 := f.messages(t, f.ctx2, sharedBarber, chorus.MsgPartnerOrder)
	if len(m2) != 1 {
		t.Fatalf("community 2 lists %d SMS", len(m2))
	}
	_, err = f.db.Message(f.ctx1, m2[0].ID)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.ResendMessage(f.ctx1, m2[0].ID)
	wantCode(t, err, chorus.ENOTFOUND)
	stats, err := f.db.PartnerStats(f.ctx2)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].PartnerID != f.shared || stats[0].Offered != 1 {
		t.Fatalf("community 2's partner stats = %+v", stats)
	}

	// The district admin sees and changes both.
	if _, err := f.db.Order(f.district, o2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CancelOrder(f.district, o2.ID, chorus.ActorStaff, ""); err != nil {
		t.Fatal(err)
	}
}

// TestDistrict_ReplyRoutedByCommunity: a resident with an order waiting
// for the reply 1 in each community; a reply whose push names 和泽苑's
// signature answers 和泽苑's message only, and lands in its inbox; the
// next reply answers the other.
func TestDistrict_ReplyRoutedByCommunity(t *testing.T) {
	f := mustDistrictFixture(t)
	place := MustPlace(t, f.db, "社区活动室")
	f.exec(t, "INSERT INTO kiosks (id, name, place_id, token_hash, created_ms) VALUES (7, '大厅', ?, 'x', 0)", place.ID)
	ask := func(ctx context.Context, estate int64) *chorus.Order {
		o, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
			Phone: residentTwo, Name: "石女士", Address: chorus.Address{EstateID: estate, Room: "101"}, Day: "2026-12-02",
			HalfDay: chorus.Afternoon, KioskID: 7}})
		if err != nil {
			t.Fatal(err)
		}
		if !o.AwaitingReply {
			t.Fatalf("order = %+v", o)
		}
		return o
	}
	o1, o2 := ask(f.ctx1, f.e1), ask(f.ctx2, f.e2)
	if m := f.messages(t, f.ctx2, residentTwo, chorus.MsgOrderConfirm); len(m) != 1 || m[0].OrderID != o2.ID {
		t.Fatalf("community 2's confirmation SMS = %+v", m)
	}

	in := f.reply(t, chorus.Inbound{Phone: residentTwo, Content: "1", Intent: chorus.IntentConfirm, SignName: signTwo})
	if !in.Handled || in.Community != 2 {
		t.Fatalf("reply = %+v", in)
	}
	if o, _ := f.db.Order(f.ctx2, o2.ID); o.Status != chorus.OrderDispatched {
		t.Fatalf("community 2's order = %s", o.Status)
	}
	if o, _ := f.db.Order(f.ctx1, o1.ID); o.Status != chorus.OrderRequested || !o.AwaitingReply {
		t.Fatalf("community 1's order moved by a reply to community 2: %+v", o)
	}
	if list, _ := f.db.Inbox(f.ctx2, false, 10); len(list) != 1 || list[0].ID != in.ID {
		t.Fatalf("community 2's inbox = %+v", list)
	}
	// Without a signature (today's pushes), the reply answers what is
	// left: community 1's, in community 1's inbox.
	in = f.reply(t, chorus.Inbound{Phone: residentTwo, Content: "1", Intent: chorus.IntentConfirm})
	if !in.Handled || in.Community != 1 {
		t.Fatalf("second reply = %+v", in)
	}
	if list, _ := f.db.Inbox(f.ctx1, false, 10); len(list) != 1 || list[0].ID != in.ID {
		t.Fatalf("community 1's inbox = %+v", list)
	}
	// A reply nothing answers goes to the resident's community's inbox,
	// helped once, signed for it.
	in = f.reply(t, chorus.Inbound{Phone: residentTwo, Content: "你好", Intent: chorus.IntentUnknown})
	if in.Handled || in.Community != 2 {
		t.Fatalf("unknown reply = %+v", in)
	}
	if h := f.messages(t, f.ctx2, residentTwo, chorus.MsgHelp); len(h) != 1 {
		t.Fatalf("help = %+v", h)
	}
}

// TestDistrict_OptOutAcrossCommunities: R answered to community 2 stops
// community 1's SMS to the phone as well.
func TestDistrict_OptOutAcrossCommunities(t *testing.T) {
	f := mustDistrictFixture(t)
	in := f.reply(t, chorus.Inbound{Phone: sharedBarber, Content: "R", Intent: chorus.IntentOptOut, SignName: signTwo})
	if !in.Handled || in.Community != 2 {
		t.Fatalf("opt-out = %+v", in)
	}
	if ack := f.messages(t, f.ctx2, sharedBarber, chorus.MsgOptOutAck); len(ack) != 1 {
		t.Fatalf("opt-out ack in community 2 = %+v", ack)
	}
	f.exec(t, "UPDATE partners SET priority = 0 WHERE id = ?", f.shared) // in the first wave
	o := f.order(t, f.ctx1, chorus.ServiceHaircut, residentOne, f.e1)
	m := f.messages(t, f.ctx1, sharedBarber, chorus.MsgPartnerOrder)
	if len(m) != 1 || m[0].OrderID != o.ID || m[0].Status != chorus.MessageRefused || m[0].ErrCode != sqlite.RefusedOptedOut {
		t.Fatalf("community 1's SMS to a phone that opted out in community 2 = %+v", m)
	}
}

// TestDistrict_PartnerFigures: the shared barber's figures per community
// and in total for the year; a community's scope counts its own alone.
func TestDistrict_PartnerFigures(t *testing.T) {
	f := mustDistrictFixture(t)
	f.exec(t, "UPDATE partners SET priority = 0 WHERE id = ?", f.shared)
	o1 := f.order(t, f.ctx1, chorus.ServiceHaircut, residentOne, f.e1)
	o2 := f.order(t, f.ctx2, chorus.ServiceHaircut, residentTwo, f.e2)
	f.clock.Add(6 * time.Minute)
	for _, id := range []int64{o1.ID, o2.ID} {
		if in := f.reply(t, chorus.Inbound{Phone: sharedBarber, Intent: chorus.IntentAccept, Order: id}); !in.Handled {
			t.Fatalf("接%d: %+v", id, in)
		}
	}
	f.clock.Add(time.Hour)
	f.reply(t, chorus.Inbound{Phone: sharedBarber, Intent: chorus.IntentDone, Order: o2.ID})

	from := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	to := from.AddDate(1, 0, 0)
	all, err := f.db.PartnerFigures(f.district, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var shared *chorus.PartnerFigures
	for i := range all {
		if all[i].ID == f.shared {
			shared = &all[i]
		}
	}
	if shared == nil || len(shared.Communities) != 2 {
		t.Fatalf("figures = %+v", all)
	}
	c1, c2, total := shared.Communities[0], shared.Communities[1], shared.Total
	if c1.ID != 1 || c1.Name != "光华街社区" || c1.Orders != 1 || c1.Accepted != 1 || c1.Done != 0 {
		t.Fatalf("community 1 = %+v", c1)
	}
	if c2.ID != 2 || c2.Name != signTwo || c2.Orders != 1 || c2.Accepted != 1 || c2.Done != 1 || c2.AcceptMinutesMedian != 6 {
		t.Fatalf("community 2 = %+v", c2)
	}
	if total.Orders != 2 || total.Accepted != 2 || total.Done != 1 || total.AcceptMinutesMedian != 6 {
		t.Fatalf("total = %+v", total)
	}
	mine, err := f.db.PartnerFigures(f.ctx2, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].ID != f.shared || len(mine[0].Communities) != 1 || mine[0].Total.Accepted != 1 {
		t.Fatalf("community 2's own figures = %+v", mine)
	}
	// Another year counts nothing.
	if next, _ := f.db.PartnerFigures(f.district, to, to.AddDate(1, 0, 0)); len(next) != 2 || next[0].Total.Orders+next[1].Total.Orders != 0 {
		t.Fatalf("next year = %+v", next)
	}
}

// TestDistrict_CallsOfCommunity: a call is its message's community's: it
// introduces itself with that community's signature, and staff of that
// community alone see it in the list of calls to follow up.
func TestDistrict_CallsOfCommunity(t *testing.T) {
	f := mustDistrictFixture(t)
	f.exec(t, "UPDATE residents SET channel = 'voice' WHERE phone = ?", residentTwo)
	place := MustPlace(t, f.db, "社区活动室")
	f.exec(t, "INSERT INTO kiosks (id, name, place_id, token_hash, created_ms) VALUES (7, '大厅', ?, 'x', 0)", place.ID)
	if _, err := f.db.CreateOrder(f.ctx2, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
		Phone: residentTwo, Name: "石女士", Address: chorus.Address{EstateID: f.e2, Room: "101"}, Day: "2026-12-02",
		HalfDay: chorus.Afternoon, KioskID: 7}}); err != nil {
		t.Fatal(err)
	}
	w, fake := voiceWorker(t, f.db, f.clock.Now)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("calls placed: %d, %v", n, err)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Params["sign"] != signTwo {
		t.Fatalf("calls = %+v", calls)
	}
	var community int64
	if err := f.raw.QueryRow("SELECT community_id FROM calls").Scan(&community); err != nil || community != 2 {
		t.Fatalf("the call's community = %d, %v", community, err)
	}
	f.exec(t, "UPDATE calls SET staff_call = 1")
	since := f.clock.Now().Add(-time.Hour)
	if list, err := f.db.StaffCalls(f.ctx2, since); err != nil || len(list) != 1 || list[0].Community != 2 {
		t.Fatalf("community 2's follow-ups = %+v, %v", list, err)
	}
	if list, err := f.db.StaffCalls(f.ctx1, since); err != nil || len(list) != 0 {
		t.Fatalf("community 1's follow-ups = %+v, %v", list, err)
	}
	// The SMS figures count each community's messages apart.
	st, err := f.db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byCommunity := map[int64]int{}
	for _, c := range st.Messages {
		byCommunity[c.Community] += c.N
	}
	if byCommunity[2] != 1 || byCommunity[1] != 0 {
		t.Fatalf("messages by community = %v", byCommunity)
	}
}
