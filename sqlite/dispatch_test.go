package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// Partner phones of the dispatch fixture.
const (
	barberA1   = "13903510002" // 巧手理发店, priority 1
	barberA2   = "13903510012" // 巧手理发店, a second phone
	barberB    = "13703510003" // 光华美发, priority 2
	builder    = "13503510005" // 宏建建筑公司, repairs, around the clock, 16号院 only
	staffPhone = "13800000000"
	resident   = "13712345678" // 石女士, 光华街16号院3单元502
)

type dispatchFixture struct {
	db     *sqlite.DB
	clock  *Clock
	estate int64
	other  int64
}

func mustDispatchFixture(tb testing.TB) *dispatchFixture {
	tb.Helper()
	db, clock := MustOpenDB(tb)
	db.StaffPhone = staffPhone
	ctx := context.Background()
	e16 := MustEstate(tb, db, "光华街16号院")
	eOther := MustEstate(tb, db, "锦绣苑")
	for _, p := range []*chorus.Partner{
		{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{barberA1, barberA2},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Priority: 1, Active: true},
		{Name: "光华美发", Kind: chorus.PartnerBarbershop, Phones: []string{barberB},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Priority: 2, Active: true},
		{Name: "宏建建筑公司", Kind: chorus.PartnerBuilder, Phones: []string{builder},
			Services: []chorus.ServiceKind{chorus.ServiceRepair}, Estates: []int64{e16.ID}, Active: true},
	} {
		if err := db.SavePartner(ctx, p); err != nil {
			tb.Fatal(err)
		}
	}
	clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)) // Tuesday 10:00, barbers open
	return &dispatchFixture{db: db, clock: clock, estate: e16.ID, other: eOther.ID}
}

