package sqlite_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestDB_SavePlace(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)

	t.Run("CreateUpdate", func(t *testing.T) {
		p := &chorus.Place{Name: "社区活动室", Address: "光华街16号"}
		if err := db.SavePlace(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 {
			t.Fatal("no id")
		}
		p.Name = "小礼堂"
		if err := db.SavePlace(ctx, p); err != nil {
			t.Fatal(err)
		}
		list, err := db.Places(ctx)
		if err != nil || len(list) != 1 || list[0] != *p {
			t.Fatalf("places = %+v, %v", list, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantCode(t, db.SavePlace(ctx, &chorus.Place{ID: 999, Name: "不存在"}), chorus.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantCode(t, db.SavePlace(ctx, &chorus.Place{Name: "  "}), chorus.EINVALID)
	})
}

func TestDB_SaveEstate(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	a := MustEstate(t, db, "光华街16号院")
	b := MustEstate(t, db, "光华北里")

	t.Run("Update", func(t *testing.T) {
		b.PropertyManagement = true
		b.Name = "光华北里小区"
		if err := db.SaveEstate(ctx, b); err != nil {
			t.Fatal(err)
		}
		list, err := db.Estates(ctx)
		if err != nil || len(list) != 2 || list[1] != *b {
			t.Fatalf("estates = %+v, %v", list, err)
		}
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		wantCode(t, db.SaveEstate(ctx, &chorus.Estate{Name: "光华街16号院"}), chorus.ECONFLICT)
		renamed := *b
		renamed.Name = a.Name
		wantCode(t, db.SaveEstate(ctx, &renamed), chorus.ECONFLICT)
		if list, _ := db.Estates(ctx); len(list) != 2 || list[1].Name != "光华北里小区" {
			t.Fatalf("estates = %+v", list)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantCode(t, db.SaveEstate(ctx, &chorus.Estate{ID: 999, Name: "新小区"}), chorus.ENOTFOUND)
	})
}

func TestDB_SavePartner(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	estate := MustEstate(t, db, "光华街16号院")
	p := &chorus.Partner{Name: "光华理发店", Kind: chorus.PartnerBarbershop,
		Phones:   []string{"+86 139-1234-5678", "\uff10\uff10\uff18\uff16 \uff11\uff13\uff17\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18"},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Estates: []int64{estate.ID},
		OpensAt: "09:00", ClosesAt: "18:00", Priority: 1, Active: true}

	t.Run("Create", func(t *testing.T) {
		if err := db.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		list, err := db.Partners(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("partners = %+v, %v", list, err)
		}
		got := list[0]
		phones := slices.Sorted(slices.Values(got.Phones))
		if want := []string{"13712345678", "13912345678"}; !slices.Equal(phones, want) {
			t.Fatalf("phones = %v, want %v", phones, want)
		}
		if got.ID != p.ID || got.Name != p.Name || got.Kind != p.Kind || !slices.Equal(got.Services, p.Services) ||
			!slices.Equal(got.Estates, p.Estates) || got.OpensAt != "09:00" || got.ClosesAt != "18:00" ||
			got.Priority != 1 || !got.Active {
			t.Fatalf("partner = %+v", got)
		}
	})
	t.Run("Update", func(t *testing.T) {
		p.Phones = []string{"137 1234 5678"}
		p.Active = false
		if err := db.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		list, _ := db.Partners(ctx)
		if len(list) != 1 || !slices.Equal(list[0].Phones, []string{"13712345678"}) || list[0].Active {
			t.Fatalf("partners = %+v", list)
		}
	})
	t.Run("AroundTheClock", func(t *testing.T) {
		q := &chorus.Partner{Name: "社区药房", Kind: chorus.PartnerPharmacy, Phones: []string{Phone(9)}}
		if err := db.SavePartner(ctx, q); err != nil {
			t.Fatal(err)
		}
		list, _ := db.Partners(ctx)
		i := slices.IndexFunc(list, func(x chorus.Partner) bool { return x.ID == q.ID })
		if i < 0 || list[i].OpensAt != "00:00" || list[i].ClosesAt != "00:00" || list[i].Services == nil || list[i].Estates == nil {
			t.Fatalf("partners = %+v", list)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		q := *p
		q.ID, q.Phones = 999, []string{Phone(1)}
		wantCode(t, db.SavePartner(ctx, &q), chorus.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantCode(t, db.SavePartner(ctx, &chorus.Partner{Name: "x", Kind: chorus.PartnerBuilder, Phones: []string{"12345"}}), chorus.EINVALID)
		wantCode(t, db.SavePartner(ctx, &chorus.Partner{Name: "x", Kind: "bank", Phones: []string{Phone(1)}}), chorus.EINVALID)
		wantCode(t, db.SavePartner(ctx, &chorus.Partner{Name: "x", Kind: chorus.PartnerBuilder}), chorus.EINVALID)
	})
}

func TestDB_SaveResident(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	estate := MustEstate(t, db, "光华街16号院")
	r := &chorus.Resident{Phone: "+86 138 1234 5678", Name: "王大爷",
		Address: chorus.Address{EstateID: estate.ID, Building: "3", Unit: "2", Room: "502"},
		Family: []chorus.FamilyContact{
			{Name: "王小明", Phone: "139-1234-5678", Relation: "儿子"},
			{Name: "王小红", Phone: "0086 13712345678", Relation: "女儿"},
		}}

	t.Run("Create", func(t *testing.T) {
		if err := db.SaveResident(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Resident(ctx, "13812345678")
		if err != nil {
			t.Fatal(err)
		}
		wantAddr := r.Address
		wantAddr.Estate = "光华街16号院"
		if got.ID != r.ID || got.Name != "王大爷" || got.Address != wantAddr || got.OptedOut || !got.CreatedAt.Equal(T0) {
			t.Fatalf("resident = %+v", got)
		}
		want := []chorus.FamilyContact{
			{Name: "王小明", Phone: "13912345678", Relation: "儿子"},
			{Name: "王小红", Phone: "13712345678", Relation: "女儿"},
		}
		if !slices.Equal(got.Family, want) {
			t.Fatalf("family = %+v, want %+v", got.Family, want)
		}
	})
	t.Run("UpdateReplacesFamilyKeepsOptOut", func(t *testing.T) {
		if _, err := db.SetOptOut(ctx, "13812345678", true); err != nil {
			t.Fatal(err)
		}
		r.Family = r.Family[1:]
		r.Name = "王德明"
		if err := db.SaveResident(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Resident(ctx, "13812345678")
		if got.Name != "王德明" || len(got.Family) != 1 || got.Family[0].Relation != "女儿" || !got.OptedOut {
			t.Fatalf("resident = %+v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := &chorus.Resident{Phone: Phone(1), Family: []chorus.FamilyContact{{Phone: "123"}}}
		wantCode(t, db.SaveResident(ctx, bad), chorus.EINVALID)
		bad = &chorus.Resident{Phone: Phone(1), Address: chorus.Address{EstateID: 999, Building: "1"}}
		wantCode(t, db.SaveResident(ctx, bad), chorus.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.Resident(ctx, Phone(77))
		wantCode(t, err, chorus.ENOTFOUND)
	})
}

func TestDB_KnownNames(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	book := func(name string) {
		t.Helper()
		e := MustEvent(t, db)
		req := Req(e, 0, Phone(1))
		req.Name = name
		MustBook(t, db, req)
		clock.Add(time.Minute)
	}
	book("张三")
	book("李四")
	p := MustProgramme(t, db, 5)
	if _, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: Phone(1), Name: "王五", Children: Kids(1)}); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	names, err := db.KnownNames(ctx, Phone(1))
	if want := []string{"王五", "李四", "张三"}; err != nil || !slices.Equal(names, want) {
		t.Fatalf("names = %v, %v; want %v", names, err, want)
	}
	book("张三") // used again: first now
	names, _ = db.KnownNames(ctx, Phone(1))
	if want := []string{"张三", "王五", "李四"}; !slices.Equal(names, want) {
		t.Fatalf("names = %v, want %v", names, want)
	}
	if names, err := db.KnownNames(ctx, Phone(2)); err != nil || names == nil || len(names) != 0 {
		t.Fatalf("names of an unknown phone = %#v, %v", names, err)
	}
}

// Two places or estates of one name could not be told apart: refused, on
// creating and on renaming; saving a place under its own name is fine.
func TestSavePlace_DuplicateName(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	room := MustPlace(t, db, "社区活动室")
	hall := MustPlace(t, db, "电子二所小礼堂")
	wantCode(t, db.SavePlace(ctx, &chorus.Place{Name: "社区活动室", Address: "另一个地址"}), chorus.ECONFLICT)
	hall.Name = "社区活动室"
	wantCode(t, db.SavePlace(ctx, hall), chorus.ECONFLICT)
	room.Address = "光华街社区服务中心二楼"
	if err := db.SavePlace(ctx, room); err != nil {
		t.Fatalf("save under its own name: %v", err)
	}
	MustEstate(t, db, "光华街16号院")
	wantCode(t, db.SaveEstate(ctx, &chorus.Estate{Name: "光华街16号院"}), chorus.ECONFLICT)
	if places, _ := db.Places(ctx); len(places) != 2 {
		t.Fatalf("places = %+v", places)
	}
}
