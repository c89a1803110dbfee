package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// VolunteerFigures returns each volunteer of the scope's community with
// their confirmed hours, times served and activities in year, most
// hours first; volunteers with nothing confirmed are listed with zeros.
func (db *DB) VolunteerFigures(ctx context.Context, year int) ([]chorus.VolunteerFigure, error) {
	from, to := chorus.YearBounds(year, db.Location)
	return queryRows(ctx, db.read, func(r rowScanner) (chorus.VolunteerFigure, error) {
		var f chorus.VolunteerFigure
		return f, r.Scan(&f.VolunteerID, &f.Name, &f.Partner, &f.Minutes, &f.Times, &f.Activities)
	}, `SELECT v.id, v.name, COALESCE(p.name, ''), COALESCE(SUM(c.minutes), 0), COUNT(c.id), COUNT(DISTINCT s.activity_id)
		FROM volunteers v LEFT JOIN partners p ON p.id = v.partner_id
		LEFT JOIN hours_claims c ON c.volunteer_id = v.id AND c.status = 'confirmed' AND c.start_ms >= ? AND c.start_ms < ?
		LEFT JOIN volunteer_signups g ON c.source = 'shift' AND g.id = c.source_id
		LEFT JOIN volunteer_shifts s ON s.id = g.shift_id
		WHERE v.community_id = ? GROUP BY v.id ORDER BY 4 DESC, v.name, v.id`,
		from.UnixMilli(), to.UnixMilli(), chorus.ScopeFrom(ctx).Community)
}

// UnitFigures returns, for each partner unit serving the scope's
// community, its people's volunteering in year: people, person-times,
// confirmed minutes and activities.
func (db *DB) UnitFigures(ctx context.Context, year int) ([]chorus.UnitFigure, error) {
	from, to := chorus.YearBounds(year, db.Location)
	c := chorus.ScopeFrom(ctx).Community
	return queryRows(ctx, db.read, func(r rowScanner) (chorus.UnitFigure, error) {
		var f chorus.UnitFigure
		return f, r.Scan(&f.PartnerID, &f.Name, &f.People, &f.Times, &f.Minutes, &f.Activities)
	}, `SELECT p.id, p.name, COUNT(DISTINCT c.volunteer_id), COUNT(c.id), COALESCE(SUM(c.minutes), 0), COUNT(DISTINCT s.activity_id)
		FROM partner_communities pc JOIN partners p ON p.id = pc.partner_id
		LEFT JOIN volunteers v ON v.partner_id = p.id AND v.community_id = pc.community_id
		LEFT JOIN hours_claims c ON c.volunteer_id = v.id AND c.status = 'confirmed' AND c.start_ms >= ? AND c.start_ms < ?
		LEFT JOIN volunteer_signups g ON c.source = 'shift' AND g.id = c.source_id
		LEFT JOIN volunteer_shifts s ON s.id = g.shift_id
		WHERE pc.community_id = ? GROUP BY p.id ORDER BY 5 DESC, p.id`, from.UnixMilli(), to.UnixMilli(), c)
}

// Certificate returns the 志愿服务记录证明 of volunteer id for year,
// issued now: confirmed hours only, by activity (help given at home is
// one line, 时间银行帮扶). Errors: ENOTFOUND.
func (db *DB) Certificate(ctx context.Context, id int64, year int) (*chorus.Certificate, error) {
	v, err := db.Volunteer(ctx, id)
	if err != nil {
		return nil, err
	}
	community := unnamedCommunity
	if c, err := db.CommunityByID(ctx, v.Community); err == nil {
		community = c.Name
	} else if chorus.ErrorCode(err) != chorus.ENOTFOUND {
		return nil, fmt.Errorf("community of certificate: %w", err)
	}
	from, to := chorus.YearBounds(year, db.Location)
	now := db.Now().In(db.Location)
	cert := &chorus.Certificate{Serial: chorus.CertificateSerial(v.Community, year, v.ID, now), Community: community,
		Name: v.Name, Partner: v.Partner, Year: year, Issued: now}
	type line struct {
		chorus.CertificateLine
		first, last int64
	}
	lines, err := queryRows(ctx, db.read, func(r rowScanner) (line, error) {
		var l line
		return l, r.Scan(&l.Activity, &l.Kind, &l.Times, &l.Minutes, &l.first, &l.last)
	}, `SELECT COALESCE(a.title, '时间银行帮扶'), COALESCE(a.kind, '敬老助残'), COUNT(*), SUM(c.minutes), MIN(c.start_ms), MAX(c.start_ms)
		FROM hours_claims c LEFT JOIN volunteer_signups g ON c.source = 'shift' AND g.id = c.source_id
		LEFT JOIN volunteer_shifts s ON s.id = g.shift_id LEFT JOIN volunteer_activities a ON a.id = s.activity_id
		WHERE c.volunteer_id = ? AND c.status = 'confirmed' AND c.start_ms >= ? AND c.start_ms < ?
		GROUP BY a.id ORDER BY MIN(c.start_ms)`, id, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	cert.Lines = []chorus.CertificateLine{}
	for _, l := range lines {
		l.First = time.UnixMilli(l.first).In(db.Location).Format(time.DateOnly)
		l.Last = time.UnixMilli(l.last).In(db.Location).Format(time.DateOnly)
		cert.Lines = append(cert.Lines, l.CertificateLine)
		cert.Minutes += l.Minutes
		cert.Times += l.Times
	}
	return cert, nil
}
