package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// The demo's district (街道): 光华街社区 is community 1 (demo.go), 和泽苑社区
// community 2, as in the newspaper story: 和泽苑's holiday childcare with
// 山涤星光幼儿园 and 山西省妇女儿童发展服务中心, home haircuts and medicine
// from barbershops and pharmacies among its 100 shops, the weekly
// 靓丽星期五. The district hospital serves both communities.

// Hezeyuan is the demo's second community.
const Hezeyuan int64 = 2

// hezeyuanEstates are 和泽苑社区's estates (the story names none: these
// are the demo's).
var hezeyuanEstates = []chorus.Estate{
	{Name: "和泽苑一区", PropertyManagement: true, Buildings: 6, Units: 3},
	{Name: "和泽苑二区", PropertyManagement: true, Buildings: 8, Units: 3},
	{Name: "和泽苑三区", Buildings: 4, Units: 2},
}

// The demo's accounts beyond 光华街's admin and 王刚 (README lists them):
// 郭娜 runs 和泽苑, 张丽 works there, 王刚 works for both communities, and
// 街道 is the district admin who sees every community.
var demoDistrictStaff = []struct {
	st       chorus.Staff
	in       map[int64]chorus.Role
	district bool
}{
	{chorus.Staff{Username: "admin"}, map[int64]chorus.Role{1: chorus.RoleAdmin}, false},
	{chorus.Staff{Username: "wanggang"}, map[int64]chorus.Role{1: chorus.RoleStaff, Hezeyuan: chorus.RoleStaff}, false},
	{chorus.Staff{Username: "guona", Name: "郭娜", Role: chorus.RoleAdmin}, map[int64]chorus.Role{Hezeyuan: chorus.RoleAdmin}, false},
	{chorus.Staff{Username: "zhangli", Name: "张丽", Role: chorus.RoleStaff}, map[int64]chorus.Role{Hezeyuan: chorus.RoleStaff}, false},
	{chorus.Staff{Username: "jiedao", Name: "街道办 刘洋", Role: chorus.RoleAdmin}, map[int64]chorus.Role{1: chorus.RoleAdmin, Hezeyuan: chorus.RoleAdmin}, true},
}

