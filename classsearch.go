package chorus

import (
	"strings"
	"unicode/utf8"
)

// SearchRoster finds, in a class session's roster, the residents a door's
// search q names, as an event's search does (SearchBookings): q of 4
// digits is the end of the phone, anything else part of the name. Each
// found resident's phone is masked: the door's screen is seen by the
// queue. Errors: EINVALID (an empty or over-long q).
func SearchRoster(roster []SessionAttendance, q string) ([]SessionAttendance, error) {
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > 20 {
		return nil, Errorf(EINVALID, "请输入手机号后4位或姓名。")
	}
	byPhone := len(q) == 4 && IsCode(q+"00")
	out := []SessionAttendance{}
	for _, a := range roster {
		if (byPhone && strings.HasSuffix(a.Phone, q)) || (!byPhone && strings.Contains(a.Name, q)) {
			a.Phone = MaskPhone(a.Phone)
			out = append(out, a)
		}
	}
	return out, nil
}
