package chorus

import "time"

// Verification codes prove that the person at a kiosk holds the phone:
// they are sent by SMS and typed back on the kiosk's keypad before an
// earlier booking's check-in code is shown or anything is cancelled.
const (
	// VerifyCodeTTL is how long a verification code can be typed.
	VerifyCodeTTL = 5 * time.Minute
	// VerifyMaxTries is how many wrong codes lock one: 5 of a million
	// codes, and each new code costs one of the phone's daily SMS.
	VerifyMaxTries = 5
	// VerifyProofTTL is how long a kiosk may act for a phone after its code
	// was typed: long enough to look and cancel, short enough that the next
	// person at the kiosk does not inherit it (the kiosk also forgets it
	// when its session ends).
	VerifyProofTTL = 5 * time.Minute
)

// Verification is one verification code sent to a phone.
type Verification struct {
	ID        int64
	Phone     string
	KioskID   int64
	ExpiresAt time.Time
	Tries     int       // wrong codes typed so far
	UsedAt    time.Time // zero until the right code was typed
}

// CheckVerification decides what typing a code does to v: right is
// whether the code typed matches. It returns v as it must be stored and
// the error to show. Errors: ECONFLICT (used, expired or locked: ask for
// a new code), EINVALID (wrong code, tries left said).
func CheckVerification(v Verification, right bool, now time.Time) (Verification, error) {
	switch {
	case !v.UsedAt.IsZero():
		return v, Errorf(ECONFLICT, "这个验证码已经用过了,请重新获取验证码。")
	case v.Tries >= VerifyMaxTries:
		return v, Errorf(ECONFLICT, "验证码输错太多次了,请重新获取验证码。")
	case !now.Before(v.ExpiresAt):
		return v, Errorf(ECONFLICT, "验证码已经过期了,请重新获取验证码。")
	case !right:
		v.Tries++
		if left := VerifyMaxTries - v.Tries; left > 0 {
			return v, Errorf(EINVALID, "验证码不对,请再看看短信。还可以再试%d次。", left)
		}
		return v, Errorf(ECONFLICT, "验证码输错太多次了,请重新获取验证码。")
	}
	v.UsedAt = now
	return v, nil
}