// seedHezeyuan adds 和泽苑社区 next to 光华街社区 (community Hezeyuan of a
// fresh database), its staff and the district admin; its records are
// created in its scope, its staff work there only (王刚 and the district
// admin in both), and the units it shares with 光华街 are linked to it.
func seedHezeyuan(ctx context.Context, db *sqlite.DB, today time.Time) error {
	c := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区"}
	if err := db.AddCommunity(ctx, c); err != nil {
		return err
	}
	if c.ID != Hezeyuan {
		return fmt.Errorf("和泽苑社区 is community %d, want %d: the demo seeds an empty database only", c.ID, Hezeyuan)
	}
	staff, err := db.StaffList(ctx)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, s := range staff {
		ids[s.Username] = s.ID
	}
	for _, s := range demoDistrictStaff {
		for _, cid := range []int64{chorus.DefaultCommunity, Hezeyuan} {
			role, ok := s.in[cid]
			if !ok {
				continue
			}
			in := chorus.WithScope(ctx, chorus.Scope{Community: cid})
			st := s.st
			st.Role, st.District = role, s.district
			if ids[st.Username] == 0 {
				if err := db.CreateStaff(in, &st, DemoPassword); err != nil {
					return fmt.Errorf("staff %s: %w", st.Username, err)
				}
				ids[st.Username] = st.ID
				continue
			}
			// An account of another community joins this one, as the
			// district admin (or chorus user join) would add it.
			list, err := db.StaffList(chorus.WithScope(ctx, chorus.Scope{Community: cid, District: true}))
			if err != nil {
				return err
			}
			for _, have := range list {
				if have.ID == ids[st.Username] {
					have.Role, have.District = role, s.district
					if err := db.SetStaff(chorus.WithScope(ctx, chorus.Scope{Community: cid, District: true}), &have, ""); err != nil {
						return fmt.Errorf("staff %s in community %d: %w", st.Username, cid, err)
					}
				}
			}
		}
	}

	hz := chorus.WithScope(ctx, chorus.Scope{Community: Hezeyuan})
	estates := map[string]int64{}
	for _, e := range hezeyuanEstates {
		e := e
		if err := db.SaveEstate(hz, &e); err != nil {
			return err
		}
		estates[e.Name] = e.ID
	}
	room := &chorus.Place{Name: "和泽苑社区活动室", Address: "和泽苑社区服务中心一楼"}
	if err := db.SavePlace(hz, room); err != nil {
		return err
	}

	// Partners: two of 和泽苑's shops (the story names none), and the
	// units it shares with 光华街: the district hospital, the
	// kindergarten and the women and children's centre.
	shops := []*chorus.Partner{
		{Name: "和泽苑快剪理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"13903520001"},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "19:00", Priority: 1, Active: true},
		{Name: "和泽苑惠民大药房", Kind: chorus.PartnerPharmacy, Phones: []string{"13603520002"},
			Services: []chorus.ServiceKind{chorus.ServiceMedicine}, OpensAt: "08:00", ClosesAt: "22:00", Active: true},
	}
	for _, p := range shops {
		if err := db.SavePartner(hz, p); err != nil {
			return fmt.Errorf("partner %s: %w", p.Name, err)
		}
	}
	partners, err := db.Partners(ctx)
	if err != nil {
		return err
	}
	shared := map[string][]chorus.ServiceKind{
		"辖区医院":          {chorus.ServiceClinic, chorus.ServiceLecture},
		"山涤星光幼儿园":       {chorus.ServiceChildcare},
		"山西省妇女儿童发展服务中心": {chorus.ServiceChildcare},
	}
	byName := map[string]int64{}
	for _, p := range partners {
		byName[p.Name] = p.ID
		if services, ok := shared[p.Name]; ok {
			// All of 和泽苑's estates (none listed).
			if _, err := db.LinkPartner(hz, p.ID, "", services, nil); err != nil {
				return fmt.Errorf("partner %s: %w", p.Name, err)
			}
		}
	}

	// 靓丽星期五 every Friday morning; a calligraphy class; the winter
	// holiday childcare with 山涤星光幼儿园.
	friday := today.AddDate(0, 0, (int(time.Friday)-int(today.Weekday())+7)%7)
	if !friday.After(today) {
		friday = friday.AddDate(0, 0, 7)
	}
	clean := &chorus.Event{Kind: chorus.ServiceLecture, Title: "靓丽星期五", PlaceID: room.ID,
		Description: "每周五上午的环境整治志愿活动,共建单位和居民一起清理楼道、小区杂物。", CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: friday.Add(9 * time.Hour), End: friday.Add(11 * time.Hour), Capacity: 40}}}
	calligraphy := &chorus.Event{Kind: chorus.ServiceLecture, Title: "硬笔书法公益课", PlaceID: room.ID,
		Description: "老师手把手教硬笔书法,老少皆宜,免费。", CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: today.AddDate(0, 0, 3).Add(15 * time.Hour), End: today.AddDate(0, 0, 3).Add(16*time.Hour + 30*time.Minute), Capacity: 25}}}
	for _, e := range []*chorus.Event{clean, calligraphy} {
		if err := db.CreateEvent(hz, e); err != nil {
			return fmt.Errorf("event %s: %w", e.Title, err)
		}
	}
	start := today.AddDate(0, 0, 28)
	care := &chorus.Programme{Title: "寒假免费托管(山涤星光幼儿园)", PlaceID: room.ID, PartnerID: byName["山涤星光幼儿园"],
		Description: "双职工家庭的孩子寒假有人带:科技模型、儿童沙盘、绘画。家长上班前送来,下班接走。",
		StartDate:   start.Format(time.DateOnly), EndDate: start.AddDate(0, 0, 20).Format(time.DateOnly),
		MinAge: 3, MaxAge: 10, Capacity: 25}
	if err := db.CreateProgramme(hz, care); err != nil {
		return fmt.Errorf("programme: %w", err)
	}

	// Residents: 孙大爷 cannot walk far (the barber comes home), 钱大娘's
	// medicine has run out (the pharmacy brings it).
	sun := chorus.Resident{Phone: "13812340001", Name: "孙大爷", Address: chorus.Address{EstateID: estates["和泽苑三区"], Building: "2", Unit: "1", Room: "301"}}
	qian := chorus.Resident{Phone: "13812340002", Name: "钱大娘", Address: chorus.Address{EstateID: estates["和泽苑一区"], Building: "5", Unit: "2", Room: "602"}}
	for _, r := range []*chorus.Resident{&sun, &qian} {
		if err := db.SaveResident(hz, r); err != nil {
			return fmt.Errorf("resident: %w", err)
		}
	}
	for _, o := range []chorus.OrderRequest{
		{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{Phone: sun.Phone, Name: sun.Name, Address: sun.Address,
			Day: today.AddDate(0, 0, 1).Format(time.DateOnly), HalfDay: chorus.Afternoon, Notes: "腿脚不便,请上门理发"}},
		{Kind: chorus.ServiceMedicine, HaircutRequest: chorus.HaircutRequest{Phone: qian.Phone, Name: qian.Name, Address: qian.Address,
			Day: today.AddDate(0, 0, 1).Format(time.DateOnly), HalfDay: chorus.Morning, Notes: "降压药吃完了"}},
	} {
		if _, err := db.CreateOrder(hz, o); err != nil {
			return fmt.Errorf("order: %w", err)
		}
	}
	if _, err := db.Book(hz, chorus.BookingRequest{EventID: clean.ID, SlotID: clean.Slots[0].ID, Phone: qian.Phone, Name: qian.Name,
		Source: "staff", Actor: chorus.ActorStaff, Confirmed: true}); err != nil {
		return fmt.Errorf("booking: %w", err)
	}
	units := map[string]int64{"辖区医院": byName["辖区医院"], "山涤星光幼儿园": byName["山涤星光幼儿园"],
		shops[0].Name: shops[0].ID, shops[1].Name: shops[1].ID}
	return seedHezeyuanVolunteers(hz, db, today, units)
}
