package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

var _ chorus.EventService = (*DB)(nil)

// CreateEvent stores a new event with its slots, in the scope's
// community (at one of its places). Errors: EINVALID.
func (db *DB) CreateEvent(ctx context.Context, e *chorus.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.CreatedAt = db.Now()
	e.Community = chorus.ScopeFrom(ctx).Community
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.checkRefs(ctx, e.PlaceID, e.PartnerID); err != nil {
			return err
		}
		if err := tx.checkPlaceOf(ctx, e.PlaceID, e.Community); err != nil {
			return err
		}
		res, err := tx.insert(ctx, `INSERT INTO events (kind, title, description, place_id, partner_id,
			waitlist, cutoff_minutes, status, created_ms, community_id, district_open)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Kind, e.Title, e.Description, e.PlaceID, nullID(e.PartnerID), e.Waitlist, e.CutoffMinutes,
			e.Status, e.CreatedAt.UnixMilli(), e.Community, e.DistrictOpen)
		if err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i := range e.Slots {
			if err := tx.saveSlot(ctx, e.ID, &e.Slots[i]); err != nil {
				return err
			}
		}
		tx.change.Events = append(tx.change.Events, e.ID)
		// At a partner's venue the event waits, closed, for the partner.
		return tx.requestVenue(ctx, e)
	})
}

// checkRefs makes sure the place (and the partner, if any) exist.
func (tx *Tx) checkRefs(ctx context.Context, placeID, partnerID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", placeID).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return chorus.Errorf(chorus.EINVALID, "没有找到这个地点。")
	}
	if partnerID == 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM partners WHERE id = ?", partnerID).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return chorus.Errorf(chorus.EINVALID, "没有找到这个共建单位。")
	}
	return nil
}

// saveSlot inserts a slot without an ID, or updates the one with it; a
// capacity cannot drop below the seats held.
func (tx *Tx) saveSlot(ctx context.Context, eventID int64, s *chorus.Slot) error {
	s.EventID = eventID
	if s.ID == 0 {
		res, err := tx.insert(ctx, "INSERT INTO slots (event_id, start_ms, end_ms, capacity) VALUES (?, ?, ?, ?)",
			eventID, s.Start.UnixMilli(), s.End.UnixMilli(), s.Capacity)
		if err != nil {
			return fmt.Errorf("insert slot: %w", err)
		}
		s.ID, err = res.LastInsertId()
		return err
	}
	var taken int
	err := tx.QueryRowContext(ctx, "SELECT taken FROM slots WHERE id = ? AND event_id = ?", s.ID, eventID).Scan(&taken)
	if err != nil {
		return notFound(err, "时段")
	}
	if s.Capacity < taken {
		return chorus.Errorf(chorus.ECONFLICT, "这个时段已有%d人预约,名额不能少于%d。", taken, taken)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE slots SET start_ms = ?, end_ms = ?, capacity = ? WHERE id = ?",
		s.Start.UnixMilli(), s.End.UnixMilli(), s.Capacity, s.ID); err != nil {
		return fmt.Errorf("update slot: %w", err)
	}
	tx.change.Slots = append(tx.change.Slots, s.ID)
	// More seats may let the waitlist in.
	return tx.offerNext(ctx, s.ID)
}

// UpdateEvent changes an event's fields and its slots; see chorus.EventService.
func (db *DB) UpdateEvent(ctx context.Context, e *chorus.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var status chorus.EventStatus
		if err := tx.QueryRowContext(ctx, "SELECT status, community_id FROM events WHERE id = ?", e.ID).Scan(&status, &e.Community); err != nil {
			return notFound(err, "活动")
		}
		if !chorus.ScopeFrom(ctx).Sees(e.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个活动。")
		}
		if status == chorus.EventCancelled {
			return chorus.Errorf(chorus.ECONFLICT, "这个活动已经取消了,不能再修改。")
		}
		if e.Status == chorus.EventCancelled {
			return chorus.Errorf(chorus.EINVALID, "取消活动请用“取消活动”,这样会短信通知已预约的居民。")
		}
		if err := tx.checkRefs(ctx, e.PlaceID, e.PartnerID); err != nil {
			return err
		}
		if err := tx.checkPlaceOf(ctx, e.PlaceID, e.Community); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET kind = ?, title = ?, description = ?, place_id = ?,
			partner_id = ?, waitlist = ?, cutoff_minutes = ?, status = ?, district_open = ? WHERE id = ?`,
			e.Kind, e.Title, e.Description, e.PlaceID, nullID(e.PartnerID), e.Waitlist, e.CutoffMinutes, e.Status,
			e.DistrictOpen, e.ID); err != nil {
			return fmt.Errorf("update event: %w", err)
		}
		for i := range e.Slots {
			if err := tx.saveSlot(ctx, e.ID, &e.Slots[i]); err != nil {
				return err
			}
		}
		tx.change.Events = append(tx.change.Events, e.ID)
		// At a partner's venue the event waits, closed, for the partner.
		return tx.requestVenue(ctx, e)
	})
}

