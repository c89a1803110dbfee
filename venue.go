package chorus

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// VenueMode is how an opening rule lends a venue.
type VenueMode string

// Venue modes.
const (
	// VenueModeEvent lends the room whole to a community event, on request.
	VenueModeEvent VenueMode = "event"
	// VenueModeOpen opens the room to residents, a number of places at once
	// (the gym 18:00–20:00 for 20 people).
	VenueModeOpen VenueMode = "open"
)

// Venue is a room a partner lends (资源共享): a place of the community that
// belongs to a partner unit, with its capacity, opening rules, closures and
// the phones that answer requests to use it. It is keyed by its place's id,
// so events and classes held there point at the place as anywhere else.
type Venue struct {
	PlaceID   int64  `json:"place_id"`
	Place     string `json:"place,omitempty"`   // the place's name, filled on read
	Address   string `json:"address,omitempty"` // filled on read
	PartnerID int64  `json:"partner_id"`
	Partner   string `json:"partner,omitempty"` // filled on read
	Community int64  `json:"community"`
	Kind      string `json:"kind"` // 礼堂, 体育馆, 声乐室, 图书室 …
	Capacity  int    `json:"capacity"`
	// BufferMinutes is kept free between two uses of the room (setting up,
	// cleaning): two uses clash unless this much time lies between them.
	BufferMinutes int `json:"buffer_minutes"`
	// AnswerHours is how long before its start a request must be answered:
	// still pending then, it expires and staff are alerted.
	AnswerHours int `json:"answer_hours"`
	// Approvers are the phones that may agree or refuse; empty means the
	// partner's own phones.
	Approvers []string `json:"approvers"`
	Notes     string   `json:"notes"` // entrance notes
	// WeekLimit is how many open-hours sessions of the venue one resident
	// may book in a week (Monday to Sunday, local); AtOnce how many not yet
	// over they may hold at once. 0 means no limit.
	WeekLimit int           `json:"week_limit"`
	AtOnce    int           `json:"at_once"`
	Hours     []OpeningRule `json:"hours"`
	Closures  []Closure     `json:"closures,omitempty"` // filled on read
	// CalledOff is how many booked open-hours sessions a change of the
	// venue's rules called off (each booked resident told by SMS), filled
	// when it is saved.
	CalledOff int `json:"called_off,omitempty"`
	// CalledOffSessions lists those sessions, filled when it is saved.
	CalledOffSessions []CalledOffSession `json:"called_off_sessions,omitempty"`
}

// CalledOffSession is one booked open-hours session of a venue that a
// change (of its rules, its closures or the calendar) called off: its
// venue, its local date and times, and how many residents' bookings it
// cancelled, each told by SMS.
type CalledOffSession struct {
	PlaceID int64  `json:"place_id"`
	Venue   string `json:"venue"`
	Date    string `json:"date"`  // 2026-12-08
	Start   string `json:"start"` // 18:00
	End     string `json:"end"`   // 20:00
	Told    int    `json:"told"`  // residents' bookings cancelled, each told by SMS
}

// OpeningRule opens a venue from Start to End (local "15:04"), whole for
// events or to residents with Places places: on ordinary days of some
// weekdays, on 法定节假日 or on 调休上班 days, as Day says (RulesOn).
type OpeningRule struct {
	ID int64 `json:"id,omitempty"`
	// Day is the kind of day the rule applies to; "" is DayWeekday.
	Day      DayKind   `json:"day,omitempty"`
	Weekdays []int     `json:"weekdays"` // 1 = Monday … 7 = Sunday; DayWeekday rules only
	Start    string    `json:"start"`
	End      string    `json:"end"`
	Mode     VenueMode `json:"mode"`
	Places   int       `json:"places"` // residents at once, mode open
}

