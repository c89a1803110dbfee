package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chorus-community/chorus"
)

// This file decides which communities' events, bookings and programmes a
// caller reaches (chorus.Scope). Staff reach their community's (the
// district admin every community's); an event open to the district
// (events.district_open) may also be read and booked from any community,
// but its bookings, attendance and check-in stay its host's.

// rowQueryer is what reads one row: the read pool or a write transaction.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// eventReach reads the community of event id and whether it is open to
// the district. Errors: ENOTFOUND.
func eventReach(ctx context.Context, q rowQueryer, id int64) (community int64, open bool, err error) {
	err = q.QueryRowContext(ctx, "SELECT community_id, district_open FROM events WHERE id = ?", id).Scan(&community, &open)
	return community, open, notFound(err, "活动")
}

// seeEvent returns ENOTFOUND, as for a missing id, unless ctx's scope
// reaches event id: its own community's (or the district admin), or, when
// public is set (reading the event, booking a seat), an event open to the
// district.
func seeEvent(ctx context.Context, q rowQueryer, id int64, public bool) error {
	c, open, err := eventReach(ctx, q, id)
	if err != nil {
		return err
	}
	if !chorus.ScopeFrom(ctx).Sees(c) && !(public && open) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个活动。")
	}
	return nil
}

// seeBooking returns ENOTFOUND unless ctx's scope reaches booking id's
// event (its host's staff and kiosks; the district admin).
func seeBooking(ctx context.Context, q rowQueryer, id int64) error {
	var c int64
	err := q.QueryRowContext(ctx, "SELECT e.community_id FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = ?", id).Scan(&c)
	if err != nil {
		return notFound(err, "预约")
	}
	if !chorus.ScopeFrom(ctx).Sees(c) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
	}
	return nil
}

// ownReach returns ENOTFOUND unless ctx's scope reaches booking id as a
// resident's own: a kiosk (or staff member) reaches the bookings of its
// community's events and of events open to the district, so a resident
// of another community manages a booking of an event that is not open to
// the district at a kiosk of its host only.
func ownReach(ctx context.Context, q rowQueryer, id int64) error {
	var c int64
	var open bool
	err := q.QueryRowContext(ctx, `SELECT e.community_id, e.district_open FROM bookings b
		JOIN events e ON e.id = b.event_id WHERE b.id = ?`, id).Scan(&c, &open)
	if err != nil {
		return notFound(err, "预约")
	}
	if !chorus.ScopeFrom(ctx).Sees(c) && !open {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
	}
	return nil
}

// seeProgramme returns ENOTFOUND unless ctx's scope reaches programme id.
func seeProgramme(ctx context.Context, q rowQueryer, id int64) error {
	var c int64
	if err := q.QueryRowContext(ctx, "SELECT community_id FROM programmes WHERE id = ?", id).Scan(&c); err != nil {
		return notFound(err, "托管项目")
	}
	if !chorus.ScopeFrom(ctx).Sees(c) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个托管项目。")
	}
	return nil
}

// seeEnrolment returns ENOTFOUND unless ctx's scope reaches enrolment
// id's programme.
func seeEnrolment(ctx context.Context, q rowQueryer, id int64) error {
	var c int64
	err := q.QueryRowContext(ctx, "SELECT g.community_id FROM enrolments n JOIN programmes g ON g.id = n.programme_id WHERE n.id = ?", id).Scan(&c)
	if err != nil {
		return notFound(err, "报名")
	}
	if !chorus.ScopeFrom(ctx).Sees(c) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
	}
	return nil
}

// checkPlaceOf refuses a place of another community than community: an
// event or a programme takes place where its community has its rooms.
func (tx *Tx) checkPlaceOf(ctx context.Context, placeID, community int64) error {
	var c int64
	if err := tx.QueryRowContext(ctx, "SELECT community_id FROM places WHERE id = ?", placeID).Scan(&c); err != nil {
		if err == sql.ErrNoRows {
			return chorus.Errorf(chorus.EINVALID, "没有找到这个地点。")
		}
		return fmt.Errorf("place %d: %w", placeID, err)
	}
	if c != community {
		return chorus.Errorf(chorus.EINVALID, "这个地点不属于本社区,请选择本社区的地点。")
	}
	return nil
}
