package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// OpenVenueWeeks makes each venue's open hours of this week and the next
// bookable: one event of kind venue per venue and week, whose slots are
// the week's open-hours blocks not yet over and not closed, each day
// following the rules of its kind (chorus.RulesOn: 法定节假日 and 调休上班
// days of the holiday calendar have their own), each with the rule's
// resident places as capacity. Booking, SMS, check-in and no-shows are
// then the events' own. A week is made once; a change of rules, closures
// or calendar lays the weeks made out again (relayVenue). Background
// work: every community's venues. It returns how many weeks it made.
func (db *DB) OpenVenueWeeks(ctx context.Context, now time.Time) (int, error) {
	venues, err := db.venues(ctx, db.read, "EXISTS (SELECT 1 FROM venue_hours h WHERE h.place_id = v.place_id AND h.mode = 'open')")
	if err != nil {
		return 0, err
	}
	monday := chorus.WeekStart(now.In(db.Location))
	n := 0
	for _, v := range venues {
		for _, week := range []time.Time{monday, monday.AddDate(0, 0, 7)} {
			made := false
			if err := db.update(ctx, func(tx *Tx) (err error) {
				made, err = tx.openVenueWeek(ctx, v, week)
				return err
			}); err != nil {
				return n, err
			}
			if made {
				n++
			}
		}
	}
	return n, nil
}

// openVenueWeek makes venue v's open-hours event of the week starting on
// monday, unless it was made before.
func (tx *Tx) openVenueWeek(ctx context.Context, v chorus.Venue, monday time.Time) (bool, error) {
	week := monday.Format(time.DateOnly)
	var have int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM venue_weeks WHERE place_id = ? AND week = ?", v.PlaceID, week).
		Scan(&have); err != nil {
		return false, fmt.Errorf("venue week: %w", err)
	}
	if have > 0 {
		return false, nil
	}
	blocks, err := tx.weekBlocks(ctx, v, monday)
	if err != nil {
		return false, err
	}
	var slots []chorus.Slot
	for _, b := range blocks {
		if b.End.After(tx.now) {
			slots = append(slots, chorus.Slot{Start: b.Start, End: b.End, Capacity: b.Places})
		}
	}
	var eventID sql.NullInt64
	if len(slots) > 0 {
		id, err := tx.venueWeekEvent(ctx, v, slots)
		if err != nil {
			return false, err
		}
		eventID = sql.NullInt64{Int64: id, Valid: true}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO venue_weeks (place_id, week, event_id) VALUES (?, ?, ?)",
		v.PlaceID, week, eventID); err != nil {
		return false, fmt.Errorf("venue week: %w", err)
	}
	return true, nil
}

