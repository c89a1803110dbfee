package main

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// holidays2026 is the State Council's 2026 holiday notice in the holiday-cn
// format, a copy of testdata/holiday-cn-2026.json: the demo imports it so
// that 节假日 shows a real year and the venues' 法定节假日 rules apply.
//
//go:embed holiday-cn-2026.json
var holidays2026 []byte

// seedDemoCalendar imports the 2026 holiday calendar, before any class or
// open hours are laid out.
func seedDemoCalendar(ctx context.Context, db *sqlite.DB) error {
	year, days, err := chorus.ParseHolidayFile(holidays2026)
	if err != nil {
		return fmt.Errorf("demo calendar: %w", err)
	}
	if _, err := db.ImportHolidays(ctx, year, days); err != nil {
		return fmt.Errorf("demo calendar: %w", err)
	}
	return nil
}

// seedDemoVenues makes the seed story's 资源共享 real: 中国电子科技集团第二研究所
// lends its 小礼堂 (the place hall) for community events and opens its
// 体育馆, 声乐室 and 图书室 to nearby residents at set hours. Requests go
// to the institute's own phone (no approvers of its own). The 体育馆 takes
// at most 2 bookings a week from one resident; the 图书室 also opens on
// 法定节假日 mornings.
func seedDemoVenues(ctx context.Context, db *sqlite.DB, hall *chorus.Place, institute *chorus.Partner) error {
	weekdays := []int{1, 2, 3, 4, 5}
	venues := []struct {
		place *chorus.Place
		v     chorus.Venue
	}{
		{hall, chorus.Venue{Kind: "礼堂", Capacity: 120, BufferMinutes: 30, AnswerHours: 24, Notes: "从研究所东门进,门卫处登记。",
			Hours: []chorus.OpeningRule{{Weekdays: []int{1, 2, 3, 4, 5, 6}, Start: "08:30", End: "21:00", Mode: chorus.VenueModeEvent}}}},
		{&chorus.Place{Name: "电子二所体育馆", Address: "中国电子科技集团第二研究所北院"}, chorus.Venue{Kind: "体育馆", Capacity: 40,
			Notes: "请穿运动鞋。", WeekLimit: 2, Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}},
		{&chorus.Place{Name: "电子二所声乐室", Address: "中国电子科技集团第二研究所工会楼三层"}, chorus.Venue{Kind: "声乐室", Capacity: 15,
			Hours: []chorus.OpeningRule{{Weekdays: []int{3, 6}, Start: "14:00", End: "16:00", Mode: chorus.VenueModeOpen, Places: 10}}}},
		{&chorus.Place{Name: "电子二所图书室", Address: "中国电子科技集团第二研究所工会楼一层"}, chorus.Venue{Kind: "图书室", Capacity: 20,
			Hours: []chorus.OpeningRule{
				{Weekdays: weekdays, Start: "08:30", End: "11:30", Mode: chorus.VenueModeOpen, Places: 8},
				{Weekdays: weekdays, Start: "14:30", End: "17:30", Mode: chorus.VenueModeOpen, Places: 8},
				{Day: chorus.DayHoliday, Start: "09:00", End: "12:00", Mode: chorus.VenueModeOpen, Places: 8}}}},
	}
	for _, x := range venues {
		if x.place.ID == 0 {
			if err := db.SavePlace(ctx, x.place); err != nil {
				return fmt.Errorf("place %s: %w", x.place.Name, err)
			}
		}
		v := x.v
		v.PlaceID, v.PartnerID = x.place.ID, institute.ID
		if err := db.SaveVenue(ctx, &v); err != nil {
			return fmt.Errorf("venue %s: %w", x.place.Name, err)
		}
	}
	return nil
}

// seedDemoVenueAnswer has the institute agree, by SMS, to lend the 小礼堂
// for event e, as its phone would reply: the event opens to residents.
func seedDemoVenueAnswer(ctx context.Context, db *sqlite.DB, e *chorus.Event, phone string) error {
	list, err := db.VenueRequests(ctx, chorus.VenuePending, 10)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.EventID != e.ID {
			continue
		}
		n := strconv.FormatInt(r.ID, 10)
		if _, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: phone, Content: "同意" + n, SequenceID: "demo-venue-" + n,
			Intent: chorus.IntentVenueAgree, Order: r.ID}); err != nil {
			return fmt.Errorf("answer request %d: %w", r.ID, err)
		}
	}
	return nil
}
