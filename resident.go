package chorus

import (
	"time"
	"unicode/utf8"
)

// Address is where a resident lives, in the parts a kiosk picks from:
// 小区 → 楼号 → 单元 → 室.
type Address struct {
	EstateID int64  `json:"estate_id,omitempty"`
	Estate   string `json:"estate,omitempty"` // filled on read
	Building string `json:"building,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Room     string `json:"room,omitempty"`
}

// IsZero reports whether no part of the address is set.
func (a Address) IsZero() bool {
	return a.EstateID == 0 && a.Building == "" && a.Unit == "" && a.Room == ""
}

// String renders the address as people write it: 光华街16号院3单元502.
func (a Address) String() string {
	return a.Estate + a.RoomPart()
}

// Validate checks the parts of an address; a zero address is valid.
func (a *Address) Validate() error {
	if a.IsZero() {
		return nil
	}
	if a.EstateID <= 0 {
		return Errorf(EINVALID, "请选择小区。")
	}
	for _, p := range []struct{ field, v string }{{"楼号", a.Building}, {"单元", a.Unit}, {"室", a.Room}} {
		if err := checkOptionalSMSText(p.field, p.v, 10); err != nil {
			return err
		}
	}
	// The building, unit and room go to a partner whole, in one SMS
	// parameter: a room number must never be cut.
	if n := utf8.RuneCountInString(a.RoomPart()); n > MaxParamRunes {
		return Errorf(EINVALID, "楼号、单元和室号合起来太长了(%d个字,最多%d个)。", n, MaxParamRunes)
	}
	return nil
}

// RoomPart is the address without its estate: 3号楼2单元502. With the
// estate's name it makes two SMS parameters, neither ever cut.
func (a Address) RoomPart() string {
	s := ""
	if a.Building != "" {
		s += a.Building + "号楼"
	}
	if a.Unit != "" {
		s += a.Unit + "单元"
	}
	return s + a.Room
}

// FamilyContact is a relative who acts for a resident (子女代办) and gets
// the resident's SMS too.
type FamilyContact struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Relation string `json:"relation"` // 儿子, 女儿 …
}

// Resident is a person the community serves, identified by mobile phone.
type Resident struct {
	ID       int64           `json:"id"`
	Phone    string          `json:"phone"`
	Name     string          `json:"name"`
	Address  Address         `json:"address"`
	Family   []FamilyContact `json:"family"`
	OptedOut bool            `json:"opted_out"` // replied R/TD/退订
	// Channel is how the resident hears from Chorus (SMS when empty);
	// family contacts get SMS copies whatever it is.
	Channel   Channel   `json:"channel"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate normalises the phone numbers and checks the fields.
func (r *Resident) Validate() error {
	p, err := NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	r.Phone = p
	if r.Channel == "" {
		r.Channel = ChannelSMS
	} else if !r.Channel.Valid() {
		return Errorf(EINVALID, "通知方式只能是短信、电话语音或两者都要。")
	}
	if err := checkOptionalSMSText("姓名", r.Name, 20); err != nil {
		return err
	}
	if err := r.Address.Validate(); err != nil {
		return err
	}
	if len(r.Family) > 5 {
		return Errorf(EINVALID, "家属联系人最多5位。")
	}
	for i := range r.Family {
		f := &r.Family[i]
		if f.Phone, err = NormalizePhone(f.Phone); err != nil {
			return err
		}
		if err := checkOptionalSMSText("家属姓名", f.Name, 20); err != nil {
			return err
		}
		if err := checkText("关系", f.Relation, 10); err != nil {
			return err
		}
	}
	return nil
}

// ResidentPatch changes some of a resident's fields: a field left out (nil)
// keeps its stored value, so a form that sends only the name cannot erase
// the address or the family contacts by accident.
type ResidentPatch struct {
	// Phone is accepted so that a resident as read can be sent back; the
	// resident changed is always the one the request names.
	Phone   string           `json:"phone,omitempty"`
	Name    *string          `json:"name"`
	Address *Address         `json:"address"`
	Family  *[]FamilyContact `json:"family"`
	Channel *Channel         `json:"channel"`
	// ID, OptedOut and CreatedAt are accepted and ignored, for the same
	// reason; the opt-out changes by SMS or its own endpoint.
	ID        int64     `json:"id,omitempty"`
	OptedOut  bool      `json:"opted_out,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Apply returns r with the patch's fields set.
func (p ResidentPatch) Apply(r Resident) Resident {
	if p.Name != nil {
		r.Name = *p.Name
	}
	if p.Address != nil {
		r.Address = *p.Address
	}
	if p.Family != nil {
		r.Family = append([]FamilyContact{}, (*p.Family)...)
	}
	if p.Channel != nil {
		r.Channel = *p.Channel
	}
	return r
}
