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
// the week's open-hours blocks not yet over, not closed and not on a
// 法定节假日 of the holiday calendar, each with the
// rule's resident places as capacity. Booking, SMS, check-in and no-shows
// are then the events' own. A week is made once (rules changed later
// apply from the next week made). Background work: every community's
// venues. It returns how many weeks it made.
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
	blocks := chorus.OpenBlocks(v, monday, tx.db.Location)
	holidays, err := tx.holidays(ctx, week, monday.AddDate(0, 0, 6).Format(time.DateOnly))
	if err != nil {
		return false, err
	}
	var eventID sql.NullInt64
	var slots []chorus.Slot
	for _, b := range blocks {
		if _, off := holidays[b.Start.In(tx.db.Location).Format(time.DateOnly)]; off {
			continue // 法定节假日: the venue does not open
		}
		if b.End.After(tx.now) {
			slots = append(slots, chorus.Slot{Start: b.Start, End: b.End, Capacity: b.Places})
		}
	}
	if len(slots) > 0 {
		e := &chorus.Event{Kind: chorus.ServiceVenue, Title: chorus.Shorten(v.Place, 38) + "开放", Description: v.Notes,
			PlaceID: v.PlaceID, PartnerID: v.PartnerID, Status: chorus.EventOpen, Community: v.Community, Slots: slots}
		res, err := tx.insert(ctx, `INSERT INTO events (kind, title, description, place_id, partner_id, waitlist,
			cutoff_minutes, status, created_ms, community_id, district_open) VALUES (?, ?, ?, ?, ?, 0, 0, 'open', ?, ?, 0)`,
			e.Kind, e.Title, e.Description, e.PlaceID, e.PartnerID, tx.now.UnixMilli(), e.Community)
		if err != nil {
			return false, fmt.Errorf("insert open hours of venue %d: %w", v.PlaceID, err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return false, err
		}
		for i := range e.Slots {
			if err := tx.saveSlot(ctx, e.ID, &e.Slots[i]); err != nil {
				return false, err
			}
		}
		eventID = sql.NullInt64{Int64: e.ID, Valid: true}
		tx.change.Events = append(tx.change.Events, e.ID)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO venue_weeks (place_id, week, event_id) VALUES (?, ?, ?)",
		v.PlaceID, week, eventID); err != nil {
		return false, fmt.Errorf("venue week: %w", err)
	}
	return true, nil
}
