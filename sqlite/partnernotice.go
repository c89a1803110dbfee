package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// NotifyPartners queues the partners' notices due at now (see
// chorus.PartnerNoticesDue, hour being the reminder hour): to each venue's
// approvers, the day before, one SMS per use of the room tomorrow (an
// event agreed, an open-hours session) with the number of people booked;
// to each partner's phones, once a month and per community, last month's
// hours lent, events and people served (nothing when nothing happened).
// Each notice is claimed in partner_notices in the transaction that
// queues its messages, so it goes once, restarts included. Background
// work: every community's venues. It returns how many messages it queued.
func (db *DB) NotifyPartners(ctx context.Context, now time.Time, hour int) (int, error) {
	venues, err := db.venues(ctx, db.read, "1 = 1")
	if err != nil {
		return 0, err
	}
	total := 0
	months := map[[2]int64]bool{}
	for _, v := range venues {
		zone := db.ZoneOf(ctx, v.Community)
		tomorrow, month := chorus.PartnerNoticesDue(now.In(zone), hour)
		pair := [2]int64{v.PartnerID, v.Community}
		// Most rounds find both sent already: a read, not a write.
		if tomorrow != "" && db.noticeSent(ctx, "venue_day", strconv.FormatInt(v.PlaceID, 10), tomorrow) {
			tomorrow = ""
		}
		if month != "" && (months[pair] || db.noticeSent(ctx, "partner_month", fmt.Sprint(v.PartnerID, ":", v.Community), month)) {
			month = ""
		}
		if tomorrow == "" && month == "" {
			continue
		}
		n := 0
		if err := db.update(ctx, func(tx *Tx) (err error) {
			n = 0
			if tomorrow != "" {
				if n, err = tx.remindVenue(ctx, v, tomorrow, zone); err != nil {
					return err
				}
			}
			if month != "" && !months[pair] {
				k, err := tx.summarisePartner(ctx, v.PartnerID, v.Community, month, zone)
				n += k
				return err
			}
			return nil
		}); err != nil {
			return total, err
		}
		months[pair] = true
		total += n
	}
	return total, nil
}

// noticeSent reports whether the notice kind of subject for period was
// sent (false on a read error: the write transaction decides then).
func (db *DB) noticeSent(ctx context.Context, kind, subject, period string) bool {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM partner_notices WHERE kind = ? AND subject = ? AND period = ?",
		kind, subject, period).Scan(&n)
	return err == nil && n > 0
}

