package chorus

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Community is a 社区 a Chorus deployment serves (see Scope): one, or the
// several of a district (街道).
type Community struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`      // 光华街社区
	SignName string `json:"sign_name"` // the SMS signature, 【光华街社区】
	// TimeZone is the IANA zone of its dates and texts; "" is the
	// deployment's (CHORUS_TIMEZONE).
	TimeZone string `json:"time_zone,omitempty"`
	// StaffPhone is the on-duty mobile alerted when nobody accepts an
	// order; "" is the deployment's (CHORUS_STAFF_PHONE).
	StaffPhone string `json:"staff_phone,omitempty"`
	// PushSecret is the secret path segment of its own Alibaba push URLs;
	// "" shares the deployment's (pushes then route by signature).
	PushSecret string `json:"-"`
	// Templates are its own SMS template codes by message kind; a kind
	// missing is the deployment's.
	Templates map[string]string `json:"templates,omitempty"`
}

// Place is somewhere events happen: the community's activity room, a
// partner's small auditorium.
type Place struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Estate is a 小区 of the community. Half of them have no property
// management, which is why partners repair things there.
type Estate struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	PropertyManagement bool   `json:"property_management"`
	// Buildings is how many buildings (楼) the estate has, numbered 1 to
	// Buildings; 1 is a single building without a number (a 院 of one
	// block); 0 until staff enter it (a kiosk then offers 1–40).
	Buildings int `json:"buildings"`
	// Units is how many entrances (单元) its buildings have at most; 1 is
	// none to choose; 0 until staff enter it (a kiosk offers 1–12).
	Units int `json:"units"`
}

// Bounds of an estate's layout.
const (
	MaxBuildings = 99
	MaxUnits     = 20
)

// CheckAddress returns an EINVALID error with a plain message when a's
// building or unit does not exist in the estate; an estate whose layout
// is not entered takes any.
func (e *Estate) CheckAddress(a Address) error {
	in := func(v string, n int) bool {
		if v == "" || n <= 1 {
			return true
		}
		i, err := strconv.Atoi(v)
		return err == nil && i >= 1 && i <= n
	}
	if !in(a.Building, e.Buildings) {
		return Errorf(EINVALID, "%s只有1到%d号楼,请重新选择楼号。", e.Name, e.Buildings)
	}
	if !in(a.Unit, e.Units) {
		return Errorf(EINVALID, "%s的楼只有1到%d单元,请重新选择单元。", e.Name, e.Units)
	}
	return nil
}

// PartnerKind is what sort of unit a partner (共建单位) is.
type PartnerKind string

// Partner kinds.
const (
	PartnerHospital     PartnerKind = "hospital"
	PartnerBarbershop   PartnerKind = "barbershop"
	PartnerPharmacy     PartnerKind = "pharmacy"
	PartnerBuilder      PartnerKind = "builder"
	PartnerKindergarten PartnerKind = "kindergarten"
	PartnerSocialOrg    PartnerKind = "social_org"
)

var partnerKinds = map[PartnerKind]bool{
	PartnerHospital: true, PartnerBarbershop: true, PartnerPharmacy: true,
	PartnerBuilder: true, PartnerKindergarten: true, PartnerSocialOrg: true,
}

// ServiceKind is a kind of service a partner provides or an order asks for.
type ServiceKind string

// Service kinds.
const (
	ServiceClinic    ServiceKind = "clinic"    // 义诊
	ServiceHaircut   ServiceKind = "haircut"   // 上门理发
	ServiceRepair    ServiceKind = "repair"    // 上门维修
	ServiceMedicine  ServiceKind = "medicine"  // 送药上门
	ServiceChildcare ServiceKind = "childcare" // 托管
	ServiceVenue     ServiceKind = "venue"     // 场地
	ServiceLecture   ServiceKind = "lecture"   // 讲座
)

var serviceKinds = map[ServiceKind]string{
	ServiceClinic: "义诊", ServiceHaircut: "上门理发", ServiceRepair: "上门维修",
	ServiceMedicine: "送药上门", ServiceChildcare: "托管", ServiceVenue: "场地",
	ServiceLecture: "讲座",
}

// Label returns the Chinese name of the service kind.
func (k ServiceKind) Label() string { return serviceKinds[k] }

// Partner is a partner unit (共建单位) that accepts orders (接单).
type Partner struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name"`
	Kind     PartnerKind   `json:"kind"`
	Phones   []string      `json:"phones"`   // each may accept orders by SMS
	Services []ServiceKind `json:"services"` // what it takes
	Estates  []int64       `json:"estates"`  // estates it covers; empty means all
	OpensAt  string        `json:"opens_at"` // "09:00"; equal to ClosesAt means around the clock
	ClosesAt string        `json:"closes_at"`
	Priority int           `json:"priority"` // lower goes first in dispatch waves
	Active   bool          `json:"active"`
}

