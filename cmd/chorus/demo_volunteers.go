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
		{Name: "赵建国", Phone: "13812341001", Skills: []string{"组织", "电工"}, Kinds: []string{"环境整治", "敬老助残"}},
		{Name: "刘医生", Phone: "13812341002", PartnerID: units["辖区医院"], Skills: []string{"量血压"}, Kinds: []string{"敬老助残"}},
		{Name: "陈护士", Phone: "13812341003", PartnerID: units["辖区医院"], Skills: []string{"护理"}, Kinds: []string{"敬老助残", "文明宣讲"}},
		{Name: "王老师", Phone: "13812341004", PartnerID: units["山涤星光幼儿园"], Skills: []string{"绘画"}, Kinds: []string{"环境整治", "文明宣讲"}},
		{Name: "李师傅", Phone: "13812341005", PartnerID: units["和泽苑快剪理发店"], Skills: []string{"理发"}, Kinds: []string{"敬老助残"}},
		{Name: "张药师", Phone: "13812341006", PartnerID: units["和泽苑惠民大药房"], Skills: []string{"用药咨询"}, Kinds: []string{"环境整治", "敬老助残"}},
		{Name: "周阿姨", Phone: "13812341007", Skills: []string{"聊天"}, Kinds: []string{"环境整治"}},
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
	return nil
}
