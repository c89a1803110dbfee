package chorus

import (
	"fmt"
	"time"
)

// VolunteerFigure is one volunteer's year: confirmed hours only, the
// activities they served in and how many times.
type VolunteerFigure struct {
	VolunteerID int64  `json:"volunteer_id"`
	Name        string `json:"name"`
	Partner     string `json:"partner,omitempty"`
	Minutes     int    `json:"minutes"`    // confirmed
	Times       int    `json:"times"`      // confirmed claims (shifts and help)
	Activities  int    `json:"activities"` // distinct activities served in
}

// UnitFigure is a partner unit's volunteers' year (1+1>2): how many of its
// people served, how many times, their confirmed hours, in how many
// activities.
type UnitFigure struct {
	PartnerID  int64  `json:"partner_id"`
	Name       string `json:"name"`
	People     int    `json:"people"`
	Times      int    `json:"times"`
	Minutes    int    `json:"minutes"`
	Activities int    `json:"activities"`
}

// CertificateLine is one activity on a certificate: its title, how many
// times the volunteer served in it, and the confirmed minutes.
type CertificateLine struct {
	Activity string `json:"activity"`
	Kind     string `json:"kind"`
	Times    int    `json:"times"`
	Minutes  int    `json:"minutes"`
	First    string `json:"first"` // first date served, 2026-03-06
	Last     string `json:"last"`
}

// Certificate is a 志愿服务记录证明: the community, the person, their
// confirmed hours and activities in a year, a serial number and the date
// it was issued. Unconfirmed hours never appear on it.
type Certificate struct {
	Serial    string            `json:"serial"`
	Community string            `json:"community"`
	Name      string            `json:"name"`
	Partner   string            `json:"partner,omitempty"`
	Year      int               `json:"year"`
	Minutes   int               `json:"minutes"`
	Times     int               `json:"times"`
	Lines     []CertificateLine `json:"lines"`
	Issued    time.Time         `json:"issued"`
}

// CertificateSerial is the certificate's serial number: the community, the
// year, the volunteer and the issue day, so that one printed today can be
// found again: ZY-1-2026-000042-20261203.
func CertificateSerial(community int64, year int, volunteer int64, issued time.Time) string {
	return fmt.Sprintf("ZY-%d-%d-%06d-%s", community, year, volunteer, issued.Format("20060102"))
}

// YearBounds returns the start of year and of the next in loc.
func YearBounds(year int, loc *time.Location) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
}
