package chorus

import (
	"strings"
	"time"
)

// Programme is holiday childcare (托管): a date range, an age range and a
// capacity in children.
type Programme struct {
	ID          int64       `json:"id"`
	Community   int64       `json:"community"` // set by the store from the caller's scope
	Title       string      `json:"title"`
	Description string      `json:"description"`
	PlaceID     int64       `json:"place_id"`
	Place       string      `json:"place,omitempty"` // filled on read
	PartnerID   int64       `json:"partner_id,omitempty"`
	Partner     string      `json:"partner,omitempty"`
	StartDate   string      `json:"start_date"` // 2027-01-18
	EndDate     string      `json:"end_date"`
	MinAge      int         `json:"min_age"`
	MaxAge      int         `json:"max_age"`
	Capacity    int         `json:"capacity"` // children
	Taken       int         `json:"taken"`    // children enrolled
	Waiting     int         `json:"waiting"`  // enrolments in line, filled on read
	Status      EventStatus `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
}

// PlacesLeft returns the free places in children.
func (p Programme) PlacesLeft() int {
	if n := p.Capacity - p.Taken; n > 0 {
		return n
	}
	return 0
}

// Validate checks a programme.
func (p *Programme) Validate() error {
	if err := checkSMSText("项目名称", p.Title, 40); err != nil {
		return err
	}
	p.Description = paragraphs(p.Description)
	if err := checkParagraphs("项目介绍", p.Description, 500); err != nil {
		return err
	}
	if p.PlaceID <= 0 {
		return Errorf(EINVALID, "请选择地点。")
	}
	start, err1 := time.Parse(time.DateOnly, p.StartDate)
	end, err2 := time.Parse(time.DateOnly, p.EndDate)
	if err1 != nil || err2 != nil {
		return Errorf(EINVALID, "日期格式应为 2027-01-18。")
	}
	if end.Before(start) {
		return Errorf(EINVALID, "结束日期不能早于开始日期。")
	}
	if p.MinAge < 0 || p.MaxAge > 18 || p.MinAge > p.MaxAge {
		return Errorf(EINVALID, "年龄范围应在0到18岁之间。")
	}
	if p.Capacity < 1 || p.Capacity > MaxSlotCapacity {
		return Errorf(EINVALID, "名额应在1到%d之间。", MaxSlotCapacity)
	}
	if err := p.Status.validate(); err != nil {
		return err
	}
	return nil
}

// Child is a child enrolled in a programme. The name may be left empty at
// the kiosk and completed at the desk.
type Child struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

// Enrolment is a guardian's enrolment of one or more children. It takes as
// many places as it has children, and moves through the booking statuses
// (confirmed, waitlisted, offered, cancelled, expired).
type Enrolment struct {
	ID          int64     `json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	Community   int64     `json:"community"` // the programme's, filled on read
	Phone       string    `json:"phone"`     // the guardian's
	Name        string    `json:"name"`      // the guardian's, optional
	Children    []Child   `json:"children"`
	Status      Status    `json:"status"`
	Position    int       `json:"position,omitempty"` // place in line, filled on read
	Deadline    time.Time `json:"deadline,omitzero"`  // when an offer expires
	Existing    bool      `json:"existing,omitempty"`
	// Replayed and SMS are as in Booking: a retried request, and where
	// the message this request sent is.
	Replayed  bool          `json:"replayed,omitempty"`
	SMS       MessageStatus `json:"sms,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	Programme string        `json:"programme,omitempty"` // filled on read
	// Class is set, on read, for an enrolment in a term class (课程): its
	// programme holds the class's places, and Children holds the
	// resident themself.
	Class bool `json:"class,omitempty"`
	// Code is a class enrolment's 6-digit check-in code, typed at each
	// session's door; shown as a booking's code is (Viewer.Enrolment).
	Code string `json:"code,omitempty"`
	// CheckinToken is a class enrolment's signed check-in token (see
	// NewCheckinToken), carried by its QR code as /c/<token> as a
	// booking's is; shown as the code is.
	CheckinToken string `json:"checkin_token,omitempty"`
}

// EnrolmentRequest asks for places in a programme.
type EnrolmentRequest struct {
	ProgrammeID    int64   `json:"programme_id"`
	Phone          string  `json:"phone"`
	Name           string  `json:"name"`
	Children       []Child `json:"children"`
	IdempotencyKey string  `json:"idempotency_key"`
	Actor          Actor   `json:"-"`
}

// MaxChildren bounds the children of one enrolment.
const MaxChildren = 6

// Validate normalises the phone and checks the children against the
// programme's age range.
func (r *EnrolmentRequest) Validate(p *Programme) error {
	ph, err := NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	r.Phone = ph
	r.Name = strings.TrimSpace(r.Name)
	if err := checkOptionalSMSText("姓名", r.Name, 20); err != nil {
		return err
	}
	if err := checkText("请求编号", r.IdempotencyKey, MaxIdempotencyKey); err != nil {
		return err
	}
	if len(r.Children) == 0 {
		return Errorf(EINVALID, "请至少添加一个孩子。")
	}
	if len(r.Children) > MaxChildren {
		return Errorf(EINVALID, "一次最多报名%d个孩子。", MaxChildren)
	}
	for i := range r.Children {
		c := &r.Children[i]
		c.Name = strings.TrimSpace(c.Name)
		if err := checkOptionalSMSText("孩子姓名", c.Name, 20); err != nil {
			return err
		}
		if p != nil && (c.Age < p.MinAge || c.Age > p.MaxAge) {
			return Errorf(EINVALID, "这个项目只收%d到%d岁的孩子。", p.MinAge, p.MaxAge)
		}
	}
	return nil
}