// Validate checks a partner and normalises its phones.
func (p *Partner) Validate() error {
	if err := checkSMSText("单位名称", p.Name, 40); err != nil {
		return err
	}
	if !partnerKinds[p.Kind] {
		return Errorf(EINVALID, "单位类型不正确。")
	}
	if len(p.Phones) == 0 || len(p.Phones) > 10 {
		return Errorf(EINVALID, "请填写1到10个联系电话。")
	}
	for i, ph := range p.Phones {
		n, err := NormalizePhone(ph)
		if err != nil {
			return err
		}
		p.Phones[i] = n
	}
	for _, s := range p.Services {
		if _, ok := serviceKinds[s]; !ok {
			return Errorf(EINVALID, "服务类型不正确。")
		}
	}
	if p.OpensAt == "" && p.ClosesAt == "" {
		p.OpensAt, p.ClosesAt = "00:00", "00:00"
	}
	if _, err := time.Parse("15:04", p.OpensAt); err != nil {
		return Errorf(EINVALID, "营业时间格式应为 09:00。")
	}
	if _, err := time.Parse("15:04", p.ClosesAt); err != nil {
		return Errorf(EINVALID, "营业时间格式应为 18:00。")
	}
	return nil
}

// Validate checks a place.
func (p *Place) Validate() error {
	// A place goes into every booking SMS whole: it must fit one parameter.
	if err := checkSMSText("场地名称", p.Name, MaxParamRunes); err != nil {
		return err
	}
	return checkText("地址", p.Address, 100)
}

// Validate checks an estate.
func (e *Estate) Validate() error {
	if e.Buildings < 0 || e.Buildings > MaxBuildings {
		return Errorf(EINVALID, "楼的数目应在0到%d之间(0是还没填)。", MaxBuildings)
	}
	if e.Units < 0 || e.Units > MaxUnits {
		return Errorf(EINVALID, "单元的数目应在0到%d之间(0是还没填)。", MaxUnits)
	}
	// An estate's name is part of the addresses sent to partners, whole.
	return checkSMSText("小区名称", e.Name, MaxParamRunes)
}

// checkName requires a non-empty, short, single-line text.
func checkName(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(EINVALID, "请填写%s。", field)
	}
	return checkText(field, s, max)
}

// checkText bounds an optional single-line text to max characters.
// checkParagraphs checks a text of several lines (an event's description):
// like checkText, with line breaks allowed.
func checkParagraphs(field, s string, max int) error {
	return checkText(field, strings.ReplaceAll(s, "\n", " "), max)
}

// paragraphs normalises the line breaks of a text typed in a textarea
// (\r\n, \r) to \n and trims it.
func paragraphs(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s))
}

func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return Errorf(EINVALID, "%s太长了,最多%d个字。", field, max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Errorf(EINVALID, "%s里有不能识别的字符。", field)
		}
		if invisible(r) {
			return Errorf(EINVALID, "%s里有看不见的控制字符(如文字方向符、零宽字符),请删掉后重新输入。", field)
		}
	}
	return nil
}

// Validate checks a community's name, SMS signature and settings, and
// normalises its staff phone. The signature goes into every SMS as
// 【SignName】: Alibaba takes 2 to 12 characters.
func (c *Community) Validate() error {
	if strings.TrimSpace(c.Name) == "" || strings.TrimSpace(c.SignName) == "" {
		return Errorf(EINVALID, "请填写社区名称和短信签名。")
	}
	if err := checkSMSText("社区名称", c.Name, 30); err != nil {
		return err
	}
	if err := checkSMSText("短信签名", c.SignName, 12); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(c.SignName); n < 2 || strings.ContainsAny(c.SignName, "【】[]") {
		return Errorf(EINVALID, "短信签名是2到12个字,不带【】,例如“光华街社区”。")
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil || strings.TrimSpace(c.TimeZone) != c.TimeZone {
			return Errorf(EINVALID, "时区“%s”不认识,请写成 Asia/Shanghai 这样的名称,或留空用系统的时区。", Shorten(c.TimeZone, 40))
		}
	}
	if c.StaffPhone != "" {
		p, err := NormalizePhone(c.StaffPhone)
		if err != nil {
			return Errorf(EINVALID, "值班手机号不对:%s", ErrorMessage(err))
		}
		c.StaffPhone = p
	}
	known := map[MessageKind]bool{}
	for _, k := range MessageKinds() {
		known[k] = true
	}
	for kind, code := range c.Templates {
		if !known[MessageKind(kind)] {
			return Errorf(EINVALID, "没有“%s”这种短信,模板编号对不上。", Shorten(kind, 40))
		}
		if len(code) > 40 || strings.TrimSpace(code) != code || code == "" {
			return Errorf(EINVALID, "短信模板编号“%s”不对,应当像 SMS_123456789 这样。", Shorten(code, 40))
		}
	}
	return nil
}
