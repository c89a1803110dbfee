package chorus_test

import (
	"regexp"
	"testing"

	"github.com/chorus-community/chorus"
)

var mobile = regexp.MustCompile(`^1[3-9]\d{9}$`)

// FuzzNormalizePhone: whatever people type, the result is a valid mobile
// number or a plain EINVALID error, and normalising is idempotent.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "86 13812345678",
		"\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "12345", "", "138****5678", "(138)12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := chorus.NormalizePhone(s)
		if err != nil {
			if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if !mobile.MatchString(p) {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
		if again, err := chorus.NormalizePhone(p); err != nil || again != p {
			t.Fatalf("not idempotent: %q → %q, %v", p, again, err)
		}
		if m := chorus.MaskPhone(p); len(m) != 11 || m[3:7] != "****" {
			t.Fatalf("MaskPhone(%q) = %q", p, m)
		}
	})
}
