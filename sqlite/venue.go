package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// Venues returns the scope's community's partner venues with their
// opening rules and closures.
func (db *DB) Venues(ctx context.Context) ([]chorus.Venue, error) {
	return db.venues(ctx, db.read, "v.community_id = ?", chorus.ScopeFrom(ctx).Community)
}

// Venue returns the partner venue at place id. Errors: ENOTFOUND (none, or
// of a community the scope does not see).
func (db *DB) Venue(ctx context.Context, placeID int64) (*chorus.Venue, error) {
	list, err := db.venues(ctx, db.read, "v.place_id = ?", placeID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !chorus.ScopeFrom(ctx).Sees(list[0].Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个场馆。")
	}
	return &list[0], nil
}

func (db *DB) venues(ctx context.Context, q querier, where string, args ...any) ([]chorus.Venue, error) {
	list, err := queryRows(ctx, q, func(rows rowScanner) (chorus.Venue, error) {
		var v chorus.Venue
		var approvers string
		err := rows.Scan(&v.PlaceID, &v.Place, &v.Address, &v.PartnerID, &v.Partner, &v.Community, &v.Kind, &v.Capacity,
			&v.BufferMinutes, &v.AnswerHours, &approvers, &v.Notes, &v.WeekLimit, &v.AtOnce)
		if err == nil {
			err = json.Unmarshal([]byte(approvers), &v.Approvers)
		}
		return v, err
	}, `SELECT v.place_id, p.name, p.address, v.partner_id, pa.name, v.community_id, v.kind, v.capacity,
		v.buffer_minutes, v.answer_hours, v.approvers, v.notes, v.week_limit, v.at_once
		FROM venues v JOIN places p ON p.id = v.place_id JOIN partners pa ON pa.id = v.partner_id
		WHERE `+where+` ORDER BY v.place_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("venues: %w", err)
	}
	for i := range list {
		if err := fillVenue(ctx, q, &list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// fillVenue reads v's opening rules and its closures not yet over.
func fillVenue(ctx context.Context, q querier, v *chorus.Venue) error {
	hours, err := queryRows(ctx, q, func(rows rowScanner) (chorus.OpeningRule, error) {
		var r chorus.OpeningRule
		var days string
		err := rows.Scan(&r.ID, &r.Day, &days, &r.Start, &r.End, &r.Mode, &r.Places)
		if err == nil {
			err = json.Unmarshal([]byte(days), &r.Weekdays)
		}
		return r, err
	}, "SELECT id, day_kind, weekdays, start, \"end\", mode, places FROM venue_hours WHERE place_id = ? ORDER BY id", v.PlaceID)
	if err != nil {
		return fmt.Errorf("hours of venue %d: %w", v.PlaceID, err)
	}
	v.Hours = append([]chorus.OpeningRule{}, hours...)
	closures, err := queryRows(ctx, q, func(rows rowScanner) (chorus.Closure, error) {
		var c chorus.Closure
		err := rows.Scan(&c.ID, &c.PlaceID, &c.From, &c.To, &c.Reason)
		return c, err
	}, "SELECT id, place_id, from_date, to_date, reason FROM venue_closures WHERE place_id = ? ORDER BY from_date, id", v.PlaceID)
	if err != nil {
		return fmt.Errorf("closures of venue %d: %w", v.PlaceID, err)
	}
	v.Closures = closures
	return nil
}

// SaveVenue makes a place of the scope's community a partner's venue, or
// changes one, with its opening rules (they replace the old ones), laying
// out again the weeks of open hours made (v.CalledOff counts the booked
// sessions it called off). The partner must be linked to the community.
// Errors: EINVALID, ENOTFOUND.
func (db *DB) SaveVenue(ctx context.Context, v *chorus.Venue) error {
	if err := v.Validate(); err != nil {
		return err
	}
	v.Community = chorus.ScopeFrom(ctx).Community
	if err := db.update(ctx, func(tx *Tx) error {
		var c int64
		err := tx.QueryRowContext(ctx, "SELECT community_id FROM places WHERE id = ?", v.PlaceID).Scan(&c)
		if err == sql.ErrNoRows || (err == nil && c != v.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个地点,请先在“地点”里添加场馆的名称和地址。")
		} else if err != nil {
			return fmt.Errorf("place %d: %w", v.PlaceID, err)
		}
		if err := tx.partnerLinked(ctx, v.PartnerID, v.Community); err != nil {
			return chorus.Errorf(chorus.EINVALID, "这个共建单位还没有和本社区共建,请先在“共建单位”里添加。")
		}
		approvers, _ := json.Marshal(v.Approvers)
		if _, err := tx.ExecContext(ctx, `INSERT INTO venues (place_id, partner_id, community_id, kind, capacity,
			buffer_minutes, answer_hours, approvers, notes, week_limit, at_once) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(place_id) DO UPDATE SET partner_id = excluded.partner_id, kind = excluded.kind,
			capacity = excluded.capacity, buffer_minutes = excluded.buffer_minutes, answer_hours = excluded.answer_hours,
			approvers = excluded.approvers, notes = excluded.notes, week_limit = excluded.week_limit, at_once = excluded.at_once`,
			v.PlaceID, v.PartnerID, v.Community, v.Kind, v.Capacity, v.BufferMinutes, v.AnswerHours, string(approvers),
			v.Notes, v.WeekLimit, v.AtOnce); err != nil {
			return fmt.Errorf("save venue %d: %w", v.PlaceID, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM venue_hours WHERE place_id = ?", v.PlaceID); err != nil {
			return fmt.Errorf("hours of venue %d: %w", v.PlaceID, err)
		}
		for i := range v.Hours {
			r := &v.Hours[i]
			days, _ := json.Marshal(r.Weekdays)
			res, err := tx.insert(ctx, "INSERT INTO venue_hours (place_id, day_kind, weekdays, start, \"end\", mode, places) VALUES (?, ?, ?, ?, ?, ?, ?)",
				v.PlaceID, r.DayKind(), string(days), r.Start, r.End, r.Mode, r.Places)
			if err != nil {
				return fmt.Errorf("hours of venue %d: %w", v.PlaceID, err)
			}
			r.ID, _ = res.LastInsertId()
		}
		// Weeks laid out already follow the new rules.
		v.CalledOffSessions, err = tx.relayVenue(ctx, v.PlaceID)
		v.CalledOff = len(v.CalledOffSessions)
		return err
	}); err != nil {
		return err
	}
	// Its open hours become bookable at once.
	_, err := db.OpenVenueWeeks(ctx, db.Now())
	return err
}

// AddClosure closes a venue of the scope's community from c.From to c.To
// and returns the requests holding the room then (staff move or cancel
// each: a closure always wins, nothing is dropped silently). Errors:
// EINVALID, ENOTFOUND.
func (db *DB) AddClosure(ctx context.Context, c *chorus.Closure) ([]chorus.VenueRequest, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var hits []chorus.VenueRequest
	err := db.update(ctx, func(tx *Tx) error {
		v, err := tx.seeVenue(ctx, c.PlaceID)
		if err != nil {
			return err
		}
		res, err := tx.insert(ctx, "INSERT INTO venue_closures (place_id, from_date, to_date, reason, created_ms) VALUES (?, ?, ?, ?, ?)",
			c.PlaceID, c.From, c.To, c.Reason, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("add closure: %w", err)
		}
		c.ID, _ = res.LastInsertId()
		from, to := c.Span(tx.db.Location)
		// Residents booked into open hours the closure falls on are told.
		type hit struct{ booking, start, end int64 }
		booked, err := queryRows(ctx, tx, func(rows rowScanner) (hit, error) {
			var h hit
			err := rows.Scan(&h.booking, &h.start, &h.end)
			return h, err
		}, `SELECT b.id, s.start_ms, s.end_ms FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN events e ON e.id = b.event_id
			WHERE e.place_id = ? AND e.kind = ? AND s.start_ms < ? AND s.end_ms > ? AND b.status IN `+liveIn+`
			ORDER BY s.start_ms, b.id`,
			c.PlaceID, chorus.ServiceVenue, to.UnixMilli(), from.UnixMilli())
		if err != nil {
			return fmt.Errorf("open-hours bookings closed: %w", err)
		}
		c.CalledOff = nil
		for _, b := range booked {
			if err := tx.transition(ctx, b.booking, "", chorus.StatusCancelled, chorus.ActorSystem, "场馆关闭:"+c.Reason); err != nil {
				return err
			}
			// One row per session, with its residents told.
			off := tx.calledOff(*v, b.start, b.end, 1)
			if n := len(c.CalledOff); n > 0 && c.CalledOff[n-1].Date == off.Date && c.CalledOff[n-1].Start == off.Start {
				c.CalledOff[n-1].Told++
				continue
			}
			c.CalledOff = append(c.CalledOff, off)
		}
		c.Cancelled = len(booked)
		if _, err := tx.relayVenue(ctx, c.PlaceID); err != nil {
			return err
		}
		hits, err = tx.venueRequests(ctx, `r.place_id = ? AND r.status IN ('pending','approved') AND r.start_ms < ? AND r.end_ms > ?`,
			c.PlaceID, to.UnixMilli(), from.UnixMilli())
		return err
	})
	return hits, err
}

// DeleteClosure reopens a venue closed by closure id. Errors: ENOTFOUND.
func (db *DB) DeleteClosure(ctx context.Context, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		var place int64
		if err := tx.QueryRowContext(ctx, "SELECT place_id FROM venue_closures WHERE id = ?", id).Scan(&place); err != nil {
			return notFound(err, "关闭安排")
		}
		if _, err := tx.seeVenue(ctx, place); err != nil {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个关闭安排。")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM venue_closures WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete closure %d: %w", id, err)
		}
		// The days reopen in the weeks laid out already.
		_, err := tx.relayVenue(ctx, place)
		return err
	})
}

// seeVenue returns the venue at place, ENOTFOUND unless the scope sees it.
func (tx *Tx) seeVenue(ctx context.Context, place int64) (*chorus.Venue, error) {
	v, ok, err := tx.venueAt(ctx, place)
	if err != nil {
		return nil, err
	}
	if !ok || !chorus.ScopeFrom(ctx).Sees(v.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个场馆。")
	}
	return v, nil
}

// venueAt returns the venue at place, ok false when the place is no
// partner's venue.
func (tx *Tx) venueAt(ctx context.Context, place int64) (*chorus.Venue, bool, error) {
	list, err := tx.db.venues(ctx, tx, "v.place_id = ?", place)
	if err != nil || len(list) == 0 {
		return nil, false, err
	}
	return &list[0], true, nil
}

// VenueRequests returns the scope's community's venue requests, newest
// first; only those in status when it is set.
func (db *DB) VenueRequests(ctx context.Context, status chorus.VenueRequestStatus, limit int) ([]chorus.VenueRequest, error) {
	where, args := "r.community_id = ?", []any{chorus.ScopeFrom(ctx).Community}
	if status != "" {
		where, args = where+" AND r.status = ?", append(args, status)
	}
	return db.venueRequests(ctx, db.read, where+" ORDER BY r.id DESC LIMIT ?", append(args, limit)...)
}

const venueRequestCols = `r.id, r.place_id, p.name, r.event_id, e.title, r.community_id, r.start_ms, r.end_ms, r.status,
	r.deadline_ms, r.decided_by, r.decided_ms, r.reason, r.created_ms
	FROM venue_requests r JOIN places p ON p.id = r.place_id JOIN events e ON e.id = r.event_id`

func (db *DB) venueRequests(ctx context.Context, q querier, where string, args ...any) ([]chorus.VenueRequest, error) {
	list, err := queryRows(ctx, q, func(rows rowScanner) (chorus.VenueRequest, error) {
		var r chorus.VenueRequest
		var start, end, created int64
		var deadline, decided sql.NullInt64
		err := rows.Scan(&r.ID, &r.PlaceID, &r.Venue, &r.EventID, &r.Event, &r.Community, &start, &end, &r.Status,
			&deadline, &r.DecidedBy, &decided, &r.Reason, &created)
		r.Start, r.End, r.CreatedAt = time.UnixMilli(start), time.UnixMilli(end), time.UnixMilli(created)
		r.Deadline, r.DecidedAt = fromMS(deadline), fromMS(decided)
		return r, err
	}, "SELECT "+venueRequestCols+" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("venue requests: %w", err)
	}
	return list, nil
}

func (tx *Tx) venueRequests(ctx context.Context, where string, args ...any) ([]chorus.VenueRequest, error) {
	return tx.db.venueRequests(ctx, tx, where+" ORDER BY r.start_ms", args...)
}

// requestVenue asks the partner for its venue when event e (just saved,
// with its slots) takes place at one: the use must fit the venue
// (chorus.CheckVenueUse against every request holding the room, in this
// same transaction, so two events never get one room), a pending request
// is stored, the event is closed until the partner agrees, and each
// approver gets the request by SMS. An event already agreed for the same
// room and times keeps its answer; one moved away from a venue, or to
// other times, gives up its old request.
func (tx *Tx) requestVenue(ctx context.Context, e *chorus.Event) error {
	if e.Kind == chorus.ServiceVenue {
		return nil // a venue's own open hours (OpenVenueWeeks) need no request
	}
	var start, end sql.NullInt64
	var people int
	if err := tx.QueryRowContext(ctx, "SELECT MIN(start_ms), MAX(end_ms), COALESCE(MAX(capacity), 0) FROM slots WHERE event_id = ?",
		e.ID).Scan(&start, &end, &people); err != nil {
		return fmt.Errorf("span of event %d: %w", e.ID, err)
	}
	var cur struct {
		id, place, start, end int64
		status                chorus.VenueRequestStatus
	}
	err := tx.QueryRowContext(ctx, `SELECT id, place_id, start_ms, end_ms, status FROM venue_requests
		WHERE event_id = ? AND status IN ('pending','approved') ORDER BY id DESC LIMIT 1`, e.ID).
		Scan(&cur.id, &cur.place, &cur.start, &cur.end, &cur.status)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("request of event %d: %w", e.ID, err)
	}
	v, isVenue, err := tx.venueAt(ctx, e.PlaceID)
	if err != nil {
		return err
	}
	same := cur.id != 0 && cur.place == e.PlaceID && cur.start == start.Int64 && cur.end == end.Int64
	if same {
		if cur.status == chorus.VenuePending {
			if _, err := tx.ExecContext(ctx, "UPDATE venue_requests SET open_status = ? WHERE id = ?", e.Status, cur.id); err != nil {
				return err
			}
			return tx.closeEvent(ctx, e)
		}
		return nil
	}
	if cur.id != 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE venue_requests SET status = 'cancelled', decided_ms = ?, decided_by = 'staff' WHERE id = ?",
			tx.now.UnixMilli(), cur.id); err != nil {
			return fmt.Errorf("give up request %d: %w", cur.id, err)
		}
	}
	if !isVenue || !start.Valid {
		return nil
	}
	if v.Community != e.Community {
		return chorus.Errorf(chorus.EINVALID, "这个场馆不属于本社区,请选择本社区的场馆。")
	}
	uses, err := tx.heldUses(ctx, e.PlaceID, e.ID)
	if err != nil {
		return err
	}
	s, en := time.UnixMilli(start.Int64), time.UnixMilli(end.Int64)
	cal, err := tx.calendar(ctx, s.In(tx.db.Location).Format(time.DateOnly), en.In(tx.db.Location).Format(time.DateOnly))
	if err != nil {
		return err
	}
	if err := chorus.CheckVenueUse(*v, s, en, people, uses, tx.db.Location, cal); err != nil {
		return err
	}
	deadline := chorus.VenueDeadline(tx.now, s, v.AnswerHours)
	res, err := tx.insert(ctx, `INSERT INTO venue_requests (place_id, event_id, community_id, start_ms, end_ms, status,
		open_status, deadline_ms, created_ms) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
		e.PlaceID, e.ID, e.Community, start.Int64, end.Int64, e.Status, deadline.UnixMilli(), tx.now.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert venue request: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := tx.closeEvent(ctx, e); err != nil {
		return err
	}
	phones, err := tx.approvers(ctx, v)
	if err != nil {
		return err
	}
	params := venueParams(v.Place, e.Title, s, en, tx.db.Location, id)
	for _, p := range phones {
		if err := tx.queue(ctx, chorus.Message{Phone: p, Kind: chorus.MsgVenueRequest, Params: params, Community: e.Community}); err != nil {
			return err
		}
	}
	return nil
}

// venueParams are the template parameters naming a request.
func venueParams(venue, title string, start, end time.Time, loc *time.Location, id int64) map[string]string {
	return map[string]string{"venue": chorus.Ellipsize(venue, chorus.MaxParamRunes),
		"time":  chorus.FormatVenueTime(start.In(loc), end.In(loc)),
		"event": chorus.Ellipsize(title, chorus.MaxParamRunes), "code": strconv.FormatInt(id, 10)}
}

// closeEvent keeps event e closed to residents while its venue is not
// agreed.
func (tx *Tx) closeEvent(ctx context.Context, e *chorus.Event) error {
	if e.Status != chorus.EventOpen {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE events SET status = 'closed' WHERE id = ?", e.ID); err != nil {
		return fmt.Errorf("close event %d: %w", e.ID, err)
	}
	e.Status = chorus.EventClosed
	return nil
}

// heldUses returns the uses holding the room at place: pending and
// approved requests of other events than except.
func (tx *Tx) heldUses(ctx context.Context, place, except int64) ([]chorus.Use, error) {
	list, err := tx.venueRequests(ctx, "r.place_id = ? AND r.status IN ('pending','approved') AND r.event_id != ? AND r.end_ms > ?",
		place, except, tx.now.Add(-24*time.Hour).UnixMilli())
	if err != nil {
		return nil, err
	}
	uses := make([]chorus.Use, len(list))
	for i, r := range list {
		uses[i] = chorus.Use{Start: r.Start, End: r.End, What: r.Event}
	}
	// Open hours hold the room too.
	open, err := queryRows(ctx, tx, func(rows rowScanner) (chorus.Use, error) {
		var u chorus.Use
		var s, e int64
		err := rows.Scan(&s, &e, &u.What)
		u.Start, u.End = time.UnixMilli(s), time.UnixMilli(e)
		return u, err
	}, `SELECT s.start_ms, s.end_ms, e.title FROM slots s JOIN events e ON e.id = s.event_id
		WHERE e.place_id = ? AND e.kind = ? AND e.status != 'cancelled' AND s.end_ms > ?`,
		place, chorus.ServiceVenue, tx.now.Add(-24*time.Hour).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("open hours of venue %d: %w", place, err)
	}
	return append(uses, open...), nil
}

// approvers returns the phones that answer for venue v: its own, else its
// partner's.
func (tx *Tx) approvers(ctx context.Context, v *chorus.Venue) ([]string, error) {
	if len(v.Approvers) > 0 {
		return v.Approvers, nil
	}
	return queryRows(ctx, tx, scanValue[string], "SELECT phone FROM partner_phones WHERE partner_id = ? ORDER BY phone", v.PartnerID)
}

// releaseVenue gives up event id's live request (the event is called off).
func (tx *Tx) releaseVenue(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE venue_requests SET status = 'cancelled', decided_ms = ?, decided_by = 'staff'
		WHERE event_id = ? AND status IN ('pending','approved')`, tx.now.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("release venue of event %d: %w", id, err)
	}
	return nil
}

// checkVenueOpen refuses a booking of an open-hours session (an event of
// kind venue) on a day its venue is closed. Errors: ECONFLICT.
func (tx *Tx) checkVenueOpen(ctx context.Context, slotID int64, start time.Time) error {
	day := start.In(tx.db.Location).Format(time.DateOnly)
	var reason string
	err := tx.QueryRowContext(ctx, `SELECT c.reason FROM slots s JOIN events e ON e.id = s.event_id
		JOIN venue_closures c ON c.place_id = e.place_id WHERE s.id = ? AND e.kind = ? AND c.from_date <= ? AND c.to_date >= ?
		LIMIT 1`, slotID, chorus.ServiceVenue, day, day).Scan(&reason)
	switch {
	case err == sql.ErrNoRows:
		return nil
	case err != nil:
		return fmt.Errorf("venue closed: %w", err)
	case reason != "":
		return chorus.Errorf(chorus.ECONFLICT, "场馆这天关闭(%s),请选别的时间。", reason)
	}
	return chorus.Errorf(chorus.ECONFLICT, "场馆这天关闭,请选别的时间。")
}

// checkOpenHoursQuota applies the venue's quotas to req, a booking of an
// open-hours session starting at start (chorus.CheckOpenHoursQuota): it
// counts the phone's live bookings of the venue's sessions in that week
// and those not over. Errors: ECONFLICT.
func (tx *Tx) checkOpenHoursQuota(ctx context.Context, req chorus.BookingRequest, start time.Time) error {
	var v chorus.Venue
	err := tx.QueryRowContext(ctx, `SELECT v.place_id, p.name, v.week_limit, v.at_once FROM events e
		JOIN venues v ON v.place_id = e.place_id JOIN places p ON p.id = v.place_id WHERE e.id = ?`, req.EventID).
		Scan(&v.PlaceID, &v.Place, &v.WeekLimit, &v.AtOnce)
	if err == sql.ErrNoRows {
		return nil // the place is no partner's venue any more
	} else if err != nil {
		return fmt.Errorf("quota of event %d: %w", req.EventID, err)
	}
	if v.WeekLimit == 0 && v.AtOnce == 0 {
		return nil
	}
	monday := chorus.WeekStart(start.In(tx.db.Location))
	var week, upcoming int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(s.start_ms >= ? AND s.start_ms < ?), 0), COALESCE(SUM(s.end_ms > ?), 0)
		FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN events e ON e.id = b.event_id
		WHERE e.place_id = ? AND e.kind = ? AND b.phone = ? AND b.status IN `+liveIn,
		monday.UnixMilli(), monday.AddDate(0, 0, 7).UnixMilli(), tx.now.UnixMilli(), v.PlaceID, chorus.ServiceVenue, req.Phone).
		Scan(&week, &upcoming); err != nil {
		return fmt.Errorf("bookings of %s at venue %d: %w", chorus.MaskPhone(req.Phone), v.PlaceID, err)
	}
	return chorus.CheckOpenHoursQuota(v, week, upcoming)
}
