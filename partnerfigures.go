package chorus

import "sort"

// PartnerTally is what one partner did over a period, in one community
// (ID and Name set) or in total over the communities counted.
type PartnerTally struct {
	ID   int64  `json:"id,omitempty"`   // the community; 0 in a total
	Name string `json:"name,omitempty"` // the community's name
	// Orders counts the orders of the period (by when they were made)
	// whose SMS reached it.
	Orders int `json:"orders"`
	// Accepted and Done count the orders it took and finished in the
	// period.
	Accepted int `json:"accepted"`
	Done     int `json:"done"`
	// Events counts the events it hosted with a session in the period;
	// Programmes the programmes it runs that start in the period.
	Events     int `json:"events"`
	Programmes int `json:"programmes"`
	// Classes counts the term classes it teaches (公益培训) with a session
	// held or to come in the period, and Students the residents holding a
	// place in them now.
	Classes  int `json:"classes"`
	Students int `json:"students"`
	// VenueHours are the hours its venues (资源共享) were lent in the
	// period: events the community held there with its agreement, and the
	// open hours residents could book.
	VenueHours float64 `json:"venue_hours"`
	// Volunteers counts its people (volunteers linked to it) with
	// confirmed hours in the period, VolunteerTimes their confirmed claims
	// (person-times), VolunteerHours the hours confirmed, and
	// VolunteerActivities the volunteer activities they served in.
	Volunteers          int     `json:"volunteers"`
	VolunteerTimes      int     `json:"volunteer_times"`
	VolunteerHours      float64 `json:"volunteer_hours"`
	VolunteerActivities int     `json:"volunteer_activities"`
	// AcceptMinutesMedian is the median time, in minutes, from an order's
	// first dispatch to its acceptance by this partner (0: none taken).
	AcceptMinutesMedian float64 `json:"accept_minutes_median"`
	// waits are the accept times behind the median, in minutes.
	waits []float64
}

// AddWait counts one accepted order's wait, in minutes, into the median.
func (t *PartnerTally) AddWait(minutes float64) {
	t.waits = append(t.waits, minutes)
	t.AcceptMinutesMedian = median(t.waits)
}

// Add counts o into t (a total of several communities).
func (t *PartnerTally) Add(o PartnerTally) {
	t.Orders += o.Orders
	t.Accepted += o.Accepted
	t.Done += o.Done
	t.Events += o.Events
	t.Programmes += o.Programmes
	t.Classes += o.Classes
	t.Students += o.Students
	t.VenueHours += o.VenueHours
	t.Volunteers += o.Volunteers
	t.VolunteerTimes += o.VolunteerTimes
	t.VolunteerHours += o.VolunteerHours
	t.VolunteerActivities += o.VolunteerActivities
	for _, w := range o.waits {
		t.AddWait(w)
	}
}

// PartnerFigures are one partner's figures for the yearly thanks: in each
// community it served and in total.
type PartnerFigures struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Total       PartnerTally   `json:"total"`
	Communities []PartnerTally `json:"communities"`
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2
}
