package push

import "strconv"

// The staff console's live feed topics (GET /api/admin/live), defined here
// once: the store names what a commit touched with them and the console
// page redraws by them.
const (
	// Events covers seats, bookings, check-ins and event changes.
	Events = "events"
	// Programmes covers the places of programmes.
	Programmes = "programmes"
	// Orders covers orders' status and dispatch.
	Orders = "orders"
	// SMS covers messages queued and replies received or settled.
	SMS = "sms"
	// Kiosks covers a kiosk connecting or its last connection leaving.
	Kiosks = "kiosks"
)

// ConsoleTopics lists the topics of the console's live feed.
func ConsoleTopics() []string {
	return []string{Events, Programmes, Orders, SMS, Kiosks}
}

// Attendance is the topic of an event's check-ins, which its attendance
// streams follow.
func Attendance(eventID int64) string {
	return "attendance/" + strconv.FormatInt(eventID, 10)
}
