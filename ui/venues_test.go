package ui_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestKiosk_BookOpenHours: the institute's 体育馆 opens Tue/Thu 18:00–20:00
// for 20 people; at the kiosk, 场馆开放 shows today's and this week's
// sessions with places left, and one is booked through the event
// booking's own screens in at most 6 taps.
func TestKiosk_BookOpenHours(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, p))
	gym := &chorus.Place{Name: "体育馆", Address: "研究所北门"}
	s.must(s.DB.SavePlace(ctx, gym))
	s.must(s.DB.SaveVenue(ctx, &chorus.Venue{PlaceID: gym.ID, PartnerID: p.ID, Kind: "体育馆", Capacity: 40,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}))
	var open *chorus.Event
	events, err := s.DB.UpcomingEvents(ctx, s.Clock.Now())
	s.must(err)
	for i := range events {
		if events[i].Kind == chorus.ServiceVenue && open == nil {
			open = &events[i]
		}
	}
	if open == nil || len(open.Slots) != 2 {
		t.Fatalf("this week's open hours: %+v", open)
	}

	k := openKiosk(t, s, pageOpts{})
	k.tap("开始")
	k.waitScreen("menu")
	k.mustSee("场馆开放")
	k.check("venue-01-menu")
	k.tap("#go-venues")
	k.countFrom()
	k.waitScreen("venue/list")
	k.mustSee("体育馆", "今天 18:00–20:00", "12月3日 星期四 18:00–20:00", "还剩 20 个名额")
	k.check("venue-02-list")
	k.tap(fmt.Sprintf("[data-slot='%d']", open.Slots[0].ID))
	k.waitScreen("event/phone")
	k.typeDigits(phoneYao)
	k.tap("确定")
	k.waitScreen("event/confirm")
	k.mustSee("体育馆开放", "18:00–20:00", "体育馆")
	k.tap("确认预约")
	k.waitScreen("event/done")
	k.mustTaps("booking an open-hours session")

	list, err := s.DB.BookingsByPhone(ctx, phoneYao)
	if err != nil || len(list) != 1 || list[0].SlotID != open.Slots[0].ID {
		t.Fatalf("bookings of %s: %+v, %v", phoneYao, list, err)
	}
	k.mustSee(list[0].Code)
	k.tap("完成,回首页")
	k.waitScreen("welcome")
	k.tap("开始")
	k.tap("#go-venues")
	k.mustSee("还剩 19 个名额")
}

// TestKiosk_OpenHoursQuota (issue 19): the 体育馆 lets a resident book one
// session a week; a resident who booked Tuesday and taps Thursday at the
// kiosk reads why, in plain Chinese, and nothing is booked.
func TestKiosk_OpenHoursQuota(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, p))
	gym := &chorus.Place{Name: "体育馆", Address: "研究所北门"}
	s.must(s.DB.SavePlace(ctx, gym))
	s.must(s.DB.SaveVenue(ctx, &chorus.Venue{PlaceID: gym.ID, PartnerID: p.ID, Kind: "体育馆", Capacity: 40, WeekLimit: 1,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}))
	events, err := s.DB.UpcomingEvents(ctx, s.Clock.Now())
	s.must(err)
	var open *chorus.Event
	for i := range events {
		if events[i].Kind == chorus.ServiceVenue && open == nil {
			open = &events[i]
		}
	}
	if open == nil || len(open.Slots) != 2 {
		t.Fatalf("this week's open hours: %+v", open)
	}
	_, err = s.DB.Book(ctx, chorus.BookingRequest{EventID: open.ID, SlotID: open.Slots[0].ID, Phone: phoneYao, Name: "姚大娘", Source: "kiosk"})
	s.must(err)

	k := openKiosk(t, s, pageOpts{})
	k.tap("开始")
	k.waitScreen("menu")
	k.tap("#go-venues")
	k.waitScreen("venue/list")
	k.tap(fmt.Sprintf("[data-slot='%d']", open.Slots[1].ID))
	k.waitScreen("event/phone")
	k.typeDigits(phoneYao)
	k.tap("确定")
	k.waitScreen("event/confirm")
	k.tap("确认预约")
	k.wait(`document.querySelector('#error')`)
	k.mustSee("出错了", "体育馆每人每周最多预约1次,您这一周已经约满了,请换一周再约。")
	k.check("venue-03-quota")
	list, err := s.DB.BookingsByPhone(ctx, phoneYao)
	if err != nil || len(list) != 1 || list[0].SlotID != open.Slots[0].ID {
		t.Fatalf("bookings of %s: %+v, %v", phoneYao, list, err)
	}
}
