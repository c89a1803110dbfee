package sms

import (
	"strings"
	"time"
)

// morningHour is when a message held back by a daily or monthly limit
// goes out: the recipients are elderly, so never at midnight.
const morningHour = 8

// Backoff returns how long to wait after the given number of failed
// attempts (at least 1): lo, doubling each time, at most hi.
func Backoff(attempts int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < attempts && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// DeferUntil returns when a message refused for a provider limit (a
// ClassDeferred code) may be tried again. isv.BUSINESS_LIMIT_CONTROL names
// its window in the message ("触发分钟级流控Permits:1" for a minute, 小时级
// for an hour, 天级 for a day); a daily limit waits for the next day's
// morning and a monthly one for the next month's first morning, China
// time. An unknown window waits an hour.
func DeferUntil(code, msg string, now time.Time) time.Time {
	switch {
	case code == "isv.MONTH_LIMIT_CONTROL":
		c := now.In(chinaTime)
		return time.Date(c.Year(), c.Month()+1, 1, morningHour, 0, 0, 0, chinaTime)
	case code == "isv.DAY_LIMIT_CONTROL" || strings.Contains(msg, "天级") || strings.Contains(msg, "日级"):
		return nextMorning(now)
	case strings.Contains(msg, "分钟级"):
		return now.Add(time.Minute)
	}
	return now.Add(time.Hour)
}

// nextMorning returns morningHour of the day after now, China time.
func nextMorning(now time.Time) time.Time {
	c := now.In(chinaTime)
	return time.Date(c.Year(), c.Month(), c.Day()+1, morningHour, 0, 0, 0, chinaTime)
}