// Closure shuts a venue from From to To (local dates, both included): the
// unit's own meetings, 法定节假日.
type Closure struct {
	ID      int64  `json:"id"`
	PlaceID int64  `json:"place_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	Reason  string `json:"reason"`
	// Cancelled is how many residents' open-hours bookings the closure
	// cancelled (each told by SMS), filled when it is added.
	Cancelled int `json:"cancelled,omitempty"`
	// CalledOff lists the booked open-hours sessions the closure called
	// off, filled when it is added.
	CalledOff []CalledOffSession `json:"called_off,omitempty"`
}

// VenueRequestStatus is where a request to use a venue is.
type VenueRequestStatus string

// Venue request statuses. Pending and approved requests hold the room.
const (
	VenuePending   VenueRequestStatus = "pending"   // asked, not answered
	VenueApproved  VenueRequestStatus = "approved"  // 同意: the event opens
	VenueRefused   VenueRequestStatus = "refused"   // 不同意
	VenueExpired   VenueRequestStatus = "expired"   // no answer in time; staff alerted
	VenueWithdrawn VenueRequestStatus = "withdrawn" // 取消 after agreeing; the event is called off
	VenueCancelled VenueRequestStatus = "cancelled" // the community no longer needs it (moved, called off)
)

// Holds reports whether a request in status s keeps the room.
func (s VenueRequestStatus) Holds() bool { return s == VenuePending || s == VenueApproved }

// Label is the status in Chinese.
func (s VenueRequestStatus) Label() string {
	return map[VenueRequestStatus]string{VenuePending: "等待答复", VenueApproved: "已同意", VenueRefused: "不同意",
		VenueExpired: "无人答复", VenueWithdrawn: "已撤回", VenueCancelled: "已取消"}[s]
}

// VenueRequest asks a partner for its venue for an event's time. Its id is
// the number in 同意N / 不同意N / 取消N.
type VenueRequest struct {
	ID        int64              `json:"id"`
	PlaceID   int64              `json:"place_id"`
	Venue     string             `json:"venue,omitempty"` // filled on read
	EventID   int64              `json:"event_id"`
	Event     string             `json:"event,omitempty"` // the event's title, filled on read
	Community int64              `json:"community"`
	Start     time.Time          `json:"start"`
	End       time.Time          `json:"end"`
	Status    VenueRequestStatus `json:"status"`
	Deadline  time.Time          `json:"deadline,omitzero"`
	DecidedBy string             `json:"decided_by,omitempty"`
	DecidedAt time.Time          `json:"decided_at,omitzero"`
	Reason    string             `json:"reason,omitempty"`
	CreatedAt time.Time          `json:"created_at"`
}

// Bounds of a venue's settings.
const (
	MaxVenueBuffer    = 24 * 60 // minutes
	MaxVenueApprovers = 5
	MaxVenueRules     = 30
	MaxAnswerHours    = 14 * 24
	MaxVenueQuota     = 50 // bookings per resident a week, or at once
)

// Validate checks a venue and its opening rules, normalising the
// approvers' phones. Errors: EINVALID, in plain Chinese.
func (v *Venue) Validate() error {
	if v.PlaceID <= 0 {
		return Errorf(EINVALID, "请选择场馆所在的地点。")
	}
	if v.PartnerID <= 0 {
		return Errorf(EINVALID, "请选择提供场馆的共建单位。")
	}
	if err := checkOptionalSMSText("场馆类型", v.Kind, 10); err != nil {
		return err
	}
	if v.Capacity <= 0 || v.Capacity > MaxSlotCapacity {
		return Errorf(EINVALID, "场馆容纳人数应在1到%d之间。", MaxSlotCapacity)
	}
	if v.BufferMinutes < 0 || v.BufferMinutes > MaxVenueBuffer {
		return Errorf(EINVALID, "前后留空时间应在0到%d分钟之间。", MaxVenueBuffer)
	}
	if v.AnswerHours < 0 || v.AnswerHours > MaxAnswerHours {
		return Errorf(EINVALID, "答复期限应在0到%d小时之间。", MaxAnswerHours)
	}
	if len(v.Approvers) > MaxVenueApprovers {
		return Errorf(EINVALID, "审批手机号最多%d个。", MaxVenueApprovers)
	}
	seen := map[string]bool{}
	phones := []string{}
	for _, p := range v.Approvers {
		n, err := NormalizePhone(p)
		if err != nil {
			return Errorf(EINVALID, "审批手机号%q不正确,请输入11位手机号。", Shorten(p, 20))
		}
		if !seen[n] {
			seen[n] = true
			phones = append(phones, n)
		}
	}
	v.Approvers = phones
	v.Notes = strings.TrimSpace(v.Notes)
	if len([]rune(v.Notes)) > 200 {
		return Errorf(EINVALID, "入口说明最多200个字。")
	}
	if v.WeekLimit < 0 || v.WeekLimit > MaxVenueQuota || v.AtOnce < 0 || v.AtOnce > MaxVenueQuota {
		return Errorf(EINVALID, "每人每周可约次数和同时可约次数应在0(不限)到%d之间。", MaxVenueQuota)
	}
	if len(v.Hours) > MaxVenueRules {
		return Errorf(EINVALID, "开放时间最多%d条。", MaxVenueRules)
	}
	if v.Hours == nil {
		v.Hours = []OpeningRule{}
	}
	for i := range v.Hours {
		if err := v.Hours[i].validate(v.Capacity); err != nil {
			return Errorf(EINVALID, "第%d条开放时间:%s", i+1, err.(*Error).Message)
		}
	}
	return nil
}

func (r *OpeningRule) validate(capacity int) error {
	switch r.Day {
	case "", DayWeekday:
		r.Day = DayWeekday
	case DayHoliday, DayWorkday:
		r.Weekdays = []int{} // the day's kind says when
	default:
		return Errorf(EINVALID, "请选择这条开放时间用于平日、法定节假日还是调休上班日。")
	}
	if len(r.Weekdays) == 0 && r.Day == DayWeekday {
		return Errorf(EINVALID, "请选择星期几开放。")
	}
	days := []int{}
	for _, d := range r.Weekdays {
		if d < 1 || d > 7 {
			return Errorf(EINVALID, "星期应为1(周一)到7(周日)。")
		}
		if !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	r.Weekdays = days
	s, okS := clockMinutes(r.Start)
	e, okE := clockMinutes(r.End)
	if !okS || !okE {
		return Errorf(EINVALID, "开始和结束时间应写成09:00这样。")
	}
	if e <= s {
		return Errorf(EINVALID, "结束时间应晚于开始时间。")
	}
	r.Start, r.End = fmt.Sprintf("%02d:%02d", s/60, s%60), fmt.Sprintf("%02d:%02d", e/60, e%60)
	switch r.Mode {
	case VenueModeEvent:
		r.Places = 0
	case VenueModeOpen:
		if r.Places <= 0 || r.Places > capacity {
			return Errorf(EINVALID, "开放名额应在1到场馆容纳人数%d之间。", capacity)
		}
	default:
		return Errorf(EINVALID, "请选择“借用办活动”或“向居民开放”。")
	}
	return nil
}

// Validate checks a closure. Errors: EINVALID.
func (c *Closure) Validate() error {
	from, err1 := time.Parse(time.DateOnly, c.From)
	to, err2 := time.Parse(time.DateOnly, c.To)
	if err1 != nil || err2 != nil {
		return Errorf(EINVALID, "关闭日期应写成2026-12-12这样。")
	}
	if to.Before(from) {
		return Errorf(EINVALID, "关闭的结束日期不能早于开始日期。")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return Errorf(EINVALID, "一次关闭最长一年。")
	}
	c.Reason = strings.TrimSpace(c.Reason)
	if err := checkOptionalSMSText("关闭原因", c.Reason, 40); err != nil {
		return err
	}
	return nil
}

// Span returns the closure's times in loc: [From 00:00, the day after To).
func (c Closure) Span(loc *time.Location) (time.Time, time.Time) {
	from, _ := time.ParseInLocation(time.DateOnly, c.From, loc)
	to, _ := time.ParseInLocation(time.DateOnly, c.To, loc)
	return from, to.AddDate(0, 0, 1)
}

// Use is one time a venue is held: a request or an open-hours block.
type Use struct {
	Start, End time.Time
	What       string // for the error: the event's title
}

// Clashes reports whether [start, end) clashes with u in a venue that keeps
// buffer free between uses: intervals are half-open, so uses that touch
// (one ends when the other starts) clash only when there is a buffer.
func (u Use) Clashes(start, end time.Time, buffer time.Duration) bool {
	return start.Before(u.End.Add(buffer)) && u.Start.Before(end.Add(buffer))
}

// CheckVenueUse decides whether a community event may ask for venue v from
// start to end (times in loc) for capacity people: it must fit the room, lie
// within one of its event opening rules on one day (the rules of that kind
// of day, cal being the holiday calendar by date), miss every closure and
// not clash with the uses that hold the room (pending and approved
// requests, buffers included). Errors: EINVALID (the room does not lend
// then), ECONFLICT (it is closed, or taken).
func CheckVenueUse(v Venue, start, end time.Time, capacity int, uses []Use, loc *time.Location, cal map[string]CalendarDay) error {
	start, end = start.In(loc), end.In(loc)
	if capacity > v.Capacity {
		return Errorf(EINVALID, "%s最多容纳%d人,活动名额%d人太多了。", v.Place, v.Capacity, capacity)
	}
	if !v.lendsForEvent(start, end, cal) {
		return Errorf(EINVALID, "%s在%s不接受借用,请按场馆的开放时间安排。", v.Place, FormatVenueTime(start, end))
	}
	for _, c := range v.Closures {
		from, to := c.Span(loc)
		if start.Before(to) && from.Before(end) {
			why := ""
			if c.Reason != "" {
				why = "(" + c.Reason + ")"
			}
			return Errorf(ECONFLICT, "%s在%s至%s关闭%s,请换个时间。", v.Place, c.From, c.To, why)
		}
	}
	buffer := time.Duration(v.BufferMinutes) * time.Minute
	for _, u := range uses {
		if u.Clashes(start, end, buffer) {
			return Errorf(ECONFLICT, "%s在%s已有安排(%s),前后需留%d分钟,请换个时间。", v.Place,
				FormatVenueTime(u.Start.In(loc), u.End.In(loc)), u.What, v.BufferMinutes)
		}
	}
	return nil
}

// lendsForEvent reports whether one event rule of the day's kind covers
// [start, end), both on the same local day.
func (v Venue) lendsForEvent(start, end time.Time, cal map[string]CalendarDay) bool {
	y1, m1, d1 := start.Date()
	y2, m2, d2 := end.Add(-time.Nanosecond).Date()
	if y1 != y2 || m1 != m2 || d1 != d2 {
		return false
	}
	s := start.Hour()*60 + start.Minute()
	e := s + int(end.Sub(start)/time.Minute)
	for _, r := range RulesOn(v, start, cal[start.Format(time.DateOnly)]) {
		rs, _ := clockMinutes(r.Start)
		re, _ := clockMinutes(r.End)
		if r.Mode == VenueModeEvent && rs <= s && e <= re {
			return true
		}
	}
	return false
}

// FormatVenueTime renders a use of a venue as the partner reads it in the
// request: 12月12日 14:00–16:00. Times must be in the community's zone.
func FormatVenueTime(start, end time.Time) string {
	return fmt.Sprintf("%d月%d日 %s–%s", start.Month(), start.Day(), start.Format("15:04"), end.Format("15:04"))
}

// VenueDeadline is when a request made at now for a use starting at start
// expires unanswered: answerHours before the start, or, when that has
// passed already, halfway between now and the start.
func VenueDeadline(now, start time.Time, answerHours int) time.Time {
	d := start.Add(-time.Duration(answerHours) * time.Hour)
	if d.After(now) {
		return d
	}
	return now.Add(start.Sub(now) / 2)
}

// VenueEffect is what a partner's reply does to a venue request.
type VenueEffect struct {
	To      VenueRequestStatus // "" when nothing changes
	Handled bool               // false leaves the reply to staff
	Outcome string             // in Chinese, for the inbox
}

// DecideVenueReply decides what intent (IntentVenueAgree, IntentVenueRefuse,
// IntentVenueWithdraw) from an approver of the venue does to a request in
// status st: the first decisive answer to a pending request wins; a repeat
// of it does nothing (handled); a withdrawal takes back a request agreed
// or still pending; anything else (a late answer to an expired request, a
// 同意 after 不同意) changes nothing and goes to staff.
func DecideVenueReply(id int64, st VenueRequestStatus, intent Intent) VenueEffect {
	to := map[Intent]VenueRequestStatus{IntentVenueAgree: VenueApproved, IntentVenueRefuse: VenueRefused,
		IntentVenueWithdraw: VenueWithdrawn}[intent]
	switch {
	case to == "":
		return VenueEffect{Outcome: "未能识别,请工作人员处理"}
	case st == to:
		return VenueEffect{Handled: true, Outcome: fmt.Sprintf("场馆申请%d已经是“%s”了", id, st.Label())}
	case st == VenuePending && to != VenueWithdrawn, st.Holds() && to == VenueWithdrawn:
		return VenueEffect{To: to, Handled: true, Outcome: fmt.Sprintf("场馆申请%d:%s", id, to.Label())}
	}
	return VenueEffect{Outcome: fmt.Sprintf("场馆申请%d现在是“%s”,答复未生效,请工作人员处理", id, st.Label())}
}

// RefusalReason returns what a partner wrote after 不同意N: the reason
// kept with the refusal ("" when none).
func RefusalReason(content string) string {
	i := strings.Index(content, "不同意")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(content[i+len("不同意"):], " \t")
	rest = strings.TrimLeft(rest, "0123456789０１２３４５６７８９")
	rest = strings.Trim(rest, " \t\r\n,,。.::;;!!、")
	return Shorten(rest, 60)
}

// OpenBlock is one open-hours block of a venue on one day: residents book
// one of Places places.
type OpenBlock struct {
	Start, End time.Time
	Places     int
}

// WeekStart returns the Monday 00:00 of t's week, in t's location.
func WeekStart(t time.Time) time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	return day.AddDate(0, 0, 1-isoWeekday(day))
}

// OpenBlocks returns venue v's open-hours blocks in the week from monday
// (local midnight in loc), in time order, leaving out the days it is
// closed; each day follows the rules of its kind (RulesOn), cal being the
// holiday calendar by date.
func OpenBlocks(v Venue, monday time.Time, loc *time.Location, cal map[string]CalendarDay) []OpenBlock {
	var out []OpenBlock
	for i := range 7 {
		y, m, d := monday.AddDate(0, 0, i).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		closed := false
		for _, c := range v.Closures {
			from, to := c.Span(loc)
			closed = closed || (!day.Before(from) && day.Before(to))
		}
		if closed {
			continue
		}
		var today []OpenBlock
		for _, r := range RulesOn(v, day, cal[day.Format(time.DateOnly)]) {
			if r.Mode != VenueModeOpen {
				continue
			}
			s, _ := clockMinutes(r.Start)
			e, _ := clockMinutes(r.End)
			today = append(today, OpenBlock{Start: day.Add(time.Duration(s) * time.Minute), End: day.Add(time.Duration(e) * time.Minute),
				Places: r.Places})
		}
		slices.SortFunc(today, func(a, b OpenBlock) int { return a.Start.Compare(b.Start) })
		out = append(out, today...)
	}
	return out
}

// CheckOpenHoursQuota decides whether a resident may book one more
// open-hours session of venue v, holding week live bookings of the venue's
// sessions in that session's week (Monday to Sunday, local) and upcoming
// live bookings of its sessions not yet over. Errors: ECONFLICT, in words
// for the resident at the kiosk.
func CheckOpenHoursQuota(v Venue, week, upcoming int) error {
	if v.WeekLimit > 0 && week >= v.WeekLimit {
		return Errorf(ECONFLICT, "%s每人每周最多预约%d次,您这一周已经约满了,请换一周再约。", v.Place, v.WeekLimit)
	}
	if v.AtOnce > 0 && upcoming >= v.AtOnce {
		return Errorf(ECONFLICT, "%s每人最多同时预约%d次,您已有%d次预约还没去,去过或取消后再约。", v.Place, v.AtOnce, upcoming)
	}
	return nil
}
