package chorus

import "time"

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
	step, wave := waveOf(partners, asked,
		func(p Partner) int64 { return p.ID },
		func(p Partner) bool { return p.Serves(k, estate) },
		func(p Partner) bool { return p.OpenAt(local) },
		func(p Partner) int { return p.Priority }, urgent)
	if step == DispatchSendWave && wave == nil {
		wave = []Partner{}
	}
	return DispatchDecision{Step: step, Wave: wave}
}
