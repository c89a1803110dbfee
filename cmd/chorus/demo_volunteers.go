package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// seedHezeyuanVolunteers gives 和泽苑社区 (scope hz) its volunteers, most
// of them from the partner units, as the story says of 靓丽星期五, and the
// weekly activity with the next four Fridays' shifts: a clean-up of the
// stairwells (leader: a resident) and 敬老助残 visits in the afternoon.
// Some have signed up already; the rest get the SMS call-out.
func seedHezeyuanVolunteers(hz context.Context, db *sqlite.DB, today time.Time, units map[string]int64) error {
	vols := []*chorus.Volunteer{
		{Name: "赵建国", Phone: "13812341001", Skills: []string{"组织", "电工", "代买代办"}, Kinds: []string{"环境整治", "敬老助残"}},
		{Name: "刘医生", Phone: "13812341002", PartnerID: units["辖区医院"], Skills: []string{"量血压"}, Kinds: []string{"敬老助残"}},
		{Name: "陈护士", Phone: "13812341003", PartnerID: units["辖区医院"], Skills: []string{"护理"}, Kinds: []string{"敬老助残", "文明宣讲"}},
		{Name: "王老师", Phone: "13812341004", PartnerID: units["山涤星光幼儿园"], Skills: []string{"绘画"}, Kinds: []string{"环境整治", "文明宣讲"}},
		{Name: "李师傅", Phone: "13812341005", PartnerID: units["和泽苑快剪理发店"], Skills: []string{"理发"}, Kinds: []string{"敬老助残"}},
		{Name: "张药师", Phone: "13812341006", PartnerID: units["和泽苑惠民大药房"], Skills: []string{"用药咨询"}, Kinds: []string{"环境整治", "敬老助残"}},
		{Name: "周阿姨", Phone: "13812341007", Skills: []string{"陪伴聊天"}, Kinds: []string{"环境整治"}},
	}
	for _, v := range vols {
		v.Consent = true
		if err := db.SaveVolunteer(hz, v); err != nil {
			return fmt.Errorf("volunteer %s: %w", v.Name, err)
		}
	}
	var partners []int64
	for _, name := range []string{"辖区医院", "山涤星光幼儿园", "和泽苑快剪理发店", "和泽苑惠民大药房"} {
		partners = append(partners, units[name])
	}
	friday := today.AddDate(0, 0, (int(time.Friday)-int(today.Weekday())+7)%7)
	if !friday.After(today) {
		friday = friday.AddDate(0, 0, 7)
	}
	type plan struct {
		a      *chorus.Activity
		shifts []chorus.Shift
	}
	plans := []plan{
		{&chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑一区至三区", LeaderID: vols[0].ID, Partners: partners, Weekly: true},
			[]chorus.Shift{{Start: friday.Add(9 * time.Hour), End: friday.Add(11 * time.Hour), Task: "清理楼道和小区杂物", Capacity: 20}}},
		{&chorus.Activity{Kind: "敬老助残", Title: "靓丽星期五·敬老", Place: "和泽苑三区", LeaderID: vols[0].ID, Partners: partners, Weekly: true},
			[]chorus.Shift{{Start: friday.Add(14 * time.Hour), End: friday.Add(16 * time.Hour), Task: "看望独居老人", Capacity: 6}}},
	}
	var first []chorus.Shift
	for _, p := range plans {
		if err := db.SaveActivity(hz, p.a); err != nil {
			return fmt.Errorf("activity %s: %w", p.a.Title, err)
		}
		for _, s := range p.shifts {
			s.ActivityID = p.a.ID
			made, err := db.AddShifts(hz, s, 4)
			if err != nil {
				return fmt.Errorf("shifts of %s: %w", p.a.Title, err)
			}
			first = append(first, made[0])
		}
	}
	for _, v := range vols[:4] {
		if _, err := db.SignUp(hz, first[0].ID, v.ID, chorus.JoinStaff); err != nil {
			return fmt.Errorf("signup of %s: %w", v.Name, err)
		}
	}
	for _, v := range []*chorus.Volunteer{vols[1], vols[4]} {
		if _, err := db.SignUp(hz, first[1].ID, v.ID, chorus.JoinStaff); err != nil {
			return fmt.Errorf("signup of %s: %w", v.Name, err)
		}
	}
	if err := seedHezeyuanLastFriday(hz, db, friday.AddDate(0, 0, -7), plans[0].a.ID, vols[:3]); err != nil {
		return err
	}
	return seedHezeyuanBank(hz, db, today, vols)
}

