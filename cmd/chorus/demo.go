package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// demoEstates are the 12 estates of 光华街社区; half have no property
// management, as in the newspaper story this project grew from. Each knows
// its buildings and units, so that a kiosk offers only those (a 院 of one
// block has no building number).
var demoEstates = []chorus.Estate{
	{Name: "光华街16号院", Buildings: 1, Units: 4}, {Name: "中铁诺德逸宸云著", PropertyManagement: true, Buildings: 8, Units: 4},
	{Name: "光华街1号院", Buildings: 6, Units: 3}, {Name: "光华街8号院", Buildings: 3, Units: 3},
	{Name: "电子二所宿舍", PropertyManagement: true, Buildings: 5, Units: 4},
	{Name: "光华小区", PropertyManagement: true, Buildings: 12, Units: 4}, {Name: "和平里小区", Buildings: 9, Units: 3},
	{Name: "新建路12号院", Buildings: 1, Units: 3}, {Name: "锦绣苑", PropertyManagement: true, Buildings: 10, Units: 2},
	{Name: "文化宫宿舍", Buildings: 2, Units: 3}, {Name: "阳光花园", PropertyManagement: true, Buildings: 16, Units: 3},
	{Name: "邮电宿舍", PropertyManagement: true, Buildings: 4, Units: 2},
}

// DemoPassword is the password of the demo's staff accounts: demo data
// only, never a real community's.
const DemoPassword = "guanghua-demo"

// seedDemo fills an empty database with a realistic community once; a
// database that already has estates is left alone.
func seedDemo(ctx context.Context, db *sqlite.DB, now time.Time, loc *time.Location) error {
	if list, err := db.Estates(ctx); err != nil {
		return err
	} else if len(list) > 0 {
		return nil
	}
	if err := db.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}); err != nil {
		return err
	}
	// The demo's staff: an admin and a staff member (README lists them).
	for _, s := range []struct {
		st   chorus.Staff
		pass string
	}{
		{chorus.Staff{Username: "admin", Name: "李婷", Role: chorus.RoleAdmin}, DemoPassword},
		{chorus.Staff{Username: "wanggang", Name: "王刚", Role: chorus.RoleStaff}, DemoPassword},
	} {
		if err := db.CreateStaff(ctx, &s.st, s.pass); err != nil {
			return err
		}
	}
	ids := map[string]int64{}
	for _, e := range demoEstates {
		e := e
		if err := db.SaveEstate(ctx, &e); err != nil {
			return err
		}
		ids[e.Name] = e.ID
	}
	room := &chorus.Place{Name: "社区活动室", Address: "光华街社区服务中心二楼"}
	hall := &chorus.Place{Name: "电子二所小礼堂", Address: "中国电子科技集团第二研究所院内"}
	for _, p := range []*chorus.Place{room, hall} {
		if err := db.SavePlace(ctx, p); err != nil {
			return err
		}
	}
	noPM := []int64{ids["光华街16号院"], ids["光华街1号院"], ids["光华街8号院"], ids["和平里小区"], ids["新建路12号院"], ids["文化宫宿舍"]}
	partners := []*chorus.Partner{
		{Name: "辖区医院", Kind: chorus.PartnerHospital, Phones: []string{"13803510001"},
			Services: []chorus.ServiceKind{chorus.ServiceClinic, chorus.ServiceLecture}, OpensAt: "08:00", ClosesAt: "17:30", Active: true},
		{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"13903510002", "13903510012"},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Priority: 1, Active: true},
		{Name: "光华美发", Kind: chorus.PartnerBarbershop, Phones: []string{"13703510003"},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Priority: 2, Active: true},
		{Name: "康宁大药房", Kind: chorus.PartnerPharmacy, Phones: []string{"13603510004"},
			Services: []chorus.ServiceKind{chorus.ServiceMedicine}, OpensAt: "08:00", ClosesAt: "21:00", Active: true},
		{Name: "宏建建筑公司", Kind: chorus.PartnerBuilder, Phones: []string{"13503510005"},
			Services: []chorus.ServiceKind{chorus.ServiceRepair}, Estates: noPM, Active: true}, // around the clock
		{Name: "山西省妇女儿童发展服务中心", Kind: chorus.PartnerSocialOrg, Phones: []string{"13403510006"},
			Services: []chorus.ServiceKind{chorus.ServiceChildcare}, OpensAt: "08:30", ClosesAt: "17:30", Active: true},
		{Name: "山涤星光幼儿园", Kind: chorus.PartnerKindergarten, Phones: []string{"15003510007"},
			Services: []chorus.ServiceKind{chorus.ServiceChildcare}, OpensAt: "07:30", ClosesAt: "18:00", Active: true},
		{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
			Services: []chorus.ServiceKind{chorus.ServiceVenue}, OpensAt: "08:00", ClosesAt: "21:00", Active: true},
	}
	for _, p := range partners {
		if err := db.SavePartner(ctx, p); err != nil {
			return fmt.Errorf("partner %s: %w", p.Name, err)
		}
	}
	if err := seedDemoCalendar(ctx, db); err != nil {
		return err
	}
	if err := seedDemoVenues(ctx, db, hall, partners[7]); err != nil {
		return err
	}

	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	saturday := today.AddDate(0, 0, (int(time.Saturday)-int(today.Weekday())+7)%7)
	if !saturday.After(today) {
		saturday = saturday.AddDate(0, 0, 7)
	}
	clinic := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: room.ID, PartnerID: partners[0].ID,
		Description: "辖区医院大夫免费测量血压、血糖、尿酸和骨密度。", Waitlist: true, CutoffMinutes: 60}
	for t := saturday.Add(9 * time.Hour); t.Before(saturday.Add(11*time.Hour + 30*time.Minute)); t = t.Add(15 * time.Minute) {
		clinic.Slots = append(clinic.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: 6})
	}
	lectureDay := saturday.Add(14 * time.Hour)
	lecture := &chorus.Event{Kind: chorus.ServiceLecture, Title: "冬季健康讲座", PlaceID: hall.ID, PartnerID: partners[0].ID,
		Description: "冬季心脑血管疾病预防,讲座后可以提问。", Waitlist: true, CutoffMinutes: 30,
		Slots: []chorus.Slot{{Start: lectureDay, End: lectureDay.Add(90 * time.Minute), Capacity: 80}}}
	yogaDay := today.AddDate(0, 0, 2).Add(19 * time.Hour)
	yoga := &chorus.Event{Kind: chorus.ServiceLecture, Title: "公益瑜伽课", PlaceID: room.ID,
		Description: "下班后练一小时瑜伽,有老师教,免费。", CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: yogaDay, End: yogaDay.Add(time.Hour), Capacity: 20}}}
	for _, e := range []*chorus.Event{clinic, lecture, yoga} {
		if err := db.CreateEvent(ctx, e); err != nil {
			return fmt.Errorf("event %s: %w", e.Title, err)
		}
	}
	// The lecture is in the institute's 小礼堂: it asked, and agreed.
	if err := seedDemoVenueAnswer(ctx, db, lecture, partners[7].Phones[0]); err != nil {
		return err
	}
	start := today.AddDate(0, 0, 21)
	care := &chorus.Programme{Title: "寒假托管班", PlaceID: room.ID, PartnerID: partners[5].ID,
		Description: "科技模型制作、儿童沙盘、硬笔书法、绘画。家长上班前送来,下班接走。",
		StartDate:   start.Format(time.DateOnly), EndDate: start.AddDate(0, 0, 27).Format(time.DateOnly),
		MinAge: 4, MaxAge: 12, Capacity: 30}
	if err := db.CreateProgramme(ctx, care); err != nil {
		return fmt.Errorf("programme: %w", err)
	}
	residents := []chorus.Resident{
		{Phone: "13812345678", Name: "姚大娘", Address: chorus.Address{EstateID: ids["中铁诺德逸宸云著"], Building: "3", Unit: "2", Room: "401"}},
		{Phone: "13912345678", Name: "李大爷", Address: chorus.Address{EstateID: ids["光华街1号院"], Building: "5", Unit: "1", Room: "202"},
			Family: []chorus.FamilyContact{{Name: "李萌", Phone: "13612345678", Relation: "女儿"}}},
		{Phone: "13712345678", Name: "石女士", Address: chorus.Address{EstateID: ids["光华街16号院"], Building: "", Unit: "3", Room: "502"}},
		{Phone: "13512345678", Name: "赵大娘", Address: chorus.Address{EstateID: ids["和平里小区"], Building: "2", Unit: "1", Room: "101"}},
	}
	for i := range residents {
		if err := db.SaveResident(ctx, &residents[i]); err != nil {
			return fmt.Errorf("resident: %w", err)
		}
	}
	if err := seedDemoActivity(ctx, db, today, clinic, lecture, care, residents); err != nil {
		return err
	}
	if err := seedDemoClasses(ctx, db, today, partners[7].ID, room.ID, hall.ID); err != nil {
		return err
	}
	return seedHezeyuan(ctx, db, today)
}

