package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// seedDemoClasses seeds a term of the institute's free classes (公益培训)
// from the seed story: 书法 on Thursday evenings in the community's room
// and 瑜伽 on Tuesday evenings in the institute's hall, from four weeks ago
// to ten weeks on, 元旦 skipped when the term spans it; 姚大娘 and 李大爷
// enrolled in 书法 (she came to every session so far, he missed the
// last ones), 李萌 in 瑜伽.
func seedDemoClasses(ctx context.Context, db *sqlite.DB, today time.Time, partner, room, hall int64) error {
	first, last := today.AddDate(0, 0, -28), today.AddDate(0, 0, 70)
	var skipped []chorus.DateRange
	newYear := time.Date(today.Year()+1, 1, 1, 0, 0, 0, 0, today.Location())
	if newYear.After(first) && newYear.AddDate(0, 0, 2).Before(last) {
		skipped = append(skipped, chorus.DateRange{From: newYear.Format(time.DateOnly),
			To: newYear.AddDate(0, 0, 2).Format(time.DateOnly), Reason: "元旦"})
	}
	term := func(c *chorus.Class) *chorus.Class {
		c.PartnerID, c.FirstDate, c.LastDate, c.Skipped = partner, first.Format(time.DateOnly), last.Format(time.DateOnly), skipped
		return c
	}
	calligraphy := term(&chorus.Class{Title: "书法班", Teacher: "王建国", PlaceID: room, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", Capacity: 15,
		Description: "毛笔楷书入门,电子二所退休工程师王建国老师教。笔墨纸砚社区提供。"})
	yoga := term(&chorus.Class{Title: "瑜伽班", Teacher: "刘老师", PlaceID: hall, Weekday: 2,
		StartTime: "18:30", EndTime: "19:30", Capacity: 20,
		Description: "下班后练一小时,自带瑜伽垫;电子二所小礼堂,从东门进。"})
	for _, c := range []*chorus.Class{calligraphy, yoga} {
		if err := db.CreateClass(ctx, c); err != nil {
			return fmt.Errorf("class %s: %w", c.Title, err)
		}
	}
	enrol := func(c *chorus.Class, phone, name string) (*chorus.Enrolment, error) {
		return db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: phone, Name: name, Actor: chorus.ActorStaff})
	}
	yao, err := enrol(calligraphy, "13812345678", "姚大娘")
	if err != nil {
		return err
	}
	li, err := enrol(calligraphy, "13912345678", "李大爷")
	if err != nil {
		return err
	}
	if _, err := enrol(yoga, "13612345678", "李萌"); err != nil {
		return err
	}
	held, err := db.Class(ctx, calligraphy.ID)
	if err != nil {
		return err
	}
	dates := chorus.HeldSessions(held.Sessions, today.Format(time.DateOnly))
	for i, d := range dates {
		if err := db.MarkAttendance(ctx, calligraphy.ID, d, yao.ID, chorus.AttendancePresent, chorus.ActorStaff); err != nil {
			return err
		}
		mark := chorus.AttendancePresent
		if i >= len(dates)-2 {
			mark = chorus.AttendanceAbsent
		}
		if err := db.MarkAttendance(ctx, calligraphy.ID, d, li.ID, mark, chorus.ActorStaff); err != nil {
			return err
		}
	}
	return nil
}
