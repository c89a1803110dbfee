package sqlite

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/chorus-community/chorus"
)

// DistrictFigures returns each community's figures for [from, to); see
// chorus.DistrictService. It is not scoped: the district page shows every
// community, and the server lets only a district admin ask.
func (db *DB) DistrictFigures(ctx context.Context, from, to time.Time) ([]chorus.CommunityFigures, error) {
	f, t := from.UnixMilli(), to.UnixMilli()
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.CommunityFigures, error) {
		var c chorus.CommunityFigures
		err := rows.Scan(&c.ID, &c.Name)
		return c, err
	}, "SELECT id, name FROM community ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("district figures: %w", err)
	}
	byID := make(map[int64]*chorus.CommunityFigures, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	type count struct {
		community int64
		n, a, b   int
	}
	scanCount := func(rows rowScanner) (count, error) {
		var c count
		err := rows.Scan(&c.community, &c.n, &c.a, &c.b)
		return c, err
	}
	// Bookings of the events held in the period, by the event's community.
	counts, err := queryRows(ctx, db.read, scanCount, `SELECT e.community_id, COUNT(*),
			COALESCE(SUM(b.status = 'checked_in'), 0), COALESCE(SUM(b.status = 'no_show'), 0)
		FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN events e ON e.id = b.event_id
		WHERE s.start_ms >= ? AND s.start_ms < ? AND b.status IN ('pending','confirmed','checked_in','no_show','offered')
		GROUP BY e.community_id`, f, t)
	if err != nil {
		return nil, fmt.Errorf("district figures: bookings: %w", err)
	}
	for _, c := range counts {
		if cf := byID[c.community]; cf != nil {
			cf.Bookings, cf.Attended, cf.NoShows = c.n, c.a, c.b
		}
	}
	// SMS queued in the period (calls are not SMS).
	counts, err = queryRows(ctx, db.read, scanCount, `SELECT community_id, 0,
			COALESCE(SUM(status IN ('submitted','delivered')), 0), COALESCE(SUM(status IN ('failed','unknown')), 0)
		FROM messages WHERE channel = 'sms' AND created_ms >= ? AND created_ms < ?
		GROUP BY community_id`, f, t)
	if err != nil {
		return nil, fmt.Errorf("district figures: messages: %w", err)
	}
	for _, c := range counts {
		if cf := byID[c.community]; cf != nil {
			cf.SMSSent, cf.SMSFailed = c.a, c.b
		}
	}
	// Orders made in the period, and how long partners took to accept.
	type order struct {
		community int64
		accepted  bool
		waitMS    int64
		hasWait   bool
	}
	orders, err := queryRows(ctx, db.read, func(rows rowScanner) (order, error) {
		var o order
		var accepted, wait, hasWait int64
		err := rows.Scan(&o.community, &accepted, &wait, &hasWait)
		o.accepted, o.waitMS, o.hasWait = accepted != 0, wait, hasWait != 0
		return o, err
	}, `SELECT community_id, accepted_ms IS NOT NULL, COALESCE(accepted_ms - first_dispatch_ms, 0),
			accepted_ms IS NOT NULL AND first_dispatch_ms IS NOT NULL
		FROM orders WHERE created_ms >= ? AND created_ms < ?`, f, t)
	if err != nil {
		return nil, fmt.Errorf("district figures: orders: %w", err)
	}
	waits := map[int64][]float64{}
	for _, o := range orders {
		cf := byID[o.community]
		if cf == nil {
			continue
		}
		cf.Orders++
		if o.accepted {
			cf.OrdersAccepted++
		}
		if o.hasWait {
			waits[o.community] = append(waits[o.community], float64(o.waitMS)/60000)
		}
	}
	for id, w := range waits {
		sort.Float64s(w)
		n := len(w)
		byID[id].AcceptMinutesMedian = (w[(n-1)/2] + w[n/2]) / 2
	}
	// Kiosks in service now: paired and not revoked.
	type kiosk struct{ community, id int64 }
	kiosks, err := queryRows(ctx, db.read, func(rows rowScanner) (kiosk, error) {
		var k kiosk
		err := rows.Scan(&k.community, &k.id)
		return k, err
	}, "SELECT community_id, id FROM kiosks WHERE paired_ms IS NOT NULL AND revoked_ms IS NULL ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("district figures: kiosks: %w", err)
	}
	for _, k := range kiosks {
		if cf := byID[k.community]; cf != nil {
			cf.Kiosks++
			cf.KioskIDs = append(cf.KioskIDs, k.id)
		}
	}
	return out, nil
}
