package chorus

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// A help request (我要求助) is a resident asking the time bank for one
// service on a half day. It is dispatched to volunteers in waves like a
// partner order (接N by SMS), reported done by the volunteer (完成N 1.5)
// or staff, which proposes an hours claim, and confirmed by the resident's
// reply 1 or by staff — never by the volunteer — which pays the volunteer
// from the resident's account (or the pool's, with staff approval).

// HelpStatus is where a help request is.
type HelpStatus string

// Help request statuses.
const (
	HelpOpen      HelpStatus = "open"      // asked for; volunteers are being asked
	HelpAccepted  HelpStatus = "accepted"  // a volunteer said 接N
	HelpDone      HelpStatus = "done"      // the volunteer reported it done: the claim waits for the resident's 1
	HelpConfirmed HelpStatus = "confirmed" // the resident or staff confirmed it; the volunteer was paid
	HelpCancelled HelpStatus = "cancelled"
	HelpEscalated HelpStatus = "escalated" // nobody accepted: staff arrange it
)

// Label is the status in Chinese.
func (s HelpStatus) Label() string {
	return map[HelpStatus]string{HelpOpen: "等待志愿者", HelpAccepted: "志愿者已接", HelpDone: "待确认时长",
		HelpConfirmed: "已完成", HelpCancelled: "已取消", HelpEscalated: "无人接,待工作人员安排"}[s]
}

// HelpRequest is one request for help from the time bank.
type HelpRequest struct {
	ID         int64      `json:"id"`
	Community  int64      `json:"community"`
	ResidentID int64      `json:"resident_id"`
	Resident   string     `json:"resident,omitempty"` // the resident's name, for staff
	Service    string     `json:"service"`
	Day        string     `json:"day"`
	HalfDay    HalfDay    `json:"half_day"`
	Note       string     `json:"note,omitempty"`
	Channel    string     `json:"channel"` // kiosk or staff
	Status     HelpStatus `json:"status"`
	// VolunteerID is who accepted it; Volunteer their name, for staff.
	VolunteerID int64  `json:"volunteer_id,omitempty"`
	Volunteer   string `json:"volunteer,omitempty"`
	// ClaimID and Minutes are the hours claim its completion proposed.
	ClaimID int64 `json:"claim_id,omitempty"`
	Minutes int   `json:"minutes,omitempty"`
	// PoolPays and OverdraftOK are staff's approvals: the pool pays the
	// volunteer (an elder in hardship), or the resident's balance may go
	// below zero for it.
	PoolPays    bool      `json:"pool_pays"`
	OverdraftOK bool      `json:"overdraft_ok"`
	Wave        int       `json:"wave"`
	Created     time.Time `json:"created"`
}

// HelpAsk is what a resident (at a kiosk) or staff fill in to ask for
// help.
type HelpAsk struct {
	ResidentID int64   `json:"resident_id"`
	Service    string  `json:"service"`
	Day        string  `json:"day"`
	HalfDay    HalfDay `json:"half_day"`
	Note       string  `json:"note"`
	Channel    string  `json:"-"` // set by the caller: kiosk or staff
}

// Validate checks a help request against the community's rules and today
// (in its time zone).
func (a *HelpAsk) Validate(r BankRules, today time.Time) error {
	a.Service, a.Note = strings.TrimSpace(a.Service), strings.TrimSpace(a.Note)
	if !r.Allows(a.Service) {
		return Errorf(EINVALID, "请从列出的服务中选择一项(%s)。", strings.Join(r.Services, "、"))
	}
	if err := checkText("备注", a.Note, 50); err != nil {
		return err
	}
	if a.Channel != "kiosk" && a.Channel != "staff" {
		return Errorf(EINVALID, "求助只能在自助机上或由工作人员登记。")
	}
	return checkHalfDay(a.Day, a.HalfDay, today) // as a home visit
}

// HelpCandidate is a volunteer who may be asked for a help request.
type HelpCandidate struct {
	VolunteerID int64
	Phone       string
	// Skilled means the service is among the volunteer's skills: they are
	// asked first.
	Skilled bool
	// Household is where they live, so that nobody is asked to serve
	// their own.
	Household Household
}

// HelpWaveSize bounds how many volunteers one wave asks: enough for one to
// answer soon, few enough that most are not bothered for nothing.
const HelpWaveSize = 5

// HelpWave is the next step of a help request's dispatch.
type HelpWave struct {
	Step DispatchStep
	Wave []HelpCandidate
}

