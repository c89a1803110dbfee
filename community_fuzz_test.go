package chorus_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// FuzzCommunityValidate: whatever a district admin types for a new
// community, Validate accepts it only with a short single-line name, a
// signature of 2 to 12 characters without 【】, a time zone Go can load and
// a mobile staff phone, or says EINVALID in plain words.
func FuzzCommunityValidate(f *testing.F) {
	f.Add("和泽苑社区", "和泽苑社区", "", "")
	f.Add("光华街社区", "光华街", "Asia/Shanghai", "139 0000 0001")
	f.Add("x", "【x】", "../../etc/passwd", "12345")
	f.Add("", "", "/etc/localtime", "+86 138 1234 5678")
	f.Fuzz(func(t *testing.T, name, sign, zone, phone string) {
		c := chorus.Community{Name: name, SignName: sign, TimeZone: zone, StaffPhone: phone}
		err := c.Validate()
		if err != nil {
			if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if n := utf8.RuneCountInString(c.SignName); n < 2 || n > 12 || strings.ContainsAny(c.SignName, "【】\n") {
			t.Fatalf("signature %q accepted", c.SignName)
		}
		if utf8.RuneCountInString(c.Name) > 30 || strings.TrimSpace(c.Name) == "" {
			t.Fatalf("name %q accepted", c.Name)
		}
		if c.TimeZone != "" {
			if _, err := time.LoadLocation(c.TimeZone); err != nil || strings.HasPrefix(c.TimeZone, "/") || strings.Contains(c.TimeZone, "..") {
				t.Fatalf("time zone %q accepted", c.TimeZone)
			}
		}
		if c.StaffPhone != "" && !mobile.MatchString(c.StaffPhone) {
			t.Fatalf("staff phone %q accepted", c.StaffPhone)
		}
	})
}