// weekBlocks returns venue v's open-hours blocks of the week from monday
// as its rules, its closures and the holiday calendar lay them out.
func (tx *Tx) weekBlocks(ctx context.Context, v chorus.Venue, monday time.Time) ([]chorus.OpenBlock, error) {
	cal, err := tx.calendar(ctx, monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	return chorus.OpenBlocks(v, monday, tx.db.Location, cal), nil
}

// venueWeekEvent stores the open-hours event of venue v with slots and
// returns its id.
func (tx *Tx) venueWeekEvent(ctx context.Context, v chorus.Venue, slots []chorus.Slot) (int64, error) {
	e := &chorus.Event{Kind: chorus.ServiceVenue, Title: chorus.Shorten(v.Place, 38) + "开放", Description: v.Notes,
		PlaceID: v.PlaceID, PartnerID: v.PartnerID, Status: chorus.EventOpen, Community: v.Community, Slots: slots}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, title, description, place_id, partner_id, waitlist,
		cutoff_minutes, status, created_ms, community_id, district_open) VALUES (?, ?, ?, ?, ?, 0, 0, 'open', ?, ?, 0)`,
		e.Kind, e.Title, e.Description, e.PlaceID, e.PartnerID, tx.now.UnixMilli(), e.Community)
	if err != nil {
		return 0, fmt.Errorf("insert open hours of venue %d: %w", v.PlaceID, err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	for i := range e.Slots {
		if err := tx.saveSlot(ctx, e.ID, &e.Slots[i]); err != nil {
			return 0, err
		}
	}
	tx.change.Events = append(tx.change.Events, e.ID)
	return e.ID, nil
}

// venueRelaid is why a session that new rules removed was called off, as
// its residents' cancellation records it.
const venueRelaid = "场馆开放时间调整"

// relayVenue lays out again the open-hours weeks of the venue at place
// already made, from this week on, after its rules, its closures or the
// calendar changed: a session not started yet follows the new layout
// (added, its places changed, or removed); a removed session that holds
// bookings is moved into an event of its own, which is called off as any
// event is (each booked resident told by SMS); a session started or over
// is never touched; a week staff called off stays so. It returns the
// booked sessions it called off.
func (tx *Tx) relayVenue(ctx context.Context, place int64) ([]chorus.CalledOffSession, error) {
	v, ok, err := tx.venueAt(ctx, place)
	if err != nil || !ok {
		return nil, err
	}
	type week struct {
		monday string
		event  sql.NullInt64
	}
	weeks, err := queryRows(ctx, tx, func(s rowScanner) (week, error) {
		var w week
		err := s.Scan(&w.monday, &w.event)
		return w, err
	}, `SELECT w.week, w.event_id FROM venue_weeks w LEFT JOIN events e ON e.id = w.event_id
		WHERE w.place_id = ? AND w.week >= ? AND (e.id IS NULL OR e.status != 'cancelled') ORDER BY w.week`,
		place, chorus.WeekStart(tx.now.In(tx.db.Location)).Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("weeks of venue %d: %w", place, err)
	}
	var called []chorus.CalledOffSession
	for _, w := range weeks {
		monday, err := time.ParseInLocation(time.DateOnly, w.monday, tx.db.Location)
		if err != nil {
			return called, fmt.Errorf("week %q: %w", w.monday, err)
		}
		blocks, err := tx.weekBlocks(ctx, *v, monday)
		if err != nil {
			return called, err
		}
		want := map[[2]int64]int{} // [start, end] ms: places, sessions not started
		var order [][2]int64
		for _, b := range blocks {
			if b.Start.After(tx.now) {
				k := [2]int64{b.Start.UnixMilli(), b.End.UnixMilli()}
				want[k] = b.Places
				order = append(order, k)
			}
		}
		if !w.event.Valid {
			if len(order) == 0 {
				continue
			}
			var slots []chorus.Slot
			for _, k := range order {
				slots = append(slots, chorus.Slot{Start: time.UnixMilli(k[0]), End: time.UnixMilli(k[1]), Capacity: want[k]})
			}
			id, err := tx.venueWeekEvent(ctx, *v, slots)
			if err != nil {
				return called, err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE venue_weeks SET event_id = ? WHERE place_id = ? AND week = ?", id, place, w.monday); err != nil {
				return called, fmt.Errorf("venue week: %w", err)
			}
			continue
		}
		off, err := tx.relayWeek(ctx, *v, w.event.Int64, want, order)
		called = append(called, off...)
		if err != nil {
			return called, err
		}
	}
	return called, nil
}

// relayWeek makes the sessions not started of open-hours event id those of
// want (by [start, end] ms, in order), returning the booked sessions it
// called off.
func (tx *Tx) relayWeek(ctx context.Context, v chorus.Venue, id int64, want map[[2]int64]int, order [][2]int64) ([]chorus.CalledOffSession, error) {
	type slot struct {
		id, start, end  int64
		capacity, taken int
		bookings        int
	}
	have, err := queryRows(ctx, tx, func(s rowScanner) (slot, error) {
		var sl slot
		err := s.Scan(&sl.id, &sl.start, &sl.end, &sl.capacity, &sl.taken, &sl.bookings)
		return sl, err
	}, `SELECT s.id, s.start_ms, s.end_ms, s.capacity, s.taken, (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id)
		FROM slots s WHERE s.event_id = ? AND s.start_ms > ? ORDER BY s.start_ms`, id, tx.now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("sessions of open hours %d: %w", id, err)
	}
	kept := map[[2]int64]bool{}
	var called []chorus.CalledOffSession
	for _, sl := range have {
		k := [2]int64{sl.start, sl.end}
		places, ok := want[k]
		switch {
		case ok && !kept[k]:
			kept[k] = true
			if c := max(places, sl.taken); c != sl.capacity {
				if _, err := tx.ExecContext(ctx, "UPDATE slots SET capacity = ? WHERE id = ?", c, sl.id); err != nil {
					return called, fmt.Errorf("places of session %d: %w", sl.id, err)
				}
				tx.change.Slots = append(tx.change.Slots, sl.id)
			}
		case sl.bookings == 0:
			if _, err := tx.ExecContext(ctx, "DELETE FROM slots WHERE id = ?", sl.id); err != nil {
				return called, fmt.Errorf("drop session %d: %w", sl.id, err)
			}
		default:
			told, err := tx.callOffSession(ctx, id, sl.id)
			if err != nil {
				return called, err
			}
			called = append(called, tx.calledOff(v, sl.start, sl.end, told))
		}
	}
	for _, k := range order {
		if !kept[k] {
			s := chorus.Slot{Start: time.UnixMilli(k[0]), End: time.UnixMilli(k[1]), Capacity: want[k]}
			if err := tx.saveSlot(ctx, id, &s); err != nil {
				return called, err
			}
		}
	}
	tx.change.Events = append(tx.change.Events, id)
	return called, nil
}

// callOffSession calls off session slot of open-hours event id, which
// holds bookings: the session and its bookings move into a copy of the
// event, which is cancelled as any event is (the events' cancellation
// path: each live booking cancelled, its resident told by SMS), so the
// week keeps its other sessions and the history stays whole. It returns
// how many live bookings it cancelled (residents told).
func (tx *Tx) callOffSession(ctx context.Context, id, slot int64) (int, error) {
	var told int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM bookings WHERE slot_id = ? AND status IN "+liveIn, slot).Scan(&told); err != nil {
		return 0, fmt.Errorf("bookings of session %d: %w", slot, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, title, description, place_id, partner_id, waitlist,
		cutoff_minutes, status, created_ms, community_id, district_open)
		SELECT kind, title, description, place_id, partner_id, waitlist, cutoff_minutes, status, ?, community_id, district_open
		FROM events WHERE id = ?`, tx.now.UnixMilli(), id)
	if err != nil {
		return 0, fmt.Errorf("call off session %d: %w", slot, err)
	}
	off, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE slots SET event_id = ? WHERE id = ?", off, slot); err != nil {
		return 0, fmt.Errorf("call off session %d: %w", slot, err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bookings SET event_id = ? WHERE slot_id = ?", off, slot); err != nil {
		return 0, fmt.Errorf("call off session %d: %w", slot, err)
	}
	return told, tx.cancelEvent(ctx, off, chorus.ActorSystem, venueRelaid)
}