// CancelEvent calls an event off; see chorus.EventService.
func (db *DB) CancelEvent(ctx context.Context, id int64, actor chorus.Actor, reason string) error {
	return db.update(ctx, func(tx *Tx) error {
		if err := seeEvent(ctx, tx, id, false); err != nil {
			return err
		}
		var status chorus.EventStatus
		if err := tx.QueryRowContext(ctx, "SELECT status FROM events WHERE id = ?", id).Scan(&status); err != nil {
			return notFound(err, "活动")
		}
		if status == chorus.EventCancelled {
			return chorus.Errorf(chorus.ECONFLICT, "这个活动已经取消了。")
		}
		if err := tx.releaseVenue(ctx, id); err != nil {
			return err
		}
		return tx.cancelEvent(ctx, id, actor, reason)
	})
}

// cancelEvent calls event id off and cancels its live bookings, each
// resident told by SMS.
func (tx *Tx) cancelEvent(ctx context.Context, id int64, actor chorus.Actor, reason string) error {
	// Close first so that freed seats are not offered to the waitlist.
	if _, err := tx.ExecContext(ctx, "UPDATE events SET status = 'cancelled' WHERE id = ?", id); err != nil {
		return fmt.Errorf("cancel event: %w", err)
	}
	ids, err := queryIDs(ctx, tx, "SELECT id FROM bookings WHERE event_id = ? AND status IN ('pending','confirmed','waitlisted','offered')", id)
	if err != nil {
		return fmt.Errorf("bookings of event %d: %w", id, err)
	}
	for _, b := range ids {
		if err := tx.transition(ctx, b, "", chorus.StatusCancelled, actor, "活动取消:"+reason); err != nil {
			return err
		}
	}
	tx.change.Events = append(tx.change.Events, id)
	return nil
}

const eventCols = `e.id, e.kind, e.title, e.description, e.place_id, p.name, COALESCE(e.partner_id, 0),
	COALESCE(pa.name, ''), e.waitlist, e.cutoff_minutes, e.status, e.created_ms, e.community_id,
	COALESCE(c.name, ''), e.district_open`

const eventFrom = ` FROM events e JOIN places p ON p.id = e.place_id LEFT JOIN partners pa ON pa.id = e.partner_id
	LEFT JOIN community c ON c.id = e.community_id `

func scanEvent(s interface{ Scan(...any) error }) (chorus.Event, error) {
	var e chorus.Event
	var created sql.NullInt64
	err := s.Scan(&e.ID, &e.Kind, &e.Title, &e.Description, &e.PlaceID, &e.Place, &e.PartnerID, &e.Partner,
		&e.Waitlist, &e.CutoffMinutes, &e.Status, &created, &e.Community, &e.CommunityName, &e.DistrictOpen)
	e.CreatedAt = fromMS(created)
	return e, err
}

// Event returns one event with its slots and seats: one of the scope's
// community or open to the district. Errors: ENOTFOUND.
func (db *DB) Event(ctx context.Context, id int64) (*chorus.Event, error) {
	e, err := scanEvent(db.read.QueryRowContext(ctx, "SELECT "+eventCols+eventFrom+"WHERE e.id = ?", id))
	if err != nil {
		return nil, notFound(err, "活动")
	}
	if !chorus.ScopeFrom(ctx).Sees(e.Community) && !e.DistrictOpen {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个活动。")
	}
	events := []chorus.Event{e}
	if err := db.fillSlots(ctx, events); err != nil {
		return nil, err
	}
	return &events[0], nil
}

// UpcomingEvents returns open events with a slot that has not ended,
// soonest first: the scope's community's and those open to the district
// (what its kiosks show).
func (db *DB) UpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	return db.queryEvents(ctx, "SELECT "+eventCols+eventFrom+`WHERE e.status = 'open'
		AND (e.community_id = ? OR e.district_open = 1)
		AND EXISTS (SELECT 1 FROM slots s WHERE s.event_id = e.id AND s.end_ms > ?)
		ORDER BY (SELECT MIN(start_ms) FROM slots s WHERE s.event_id = e.id), e.id`,
		chorus.ScopeFrom(ctx).Community, now.UnixMilli())
}

// DistrictUpcomingEvents returns the open events of every community with a
// slot that has not ended, soonest first, whatever the scope: the kiosk
// hub reads them once and sends each kiosk its community's share.
func (db *DB) DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	return db.queryEvents(ctx, "SELECT "+eventCols+eventFrom+`WHERE e.status = 'open'
		AND EXISTS (SELECT 1 FROM slots s WHERE s.event_id = e.id AND s.end_ms > ?)
		ORDER BY (SELECT MIN(start_ms) FROM slots s WHERE s.event_id = e.id), e.id`, now.UnixMilli())
}

