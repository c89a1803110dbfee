package chorus

import (
	"sort"
	"time"
)

// DispatchStep is what dispatching an order does next.
type DispatchStep string

// Dispatch steps.
const (
	// DispatchSendWave asks the wave of partners in DispatchDecision.Wave.
	DispatchSendWave DispatchStep = "wave"
	// DispatchWaitForOpening waits: the partners left are closed now, and
	// are asked when the order's wait is up (barbers open in the morning).
	DispatchWaitForOpening DispatchStep = "wait"
	// DispatchEscalate tells the on-duty staff that nobody is left to ask.
	DispatchEscalate DispatchStep = "escalate"
)

// DispatchDecision is the next step of an order's dispatch.
type DispatchDecision struct {
	Step DispatchStep
	// Wave is, for DispatchSendWave, every partner open at the time with
	// the lowest priority number among those not yet asked, in the order
	// given.
	Wave []Partner
}

// NextWave chooses the next step of dispatching an order of kind k in
// estate, urgent or not, at local (the community's time), from every
// partner and those already asked (or that gave it back). An urgent order
// never waits for partners to open: staff are told at once.
func NextWave(partners []Partner, asked map[int64]bool, k ServiceKind, estate int64, urgent bool, local time.Time) DispatchDecision {
	var open []Partner
	later := false
	for _, p := range partners {
		if asked[p.ID] || !p.Serves(k, estate) {
			continue
		}
		if !p.OpenAt(local) {
			later = true
			continue
		}
		open = append(open, p)
	}
	if len(open) == 0 {
		if later && !urgent {
			return DispatchDecision{Step: DispatchWaitForOpening}
		}
		return DispatchDecision{Step: DispatchEscalate}
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Priority < open[j].Priority })
	wave := []Partner{}
	for _, p := range open {
		if p.Priority == open[0].Priority {
			wave = append(wave, p)
		}
	}
	return DispatchDecision{Step: DispatchSendWave, Wave: wave}
}
