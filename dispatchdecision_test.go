package chorus_test

import (
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestNextWave: who is asked next for an order, from the partners, those
// already asked, the order and the time.
func TestNextWave(t *testing.T) {
	const estate = 3
	partner := func(id int64, priority int, opens, closes string) chorus.Partner {
		return chorus.Partner{ID: id, Name: string(rune('A' + id - 1)), Active: true, Priority: priority,
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: opens, ClosesAt: closes}
	}
	day := partner(1, 1, "08:00", "18:00")
	day2 := partner(2, 1, "08:00", "18:00")
	second := partner(3, 2, "", "")
	night := partner(4, 1, "20:00", "06:00")
	inactive := partner(5, 0, "", "")
	inactive.Active = false
	elsewhere := partner(6, 0, "", "")
	elsewhere.Estates = []int64{estate + 1}
	plumber := partner(7, 0, "", "")
	plumber.Services = []chorus.ServiceKind{chorus.ServiceRepair}
	morning := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	evening := time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC)
	ids := func(ps []chorus.Partner) []int64 {
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	tests := []struct {
		name     string
		partners []chorus.Partner
		asked    map[int64]bool
		urgent   bool
		at       time.Time
		step     chorus.DispatchStep
		wave     []int64
	}{
		{name: "LowestPriorityOpenTogether", partners: []chorus.Partner{second, day, night, day2}, at: morning,
			step: chorus.DispatchSendWave, wave: []int64{1, 2}},
		{name: "NextAfterAsked", partners: []chorus.Partner{second, day, day2}, asked: map[int64]bool{1: true, 2: true}, at: morning,
			step: chorus.DispatchSendWave, wave: []int64{3}},
		{name: "ClosedSkippedWhileOthersOpen", partners: []chorus.Partner{day, second}, at: evening,
			step: chorus.DispatchSendWave, wave: []int64{3}},
		{name: "AcrossMidnight", partners: []chorus.Partner{night, day}, at: evening.Add(2 * time.Hour),
			step: chorus.DispatchSendWave, wave: []int64{4}},
		{name: "WaitForOpening", partners: []chorus.Partner{day, day2}, at: evening, step: chorus.DispatchWaitForOpening},
		{name: "UrgentNeverWaits", partners: []chorus.Partner{day, day2}, urgent: true, at: evening, step: chorus.DispatchEscalate},
		{name: "NobodyLeft", partners: []chorus.Partner{day, second}, asked: map[int64]bool{1: true, 3: true}, at: morning,
			step: chorus.DispatchEscalate},
		{name: "NobodyServes", partners: []chorus.Partner{inactive, elsewhere, plumber}, at: morning, step: chorus.DispatchEscalate},
		{name: "NoPartners", at: morning, step: chorus.DispatchEscalate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := chorus.NextWave(tt.partners, tt.asked, chorus.ServiceHaircut, estate, tt.urgent, tt.at)
			if d.Step != tt.step || !slices.Equal(ids(d.Wave), tt.wave) {
				t.Errorf("NextWave = %s %v, want %s %v", d.Step, ids(d.Wave), tt.step, tt.wave)
			}
		})
	}
}
