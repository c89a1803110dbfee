package chorus

import (
	"regexp"
	"strings"
)

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// maxPhoneInput bounds what NormalizePhone looks at (bytes): a phone number
// with any amount of decoration fits well within it.
const maxPhoneInput = 64

// NormalizePhone turns what people type into a bare mainland mobile number:
// spaces, dashes, dots and brackets are dropped, full-width digits become
// ASCII, and a +86, 0086 or 86 prefix is removed. The result must match
// ^1[3-9]\d{9}$; otherwise it returns an EINVALID error.
func NormalizePhone(s string) (string, error) {
	if len(s) > maxPhoneInput {
		return "", Errorf(EINVALID, "手机号码太长了,请输入11位手机号。")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '\uFF10' && r <= '\uFF19': // full-width ０-９
			b.WriteRune('0' + (r - '\uFF10'))
		case r == '+' || r == '\uFF0B':
			b.WriteRune('+')
		case r == ' ' || r == '\u3000' || r == '-' || r == '\uFF0D' || r == '\u2014' || r == '.' ||
			r == '(' || r == ')' || r == '\uFF08' || r == '\uFF09' || r == '\t':
			// decoration people type; dropped
		default:
			return "", Errorf(EINVALID, "手机号码只能包含数字,请重新输入11位手机号。")
		}
	}
	p := b.String()
	switch {
	case strings.HasPrefix(p, "+86"):
		p = p[3:]
	case strings.HasPrefix(p, "0086") && len(p) == 15:
		p = p[4:]
	case strings.HasPrefix(p, "86") && len(p) == 13:
		p = p[2:]
	}
	if !mobileRE.MatchString(p) {
		return "", Errorf(EINVALID, "手机号码不正确,请输入以1开头的11位手机号。")
	}
	return p, nil
}

// MaskPhone hides the middle of a phone number for logs and screens:
// 13812345678 becomes 138****5678. Anything too short is fully masked.
func MaskPhone(p string) string {
	if len(p) < 7 {
		return "****"
	}
	return p[:3] + "****" + p[len(p)-4:]
}
