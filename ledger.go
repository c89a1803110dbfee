package chorus

import (
	"strconv"
	"strings"
	"time"
)

// The time bank (时间银行) keeps hours in a double-entry ledger: a transfer
// moves minutes between accounts in entries that sum to zero, and neither a
// transfer nor an entry ever changes. A balance is the sum of an account's
// entries, never a stored number; a correction is a new transfer of kind
// TransferReverse that undoes one, with a reason and the staff member who
// made it.

// AccountKind is whose a time-bank account is.
type AccountKind string

// Account kinds.
const (
	// AccountPerson is a volunteer's or a resident's own account.
	AccountPerson AccountKind = "person"
	// AccountPool is the community's pool: it pays for confirmed volunteer
	// hours and receives donations; its balance is the negative of all
	// hours it has issued, so it may go below zero.
	AccountPool AccountKind = "pool"
	// AccountUnit is a partner unit's account (groups may only donate).
	AccountUnit AccountKind = "unit"
)

// TransferKind is why minutes moved.
type TransferKind string

// Transfer kinds, as the ledger's table allows them.
const (
	TransferEarn    TransferKind = "earn"    // pool → volunteer, for a confirmed claim
	TransferRedeem  TransferKind = "redeem"  // recipient (or pool) → helper, for help received
	TransferGift    TransferKind = "gift"    // person → a registered relative
	TransferDonate  TransferKind = "donate"  // person → pool
	TransferReverse TransferKind = "reverse" // undoes one transfer, by staff
	TransferGrant   TransferKind = "grant"   // pool → person, by staff (an approved allowance)
)

// Valid reports whether k is a known transfer kind.
func (k TransferKind) Valid() bool {
	switch k {
	case TransferEarn, TransferRedeem, TransferGift, TransferDonate, TransferReverse, TransferGrant:
		return true
	}
	return false
}

// Label is the kind in Chinese, for statements.
func (k TransferKind) Label() string {
	return map[TransferKind]string{
		TransferEarn: "服务获得", TransferRedeem: "接受服务", TransferGift: "赠与亲属",
		TransferDonate: "捐入时间池", TransferReverse: "冲正", TransferGrant: "时间池拨付",
	}[k]
}

// Entry is one movement of a transfer: minutes added to (positive) or
// taken from (negative) one account.
type Entry struct {
	AccountID int64 `json:"account_id"`
	Minutes   int   `json:"minutes"`
}

// Transfer is one movement of hours between accounts.
type Transfer struct {
	ID        int64        `json:"id"`
	Community int64        `json:"community"`
	Kind      TransferKind `json:"kind"`
	// ClaimID is the hours claim an earn (or the redeem paying for help)
	// is for; 0 when none.
	ClaimID int64 `json:"claim_id,omitempty"`
	// ReversesID is the transfer a reverse undoes.
	ReversesID int64  `json:"reverses_id,omitempty"`
	Reason     string `json:"reason"`
	// Operator is who made it: "staff:<login>", "system" or
	// "resident:sms".
	Operator string    `json:"operator"`
	Created  time.Time `json:"created"`
	Entries  []Entry   `json:"entries"`
}

// Account is a time-bank account with its balance, the sum of its entries.
type Account struct {
	ID          int64       `json:"id"`
	Community   int64       `json:"community"`
	Kind        AccountKind `json:"kind"`
	VolunteerID int64       `json:"volunteer_id,omitempty"`
	ResidentID  int64       `json:"resident_id,omitempty"`
	PartnerID   int64       `json:"partner_id,omitempty"`
	// Name is its holder's name, for staff (the pool's is 时间池).
	Name    string `json:"name"`
	Balance int    `json:"balance_minutes"`
}

