package chorus

import "time"

// This file holds the rules of a class's attendance: who missed how many
// sessions in a row, and when a resident is asked whether to keep the
// place (连续3次未到,回复1保留).

// MissedToAsk is how many sessions in a row a resident may miss before
// being asked by SMS whether to keep the place.
const MissedToAsk = 3

// ClassKeepTTL is how long a resident asked to keep their place has to
// reply 1; after it the place goes to the waitlist.
const ClassKeepTTL = 48 * time.Hour

// Attendance marks, as staff or a check-in record them.
const (
	AttendancePresent = "present"
	AttendanceAbsent  = "absent"
)

// SessionAttendance is one enrolled resident's mark for one session.
type SessionAttendance struct {
	EnrolmentID int64     `json:"enrolment_id"`
	Name        string    `json:"name"`
	Phone       string    `json:"phone"`
	Mark        string    `json:"mark"` // present, absent or "" (not marked yet)
	At          time.Time `json:"at,omitzero"`
	By          Actor     `json:"by,omitempty"`
}

// ClassMark is one attendance mark of a class: an enrolment's mark at the
// session of a date.
type ClassMark struct {
	EnrolmentID int64
	Date        string
	Mark        string
}

// HeldSessions returns the dates of the sessions that took place before
// today (YYYY-MM-DD, the community's date), oldest first: scheduled ones
// only — a holiday or a session called off is nobody's absence.
func HeldSessions(sessions []ClassSession, today string) []string {
	var out []string
	for _, s := range sessions {
		if s.Status == SessionScheduled && s.Date < today {
			out = append(out, s.Date)
		}
	}
	return out
}

// RollTaken keeps the held sessions (dates, oldest first) whose roster
// staff took: at least one mark recorded. A session nobody marked is
// nobody's absence, so a class whose rosters are not taken never asks its
// residents to keep their places.
func RollTaken(held []string, marked map[string]bool) []string {
	var out []string
	for _, d := range held {
		if marked[d] {
			out = append(out, d)
		}
	}
	return out
}

// MissedInARow counts the latest sessions held (dates, oldest first) that
// a resident missed one after the other: those after since (the day they
// enrolled, or the last session they were asked about; "" for none) and
// not in present.
func MissedInARow(held []string, present map[string]bool, since string) int {
	n := 0
	for i := len(held) - 1; i >= 0; i-- {
		d := held[i]
		if d <= since || present[d] {
			break
		}
		n++
	}
	return n
}

// DecideKeepAsk says whether a confirmed resident of a class is asked to
// keep their place now, and about which session (the last one missed, so
// that the next ask needs MissedToAsk more misses after it). enrolledOn is
// the day they enrolled (a session that day does not count: they may have
// enrolled after it); lastAsked the session date of the last ask ("").
func DecideKeepAsk(held []string, present map[string]bool, enrolledOn, lastAsked string) (string, bool) {
	since := max(enrolledOn, lastAsked)
	if MissedInARow(held, present, since) < MissedToAsk {
		return "", false
	}
	return held[len(held)-1], true
}