func (f *dispatchFixture) haircut(tb testing.TB) *chorus.Order {
	tb.Helper()
	o, err := f.db.RequestHaircut(context.Background(), chorus.HaircutRequest{Phone: resident, Name: "石女士",
		Address: chorus.Address{EstateID: f.estate, Unit: "3", Room: "502"}, Day: "2026-12-02", HalfDay: chorus.Afternoon})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

var seq int

func (f *dispatchFixture) reply(tb testing.TB, phone string, intent chorus.Intent, order int64) *chorus.Inbound {
	tb.Helper()
	seq++
	in, _, err := f.db.HandleInbound(context.Background(), chorus.Inbound{Phone: phone, Content: fmt.Sprint(intent, order),
		SequenceID: fmt.Sprint("d", seq), Intent: intent, Order: order})
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// sent counts the queued (not refused) messages of a kind to a phone.
func (f *dispatchFixture) sent(tb testing.TB, phone string, kind chorus.MessageKind) []chorus.Message {
	tb.Helper()
	msgs, err := f.db.Messages(context.Background(), phone, 100)
	if err != nil {
		tb.Fatal(err)
	}
	var out []chorus.Message
	for _, m := range msgs {
		if m.Kind == kind && m.Status != chorus.MessageRefused {
			out = append(out, m)
		}
	}
	return out
}

func (f *dispatchFixture) order(tb testing.TB, id int64) *chorus.Order {
	tb.Helper()
	o, err := f.db.Order(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func TestDB_Dispatch(t *testing.T) {
	ctx := context.Background()
	t.Run("FirstWaveByPriority", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		if o.Status != chorus.OrderDispatched || o.Wave != 1 {
			t.Fatalf("order = %+v", o)
		}
		for _, ph := range []string{barberA1, barberA2} {
			msgs := f.sent(t, ph, chorus.MsgPartnerOrder)
			if len(msgs) != 1 {
				t.Fatalf("%s got %d orders", ph, len(msgs))
			}
			want := map[string]string{"order": fmt.Sprint(o.ID), "service": "上门理发", "estate": "光华街16号院", "room": "3单元502", "time": "12月2日周三下午"}
			for k, v := range want {
				if msgs[0].Params[k] != v {
					t.Fatalf("param %s = %q, want %q", k, msgs[0].Params[k], v)
				}
			}
		}
		if n := len(f.sent(t, barberB, chorus.MsgPartnerOrder)); n != 0 {
			t.Fatalf("the second wave went out at once: %d", n)
		}
	})
	t.Run("TwoRepliesAtOnceOneWins", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		var wg sync.WaitGroup
		results := make([]*chorus.Inbound, 2)
		for i, ph := range []string{barberA1, barberB} {
			wg.Add(1)
			go func(i int, ph string) {
				defer wg.Done()
				in, _, err := f.db.HandleInbound(ctx, chorus.Inbound{Phone: ph, Content: "接", SequenceID: ph,
					Intent: chorus.IntentAccept, Order: o.ID})
				if err != nil {
					t.Error(err)
				}
				results[i] = in
			}(i, ph)
		}
		wg.Wait()
		got := f.order(t, o.ID)
		if got.Status != chorus.OrderAccepted {
			t.Fatalf("status = %s", got.Status)
		}
		taken := len(f.sent(t, barberA1, chorus.MsgOrderTaken)) + len(f.sent(t, barberB, chorus.MsgOrderTaken))
		if taken != 1 {
			t.Fatalf("order_taken to the loser: %d", taken)
		}
		if n := len(f.sent(t, resident, chorus.MsgHaircutAccepted)); n != 1 {
			t.Fatalf("resident told %d times", n)
		}
		tl, _ := f.db.OrderTimeline(ctx, o.ID)
		accepts := 0
		for _, e := range tl {
			if e.Status == chorus.OrderAccepted {
				accepts++
			}
		}
		if accepts != 1 {
			t.Fatalf("accepted %d times: %+v", accepts, tl)
		}
	})
	t.Run("WavesThenEscalation", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		f.clock.Add(29 * time.Minute)
		if n, _ := f.db.DispatchDue(ctx, f.clock.Now()); n != 0 {
			t.Fatalf("moved early: %d", n)
		}
		f.clock.Add(time.Minute)
		if n, _ := f.db.DispatchDue(ctx, f.clock.Now()); n != 1 || len(f.sent(t, barberB, chorus.MsgPartnerOrder)) != 1 {
			t.Fatalf("second wave: n=%d", n)
		}
		if got := f.order(t, o.ID); got.Wave != 2 {
			t.Fatalf("wave = %d", got.Wave)
		}
		f.clock.Add(30 * time.Minute)
		f.db.DispatchDue(ctx, f.clock.Now())
		if got := f.order(t, o.ID); !got.Escalated || got.Status != chorus.OrderDispatched {
			t.Fatalf("order = %+v", got)
		}
		alerts := f.sent(t, staffPhone, chorus.MsgOrderUnclaimed)
		if len(alerts) != 1 || alerts[0].Params["order"] != fmt.Sprint(o.ID) {
			t.Fatalf("alerts = %+v", alerts)
		}
		// Escalated orders stay open: a late 接 still wins.
		f.clock.Add(time.Hour)
		f.db.DispatchDue(ctx, f.clock.Now())
		if in := f.reply(t, barberB, chorus.IntentAccept, o.ID); !in.Handled || f.order(t, o.ID).Partner != "光华美发" {
			t.Fatalf("late accept = %+v", in)
		}
		if n := len(f.sent(t, staffPhone, chorus.MsgOrderUnclaimed)); n != 1 {
			t.Fatalf("staff alerted %d times", n)
		}
	})
	t.Run("GiveBackRedispatches", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		f.reply(t, barberA2, chorus.IntentAccept, o.ID)
		in := f.reply(t, barberA1, chorus.IntentGiveBack, o.ID) // the shop's other phone gives it back
		if !in.Handled {
			t.Fatalf("give back = %+v", in)
		}
		got := f.order(t, o.ID)
		if got.Status != chorus.OrderDispatched || got.PartnerID != 0 {
			t.Fatalf("order = %+v", got)
		}
		if n := len(f.sent(t, barberB, chorus.MsgPartnerOrder)); n != 1 {
			t.Fatalf("redispatched to the next shop %d times", n)
		}
		if n := len(f.sent(t, barberA1, chorus.MsgPartnerOrder)); n != 1 {
			t.Fatalf("the giver was asked again: %d", n)
		}
	})
	t.Run("DoneOnlyByHolder", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		f.reply(t, barberA1, chorus.IntentAccept, o.ID)
		if in := f.reply(t, barberB, chorus.IntentDone, o.ID); in.Handled {
			t.Fatalf("done by another shop = %+v", in)
		}
		if in := f.reply(t, barberA1, chorus.IntentDone, o.ID); !in.Handled || f.order(t, o.ID).Status != chorus.OrderDone {
			t.Fatalf("done = %+v", in)
		}
	})
	t.Run("ErrNotServed", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		if in := f.reply(t, builder, chorus.IntentAccept, o.ID); in.Handled || f.order(t, o.ID).Status != chorus.OrderDispatched {
			t.Fatalf("builder accepting a haircut = %+v", in)
		}
		rep, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, Urgent: true, HaircutRequest: chorus.HaircutRequest{
			Phone: "13612345678", Address: chorus.Address{EstateID: f.other, Building: "1"}, Day: "2026-12-01", HalfDay: chorus.Afternoon}})
		if err != nil {
			t.Fatal(err)
		}
		if in := f.reply(t, builder, chorus.IntentAccept, rep.ID); in.Handled {
			t.Fatalf("builder accepting outside its estates = %+v", in)
		}
	})
	t.Run("UnknownPhoneAndOrder", func(t *testing.T) {
		f := mustDispatchFixture(t)
		if in := f.reply(t, "13612345678", chorus.IntentAccept, 5); in.Handled {
			t.Fatalf("stranger = %+v", in)
		}
		if len(f.sent(t, "13612345678", chorus.MsgHelp)) != 1 {
			t.Fatal("no help answer")
		}
		if in := f.reply(t, barberA1, chorus.IntentAccept, 999); in.Handled {
			t.Fatalf("unknown order = %+v", in)
		}
	})
	t.Run("BareAcceptTakesTheOnlyOffer", func(t *testing.T) {
		f := mustDispatchFixture(t)
		o := f.haircut(t)
		if in := f.reply(t, barberA1, chorus.IntentAccept, 0); !in.Handled || f.order(t, o.ID).Status != chorus.OrderAccepted {
			t.Fatalf("bare 接单 = %+v", in)
		}
	})
	t.Run("UrgentRepairAtNight", func(t *testing.T) {
		f := mustDispatchFixture(t)
		f.clock.Set(time.Date(2026, 12, 1, 23, 10, 0, 0, shanghai)) // a radiator bursts at night
		o, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, Urgent: true, HaircutRequest: chorus.HaircutRequest{
			Phone: resident, Address: chorus.Address{EstateID: f.estate, Unit: "3", Room: "502"}, Day: "2026-12-01",
			HalfDay: chorus.Afternoon, Notes: "暖气片跑水"}})
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != chorus.OrderDispatched || len(f.sent(t, builder, chorus.MsgPartnerOrder)) != 1 {
			t.Fatalf("order = %+v", o)
		}
		f.clock.Add(10 * time.Minute) // urgent: 10 minutes, then staff
		f.db.DispatchDue(ctx, f.clock.Now())
		if !f.order(t, o.ID).Escalated {
			t.Fatal("not escalated after the urgent wait")
		}
	})
	t.Run("WaitsForOpeningHours", func(t *testing.T) {
		f := mustDispatchFixture(t)
		f.clock.Set(time.Date(2026, 12, 1, 20, 0, 0, 0, shanghai)) // barbers closed
		o := f.haircut(t)
		if o.Status != chorus.OrderRequested || o.Escalated || len(f.sent(t, barberA1, chorus.MsgPartnerOrder)) != 0 {
			t.Fatalf("order at night = %+v", o)
		}
		f.clock.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, shanghai))
		f.db.DispatchDue(ctx, f.clock.Now())
		if got := f.order(t, o.ID); got.Status != chorus.OrderDispatched || len(f.sent(t, barberA1, chorus.MsgPartnerOrder)) != 1 {
			t.Fatalf("order in the morning = %+v", got)
		}
	})
	t.Run("PartnerStats", func(t *testing.T) {
		f := mustDispatchFixture(t)
		for i, wait := range []time.Duration{2 * time.Minute, 4 * time.Minute, 9 * time.Minute} {
			o, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
				Phone: fmt.Sprintf("1361234567%d", i), Address: chorus.Address{EstateID: f.estate, Unit: "1"}, Day: "2026-12-02", HalfDay: chorus.Morning}})
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Add(wait)
			f.reply(t, barberA1, chorus.IntentAccept, o.ID)
			if i == 0 {
				f.reply(t, barberA1, chorus.IntentDone, o.ID)
			}
		}
		stats, err := f.db.PartnerStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got chorus.PartnerStats
		for _, st := range stats {
			if st.Partner == "巧手理发店" {
				got = st
			}
		}
		if got.Partner != "巧手理发店" || got.Accepted != 3 || got.Done != 1 || got.Offered != 3 || got.MedianAcceptSeconds != 240 {
			t.Fatalf("stats = %+v", got)
		}
	})
}

