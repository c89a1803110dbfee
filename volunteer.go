package chorus

import (
	"strings"
	"time"
)

// Volunteer is a person who gives time to the community: a resident, or an
// employee of a partner unit (PartnerID), with a phone and the consent to
// be contacted. Knowing a volunteer's phone reveals nothing about them.
type Volunteer struct {
	ID         int64     `json:"id"`
	Community  int64     `json:"community"`
	Phone      string    `json:"phone"`
	Name       string    `json:"name"`
	ResidentID int64     `json:"resident_id,omitempty"`
	PartnerID  int64     `json:"partner_id,omitempty"`
	Partner    string    `json:"partner,omitempty"` // the unit's name, filled on read
	Skills     []string  `json:"skills"`
	Kinds      []string  `json:"kinds"` // activity kinds they want call-outs for
	Consent    bool      `json:"consent"`
	ConsentAt  time.Time `json:"consent_at,omitzero"`
	Status     string    `json:"status"`     // VolunteerActive, VolunteerPaused, VolunteerLeft
	JoinedVia  string    `json:"joined_via"` // JoinSMS, JoinKiosk, JoinStaff
	CreatedAt  time.Time `json:"created_at"`
}

// Volunteer statuses: a paused volunteer gets no call-outs for now; one
// who left gets none again (their hours stay).
const (
	VolunteerActive = "active"
	VolunteerPaused = "paused"
	VolunteerLeft   = "left"
)

// Ways a volunteer joins or signs up for a shift.
const (
	JoinSMS   = "sms"
	JoinKiosk = "kiosk"
	JoinStaff = "staff"
)

// ActivityKinds are the kinds of volunteer activity a community holds; a
// volunteer chooses the ones they want call-outs for.
var ActivityKinds = []string{"环境整治", "文明宣讲", "敬老助残", "治安巡逻", "文体活动", "便民服务"}

// MaxVolunteerMinutesPerDay caps the hours one volunteer may claim on one
// day: 8 hours.
const MaxVolunteerMinutesPerDay = 8 * 60

// Validate checks a volunteer before it is saved: a name, a mobile phone
// (normalised in place), a known status and channel, activity kinds from
// ActivityKinds and short skills.
func (v *Volunteer) Validate() error {
	v.Name = strings.TrimSpace(v.Name)
	// One who joined by SMS from a phone unknown to the community has no
	// name yet: staff add it.
	if v.Name != "" || v.JoinedVia != JoinSMS || v.ID != 0 {
		if err := checkSMSText("志愿者姓名", v.Name, 20); err != nil {
			return err
		}
	}
	p, err := NormalizePhone(v.Phone)
	if err != nil {
		return err
	}
	v.Phone = p
	if v.Status == "" {
		v.Status = VolunteerActive
	}
	if v.Status != VolunteerActive && v.Status != VolunteerPaused && v.Status != VolunteerLeft {
		return Errorf(EINVALID, "志愿者状态只能是在岗、暂停或退出。")
	}
	if v.JoinedVia == "" {
		v.JoinedVia = JoinStaff
	}
	if !validChannel(v.JoinedVia) {
		return Errorf(EINVALID, "加入方式只能是短信、自助机或工作人员登记。")
	}
	if len(v.Skills) > 10 {
		return Errorf(EINVALID, "特长最多填10项。")
	}
	for i, s := range v.Skills {
		v.Skills[i] = strings.TrimSpace(s)
		if n := len([]rune(v.Skills[i])); n == 0 || n > 10 {
			return Errorf(EINVALID, "每项特长请写1到10个字。")
		}
	}
	for _, k := range v.Kinds {
		if !isActivityKind(k) {
			return Errorf(EINVALID, "没有“%s”这类志愿活动。", Shorten(k, 10))
		}
	}
	if v.Skills == nil {
		v.Skills = []string{}
	}
	if v.Kinds == nil {
		v.Kinds = []string{}
	}
	return nil
}