// NextHelpWave chooses who is asked next for a help request of recipient:
// the volunteers not yet asked, who do not live with recipient, skilled
// ones first, in the order given (the store gives those with fewest hours
// this year first), at most HelpWaveSize; nobody left: staff are told.
// Volunteers have no opening hours: a help request never waits.
func NextHelpWave(cands []HelpCandidate, asked map[int64]bool, recipient Household) HelpWave {
	step, wave := waveOf(cands, asked,
		func(c HelpCandidate) int64 { return c.VolunteerID },
		func(c HelpCandidate) bool { return !SameHousehold(c.Household, recipient) },
		func(HelpCandidate) bool { return true },
		func(c HelpCandidate) int {
			if c.Skilled {
				return 0
			}
			return 1
		}, false)
	if len(wave) > HelpWaveSize {
		wave = wave[:HelpWaveSize]
	}
	return HelpWave{Step: step, Wave: wave}
}

// waveOf is the one wave decision of orders and help requests: among the
// candidates eligible and not yet asked, those open now with the lowest
// priority number, in the order given. With none open: wait for those
// closed now unless urgent, else escalate.
func waveOf[T any](all []T, asked map[int64]bool, id func(T) int64, eligible, open func(T) bool, priority func(T) int, urgent bool) (DispatchStep, []T) {
	var now []T
	later := false
	for _, c := range all {
		if asked[id(c)] || !eligible(c) {
			continue
		}
		if !open(c) {
			later = true
			continue
		}
		now = append(now, c)
	}
	if len(now) == 0 {
		if later && !urgent {
			return DispatchWaitForOpening, nil
		}
		return DispatchEscalate, nil
	}
	sort.SliceStable(now, func(i, j int) bool { return priority(now[i]) < priority(now[j]) })
	var wave []T
	for _, c := range now {
		if priority(c) == priority(now[0]) {
			wave = append(wave, c)
		}
	}
	return DispatchSendWave, wave
}

// MaxHelpMinutes is the most one help visit may claim: the day's 8 hours.
const MaxHelpMinutes = 8 * 60

// HelpMinutes turns hours as a volunteer reports them ("1.5", "2",
// "0.75") into minutes, rounded down to the quarter hour; EINVALID for
// nothing, more than 8 hours, or anything not a number.
func HelpMinutes(hours string) (int, error) {
	hours = strings.TrimSpace(hours)
	whole, frac, _ := strings.Cut(hours, ".")
	if whole == "" {
		whole = "0"
	}
	h, err := strconv.Atoi(whole)
	if err != nil || h < 0 || len(frac) > 2 || h > 24 {
		return 0, Errorf(EINVALID, "请用小时写时长,例如1.5。")
	}
	m := h * 60
	if frac != "" {
		f, err := strconv.Atoi(frac)
		if err != nil || f < 0 {
			return 0, Errorf(EINVALID, "请用小时写时长,例如1.5。")
		}
		if len(frac) == 1 {
			f *= 10
		}
		m += f * 60 / 100
	}
	m -= m % 15
	if m <= 0 {
		return 0, Errorf(EINVALID, "服务时长至少一刻钟(0.25小时)。")
	}
	if m > MaxHelpMinutes {
		return 0, Errorf(EINVALID, "一次服务最多记8小时。")
	}
	return m, nil
}

// CheckHelpDone decides whether volunteer may report request r done:
// only the volunteer who accepted it, once, while accepted.
func CheckHelpDone(r HelpRequest, volunteer int64) error {
	if r.VolunteerID != volunteer {
		return Errorf(EFORBIDDEN, "这个求助不是您接的。")
	}
	if r.Status != HelpAccepted {
		return Errorf(ECONFLICT, "这个求助现在是“%s”,不能再报完成。", r.Status.Label())
	}
	return nil
}

// HelpConfirmer is who confirms a help request's hours: a staff member
// (Staff, their login; Phone, their own mobile if known) or the phone that
// replied 1 (Staff empty).
type HelpConfirmer struct {
	Staff string
	Phone string
}

// CheckHelpConfirm decides whether c may confirm the hours of request r,
// whose resident has recipientPhone and whose volunteer has
// volunteerPhone. Nobody confirms their own hours: the volunteer's phone
// never confirms, whether it replies or belongs to the staff member; a
// reply confirms only from the resident's own phone.
func CheckHelpConfirm(r HelpRequest, recipientPhone, volunteerPhone string, c HelpConfirmer) error {
	if r.Status != HelpDone {
		return Errorf(ECONFLICT, "这个求助现在是“%s”,没有待确认的时长。", r.Status.Label())
	}
	if c.Phone != "" && c.Phone == volunteerPhone {
		return Errorf(EFORBIDDEN, "志愿者不能确认自己的服务时长。")
	}
	if c.Staff != "" {
		return nil
	}
	if c.Phone == "" || c.Phone != recipientPhone {
		return Errorf(EFORBIDDEN, "只有接受服务的居民本人或工作人员可以确认时长。")
	}
	return nil
}
