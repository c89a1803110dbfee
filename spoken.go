package chorus

import (
	"regexp"
	"strconv"
	"strings"
)

// Spoken rewrites a message's text for the ear, as a voice call speaks it
// from a TTS template: dates as 十二月五日, weekdays as 星期六, clock times
// as 上午九点一刻 or 下午两点半, a range as 九点到九点一刻, codes and other
// long numbers digit by digit with 1 as 幺, short numbers as words (2小时:
// 两小时). The symbols a voice template may not hold (# / : - % ¥ 【 】) are
// left out. Text without numbers passes unchanged.
func Spoken(s string) string {
	s = spokenDate.ReplaceAllStringFunc(s, func(m string) string {
		p := spokenDate.FindStringSubmatch(m)
		mo, _ := strconv.Atoi(p[1])
		d, _ := strconv.Atoi(p[2])
		return numberWords(mo, false) + "月" + numberWords(d, false) + "日"
	})
	s = spokenWeekday.ReplaceAllString(s, "星期$1")
	clock := func(m string) string {
		p := spokenClock.FindStringSubmatch(m)
		h, _ := strconv.Atoi(p[1])
		min, _ := strconv.Atoi(p[2])
		return clockWords(h, min)
	}
	s = spokenRange.ReplaceAllStringFunc(s, func(m string) string {
		p := spokenRange.FindStringSubmatch(m)
		from, to := clock(p[1]), clock(p[2])
		// 上午九点到九点一刻: the part of the day is said once.
		if part := []rune(from)[:2]; strings.HasPrefix(to, string(part)) {
			to = strings.TrimPrefix(to, string(part))
		}
		return from + "到" + to
	})
	s = spokenClock.ReplaceAllStringFunc(s, clock)
	s = spokenDigits.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) >= 3 {
			var b strings.Builder
			for _, c := range m {
				b.WriteString(digitWords[c-'0'])
			}
			return b.String()
		}
		n, _ := strconv.Atoi(m)
		return numberWords(n, true)
	})
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("#/:-%¥【】:", r) {
			return ' '
		}
		return r
	}, s)
}

var (
	spokenDate    = regexp.MustCompile(`(\d{1,2})月(\d{1,2})日`)
	spokenWeekday = regexp.MustCompile(`周([一二三四五六日])`)
	spokenRange   = regexp.MustCompile(`(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})`)
	spokenClock   = regexp.MustCompile(`(\d{1,2}):(\d{2})`)
	spokenDigits  = regexp.MustCompile(`\d+`)
	digitWords    = []string{"零", "幺", "二", "三", "四", "五", "六", "七", "八", "九"}
)

// numberWords writes 0–99 in words: 十二, 二十一; counting (two of
// something) says 两 for 2.
func numberWords(n int, counting bool) string {
	w := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n == 2 && counting:
		return "两"
	case n < 10:
		return w[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + w[n%10]
	case n%10 == 0:
		return w[n/10] + "十"
	case n < 100:
		return w[n/10] + "十" + w[n%10]
	}
	return strconv.Itoa(n)
}

// clockWords says a time of day as people do: 上午九点, 九点一刻, 下午两点半,
// 中午十二点, 晚上七点二十分.
func clockWords(h, m int) string {
	part := "上午"
	switch {
	case h < 6:
		part = "凌晨"
	case h < 12:
	case h == 12:
		part = "中午"
	case h < 18:
		part = "下午"
	default:
		part = "晚上"
	}
	h12 := h
	if h > 12 {
		h12 = h - 12
	}
	out := part + numberWords(h12, true) + "点"
	switch m {
	case 0:
	case 15:
		out += "一刻"
	case 30:
		out += "半"
	case 45:
		out += "三刻"
	default:
		if m < 10 {
			out += "零"
		}
		out += numberWords(m, false) + "分"
	}
	return out
}