// StatementLine is one transfer as one account sees it.
type StatementLine struct {
	TransferID int64        `json:"transfer_id"`
	Kind       TransferKind `json:"kind"`
	Minutes    int          `json:"minutes"` // this account's entry
	Balance    int          `json:"balance"` // this account's balance after it
	Reason     string       `json:"reason"`
	Operator   string       `json:"operator"`
	ReversesID int64        `json:"reverses_id,omitempty"`
	Reversed   bool         `json:"reversed"` // a later reverse undid it
	Created    time.Time    `json:"created"`
}

// Operators that are not staff.
const (
	OperatorSystem      = "system"
	OperatorResidentSMS = "resident:sms"
	// OperatorExpiry returns hours past the community's expiry to the
	// pool (a donation).
	OperatorExpiry = "system:expiry"
)

// StaffOperator is the operator of a change made by the staff member login.
func StaffOperator(login string) string { return "staff:" + login }

// IsStaffOperator reports whether op names a staff member.
func IsStaffOperator(op string) bool {
	return strings.HasPrefix(op, "staff:") && len(op) > len("staff:")
}

// MaxTransferMinutes bounds one entry: 1,500 hours, the largest yearly cap
// any city sets (南京), so a typo of extra zeros is refused.
const MaxTransferMinutes = 1500 * 60

// Check verifies a transfer before it is posted: a known kind and an
// operator; at least two entries, none zero or too large, no account
// twice, and the entries summing to zero; an earn names its claim; a
// reverse names what it undoes, gives a reason and is made by staff; a
// gift, a grant or a donation is made by staff (on the resident's
// verified request), except the system's donation of a claim's hours past
// the yearly cap and of hours past their expiry.
func (t *Transfer) Check() error {
	if !t.Kind.Valid() {
		return Errorf(EINVALID, "不认识这种时间银行记账。")
	}
	if t.Operator == "" {
		return Errorf(EINVALID, "记账必须写明经办人。")
	}
	if len(t.Entries) < 2 {
		return Errorf(EINVALID, "一笔记账至少涉及两个账户。")
	}
	sum := 0
	seen := map[int64]bool{}
	for _, e := range t.Entries {
		if e.AccountID <= 0 {
			return Errorf(EINVALID, "记账的账户不对。")
		}
		if seen[e.AccountID] {
			return Errorf(EINVALID, "同一个账户不能在一笔记账里出现两次。")
		}
		seen[e.AccountID] = true
		if e.Minutes == 0 || e.Minutes > MaxTransferMinutes || e.Minutes < -MaxTransferMinutes {
			return Errorf(EINVALID, "每笔时长必须在0到1500小时之间。")
		}
		sum += e.Minutes
	}
	if sum != 0 {
		return Errorf(EINVALID, "记账不平:转出和转入的时长必须相等。")
	}
	switch t.Kind {
	case TransferEarn:
		if t.ClaimID <= 0 {
			return Errorf(EINVALID, "服务获得的时长必须来自一条已确认的服务记录。")
		}
	case TransferReverse:
		if t.ReversesID <= 0 {
			return Errorf(EINVALID, "冲正必须指明要冲销的记账。")
		}
		if strings.TrimSpace(t.Reason) == "" {
			return Errorf(EINVALID, "冲正必须写明原因。")
		}
		if !IsStaffOperator(t.Operator) {
			return Errorf(EFORBIDDEN, "只有工作人员可以冲正。")
		}
	case TransferDonate:
		// Hours past a yearly cap go to the pool with the claim that
		// earned them; anything else is given through staff.
		if !IsStaffOperator(t.Operator) && !(t.Operator == OperatorSystem && t.ClaimID > 0) && t.Operator != OperatorExpiry {
			return Errorf(EFORBIDDEN, "赠与、捐赠和拨付由工作人员经办。")
		}
	case TransferGift, TransferGrant:
		if !IsStaffOperator(t.Operator) {
			return Errorf(EFORBIDDEN, "赠与、捐赠和拨付由工作人员经办。")
		}
	}
	return nil
}