// claimNotice records that the notice kind of subject for period is sent,
// false when it was already.
func (tx *Tx) claimNotice(ctx context.Context, kind, subject, period string) (bool, error) {
	res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO partner_notices (kind, subject, period, queued_ms) VALUES (?, ?, ?, ?)",
		kind, subject, period, tx.now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claim %s notice: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// remindVenue texts venue v's approvers each use of the room on date
// (local, in zone), once.
func (tx *Tx) remindVenue(ctx context.Context, v chorus.Venue, date string, zone *time.Location) (int, error) {
	if ok, err := tx.claimNotice(ctx, "venue_day", strconv.FormatInt(v.PlaceID, 10), date); err != nil || !ok {
		return 0, err
	}
	from, err := time.ParseInLocation(time.DateOnly, date, zone)
	if err != nil {
		return 0, fmt.Errorf("reminder date %q: %w", date, err)
	}
	to := from.AddDate(0, 0, 1)
	type use struct {
		start, end int64
		title      string
		people     int
	}
	uses, err := queryRows(ctx, tx, func(s rowScanner) (use, error) {
		var u use
		err := s.Scan(&u.start, &u.end, &u.title, &u.people)
		return u, err
	}, `SELECT r.start_ms, r.end_ms, e.title, (SELECT COUNT(*) FROM bookings b WHERE b.event_id = e.id
			AND b.status IN ('pending','confirmed','checked_in','offered'))
		FROM venue_requests r JOIN events e ON e.id = r.event_id
		WHERE r.place_id = ? AND r.status = 'approved' AND e.status != 'cancelled' AND r.start_ms >= ? AND r.start_ms < ?
		UNION ALL
		SELECT s.start_ms, s.end_ms, e.title, s.taken FROM slots s JOIN events e ON e.id = s.event_id
		WHERE e.place_id = ? AND e.kind = ? AND e.status != 'cancelled' AND s.start_ms >= ? AND s.start_ms < ?
		ORDER BY 1, 2`, v.PlaceID, from.UnixMilli(), to.UnixMilli(), v.PlaceID, chorus.ServiceVenue, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("uses of venue %d on %s: %w", v.PlaceID, date, err)
	}
	if len(uses) == 0 {
		return 0, nil
	}
	phones, err := tx.approvers(ctx, &v)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range uses {
		params := map[string]string{"venue": chorus.Ellipsize(v.Place, chorus.MaxParamRunes),
			"time":  chorus.FormatVenueTime(time.UnixMilli(u.start).In(zone), time.UnixMilli(u.end).In(zone)),
			"event": chorus.Ellipsize(u.title, chorus.MaxParamRunes), "people": strconv.Itoa(u.people)}
		for _, p := range phones {
			if err := tx.queue(ctx, chorus.Message{Phone: p, Kind: chorus.MsgVenueTomorrow, Params: params, Community: v.Community}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// summarisePartner texts partner's phones what its venues did for
// community in month (2026-11, local in zone), once.
func (tx *Tx) summarisePartner(ctx context.Context, partner, community int64, month string, zone *time.Location) (int, error) {
	if ok, err := tx.claimNotice(ctx, "partner_month", fmt.Sprint(partner, ":", community), month); err != nil || !ok {
		return 0, err
	}
	from, err := time.ParseInLocation("2006-01", month, zone)
	if err != nil {
		return 0, fmt.Errorf("summary month %q: %w", month, err)
	}
	f, t := from.UnixMilli(), from.AddDate(0, 1, 0).UnixMilli()
	p := chorus.PartnerMonth{Month: month}
	var lentMS, openMS int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(r.end_ms - r.start_ms), 0) FROM venue_requests r
		JOIN venues v ON v.place_id = r.place_id
		WHERE v.partner_id = ? AND r.community_id = ? AND r.status = 'approved' AND r.start_ms >= ? AND r.start_ms < ?`,
		partner, community, f, t).Scan(&p.Events, &lentMS); err != nil {
		return 0, fmt.Errorf("events lent by partner %d: %w", partner, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(s.end_ms - s.start_ms), 0) FROM events e
		JOIN venues v ON v.place_id = e.place_id JOIN slots s ON s.event_id = e.id
		WHERE v.partner_id = ? AND e.community_id = ? AND e.kind = ? AND e.status != 'cancelled' AND s.start_ms >= ? AND s.start_ms < ?`,
		partner, community, chorus.ServiceVenue, f, t).Scan(&openMS); err != nil {
		return 0, fmt.Errorf("open hours of partner %d: %w", partner, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings b JOIN slots s ON s.id = b.slot_id
		JOIN events e ON e.id = b.event_id JOIN venues v ON v.place_id = e.place_id
		WHERE v.partner_id = ? AND e.community_id = ? AND b.status = 'checked_in' AND s.start_ms >= ? AND s.start_ms < ?
		AND (e.kind = ? OR EXISTS (SELECT 1 FROM venue_requests r WHERE r.event_id = e.id AND r.status = 'approved'))`,
		partner, community, f, t, chorus.ServiceVenue).Scan(&p.People); err != nil {
		return 0, fmt.Errorf("people served by partner %d: %w", partner, err)
	}
	p.Hours = float64(lentMS+openMS) / float64(time.Hour/time.Millisecond)
	if !p.Worth() {
		return 0, nil
	}
	phones, err := queryRows(ctx, tx, scanValue[string], "SELECT phone FROM partner_phones WHERE partner_id = ? ORDER BY phone", partner)
	if err != nil {
		return 0, fmt.Errorf("phones of partner %d: %w", partner, err)
	}
	for _, phone := range phones {
		if err := tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgPartnerMonth, Params: p.Params(), Community: community}); err != nil {
			return 0, err
		}
	}
	return len(phones), nil
}
