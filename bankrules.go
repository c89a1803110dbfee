package chorus

import (
	"slices"
	"strings"
	"time"
)

// BankRules are a community's time-bank rules (docs/volunteers.md): what
// help may be asked for and banked, how much a volunteer may earn in a
// year, who may spend hours. Each community keeps its own; a community
// that set none has DefaultBankRules.
type BankRules struct {
	// Services are the kinds of help residents may ask for and volunteers
	// bank hours for: low-risk and non-professional only.
	Services []string `json:"services"`
	// YearlyCapMinutes is how much a volunteer may earn in a calendar
	// year; 0 is no cap.
	YearlyCapMinutes int `json:"yearly_cap_minutes"`
	// OverCap is what happens to hours past the cap: OverCapDonate (they go
	// to the pool, as 南京 does) or OverCapRefuse (they are not banked).
	OverCap OverCap `json:"over_cap"`
	// ExpiryMonths is how long earned hours last; 0 is for ever.
	ExpiryMonths int `json:"expiry_months"`
	// RedeemAge is the age from which a resident may spend hours on help
	// for themselves (60, as 北京 and 南京); relatives of any age receive
	// hours only as gifts, and spend them once they are of age.
	RedeemAge int `json:"redeem_age"`
}

// OverCap is what happens to earned hours past the yearly cap.
type OverCap string

// What happens past the cap.
const (
	OverCapDonate OverCap = "donate"
	OverCapRefuse OverCap = "refuse"
)

// DefaultServices are the help a community offers unless it says
// otherwise: company, errands, going to the doctor with someone.
var DefaultServices = []string{"陪伴聊天", "代买代办", "陪同就医"}

// DefaultBankRules are the rules of a community that set none: the three
// default services, no cap, no expiry, spending from 60.
func DefaultBankRules() BankRules {
	return BankRules{Services: slices.Clone(DefaultServices), OverCap: OverCapDonate, RedeemAge: 60}
}

// professionalWords mark services that need a professional (nursing,
// medicine, repairs with tools): a time bank trades only low-risk help.
var professionalWords = []string{"护理", "注射", "打针", "医疗", "治疗", "手术", "用药", "输液", "电工", "维修", "按摩"}

// Validate normalises and checks the rules.
func (r *BankRules) Validate() error {
	var svc []string
	for _, s := range r.Services {
		s = strings.TrimSpace(s)
		if s == "" || slices.Contains(svc, s) {
			continue
		}
		if err := checkText("服务项目", s, 10); err != nil {
			return err
		}
		for _, w := range professionalWords {
			if strings.Contains(s, w) {
				return Errorf(EINVALID, "“%s”需要专业资质,时间银行只做低风险、非专业的互助服务。", s)
			}
		}
		svc = append(svc, s)
	}
	if len(svc) == 0 {
		return Errorf(EINVALID, "至少要有一项互助服务。")
	}
	if len(svc) > 12 {
		return Errorf(EINVALID, "互助服务最多12项。")
	}
	r.Services = svc
	if r.YearlyCapMinutes < 0 || r.YearlyCapMinutes > MaxTransferMinutes {
		return Errorf(EINVALID, "年度上限必须在0到1500小时之间(0表示不设上限)。")
	}
	if r.OverCap == "" {
		r.OverCap = OverCapDonate
	}
	if r.OverCap != OverCapDonate && r.OverCap != OverCapRefuse {
		return Errorf(EINVALID, "超出年度上限的时长只能捐入时间池或不予记录。")
	}
	if r.ExpiryMonths < 0 || r.ExpiryMonths > 600 {
		return Errorf(EINVALID, "有效期必须在0到600个月之间(0表示长期有效)。")
	}
	if r.RedeemAge < 0 || r.RedeemAge > 100 {
		return Errorf(EINVALID, "兑换年龄必须在0到100岁之间。")
	}
	return nil
}

// Allows reports whether service is one of the rules' services.
func (r BankRules) Allows(service string) bool { return slices.Contains(r.Services, service) }

// EarnPlan is what a confirmed claim puts in the bank.
type EarnPlan struct {
	// Credit is what the volunteer's account receives from the pool.
	Credit int
	// Donated is what went past the cap and is given back to the pool in
	// the same transaction (OverCapDonate): it shows on the volunteer's
	// statement.
	Donated int
	// Refused is what went past the cap and is not banked
	// (OverCapRefuse).
	Refused int
}

// PlanEarn decides what a claim of minutes confirmed for a volunteer who
// has already earned earnedThisYear this calendar year puts in the bank.
// Past the cap, the excess is donated to the pool or refused, as the rules
// say; the hours of service stay on the volunteer's record either way.
func PlanEarn(r BankRules, minutes, earnedThisYear int) (EarnPlan, error) {
	if minutes <= 0 {
		return EarnPlan{}, Errorf(EINVALID, "服务时长必须大于0。")
	}
	if r.YearlyCapMinutes == 0 {
		return EarnPlan{Credit: minutes}, nil
	}
	room := max(r.YearlyCapMinutes-earnedThisYear, 0)
	if minutes <= room {
		return EarnPlan{Credit: minutes}, nil
	}
	excess := minutes - room
	if r.OverCap == OverCapRefuse {
		return EarnPlan{Credit: room, Refused: excess}, nil
	}
	return EarnPlan{Credit: minutes, Donated: excess}, nil
}

// Household is where a person lives, as far as the time bank knows: a
// resident's id and address. Two people are one household when they are
// the same resident or share an address down to the room.
type Household struct {
	ResidentID int64
	Address    Address
}

// SameHousehold reports whether a and b are one household.
func SameHousehold(a, b Household) bool {
	if a.ResidentID != 0 && a.ResidentID == b.ResidentID {
		return true
	}
	return a.Address.EstateID != 0 && a.Address.Room != "" &&
		a.Address.EstateID == b.Address.EstateID && a.Address.Building == b.Address.Building &&
		a.Address.Unit == b.Address.Unit && a.Address.Room == b.Address.Room
}

// CheckServe refuses a volunteer serving their own household for credit:
// helping your own family is not banked.
func CheckServe(helper, recipient Household) error {
	if SameHousehold(helper, recipient) {
		return Errorf(EFORBIDDEN, "为自己家里人服务不计入时间银行。")
	}
	return nil
}

// CheckRedeemer refuses a resident who may not yet spend hours on help:
// under the rules' age, or of an age staff have not entered (birthYear 0)
// — staff may then approve the request for the pool to pay.
func CheckRedeemer(r BankRules, birthYear, year int) error {
	if r.RedeemAge == 0 {
		return nil
	}
	if birthYear == 0 {
		return Errorf(EFORBIDDEN, "还没有登记出生年份,请工作人员核实后再用时间兑换服务。")
	}
	if year-birthYear < r.RedeemAge {
		return Errorf(EFORBIDDEN, "年满%d岁才能用时间兑换服务;家人可以把时间赠与您,到时再用。", r.RedeemAge)
	}
	return nil
}

// ExpiryCutoff is the time before which hours credited have expired under
// r at now; zero when hours never expire.
func ExpiryCutoff(r BankRules, now time.Time) time.Time {
	if r.ExpiryMonths <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, -r.ExpiryMonths, 0)
}

// ExpiredMinutes is what an account must give back to the pool when its
// hours expire, spending the oldest first: of everything credited before
// the cutoff (creditedBefore), what all its debits so far (debited,
// earlier expiries included) have not used up.
func ExpiredMinutes(creditedBefore, debited int) int {
	return max(creditedBefore-debited, 0)
}