// The barber of 光华美发 has a feature phone and calls the desk instead of
// replying: staff record his 接, then his 完成. It goes as an SMS reply
// would: the resident is told who comes, the other barbers that it is
// taken, and the timeline says staff recorded it.
func TestDB_PartnerAnswer(t *testing.T) {
	f := mustDispatchFixture(t)
	ctx := context.Background()
	o := f.haircut(t)
	partners, err := f.db.Partners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]int64{}
	for _, p := range partners {
		id[p.Name] = p.ID
	}
	// The first wave went to 巧手理发店 only (priority 1); 光华美发 may
	// take it all the same when he calls.
	got, err := f.db.PartnerAnswer(ctx, o.ID, id["光华美发"], chorus.IntentAccept, "staff:wanggang")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != chorus.OrderAccepted || got.PartnerID != id["光华美发"] {
		t.Fatalf("order = %+v", got)
	}
	if n := len(f.sent(t, resident, chorus.MsgHaircutAccepted)); n != 1 {
		t.Errorf("the resident was told %d times", n)
	}
	if n := len(f.sent(t, barberA1, chorus.MsgOrderTaken)); n != 1 {
		t.Errorf("巧手理发店 was told %d times that it is taken", n)
	}
	tl, err := f.db.OrderTimeline(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := tl[len(tl)-1]; last.Actor != "staff:wanggang" || last.Note != "光华美发打电话接单,工作人员代为登记" {
		t.Errorf("last timeline entry = %+v", last)
	}

	// Nobody else takes it now, by phone or not; only the holder finishes it.
	_, err = f.db.PartnerAnswer(ctx, o.ID, id["巧手理发店"], chorus.IntentAccept, chorus.ActorStaff)
	wantCode(t, err, chorus.ECONFLICT)
	_, err = f.db.PartnerAnswer(ctx, o.ID, id["巧手理发店"], chorus.IntentDone, chorus.ActorStaff)
	wantCode(t, err, chorus.ECONFLICT)
	_, err = f.db.PartnerAnswer(ctx, o.ID, id["光华美发"], chorus.IntentConfirm, chorus.ActorStaff)
	wantCode(t, err, chorus.EINVALID)
	_, err = f.db.PartnerAnswer(ctx, o.ID, 999, chorus.IntentDone, chorus.ActorStaff)
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = f.db.PartnerAnswer(ctx, 999, id["光华美发"], chorus.IntentDone, chorus.ActorStaff)
	wantCode(t, err, chorus.ENOTFOUND)
	if got, err := f.db.PartnerAnswer(ctx, o.ID, id["光华美发"], chorus.IntentDone, chorus.ActorStaff); err != nil || got.Status != chorus.OrderDone {
		t.Fatalf("done = %+v, %v", got, err)
	}

	// A repair given back by phone goes out again, without the giver.
	r, err := f.db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
		Phone: resident, Name: "石女士", Address: chorus.Address{EstateID: f.estate, Unit: "3", Room: "502"}, Day: "2026-12-02", HalfDay: chorus.Morning}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.PartnerAnswer(ctx, r.ID, id["宏建建筑公司"], chorus.IntentAccept, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}
	back, err := f.db.PartnerAnswer(ctx, r.ID, id["宏建建筑公司"], chorus.IntentGiveBack, chorus.ActorStaff)
	if err != nil || back.PartnerID != 0 || (back.Status != chorus.OrderDispatched && back.Status != chorus.OrderRequested) {
		t.Fatalf("given back = %+v, %v", back, err)
	}
}

