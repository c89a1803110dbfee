package chorus

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// Check-in tokens. A token is carried in a QR code as /c/<token>: it is
// unguessable, signed by the server and reveals nothing of the booking. It
// is base64url(nonce || mac) where nonce is random and mac is the first
// bytes of HMAC-SHA256(key, "checkin:" || nonce). The store keeps the nonce
// with the booking; a forged or altered token fails the MAC before the
// database is asked.
const (
	tokenNonceBytes = 9  // 72 random bits: unguessable, and short enough for a small QR code
	tokenMACBytes   = 12 // 96-bit MAC
	// TokenLen is the length of a token in characters.
	TokenLen = (tokenNonceBytes + tokenMACBytes) * 4 / 3
	// TokenKeyBytes is the size of the signing key.
	TokenKeyBytes = 32
)

var tokenEncoding = base64.RawURLEncoding

// NewCheckinToken draws a nonce and returns it with its signed token.
func NewCheckinToken(key []byte) (nonce, token string, err error) {
	n := make([]byte, tokenNonceBytes)
	if _, err := rand.Read(n); err != nil {
		return "", "", fmt.Errorf("draw token nonce: %w", err)
	}
	return tokenEncoding.EncodeToString(n), tokenEncoding.EncodeToString(append(n, tokenMAC(key, n)...)), nil
}

// CheckinToken returns the token of a nonce made by NewCheckinToken.
func CheckinToken(key []byte, nonce string) (string, error) {
	n, err := tokenEncoding.DecodeString(nonce)
	if err != nil || len(n) != tokenNonceBytes {
		return "", fmt.Errorf("bad token nonce")
	}
	return tokenEncoding.EncodeToString(append(n, tokenMAC(key, n)...)), nil
}

// ParseCheckinToken checks a token's signature and returns its nonce. Any
// malformed, altered or forged token is an EINVALID error.
func ParseCheckinToken(key []byte, token string) (nonce string, err error) {
	bad := Errorf(EINVALID, "这个签到码无效,请找工作人员。")
	if len(token) != TokenLen {
		return "", bad
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenNonceBytes+tokenMACBytes {
		return "", bad
	}
	n, mac := raw[:tokenNonceBytes], raw[tokenNonceBytes:]
	if !hmac.Equal(mac, tokenMAC(key, n)) {
		return "", bad
	}
	return tokenEncoding.EncodeToString(n), nil
}

func tokenMAC(key, nonce []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("checkin:"))
	h.Write(nonce)
	return h.Sum(nil)[:tokenMACBytes]
}

// CheckinOutcome is the answer to a scan or a typed code.
type CheckinOutcome string

// Check-in outcomes, each shown in words and colour at the door.
const (
	CheckinOK         CheckinOutcome = "ok"          // 签到成功
	CheckinAlready    CheckinOutcome = "already"     // 已签到 (at the first time)
	CheckinOtherEvent CheckinOutcome = "other_event" // a booking of another event or day
	CheckinCancelled  CheckinOutcome = "cancelled"   // the booking was cancelled or lapsed
	CheckinWaitlisted CheckinOutcome = "waitlisted"  // still waiting for a seat
	CheckinUnknown    CheckinOutcome = "unknown"     // no such booking
)

// CheckinRequest is one scan or typed code at an event's door.
type CheckinRequest struct {
	EventID int64  `json:"event_id"`
	Token   string `json:"token,omitempty"` // from the QR code, or a scanned /c/<token> URL
	Code    string `json:"code,omitempty"`  // the 6-digit code
	// BookingID checks in a booking found by search (staff only).
	BookingID int64 `json:"booking_id,omitempty"`
	// ClassID, instead of EventID, sets the door to a term class: the
	// token or code is checked in at the class's session of today
	// (DecideClassCheckin). A class enrolment's token names its class,
	// so at an event's door it is checked in at its own class's session.
	ClassID int64 `json:"class_id,omitempty"`
	// EnrolmentID, with ClassID, checks in a class enrolment found by the
	// door's search (staff only), as BookingID does a booking.
	EnrolmentID int64 `json:"enrolment_id,omitempty"`
	// At is when the scan happened; a scan kept offline and synced later
	// carries its own time, and the earliest time wins.
	At    time.Time `json:"at,omitzero"`
	Actor Actor     `json:"-"`
}

// CheckinResult says what a check-in did, for the huge answer at the door.
type CheckinResult struct {
	Outcome CheckinOutcome `json:"outcome"`
	Message string         `json:"message"` // 李阿姨,签到成功
	Booking *Booking       `json:"booking,omitempty"`
	// FirstAt is when the booking was first checked in (already).
	FirstAt time.Time `json:"first_at,omitzero"`
}

// Attendance counts an event's bookings at the door.
type Attendance struct {
	EventID   int64 `json:"event_id"`
	Booked    int   `json:"booked"`     // seats held: pending, confirmed, offered, checked in
	CheckedIn int   `json:"checked_in"` // came
	NotYet    int   `json:"not_yet"`    // booked but not yet here
	NoShow    int   `json:"no_show"`    // did not come (after the event)
}

// IsCode reports whether s is a 6-digit check-in code.
func IsCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
