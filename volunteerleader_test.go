package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

func TestDecideLeaderConfirm(t *testing.T) {
	for _, tt := range []struct {
		name                                       string
		leader, leaderUnit, claimant, claimantUnit int64
		want                                       chorus.LeaderDecision
	}{
		{"a resident leader, a resident", 1, 0, 2, 0, chorus.LeaderConfirms},
		{"a resident leader, a partner's staff", 1, 0, 2, 7, chorus.LeaderConfirms},
		{"the leader's own hours", 1, 0, 1, 0, chorus.LeaderOwn},
		{"a partner leader's own hours", 1, 7, 1, 7, chorus.LeaderOwn},
		{"a partner leader, own unit's staff", 1, 7, 2, 7, chorus.LeaderCounterCheck},
		{"a partner leader, another unit's staff", 1, 7, 2, 8, chorus.LeaderConfirms},
		{"a partner leader, a resident", 1, 7, 2, 0, chorus.LeaderConfirms},
	} {
		if got := chorus.DecideLeaderConfirm(tt.leader, tt.leaderUnit, tt.claimant, tt.claimantUnit); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
