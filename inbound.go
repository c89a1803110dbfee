package chorus

import "time"

// Intent is what a resident or partner means by an SMS reply.
type Intent string

// Reply intents.
const (
	IntentConfirm  Intent = "confirm"   // 1, 确认, 好 …
	IntentCancel   Intent = "cancel"    // 2, 取消, 不去了 …
	IntentOptOut   Intent = "opt_out"   // R, TD, 退订 …
	IntentAccept   Intent = "accept"    // 接1024: a partner takes an order
	IntentDone     Intent = "done"      // 完成1024
	IntentGiveBack Intent = "give_back" // 退1024
	IntentUnknown  Intent = "unknown"   // anything else: to the staff inbox
	// IntentVenueAgree, IntentVenueRefuse and IntentVenueWithdraw are a
	// venue's approver answering a request to use it: 同意1024,
	// 不同意1024(reason), and later 取消1024. Order holds the number (0 for
	// a bare 同意 or 不同意).
	IntentVenueAgree    Intent = "venue_agree"
	IntentVenueRefuse   Intent = "venue_refuse"
	IntentVenueWithdraw Intent = "venue_withdraw"
)

// Inbound is one SMS received from a phone (an SmsUp push item).
type Inbound struct {
	ID         int64     `json:"id"`
	Phone      string    `json:"phone"`
	Content    string    `json:"content"`
	SequenceID string    `json:"sequence_id"` // the provider's id; repeats are ignored
	DestCode   string    `json:"dest_code,omitempty"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	ReceivedAt time.Time `json:"received_at"`
	Intent     Intent    `json:"intent"`
	Order      int64     `json:"order,omitempty"` // the order number in 接/完成/退
	// Minutes is the time a volunteer reported with 完成N (完成1024 1.5:
	// 90); 0 when none.
	Minutes int `json:"minutes,omitempty"`
	// Outcome says what Chorus did: "confirmed booking 12", "unhandled" …
	Outcome string `json:"outcome"`
	// Handled is false for replies left to staff (the inbox).
	Handled bool `json:"handled"`
	// Community is the community the reply is routed to: the one of the
	// message it answers. Coming in, a push that names it (its own push
	// secret) sets it; 0 leaves it to the store.
	Community int64 `json:"community,omitempty"`
	// SignName is the signature the reply was sent to, when the push says
	// (older pushes): with a shared push secret it names the community.
	SignName string `json:"sign_name,omitempty"`
}

// Receipt is one delivery report (an SmsReport push item).
type Receipt struct {
	Phone      string    `json:"phone"`
	OutID      int64     `json:"out_id"` // our message id; 0 when missing
	BizID      string    `json:"biz_id"`
	Success    bool      `json:"success"`
	ErrCode    string    `json:"err_code"`
	ErrMsg     string    `json:"err_msg"`
	ReportedAt time.Time `json:"reported_at,omitzero"`
}
