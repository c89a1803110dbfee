package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/chorus-community/chorus"
)

// PartnerStats returns the figures of each partner serving the scope's
// community, for that community's orders: orders offered, accepted and
// done, and the median time from an order's first dispatch to acceptance.
func (db *DB) PartnerStats(ctx context.Context) ([]chorus.PartnerStats, error) {
	community := chorus.ScopeFrom(ctx).Community
	partners, err := db.partners(ctx, db.read, community)
	if err != nil {
		return nil, err
	}
	out := make([]chorus.PartnerStats, 0, len(partners))
	for _, p := range partners {
		st := chorus.PartnerStats{PartnerID: p.ID, Partner: p.Name}
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_offers f JOIN orders o ON o.id = f.order_id
			WHERE f.partner_id = ? AND f.wave > 0 AND f.told = 1 AND o.community_id = ?`, p.ID, community).
			Scan(&st.Offered); err != nil {
			return nil, err
		}
		type accepted struct {
			status chorus.OrderStatus
			wait   sql.NullInt64
		}
		orders, err := queryRows(ctx, db.read, func(rows rowScanner) (accepted, error) {
			var a accepted
			err := rows.Scan(&a.status, &a.wait)
			return a, err
		}, `SELECT status, (accepted_ms - first_dispatch_ms) FROM orders
			WHERE partner_id = ? AND accepted_ms IS NOT NULL AND community_id = ?`, p.ID, community)
		if err != nil {
			return nil, fmt.Errorf("partner %d orders: %w", p.ID, err)
		}
		var waits []float64
		for _, a := range orders {
			st.Accepted++
			if a.status == chorus.OrderDone {
				st.Done++
			}
			if a.wait.Valid {
				waits = append(waits, float64(a.wait.Int64)/1000)
			}
		}
		if n := len(waits); n > 0 {
			sort.Float64s(waits)
			st.MedianAcceptSeconds = (waits[(n-1)/2] + waits[n/2]) / 2
		}
		out = append(out, st)
	}
	return out, nil
}

// PartnerFigures returns every partner's figures between from and to, in
// each community it serves or worked for and in total, for the yearly
// thanks: orders sent to it, taken and finished, the median time to take
// one, the events and programmes it hosted. A district scope counts every
// community; any other scope its own community alone (partners that did
// nothing there and do not serve it are left out).
func (db *DB) PartnerFigures(ctx context.Context, from, to time.Time) ([]chorus.PartnerFigures, error) {
	sc := chorus.ScopeFrom(ctx)
	type key struct{ partner, community int64 }
	tallies := map[key]*chorus.PartnerTally{}
	tally := func(p, c int64) *chorus.PartnerTally {
		k := key{p, c}
		if tallies[k] == nil {
			tallies[k] = &chorus.PartnerTally{ID: c}
		}
		return tallies[k]
	}
	counted := func(c int64) bool { return sc.District || c == sc.Community }
	f, t := from.UnixMilli(), to.UnixMilli()
	type count struct {
		partner, community int64
		n                  int
	}
	scanCount := func(rows rowScanner) (count, error) {
		var c count
		return c, rows.Scan(&c.partner, &c.community, &c.n)
	}
	counts := []struct {
		q     string
		args  []any
		field func(*chorus.PartnerTally) *int
	}{
		{`SELECT p.partner_id, o.community_id, COUNT(DISTINCT o.id) FROM order_offers p JOIN orders o ON o.id = p.order_id
			WHERE p.told = 1 AND p.wave > 0 AND o.created_ms >= ? AND o.created_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.Orders }},
		{`SELECT partner_id, community_id, COUNT(*) FROM orders WHERE partner_id IS NOT NULL AND status = 'done'
			AND done_ms >= ? AND done_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.Done }},
		{`SELECT e.partner_id, e.community_id, COUNT(DISTINCT e.id) FROM events e JOIN slots s ON s.event_id = e.id
			WHERE e.partner_id IS NOT NULL AND s.start_ms >= ? AND s.start_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.Events }},
		{`SELECT partner_id, community_id, COUNT(*) FROM programmes WHERE partner_id IS NOT NULL AND kind = 'childcare'
			AND start_date >= ? AND start_date < ? GROUP BY 1, 2`,
			[]any{from.In(db.Location).Format(time.DateOnly), to.In(db.Location).Format(time.DateOnly)},
			func(x *chorus.PartnerTally) *int { return &x.Programmes }},
		{`SELECT k.partner_id, k.community_id, COUNT(DISTINCT k.id) FROM classes k JOIN class_sessions s ON s.class_id = k.id
			WHERE s.status = 'scheduled' AND s.date >= ? AND s.date < ? GROUP BY 1, 2`,
			[]any{from.In(db.Location).Format(time.DateOnly), to.In(db.Location).Format(time.DateOnly)},
			func(x *chorus.PartnerTally) *int { return &x.Classes }},
		{`SELECT k.partner_id, k.community_id, COUNT(DISTINCT n.phone) FROM classes k JOIN enrolments n ON n.programme_id = k.programme_id
			WHERE n.status IN ('confirmed', 'checked_in', 'offered') AND EXISTS (SELECT 1 FROM class_sessions s WHERE s.class_id = k.id
			AND s.status = 'scheduled' AND s.date >= ? AND s.date < ?) GROUP BY 1, 2`,
			[]any{from.In(db.Location).Format(time.DateOnly), to.In(db.Location).Format(time.DateOnly)},
			func(x *chorus.PartnerTally) *int { return &x.Students }},
		// Its people's volunteering (issue 20): confirmed hours only.
		{`SELECT v.partner_id, c.community_id, COUNT(DISTINCT c.volunteer_id) FROM hours_claims c
			JOIN volunteers v ON v.id = c.volunteer_id WHERE v.partner_id IS NOT NULL AND c.status = 'confirmed'
			AND c.start_ms >= ? AND c.start_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.Volunteers }},
		{`SELECT v.partner_id, c.community_id, COUNT(*) FROM hours_claims c
			JOIN volunteers v ON v.id = c.volunteer_id WHERE v.partner_id IS NOT NULL AND c.status = 'confirmed'
			AND c.start_ms >= ? AND c.start_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.VolunteerTimes }},
		{`SELECT v.partner_id, c.community_id, COUNT(DISTINCT s.activity_id) FROM hours_claims c
			JOIN volunteers v ON v.id = c.volunteer_id JOIN volunteer_signups g ON c.source = 'shift' AND g.id = c.source_id
			JOIN volunteer_shifts s ON s.id = g.shift_id WHERE v.partner_id IS NOT NULL AND c.status = 'confirmed'
			AND c.start_ms >= ? AND c.start_ms < ? GROUP BY 1, 2`, []any{f, t},
			func(x *chorus.PartnerTally) *int { return &x.VolunteerActivities }},
	}
	for _, c := range counts {
		rows, err := queryRows(ctx, db.read, scanCount, c.q, c.args...)
		if err != nil {
			return nil, fmt.Errorf("partner figures: %w", err)
		}
		for _, r := range rows {
			if counted(r.community) {
				*c.field(tally(r.partner, r.community)) += r.n
			}
		}
	}
	// The hours each partner's venues were lent: agreed requests, and the
	// open-hours sessions (the slots of its venues' events of kind venue).
	type lent struct {
		partner, community int64
		ms                 int64
	}
	for _, q := range []string{
		`SELECT v.partner_id, r.community_id, SUM(r.end_ms - r.start_ms) FROM venue_requests r
			JOIN venues v ON v.place_id = r.place_id
			WHERE r.status = 'approved' AND r.start_ms >= ? AND r.start_ms < ? GROUP BY 1, 2`,
		`SELECT v.partner_id, e.community_id, SUM(s.end_ms - s.start_ms) FROM events e
			JOIN venues v ON v.place_id = e.place_id JOIN slots s ON s.event_id = e.id
			WHERE e.kind = 'venue' AND e.status != 'cancelled' AND s.start_ms >= ? AND s.start_ms < ? GROUP BY 1, 2`,
	} {
		rows, err := queryRows(ctx, db.read, func(rows rowScanner) (lent, error) {
			var l lent
			return l, rows.Scan(&l.partner, &l.community, &l.ms)
		}, q, f, t)
		if err != nil {
			return nil, fmt.Errorf("partner figures: venues: %w", err)
		}
		for _, l := range rows {
			if counted(l.community) {
				tally(l.partner, l.community).VenueHours += float64(l.ms) / float64(time.Hour/time.Millisecond)
			}
		}
	}
	given, err := queryRows(ctx, db.read, func(rows rowScanner) (count, error) {
		var c count
		return c, rows.Scan(&c.partner, &c.community, &c.n)
	}, `SELECT v.partner_id, c.community_id, SUM(c.minutes) FROM hours_claims c JOIN volunteers v ON v.id = c.volunteer_id
		WHERE v.partner_id IS NOT NULL AND c.status = 'confirmed' AND c.start_ms >= ? AND c.start_ms < ? GROUP BY 1, 2`, f, t)
	if err != nil {
		return nil, fmt.Errorf("partner figures: volunteers: %w", err)
	}
	for _, g := range given {
		if counted(g.community) {
			tally(g.partner, g.community).VolunteerHours += float64(g.n) / 60
		}
	}
	type accepted struct {
		partner, community int64
		wait               sql.NullInt64
	}
	taken, err := queryRows(ctx, db.read, func(rows rowScanner) (accepted, error) {
		var a accepted
		return a, rows.Scan(&a.partner, &a.community, &a.wait)
	}, `SELECT partner_id, community_id, accepted_ms - first_dispatch_ms FROM orders
		WHERE partner_id IS NOT NULL AND accepted_ms >= ? AND accepted_ms < ?`, f, t)
	if err != nil {
		return nil, fmt.Errorf("partner figures: %w", err)
	}
	for _, a := range taken {
		if !counted(a.community) {
			continue
		}
		x := tally(a.partner, a.community)
		x.Accepted++
		if a.wait.Valid {
			x.AddWait(float64(a.wait.Int64) / 60000)
		}
	}
	// Every community a partner serves shows, even with nothing done.
	links, err := queryRows(ctx, db.read, func(rows rowScanner) (key, error) {
		var k key
		return k, rows.Scan(&k.partner, &k.community)
	}, "SELECT partner_id, community_id FROM partner_communities")
	if err != nil {
		return nil, fmt.Errorf("partner figures: %w", err)
	}
	for _, k := range links {
		if counted(k.community) {
			tally(k.partner, k.community)
		}
	}
	names, err := db.names(ctx, "SELECT id, name FROM community")
	if err != nil {
		return nil, err
	}
	partners, err := db.names(ctx, "SELECT id, name FROM partners")
	if err != nil {
		return nil, err
	}
	byPartner := map[int64]*chorus.PartnerFigures{}
	for k, x := range tallies {
		pf := byPartner[k.partner]
		if pf == nil {
			pf = &chorus.PartnerFigures{ID: k.partner, Name: partners[k.partner], Communities: []chorus.PartnerTally{}}
			byPartner[k.partner] = pf
		}
		x.Name = names[k.community]
		pf.Communities = append(pf.Communities, *x)
		pf.Total.Add(*x)
	}
	out := make([]chorus.PartnerFigures, 0, len(byPartner))
	for _, pf := range byPartner {
		sort.Slice(pf.Communities, func(i, j int) bool { return pf.Communities[i].ID < pf.Communities[j].ID })
		out = append(out, *pf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// names reads an id -> name table.
func (db *DB) names(ctx context.Context, q string) (map[int64]string, error) {
	type row struct {
		id   int64
		name string
	}
	rows, err := queryRows(ctx, db.read, func(rs rowScanner) (row, error) {
		var r row
		return r, rs.Scan(&r.id, &r.name)
	}, q)
	if err != nil {
		return nil, fmt.Errorf("names: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.id] = r.name
	}
	return out, nil
}