// seedDemoActivity gives the console something to show: bookings made at
// the desk and at a kiosk (one waiting for the reply 1), a repair at an
// estate without property management waiting for the builder to accept
// it, and a child enrolled for the holidays. Their SMS go to the log.
func seedDemoActivity(ctx context.Context, db *sqlite.DB, today time.Time, clinic, lecture *chorus.Event,
	care *chorus.Programme, residents []chorus.Resident) error {
	yao, li, shi, zhao := residents[0], residents[1], residents[2], residents[3]
	for _, r := range []chorus.BookingRequest{
		// 姚大娘 phoned the desk; 李大爷 and 赵大娘 booked at the kiosk.
		{EventID: clinic.ID, SlotID: clinic.Slots[0].ID, Phone: yao.Phone, Name: yao.Name, Source: "staff", Actor: chorus.ActorStaff, Confirmed: true},
		{EventID: clinic.ID, SlotID: clinic.Slots[0].ID, Phone: li.Phone, Name: li.Name, Source: "kiosk"},
		{EventID: clinic.ID, SlotID: clinic.Slots[1].ID, Phone: zhao.Phone, Name: zhao.Name, Source: "kiosk", Confirmed: true},
		{EventID: lecture.ID, SlotID: lecture.Slots[0].ID, Phone: shi.Phone, Name: shi.Name, Source: "kiosk", Confirmed: true},
	} {
		if _, err := db.Book(ctx, r); err != nil {
			return fmt.Errorf("booking of %s: %w", r.Name, err)
		}
	}
	if _, err := db.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
		Phone: shi.Phone, Name: shi.Name, Address: shi.Address, Day: today.AddDate(0, 0, 1).Format(time.DateOnly),
		HalfDay: chorus.Morning, Notes: "厨房水管漏水"}}); err != nil {
		return fmt.Errorf("order: %w", err)
	}
	if _, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: care.ID, Phone: li.Family[0].Phone, Name: li.Family[0].Name,
		Children: []chorus.Child{{Name: "李小雨", Age: 7}}}); err != nil {
		return fmt.Errorf("enrolment: %w", err)
	}
	return nil
}
