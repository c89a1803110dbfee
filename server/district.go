package server

import (
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// districtFiguresView is the answer of GET /api/district/figures: each
// community's figures over the period, from and to both inclusive dates
// in the deployment's zone.
type districtFiguresView struct {
	Period      string                    `json:"period"`
	From        string                    `json:"from"`
	To          string                    `json:"to"`
	Communities []chorus.CommunityFigures `json:"communities"`
}

// DistrictPeriod returns the bounds [from, to) of this week (Monday to
// Sunday) or this year in loc, at now.
func DistrictPeriod(period string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch period {
	case "", "week":
		from = today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
		return from, from.AddDate(0, 0, 7), nil
	case "year":
		from = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(1, 0, 0), nil
	}
	return from, to, chorus.Errorf(chorus.EINVALID, "统计周期只能是本周(week)或今年(year)。")
}

// districtFigures answers GET /api/district/figures?period=week|year: the
// district page's per-community figures for this week or this year, with
// the kiosks online as the hub knows them (as 今日 counts them).
func (s *Server) districtFigures(w http.ResponseWriter, r *http.Request) error {
	period := r.URL.Query().Get("period")
	if period == "" {
		period = "week"
	}
	from, to, err := DistrictPeriod(period, s.Now(), s.Location)
	if err != nil {
		return err
	}
	ds, ok := s.Store.(chorus.DistrictService)
	if !ok {
		return chorus.Errorf(chorus.ENOTFOUND, "这个部署没有街道统计。")
	}
	figs, err := ds.DistrictFigures(r.Context(), from, to)
	if err != nil {
		return err
	}
	var health map[int64]chorus.KioskHealth
	if s.Hub != nil {
		health = s.Hub.Health()
	}
	for i := range figs {
		for _, id := range figs[i].KioskIDs {
			if health[id].Online {
				figs[i].KiosksOnline++
			}
		}
	}
	if figs == nil {
		figs = []chorus.CommunityFigures{}
	}
	WriteJSON(w, http.StatusOK, districtFiguresView{Period: period, From: from.Format(time.DateOnly),
		To: to.AddDate(0, 0, -1).Format(time.DateOnly), Communities: figs})
	return nil
}