// seedHezeyuanLastFriday records last Friday's 靓丽星期五 clean-up as it
// happened: shift made the day before, three volunteers signed up,
// checked in and out by staff, their hours confirmed by staff and so
// credited from the pool. The store's clock is set back while it is
// written (the seed runs before anything else uses the store) and put
// back after.
func seedHezeyuanLastFriday(hz context.Context, db *sqlite.DB, friday time.Time, activity int64, vols []*chorus.Volunteer) error {
	clock := db.Now
	defer func() { db.Now = clock }()
	db.Now = func() time.Time { return friday.Add(-12 * time.Hour) }
	made, err := db.AddShifts(hz, chorus.Shift{ActivityID: activity, Start: friday.Add(9 * time.Hour), End: friday.Add(11 * time.Hour),
		Task: "清理楼道和小区杂物", Capacity: 20}, 1)
	if err != nil {
		return fmt.Errorf("last Friday's shift: %w", err)
	}
	var signups []int64
	for _, v := range vols {
		g, err := db.SignUp(hz, made[0].ID, v.ID, chorus.JoinStaff)
		if err != nil {
			return fmt.Errorf("last Friday's signup of %s: %w", v.Name, err)
		}
		signups = append(signups, g.ID)
	}
	db.Now = func() time.Time { return friday.Add(12 * time.Hour) }
	for i, id := range signups {
		g, err := db.SetPresence(hz, id, friday.Add(8*time.Hour+50*time.Minute), friday.Add(11*time.Hour-time.Duration(i)*15*time.Minute),
			chorus.StaffOperator("admin"))
		if err != nil {
			return fmt.Errorf("last Friday's presence: %w", err)
		}
		if _, err := db.DecideClaim(hz, g.ClaimID, chorus.Confirmer{Staff: true, Login: "admin"}, true, ""); err != nil {
			return fmt.Errorf("last Friday's hours: %w", err)
		}
	}
	return nil
}

// seedHezeyuanBank gives 和泽苑's time bank real figures: 孙大爷 was
// granted hours when his account opened and spent 1.5 of them on 周阿姨's
// company; 钱大娘's shopping by 赵建国 was paid by the pool, as staff
// approved. Both were taken (接N) and reported (完成N) by SMS and
// confirmed by staff.
func seedHezeyuanBank(hz context.Context, db *sqlite.DB, today time.Time, vols []*chorus.Volunteer) error {
	tomorrow := today.AddDate(0, 0, 1).Format(time.DateOnly)
	for i, h := range []struct {
		phone, service string
		helper         *chorus.Volunteer
		minutes        int
		pool           bool
	}{
		{"13812340001", "陪伴聊天", vols[6], 90, false},
		{"13812340002", "代买代办", vols[0], 60, true},
	} {
		if err := db.SetBirthYear(hz, h.phone, 1944+i); err != nil {
			return err
		}
		r, err := db.Resident(hz, h.phone)
		if err != nil {
			return err
		}
		approved := ""
		if h.pool {
			approved = chorus.StaffOperator("admin")
		} else if _, err := db.GrantHours(hz, r.ID, 240, chorus.StaffOperator("admin"), "开户赠送"); err != nil {
			return fmt.Errorf("grant: %w", err)
		}
		req, err := db.AskHelp(hz, chorus.HelpAsk{ResidentID: r.ID, Service: h.service, Day: tomorrow, HalfDay: chorus.Morning,
			Channel: "staff"}, h.pool, approved)
		if err != nil {
			return fmt.Errorf("help request: %w", err)
		}
		for j, in := range []chorus.Inbound{
			{Intent: chorus.IntentAccept, Content: fmt.Sprint("接", req.ID)},
			{Intent: chorus.IntentDone, Content: fmt.Sprint("完成", req.ID, " ", float64(h.minutes)/60), Minutes: h.minutes},
		} {
			in.Phone, in.Order, in.SequenceID = h.helper.Phone, req.ID, fmt.Sprintf("demo-help-%d-%d", req.ID, j)
			if _, _, err := db.HandleInbound(hz, in); err != nil {
				return fmt.Errorf("help reply: %w", err)
			}
		}
		if _, err := db.ConfirmHelp(hz, req.ID, "admin", ""); err != nil {
			return fmt.Errorf("confirm help %d: %w", req.ID, err)
		}
	}
	return nil
}
