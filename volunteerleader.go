package chorus

// LeaderDecision is what an activity's leader's 确认N does to one
// proposed claim of the shift.
type LeaderDecision int

// Leader decisions.
const (
	LeaderConfirms     LeaderDecision = iota // the leader's word confirms it
	LeaderOwn                                // the leader's own hours: staff confirm them
	LeaderCounterCheck                       // a partner leader's own unit's staff: staff counter-check
)

// DecideLeaderConfirm decides what the leader (a volunteer, of partner
// unit leaderUnit, 0 for none) confirming a shift's hours does to the
// claim of claimant (of partner unit claimantUnit): nobody confirms their
// own hours, and a partner leader's word on their own unit's staff is
// counter-checked by community staff (venues-volunteers.md part B, rule 1).
func DecideLeaderConfirm(leader, leaderUnit, claimant, claimantUnit int64) LeaderDecision {
	switch {
	case leader == claimant:
		return LeaderOwn
	case leaderUnit != 0 && leaderUnit == claimantUnit:
		return LeaderCounterCheck
	}
	return LeaderConfirms
}

// IntentLeaderConfirm is an activity leader's 确认N: the proposed hours
// of shift N they were sent are confirmed, as DecideLeaderConfirm allows.
const IntentLeaderConfirm Intent = "leader_confirm"
