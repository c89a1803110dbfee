package chorus

import (
	"context"
	"time"
)

// CommunityFigures are one community's figures over a period, for the
// district page (街道): what its residents booked and whether they came,
// the home-service orders and how soon partners took them, the SMS sent
// and failed, and its kiosks.
type CommunityFigures struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Bookings counts the bookings (not cancelled, not waiting in line)
	// of the community's events whose slot starts in the period;
	// Attended those checked in, NoShows those marked 未到.
	Bookings int `json:"bookings"`
	Attended int `json:"attended"`
	NoShows  int `json:"no_shows"`
	// Orders counts the orders made in the period; OrdersAccepted those a
	// partner took (接单), and AcceptMinutesMedian the median minutes from
	// their first dispatch to the acceptance (0 when none).
	Orders              int     `json:"orders"`
	OrdersAccepted      int     `json:"orders_accepted"`
	AcceptMinutesMedian float64 `json:"accept_minutes_median"`
	// SMSSent counts the SMS queued in the period that the provider
	// accepted; SMSFailed those that failed for good or whose outcome was
	// never learnt.
	SMSSent   int `json:"sms_sent"`
	SMSFailed int `json:"sms_failed"`
	// Kiosks counts the community's paired kiosks (not revoked);
	// KiosksOnline those connected and heard from lately (filled by the
	// server from the kiosk hub: the store cannot know).
	Kiosks       int     `json:"kiosks"`
	KiosksOnline int     `json:"kiosks_online"`
	KioskIDs     []int64 `json:"-"`
}

// DistrictService reads the figures of every community of the deployment:
// the district admin's, whatever the scope.
type DistrictService interface {
	// DistrictFigures returns each community's figures for [from, to),
	// in the order of the communities' ids.
	DistrictFigures(ctx context.Context, from, to time.Time) ([]CommunityFigures, error)
}
