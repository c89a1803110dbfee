package chorus

import "time"

// EventStatus is whether an event takes bookings.
type EventStatus string

// Event statuses.
const (
	EventOpen      EventStatus = "open"      // takes bookings until each slot's cut-off
	EventClosed    EventStatus = "closed"    // bookings kept, no new ones
	EventCancelled EventStatus = "cancelled" // called off; everyone booked is told
)

// Event is a free clinic (义诊), a health lecture, a yoga class: something at
// a place on a date, split into time slots with a capacity each.
type Event struct {
	ID          int64       `json:"id"`
	Kind        ServiceKind `json:"kind"` // clinic, lecture, …
	Title       string      `json:"title"`
	Description string      `json:"description"`
	PlaceID     int64       `json:"place_id"`
	Place       string      `json:"place,omitempty"` // filled on read
	PartnerID   int64       `json:"partner_id,omitempty"`
	Partner     string      `json:"partner,omitempty"` // filled on read
	Waitlist    bool        `json:"waitlist"`
	// CutoffMinutes closes booking of each slot this long before it starts.
	CutoffMinutes int         `json:"cutoff_minutes"`
	Status        EventStatus `json:"status"`
	Slots         []Slot      `json:"slots"`
	CreatedAt     time.Time   `json:"created_at"`
	// Community is the community that hosts the event (set by the store
	// from the caller's scope); CommunityName is its name, filled on read.
	Community     int64  `json:"community"`
	CommunityName string `json:"community_name,omitempty"`
	// DistrictOpen opens the event to the whole district (向街道开放):
	// every community's kiosks show it, labelled with its host, and their
	// residents may book it.
	DistrictOpen bool `json:"district_open"`
}

// Slot is one time slot of an event with its capacity in seats.
type Slot struct {
	ID       int64     `json:"id"`
	EventID  int64     `json:"event_id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Capacity int       `json:"capacity"`
	Taken    int       `json:"taken"`   // seats held: pending, confirmed, checked in, offered
	Waiting  int       `json:"waiting"` // waitlisted, filled on read
}

// SeatsLeft returns the free seats of the slot.
func (s Slot) SeatsLeft() int {
	if n := s.Capacity - s.Taken; n > 0 {
		return n
	}
	return 0
}

// MaxSlotCapacity bounds a slot's seats: a community room, not a stadium.
const MaxSlotCapacity = 10000

// Validate checks an event and its slots.
func (e *Event) Validate() error {
	if err := checkSMSText("活动名称", e.Title, 40); err != nil {
		return err
	}
	e.Description = paragraphs(e.Description)
	if err := checkParagraphs("活动介绍", e.Description, 500); err != nil {
		return err
	}
	if _, ok := serviceKinds[e.Kind]; !ok {
		return Errorf(EINVALID, "活动类型不正确。")
	}
	if e.PlaceID <= 0 {
		return Errorf(EINVALID, "请选择活动地点。")
	}
	if e.CutoffMinutes < 0 || e.CutoffMinutes > 7*24*60 {
		return Errorf(EINVALID, "截止时间应在0到7天之间。")
	}
	if err := e.Status.validate(); err != nil {
		return err
	}
	if len(e.Slots) > 200 {
		return Errorf(EINVALID, "时段太多了,最多200个。")
	}
	for i := range e.Slots {
		if err := e.Slots[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one slot.
func (s *Slot) Validate() error {
	if s.Start.IsZero() || !s.End.After(s.Start) {
		return Errorf(EINVALID, "时段的结束时间要晚于开始时间。")
	}
	if s.End.Sub(s.Start) > 24*time.Hour {
		return Errorf(EINVALID, "一个时段不能超过一天。")
	}
	if s.Capacity < 1 || s.Capacity > MaxSlotCapacity {
		return Errorf(EINVALID, "每个时段的名额应在1到%d之间。", MaxSlotCapacity)
	}
	return nil
}

// BookingCloses returns when booking a slot stops.
func (e *Event) BookingCloses(s Slot) time.Time {
	return s.Start.Add(-time.Duration(e.CutoffMinutes) * time.Minute)
}

// BookingOpen reports whether slot s of the event takes bookings at now:
// the event is open and the slot's cut-off has not passed (CheckBookable).
func (e *Event) BookingOpen(s Slot, now time.Time) bool {
	return e.CheckBookable(s, now) == nil
}

// validate defaults an empty status to open and refuses unknown ones.
func (s *EventStatus) validate() error {
	switch *s {
	case "":
		*s = EventOpen
	case EventOpen, EventClosed, EventCancelled:
	default:
		return Errorf(EINVALID, "状态只能是 open(开放)、closed(停止预约)或 cancelled(取消)。")
	}
	return nil
}

// Period picks events or programmes by when they run, for staff lists.
type Period string

// Periods.
const (
	PeriodUpcoming  Period = "upcoming"  // not cancelled, not over
	PeriodPast      Period = "past"      // not cancelled, over
	PeriodCancelled Period = "cancelled" // called off
	PeriodAll       Period = "all"
	PeriodToday     Period = "today" // not cancelled, held today (a slot starts today; a programme runs)
)

// ParsePeriod reads a period; "" is upcoming. Errors: EINVALID.
func ParsePeriod(s string) (Period, error) {
	switch p := Period(s); p {
	case "":
		return PeriodUpcoming, nil
	case PeriodUpcoming, PeriodPast, PeriodCancelled, PeriodAll, PeriodToday:
		return p, nil
	}
	return "", Errorf(EINVALID, "时间范围只能是 upcoming、past、cancelled、all 或 today。")
}

// MaxListed bounds the events or programmes of one staff list: past ones
// are listed newest first, up to this many.
const MaxListed = 200