// Reversal returns the transfer that undoes orig: the same entries negated,
// with reason and operator. A reverse is not itself reversed (post the
// original again instead), and a transfer is reversed at most once
// (reversed: it already has been).
func Reversal(orig Transfer, reversed bool, operator, reason string) (Transfer, error) {
	if orig.Kind == TransferReverse {
		return Transfer{}, Errorf(ECONFLICT, "冲正记录不能再冲正,如有需要请重新记账。")
	}
	if reversed {
		return Transfer{}, Errorf(ECONFLICT, "这笔记账已经冲正过了。")
	}
	t := Transfer{
		Community: orig.Community, Kind: TransferReverse, ReversesID: orig.ID,
		Reason: strings.TrimSpace(reason), Operator: operator,
	}
	for _, e := range orig.Entries {
		t.Entries = append(t.Entries, Entry{AccountID: e.AccountID, Minutes: -e.Minutes})
	}
	return t, t.Check()
}

// CheckOverdraft refuses a transfer that would leave a person's or a
// unit's account below zero, unless staff approved it (approved). The
// pool issues hours and may be below zero.
func CheckOverdraft(kind AccountKind, after int, approved bool) error {
	if kind == AccountPool || after >= 0 || approved {
		return nil
	}
	return Errorf(ECONFLICT, "时间余额不足(还差%s),需要工作人员批准才能透支。", FormatMinutes(-after))
}

// FormatMinutes renders minutes as hours the way people say them: 1.5小时,
// 2小时, 0.25小时.
func FormatMinutes(m int) string {
	neg := m < 0
	if neg {
		m = -m
	}
	h, rest := m/60, m%60
	s := strconv.Itoa(h)
	switch rest {
	case 0:
	case 15:
		s += ".25"
	case 30:
		s += ".5"
	case 45:
		s += ".75"
	default:
		if h == 0 {
			return sign(neg) + strconv.Itoa(rest) + "分钟"
		}
		return sign(neg) + strconv.Itoa(h) + "小时" + strconv.Itoa(rest) + "分钟"
	}
	return sign(neg) + s + "小时"
}

func sign(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

// BankGift is hours a person gives, on their own request through staff:
// to a registered relative (ToResident), or to the community's pool when
// ToResident is 0 (a donation for elders in hardship). Anything that takes
// hours away needs proof from the giver's phone: VerifiedPhone is the
// phone whose SMS code staff saw typed, and must be the giver's.
type BankGift struct {
	FromAccount   int64  `json:"from_account"`
	ToResident    int64  `json:"to_resident,omitempty"`
	Minutes       int    `json:"minutes"`
	Reason        string `json:"reason"`
	VerifiedPhone string `json:"-"`
}

// IsRelative reports whether two people are registered relatives: either
// phone is among the other's family contacts (family_contacts).
func IsRelative(aPhone string, aFamily []FamilyContact, bPhone string, bFamily []FamilyContact) bool {
	if aPhone == "" || bPhone == "" || aPhone == bPhone {
		return false
	}
	for _, f := range aFamily {
		if f.Phone == bPhone {
			return true
		}
	}
	for _, f := range bFamily {
		if f.Phone == aPhone {
			return true
		}
	}
	return false
}

// CheckGift decides whether a gift may go ahead: a positive amount, the
// giver's own phone as proof, and for a gift to a person a registered
// relative (relative) who is not the giver.
func CheckGift(g BankGift, giverPhone string, relative bool) error {
	if g.Minutes <= 0 || g.Minutes > MaxTransferMinutes {
		return Errorf(EINVALID, "赠与的时长必须大于0。")
	}
	if g.VerifiedPhone == "" || g.VerifiedPhone != giverPhone {
		return Errorf(EFORBIDDEN, "转出时间需要本人手机验证码确认。")
	}
	if g.ToResident != 0 && !relative {
		return Errorf(EFORBIDDEN, "时间只能赠与登记过的亲属;也可以捐入时间池。")
	}
	return nil
}
