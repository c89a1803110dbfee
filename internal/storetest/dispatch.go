package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func testDispatch(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	estate := &chorus.Estate{Name: "光华街16号院"}
	if err := f.SaveEstate(ctx, estate); err != nil {
		t.Fatal(err)
	}
	first := &chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"13903510001"},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Priority: 1, Active: true}
	second := &chorus.Partner{Name: "红星理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"13903510002"},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Priority: 2, Active: true}
	for _, p := range []*chorus.Partner{first, second} {
		if err := f.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	o, err := f.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
		Phone: phone(1), Name: "李大爷", Day: "2026-12-02", HalfDay: chorus.Afternoon,
		Address: chorus.Address{EstateID: estate.ID, Unit: "3", Room: "502"}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != chorus.OrderDispatched || o.Wave != 1 {
		t.Fatalf("new order = %s wave %d, want dispatched in wave 1", o.Status, o.Wave)
	}
	if f.kinds(t, first.Phones[0])[chorus.MsgPartnerOrder] != 1 || f.kinds(t, second.Phones[0])[chorus.MsgPartnerOrder] != 0 {
		t.Fatalf("wave 1 asked %v and %v, want only the first partner", f.kinds(t, first.Phones[0]), f.kinds(t, second.Phones[0]))
	}
	if n, err := f.DispatchDue(ctx, f.clock.Now()); err != nil || n != 0 {
		t.Errorf("DispatchDue before the wave's time is up = %d, %v", n, err)
	}
	f.clock.Add(2 * time.Hour)
	if n, err := f.DispatchDue(ctx, f.clock.Now()); err != nil || n != 1 {
		t.Fatalf("DispatchDue after the wave's time = %d, %v", n, err)
	}
	if got, _ := f.Order(ctx, o.ID); got.Wave != 2 || f.kinds(t, second.Phones[0])[chorus.MsgPartnerOrder] != 1 {
		t.Fatalf("wave 2 = %d, second partner told %v", got.Wave, f.kinds(t, second.Phones[0]))
	}
	taken, err := f.PartnerAnswer(ctx, o.ID, second.ID, chorus.IntentAccept, chorus.ActorStaff)
	if err != nil {
		t.Fatal(err)
	}
	if taken.Status != chorus.OrderAccepted || taken.PartnerID != second.ID {
		t.Errorf("accepted order = %s by %d, want accepted by %d", taken.Status, taken.PartnerID, second.ID)
	}
	f.clock.Add(2 * time.Hour)
	if _, err := f.DispatchDue(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Order(ctx, o.ID); got.Status != chorus.OrderAccepted || got.Wave != 2 {
		t.Errorf("an accepted order moved on: %s wave %d", got.Status, got.Wave)
	}
}
