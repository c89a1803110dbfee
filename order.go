package chorus

import (
	"strings"
	"time"
)

// OrderStatus is where a home-service order (派单) is.
type OrderStatus string

// Order statuses.
const (
	OrderRequested  OrderStatus = "requested"  // made by a resident or staff
	OrderDispatched OrderStatus = "dispatched" // sent to partners
	OrderAccepted   OrderStatus = "accepted"   // a partner took it (接单)
	OrderDone       OrderStatus = "done"       // the partner finished it
	OrderCancelled  OrderStatus = "cancelled"
)

var orderLabels = map[OrderStatus]string{
	OrderRequested: "待派单", OrderDispatched: "已派单,等待接单", OrderAccepted: "已接单", OrderDone: "已完成", OrderCancelled: "已取消",
}

// Label is the status in the words staff read.
func (s OrderStatus) Label() string { return orderLabels[s] }

var orderTransitions = map[OrderStatus][]OrderStatus{
	OrderRequested:  {OrderDispatched, OrderAccepted, OrderCancelled},
	OrderDispatched: {OrderAccepted, OrderCancelled, OrderDispatched}, // the next wave
	OrderAccepted:   {OrderDone, OrderDispatched, OrderCancelled},     // 退 gives it back
}

// CanTransition reports whether an order may move from s to to.
func (s OrderStatus) CanTransition(to OrderStatus) bool {
	for _, t := range orderTransitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// HalfDay is 上午 or 下午.
type HalfDay string

// Half days.
const (
	Morning   HalfDay = "am"
	Afternoon HalfDay = "pm"
)

// Label returns 上午 or 下午.
func (h HalfDay) Label() string {
	if h == Morning {
		return "上午"
	}
	return "下午"
}

// Order is a request for a service at a resident's home: a haircut, a
// repair, medicine delivered. A partner accepts it.
type Order struct {
	ID int64 `json:"id"` // unique across the deployment: partners reply 接N
	// Community is the community the order belongs to: its resident's
	// (the estate's).
	Community int64       `json:"community"`
	Kind      ServiceKind `json:"kind"`
	Phone     string      `json:"phone"`
	Name      string      `json:"name"`
	Address   Address     `json:"address"`
	Day       string      `json:"day"` // 2026-12-02
	HalfDay   HalfDay     `json:"half_day"`
	Notes     string      `json:"notes"`
	Urgent    bool        `json:"urgent"`
	Status    OrderStatus `json:"status"`
	PartnerID int64       `json:"partner_id,omitempty"`
	Partner   string      `json:"partner,omitempty"` // filled on read
	Existing  bool        `json:"existing,omitempty"`
	// Replayed is true when the request repeated an earlier one (the same
	// idempotency key): the order is the one that request made.
	Replayed  bool      `json:"replayed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Dispatch state.
	Wave       int       `json:"wave"`                 // how many waves of partners have been asked
	AcceptedAt time.Time `json:"accepted_at,omitzero"` // when a partner took it
	DoneAt     time.Time `json:"done_at,omitzero"`     // when the partner reported it done
	Escalated  bool      `json:"escalated"`            // nobody accepted: staff were alerted
	// AwaitingReply is set on an order made at a kiosk until the resident
	// replies 1 from the phone: only then does it go to the partners.
	AwaitingReply bool `json:"awaiting_reply,omitempty"`
	// SMS is where the SMS asking the resident for that reply is (queued,
	// sending, submitted, delivered, failed or refused), in the answer to
	// the request that made the order; empty otherwise.
	SMS MessageStatus `json:"sms,omitempty"`
}

// Window renders the order's time as residents and partners read it:
// 12月2日周三下午.
func (o *Order) Window(loc *time.Location) string {
	day, err := time.ParseInLocation(time.DateOnly, o.Day, loc)
	if err != nil {
		return o.Day
	}
	return FormatDay(day) + o.HalfDay.Label()
}

// OrderRequest is an order staff create for any need: a repair at night, a
// delivery of medicine.
type OrderRequest struct {
	Kind   ServiceKind `json:"kind"`
	Urgent bool        `json:"urgent"`
	HaircutRequest
}

// Validate checks the request; an order needs a kind partners can take at
// home.
func (r *OrderRequest) Validate(today time.Time) error {
	switch r.Kind {
	case ServiceHaircut, ServiceRepair, ServiceMedicine:
	default:
		return Errorf(EINVALID, "订单类型只能是上门理发、上门维修或送药上门。")
	}
	return r.HaircutRequest.Validate(today)
}

// PartnerStats are a partner's figures for the community's yearly thanks.
type PartnerStats struct {
	PartnerID int64  `json:"partner_id"`
	Partner   string `json:"partner"`
	Offered   int    `json:"offered"`  // orders sent to it
	Accepted  int    `json:"accepted"` // orders it took
	Done      int    `json:"done"`     // orders it finished
	// MedianAcceptSeconds is the median time from an order's first
	// dispatch to this partner's acceptance.
	MedianAcceptSeconds float64 `json:"median_accept_seconds"`
}

// Serves reports whether the partner takes orders of kind k in estate e.
func (p *Partner) Serves(k ServiceKind, estate int64) bool {
	if !p.Active {
		return false
	}
	kindOK := false
	for _, s := range p.Services {
		kindOK = kindOK || s == k
	}
	if !kindOK {
		return false
	}
	if len(p.Estates) == 0 {
		return true
	}
	for _, e := range p.Estates {
		if e == estate {
			return true
		}
	}
	return false
}

// OpenAt reports whether the partner works at t (in the community's zone):
// OpensAt ≤ t < ClosesAt, across midnight when ClosesAt < OpensAt, always
// when they are equal.
func (p *Partner) OpenAt(t time.Time) bool {
	if p.OpensAt == p.ClosesAt {
		return true
	}
	now := t.Format("15:04")
	if p.OpensAt < p.ClosesAt {
		return now >= p.OpensAt && now < p.ClosesAt
	}
	return now >= p.OpensAt || now < p.ClosesAt
}

// OrderEvent is one entry of an order's timeline.
type OrderEvent struct {
	At     time.Time   `json:"at"`
	Status OrderStatus `json:"status"`
	Actor  Actor       `json:"actor"`
	Note   string      `json:"note,omitempty"`
}

// HaircutRequest asks for a barber at home.
type HaircutRequest struct {
	Phone          string  `json:"phone"`
	Name           string  `json:"name"`
	Address        Address `json:"address"` // empty: use the one on file
	Day            string  `json:"day"`
	HalfDay        HalfDay `json:"half_day"`
	Notes          string  `json:"notes"`
	IdempotencyKey string  `json:"idempotency_key"`
	Actor          Actor   `json:"-"`
	// KioskID is the kiosk the request was made at (0: staff): such an
	// order waits for the reply 1 from the phone before it is dispatched,
	// since someone else's number can be typed at a kiosk.
	KioskID int64 `json:"-"`
}

// MaxDaysAhead bounds how far ahead a home visit may be asked for.
const MaxDaysAhead = 30

// Validate checks the request against today's date (in the community's
// time zone).
func (r *HaircutRequest) Validate(today time.Time) error {
	p, err := NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	r.Phone = p
	r.Name = strings.TrimSpace(r.Name)
	if err := checkOptionalSMSText("姓名", r.Name, 20); err != nil {
		return err
	}
	if err := r.Address.Validate(); err != nil {
		return err
	}
	if err := checkText("备注", r.Notes, 100); err != nil {
		return err
	}
	if err := checkText("请求编号", r.IdempotencyKey, MaxIdempotencyKey); err != nil {
		return err
	}
	return checkHalfDay(r.Day, r.HalfDay, today)
}

// checkHalfDay checks a day and half day asked for from today: not past,
// at most MaxDaysAhead ahead (home visits, help requests).
func checkHalfDay(d string, half HalfDay, today time.Time) error {
	if half != Morning && half != Afternoon {
		return Errorf(EINVALID, "请选择上午或下午。")
	}
	day, err := time.ParseInLocation(time.DateOnly, d, today.Location())
	if err != nil {
		return Errorf(EINVALID, "请选择日期。")
	}
	d0 := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	if day.Before(d0) {
		return Errorf(EINVALID, "不能选择已经过去的日期。")
	}
	if day.After(d0.AddDate(0, 0, MaxDaysAhead)) {
		return Errorf(EINVALID, "最多只能预约%d天以内。", MaxDaysAhead)
	}
	return nil
}

// CheckDayChange returns an ECONFLICT error with a plain message when a
// resident may not move an order in status s to another day: only while
// no partner has accepted it (a barber who said yes agreed to a day).
func (s OrderStatus) CheckDayChange() error {
	switch s {
	case OrderRequested, OrderDispatched:
		return nil
	case OrderAccepted:
		return Errorf(ECONFLICT, "理发师已经接单了,改时间请找社区工作人员。")
	}
	return Errorf(ECONFLICT, "这个订单已经结束了,请重新预约。")
}