// CallOutOK reports whether v may be texted a call-out for an activity of
// kind: active, consented, and asked for that kind.
func (v Volunteer) CallOutOK(kind string) bool {
	if v.Status != VolunteerActive || !v.Consent {
		return false
	}
	for _, k := range v.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func validChannel(c string) bool {
	return c == JoinSMS || c == JoinKiosk || c == JoinStaff
}

func isActivityKind(k string) bool {
	for _, a := range ActivityKinds {
		if a == k {
			return true
		}
	}
	return false
}

// Activity is a volunteer activity (靓丽星期五: a clean-up every Friday):
// its kind, where, who leads it and which partner units take part. Its
// shifts are the times people are needed.
type Activity struct {
	ID        int64     `json:"id"`
	Community int64     `json:"community"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Place     string    `json:"place"`
	LeaderID  int64     `json:"leader_id,omitempty"` // a volunteer who may confirm others' hours
	Leader    string    `json:"leader,omitempty"`    // filled on read
	Partners  []int64   `json:"partners"`            // partner units taking part
	Weekly    bool      `json:"weekly"`              // repeats every week (new shifts copy the last week's)
	Status    string    `json:"status"`              // "active" or "ended"
	CreatedAt time.Time `json:"created_at"`
	Shifts    []Shift   `json:"shifts,omitempty"` // filled on read of one activity
}

// Validate checks an activity before it is saved.
func (a *Activity) Validate() error {
	if !isActivityKind(a.Kind) {
		return Errorf(EINVALID, "请选择活动类别。")
	}
	a.Title = strings.TrimSpace(a.Title)
	if err := checkSMSText("活动名称", a.Title, MaxParamRunes); err != nil {
		return err
	}
	a.Place = strings.TrimSpace(a.Place)
	if err := checkSMSText("活动地点", a.Place, MaxParamRunes); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = "active"
	}
	if a.Status != "active" && a.Status != "ended" {
		return Errorf(EINVALID, "活动状态只能是进行中或已结束。")
	}
	if a.Partners == nil {
		a.Partners = []int64{}
	}
	return nil
}

// Shift is a time an activity needs people: a window, a task and how
// many. Its number (ID) is what volunteers reply with: 参加1024.
type Shift struct {
	ID         int64     `json:"id"`
	Community  int64     `json:"community"`
	ActivityID int64     `json:"activity_id"`
	Activity   string    `json:"activity,omitempty"` // the activity's title, filled on read
	Kind       string    `json:"kind,omitempty"`     // the activity's kind, filled on read
	Place      string    `json:"place,omitempty"`    // the activity's place, filled on read
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Task       string    `json:"task"`
	Capacity   int       `json:"capacity"`
	Taken      int       `json:"taken"`              // confirmed signups, filled on read
	Waiting    int       `json:"waiting"`            // waitlisted signups, filled on read
	CalledAt   time.Time `json:"called_at,omitzero"` // when the SMS call-out went
}

// PlacesLeft returns how many more people the shift needs.
func (s Shift) PlacesLeft() int { return max(s.Capacity-s.Taken, 0) }

// Validate checks a shift: a window of at most 12 hours, a task, 1 to 200
// people.
func (s *Shift) Validate() error {
	if s.Start.IsZero() || !s.End.After(s.Start) {
		return Errorf(EINVALID, "结束时间要晚于开始时间。")
	}
	if s.End.Sub(s.Start) > 12*time.Hour {
		return Errorf(EINVALID, "一个班次最长12小时。")
	}
	s.Task = strings.TrimSpace(s.Task)
	if err := checkSMSText("任务", s.Task, MaxParamRunes); err != nil {
		return err
	}
	if s.Capacity < 1 || s.Capacity > 200 {
		return Errorf(EINVALID, "需要人数应在1到200之间。")
	}
	return nil
}

// Signup statuses.
const (
	SignupConfirmed = "confirmed"
	SignupWaitlist  = "waitlist"
	SignupCancelled = "cancelled"
)

// Signup is a volunteer's place on a shift, with their presence.
type Signup struct {
	ID          int64     `json:"id"`
	Community   int64     `json:"community"`
	ShiftID     int64     `json:"shift_id"`
	VolunteerID int64     `json:"volunteer_id"`
	Volunteer   string    `json:"volunteer,omitempty"` // name, filled on read for staff
	Channel     string    `json:"channel"`
	Status      string    `json:"status"`
	Code        string    `json:"code,omitempty"` // typed at the door to check in and out; only to staff and the volunteer's own SMS
	CheckIn     time.Time `json:"check_in,omitzero"`
	CheckOut    time.Time `json:"check_out,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	ClaimID     int64     `json:"claim_id,omitempty"`
	// ToStaff says why staff must settle the hours (没有签退记录 …);
	// empty when a claim could be proposed.
	ToStaff string `json:"to_staff,omitempty"`
}

// DecideSignup decides where a new signup goes on a shift with capacity
// places of which taken are held: a place while one is left, else the
// waitlist.
func DecideSignup(capacity, taken int) string {
	if taken < capacity {
		return SignupConfirmed
	}
	return SignupWaitlist
}

// SignupOpen reports whether a shift starting at start still takes
// signups at now: until it starts.
func SignupOpen(start, now time.Time) bool { return now.Before(start) }

// WeeklyStarts returns start and the same time in each of the next weeks-1
// weeks, in loc (a weekly activity at 08:30 stays at 08:30 across a
// change of offset).
func WeeklyStarts(start time.Time, weeks int, loc *time.Location) []time.Time {
	s := start.In(loc)
	out := make([]time.Time, 0, weeks)
	for i := range weeks {
		out = append(out, time.Date(s.Year(), s.Month(), s.Day()+7*i, s.Hour(), s.Minute(), 0, 0, loc))
	}
	return out
}

// For returns the signup as viewer may see it: staff everything; a kiosk
// the volunteer's name masked, and the check-in code only once the phone
// was verified there (ViewerKioskVerified and up).
func (g Signup) For(viewer Viewer) Signup {
	if viewer >= ViewerStaff {
		return g
	}
	g.Volunteer = MaskName(g.Volunteer)
	if viewer < ViewerKioskVerified {
		g.Code = ""
	}
	g.ToStaff, g.ClaimID = "", 0
	return g
}