// DistrictUpcomingEventsIn returns those of the events ids that
// DistrictUpcomingEvents would return at now, in its order: the kiosk
// hub's re-read of the events a commit changed (an id missing from the
// answer is no longer upcoming, or no longer exists).
func (db *DB) DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, now.UnixMilli())
	return db.queryEvents(ctx, "SELECT "+eventCols+eventFrom+`WHERE e.id IN (`+placeholders(len(ids))+`) AND e.status = 'open'
		AND EXISTS (SELECT 1 FROM slots s WHERE s.event_id = e.id AND s.end_ms > ?)
		ORDER BY (SELECT MIN(start_ms) FROM slots s WHERE s.event_id = e.id), e.id`, args...)
}

// ListEvents returns the events of a period for staff; see
// chorus.EventService.
func (db *DB) ListEvents(ctx context.Context, period chorus.Period, now time.Time) ([]chorus.Event, error) {
	const first = "(SELECT MIN(start_ms) FROM slots s WHERE s.event_id = e.id)"
	const last = "COALESCE((SELECT MAX(end_ms) FROM slots s WHERE s.event_id = e.id), 0)"
	// The scope's community only, even for the district admin.
	where, order, args := "WHERE e.community_id = ? ", first+" DESC, e.id DESC", []any{chorus.ScopeFrom(ctx).Community}
	switch period {
	case chorus.PeriodUpcoming:
		where, order, args = where+"AND e.status != 'cancelled' AND "+last+" > ? ", first+", e.id", append(args, now.UnixMilli())
	case chorus.PeriodPast:
		where, args = where+"AND e.status != 'cancelled' AND "+last+" <= ? ", append(args, now.UnixMilli())
	case chorus.PeriodCancelled:
		where += "AND e.status = 'cancelled' "
	case chorus.PeriodToday:
		day := now.In(db.Location)
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, db.Location)
		where, order = where+`AND e.status != 'cancelled' AND EXISTS (SELECT 1 FROM slots s WHERE s.event_id = e.id
			AND s.start_ms >= ? AND s.start_ms < ?) `, first+", e.id"
		args = append(args, start.UnixMilli(), start.AddDate(0, 0, 1).UnixMilli())
	}
	return db.queryEvents(ctx, "SELECT "+eventCols+eventFrom+where+"ORDER BY "+order+" LIMIT ?",
		append(args, chorus.MaxListed)...)
}

// queryEvents runs q, which selects eventCols, and fills in each event's
// slots.
func (db *DB) queryEvents(ctx context.Context, q string, args ...any) ([]chorus.Event, error) {
	events, err := queryRows(ctx, db.read, scanEvent, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return events, db.fillSlots(ctx, events)
}

// fillSlots reads the slots of the events, with the waitlist lengths.
func (db *DB) fillSlots(ctx context.Context, events []chorus.Event) error {
	if len(events) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(events))
	for i, e := range events {
		idx[e.ID], args[i] = i, e.ID
		events[i].Slots = []chorus.Slot{}
	}
	slots, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Slot, error) {
		var s chorus.Slot
		var start, end int64
		err := rows.Scan(&s.ID, &s.EventID, &start, &end, &s.Capacity, &s.Taken, &s.Waiting)
		s.Start, s.End = time.UnixMilli(start), time.UnixMilli(end)
		return s, err
	}, `SELECT s.id, s.event_id, s.start_ms, s.end_ms, s.capacity, s.taken,
		(SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.status = 'waitlisted')
		FROM slots s WHERE s.event_id IN (`+placeholders(len(args))+`) ORDER BY s.start_ms, s.id`, args...)
	if err != nil {
		return fmt.Errorf("slots: %w", err)
	}
	for _, s := range slots {
		i := idx[s.EventID]
		events[i].Slots = append(events[i].Slots, s)
	}
	return nil
}

// Slot returns one slot with its seats. Errors: ENOTFOUND.
func (db *DB) Slot(ctx context.Context, id int64) (*chorus.Slot, error) {
	var s chorus.Slot
	var start, end int64
	err := db.read.QueryRowContext(ctx, `SELECT s.id, s.event_id, s.start_ms, s.end_ms, s.capacity, s.taken,
		(SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.status = 'waitlisted') FROM slots s WHERE s.id = ?`, id).
		Scan(&s.ID, &s.EventID, &start, &end, &s.Capacity, &s.Taken, &s.Waiting)
	if err != nil {
		return nil, notFound(err, "时段")
	}
	s.Start, s.End = time.UnixMilli(start), time.UnixMilli(end)
	return &s, nil
}