// calledOff describes a session of venue v from start to end (ms) called
// off with told residents' bookings cancelled, in the deployment's zone.
func (tx *Tx) calledOff(v chorus.Venue, start, end int64, told int) chorus.CalledOffSession {
	from, to := time.UnixMilli(start).In(tx.db.Location), time.UnixMilli(end).In(tx.db.Location)
	return chorus.CalledOffSession{PlaceID: v.PlaceID, Venue: v.Place, Date: from.Format(time.DateOnly),
		Start: from.Format("15:04"), End: to.Format("15:04"), Told: told}
}

// relayVenues lays out again the open-hours weeks already made of every
// venue of every community (the calendar changed), returning the booked
// sessions it called off.
func (tx *Tx) relayVenues(ctx context.Context) ([]chorus.CalledOffSession, error) {
	places, err := queryIDs(ctx, tx, "SELECT DISTINCT place_id FROM venue_weeks WHERE week >= ? ORDER BY place_id",
		chorus.WeekStart(tx.now.In(tx.db.Location)).Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("venues to lay out: %w", err)
	}
	var called []chorus.CalledOffSession
	for _, p := range places {
		off, err := tx.relayVenue(ctx, p)
		called = append(called, off...)
		if err != nil {
			return called, err
		}
	}
	return called, nil
}