// One owner's phone stands for two barbershops: the answer staff record is
// the shop they chose, not whichever the phone finds first.
func TestDB_PartnerAnswer_SharedPhone(t *testing.T) {
	f := mustDispatchFixture(t)
	ctx := context.Background()
	second := &chorus.Partner{Name: "巧手理发店二店", Kind: chorus.PartnerBarbershop, Phones: []string{barberA1},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Priority: 1, Active: true}
	if err := f.db.SavePartner(ctx, second); err != nil {
		t.Fatal(err)
	}
	o := f.haircut(t)
	got, err := f.db.PartnerAnswer(ctx, o.ID, second.ID, chorus.IntentAccept, chorus.ActorStaff)
	if err != nil || got.PartnerID != second.ID {
		t.Fatalf("order = %+v, %v", got, err)
	}
}

// TestDB_ChangeOrderDay_Dispatched: a day changed after partners were told
// reaches those partners (the order sent again with the new time, 接N
// still accepts it), and the timeline says who was told; partners not
// told yet hear nothing now.
func TestDB_ChangeOrderDay_Dispatched(t *testing.T) {
	ctx := context.Background()
	f := mustDispatchFixture(t)
	o := f.haircut(t)
	if got := f.order(t, o.ID); got.Status != chorus.OrderDispatched {
		t.Fatalf("status %q, want dispatched", got.Status)
	}
	before := map[string]int{}
	for _, ph := range []string{barberA1, barberA2, barberB} {
		before[ph] = len(f.sent(t, ph, chorus.MsgPartnerOrder))
	}
	if _, err := f.db.ChangeOrderDay(ctx, o.ID, resident, "2026-12-04", chorus.Morning); err != nil {
		t.Fatal(err)
	}
	for _, ph := range []string{barberA1, barberA2} {
		msgs := f.sent(t, ph, chorus.MsgPartnerOrder)
		if len(msgs) != before[ph]+1 {
			t.Fatalf("%s got %d partner_order SMS after the change, want %d", ph, len(msgs), before[ph]+1)
		}
		var last chorus.Message
		for _, m := range msgs {
			if m.ID > last.ID {
				last = m
			}
		}
		if !strings.Contains(last.Params["time"], "12月4日") || last.Params["order"] != fmt.Sprint(o.ID) || last.OrderID != o.ID {
			t.Errorf("%s: the new SMS %+v, want the order with its new day", ph, last)
		}
	}
	if n := len(f.sent(t, barberB, chorus.MsgPartnerOrder)); n != before[barberB] {
		t.Errorf("a partner not told yet got %d SMS", n-before[barberB])
	}
	tl, err := f.db.OrderTimeline(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if note := tl[len(tl)-1].Note; !strings.Contains(note, "新时间已发给") || !strings.Contains(note, "巧手理发店") {
		t.Errorf("last timeline line %q, want the partners told of the new time", note)
	}
	// The barber's 接 still takes it, for the new day.
	f.reply(t, barberA1, chorus.IntentAccept, o.ID)
	if got := f.order(t, o.ID); got.Status != chorus.OrderAccepted || got.Day != "2026-12-04" {
		t.Errorf("after 接: %+v", got)
	}
}
