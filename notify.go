package chorus

import (
	"fmt"
	"time"
)

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// FormatWhen renders a time as residents read it in an SMS: 12月5日周六09:00.
// t must already be in the community's time zone.
func FormatWhen(t time.Time) string {
	return fmt.Sprintf("%d月%d日%s%s", t.Month(), t.Day(), weekdays[t.Weekday()], t.Format("15:04"))
}

// FormatDay renders a date with its weekday: 12月5日周六.
func FormatDay(t time.Time) string {
	return fmt.Sprintf("%d月%d日%s", t.Month(), t.Day(), weekdays[t.Weekday()])
}

// Shorten cuts s to at most n characters, so a template parameter stays
// within the provider's limits.
func Shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// MaxParamRunes bounds every SMS template parameter (the provider's limit
// for variables is unverified; 20 is safe).
const MaxParamRunes = 20
