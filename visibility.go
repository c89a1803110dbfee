package chorus

import (
	"strings"
	"unicode/utf8"
)

// Viewer is who is looking at a resident's records. A phone number is not
// proof of anything: a kiosk where a number was only typed sees what helps
// the person in front of it finish a task, and nothing that would let a
// stranger learn who lives where, or act for them.
type Viewer int

// Viewers, from the one who has proved least to the one who may see all.
const (
	// ViewerKiosk is a paired kiosk where a phone number was typed: names
	// masked (李**), no check-in code or QR token, no child's name, no
	// notes, the address at most to the building.
	ViewerKiosk Viewer = iota
	// ViewerKioskVerified is a kiosk where the phone's SMS verification
	// code was typed back: as ViewerKiosk, plus the check-in codes.
	ViewerKioskVerified
	// ViewerKioskBooking is the kiosk at the moment it made this very
	// booking: as ViewerKiosk, plus the new booking's code and QR token,
	// for the done screen and the printed slip.
	ViewerKioskBooking
	// ViewerDoor is staff checking residents in at an event's door, on a
	// screen the queue can see: everything but the phone, masked.
	ViewerDoor
	// ViewerStaff is a logged-in staff member: everything.
	ViewerStaff
)

// MaskName keeps the first character of a name and hides the rest: 李秀英
// becomes 李**, an empty name stays empty.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	r, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return ""
	}
	n := utf8.RuneCountInString(name) - 1
	if n < 1 {
		n = 1
	}
	return string(r) + strings.Repeat("*", n)
}

// UnmaskName returns the name among known whose mask is masked (the name a
// kiosk resident chose from the masked picker), or masked itself when none
// matches.
func UnmaskName(masked string, known []string) string {
	if !strings.Contains(masked, "*") {
		return masked
	}
	for _, k := range known {
		if MaskName(k) == masked {
			return k
		}
	}
	return masked
}

// Booking returns b as v may see it.
func (v Viewer) Booking(b Booking) Booking {
	switch v {
	case ViewerStaff:
		return b
	case ViewerDoor:
		b.Phone = MaskPhone(b.Phone)
		return b
	}
	b.Phone, b.Name = MaskPhone(b.Phone), MaskName(b.Name)
	if v == ViewerKiosk || (v == ViewerKioskBooking && b.Existing && !b.Repeat) {
		// An earlier booking's code checks anyone in: it takes the SMS
		// verification code to see it again.
		b.Code, b.CheckinToken = "", ""
	}
	if v == ViewerKioskVerified {
		b.CheckinToken = ""
	}
	return b
}

// Enrolment returns e as v may see it: a kiosk never sees the children's
// names, only how many and how old.
func (v Viewer) Enrolment(e Enrolment) Enrolment {
	if v >= ViewerDoor {
		return e
	}
	e.Phone, e.Name = MaskPhone(e.Phone), MaskName(e.Name)
	if v == ViewerKiosk || (v == ViewerKioskBooking && e.Existing) {
		// As a booking's: an earlier enrolment's code checks anyone in, and
		// it takes the SMS verification code to see it again.
		e.Code, e.CheckinToken = "", ""
	}
	if v == ViewerKioskVerified {
		e.CheckinToken = "" // as a booking's: the code, not the QR
	}
	kids := make([]Child, len(e.Children))
	for i, c := range e.Children {
		kids[i] = Child{Age: c.Age}
	}
	e.Children = kids
	return e
}

// Order returns o as v may see it: a kiosk sees the address only to the
// building, and no notes.
func (v Viewer) Order(o Order) Order {
	if v >= ViewerDoor {
		return o
	}
	o.Phone, o.Name, o.Notes = MaskPhone(o.Phone), MaskName(o.Name), ""
	o.Address = v.Address(o.Address)
	return o
}

// Address returns a as v may see it: a kiosk gets the estate and building
// only.
func (v Viewer) Address(a Address) Address {
	if v >= ViewerDoor {
		return a
	}
	return Address{EstateID: a.EstateID, Estate: a.Estate, Building: a.Building}
}

// AddressText renders a as v may see it; a shortened address ends in …:
// 光华街8号院3号楼….
func (v Viewer) AddressText(a Address) string {
	shown := v.Address(a)
	if shown == a {
		return a.String()
	}
	return shown.String() + "…"
}

// Names returns the names known for a phone as v may see them.
func (v Viewer) Names(names []string) []string {
	if v >= ViewerDoor {
		return names
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if m := MaskName(n); m != "" && !contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
