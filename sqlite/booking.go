package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

var _ chorus.BookingService = (*DB)(nil)

const bookingCols = `b.id, b.event_id, b.slot_id, b.phone, b.name, b.status, b.code, b.deadline_ms,
	b.checked_in_ms, b.source, b.created_ms, e.title, p.name, s.start_ms, s.end_ms,
	(SELECT COUNT(*) FROM bookings w WHERE w.slot_id = b.slot_id AND w.status = 'waitlisted' AND w.id <= b.id),
	COALESCE(b.token_nonce, ''), e.community_id`

const bookingFrom = ` FROM bookings b JOIN events e ON e.id = b.event_id
	JOIN slots s ON s.id = b.slot_id JOIN places p ON p.id = e.place_id `

func scanBooking(s interface{ Scan(...any) error }) (chorus.Booking, error) {
	var b chorus.Booking
	var deadline, checked, created, start, end sql.NullInt64
	var pos int
	err := s.Scan(&b.ID, &b.EventID, &b.SlotID, &b.Phone, &b.Name, &b.Status, &b.Code, &deadline,
		&checked, &b.Source, &created, &b.EventTitle, &b.Place, &start, &end, &pos, &b.CheckinToken, &b.Community)
	b.Deadline, b.CheckedInAt, b.CreatedAt = fromMS(deadline), fromMS(checked), fromMS(created)
	b.SlotStart, b.SlotEnd = fromMS(start), fromMS(end)
	if b.Status == chorus.StatusWaitlisted {
		b.Position = pos
	}
	return b, err
}

// Booking returns one booking of an event of the scope's community (the
// district admin: any). Errors: ENOTFOUND.
func (db *DB) Booking(ctx context.Context, id int64) (*chorus.Booking, error) {
	if err := seeBooking(ctx, db.read, id); err != nil {
		return nil, err
	}
	return db.booking(ctx, id)
}

// OwnBooking returns the booking id if phone holds it and ctx's scope
// reaches its event as a resident's (ownReach): a resident's own booking,
// as BookingsByPhone lists them. Another phone's booking, or one of
// another community's event not open to the district, is not found.
// Errors: ENOTFOUND.
func (db *DB) OwnBooking(ctx context.Context, id int64, phone string) (*chorus.Booking, error) {
	b, err := db.booking(ctx, id)
	if err != nil || b.Phone != phone || ownReach(ctx, db.read, id) != nil {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
	}
	return b, nil
}

// booking reads booking id whatever the scope.
func (db *DB) booking(ctx context.Context, id int64) (*chorus.Booking, error) {
	b, err := scanBooking(db.read.QueryRowContext(ctx, "SELECT "+bookingCols+bookingFrom+"WHERE b.id = ?", id))
	if err != nil {
		return nil, notFound(err, "预约")
	}
	if err := db.signToken(ctx, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// BookingsByPhone returns the phone's live bookings of slots that have not
// ended, soonest first, that ctx's scope reaches as a resident's
// (ownReach): its community's events and those open to the district.
func (db *DB) BookingsByPhone(ctx context.Context, phone string) ([]chorus.Booking, error) {
	sc := chorus.ScopeFrom(ctx)
	return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
		"WHERE b.phone = ? AND b.status IN "+liveIn+" AND s.end_ms > ? AND (e.community_id = ? OR e.district_open = 1 OR ? = 1)"+
		" ORDER BY s.start_ms, b.id", phone, db.Now().UnixMilli(), sc.Community, sc.District)
}

// EventBookings returns every booking of an event, by slot and then in
// order of booking: an event of the scope's community (one open to the
// district is its host's). Errors: ENOTFOUND.
func (db *DB) EventBookings(ctx context.Context, eventID int64) ([]chorus.Booking, error) {
	if err := seeEvent(ctx, db.read, eventID, false); err != nil {
		return nil, err
	}
	return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
		"WHERE b.event_id = ? ORDER BY s.start_ms, b.id", eventID)
}

func (db *DB) queryBookings(ctx context.Context, q string, args ...any) ([]chorus.Booking, error) {
	out, err := queryRows(ctx, db.read, scanBooking, q, args...)
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	for i := range out {
		if err := db.signToken(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Book takes a seat; see chorus.BookingService. A new booking is
// answered with what its transaction wrote (see book), without reading it
// back after the commit; a booking the phone already held is read back.
func (db *DB) Book(ctx context.Context, req chorus.BookingRequest) (*chorus.Booking, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorResident
	}
	var made *chorus.Booking
	var id int64
	var existing bool
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		made, err = tx.book(ctx, req)
		if err == nil {
			id, existing = made.ID, made.Existing
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !existing {
		return made, nil
	}
	b, err := db.booking(ctx, id)
	if err != nil {
		return nil, err
	}
	b.Existing = existing
	if existing && req.IdempotencyKey != "" {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM bookings WHERE id = ? AND idem_key = ? AND COALESCE(kiosk_id, 0) = ?",
			id, req.IdempotencyKey, req.KioskID).Scan(&n); err != nil {
			return nil, fmt.Errorf("repeated request: %w", err)
		}
		b.Repeat = n == 1
	}
	if err := db.answerBooking(ctx, b, req.IdempotencyKey); err != nil {
		return nil, err
	}
	return b, nil
}

// book runs a booking in tx. A new booking comes back as stored, with its
// signed check-in token and its SMS's status (what Booking and
// answerBooking would read back after the commit); one the phone already
// held comes back with only its ID and Existing set.
func (tx *Tx) book(ctx context.Context, req chorus.BookingRequest) (*chorus.Booking, error) {
	held := func(id int64) *chorus.Booking { return &chorus.Booking{ID: id, Existing: true} }
	// The scope's community's events and those open to the district; the
	// booking is the event's (its host community's). What the booking
	// needs of the event is read in one statement (bookTarget).
	t, err := tx.bookTarget(ctx, req)
	if err != nil {
		return nil, err
	}
	community, perSlot := t.community, t.perSlot
	if !chorus.ScopeFrom(ctx).Sees(community) && !t.open {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个活动。")
	}
	var id int64
	if req.IdempotencyKey != "" {
		var ev int64
		var phone string
		err := tx.QueryRowContext(ctx, "SELECT id, event_id, phone FROM bookings WHERE idem_key = ?",
			req.IdempotencyKey).Scan(&id, &ev, &phone)
		if err == nil {
			if ev != req.EventID || phone != req.Phone {
				return nil, chorus.Errorf(chorus.ECONFLICT, "这个请求编号已经用于另一个预约了。")
			}
			return held(id), nil
		} else if err != sql.ErrNoRows {
			return nil, fmt.Errorf("idempotency key: %w", err)
		}
	}
	// Someone who already holds a booking gets it back, even after the
	// cut-off: it is what they came to see.
	if t.held != 0 {
		return held(t.held), nil
	}
	// The event and the slot's counts (read with the rest, bookTarget):
	// ask the domain, persist its answer. The writer runs one transaction
	// at a time, so the counts cannot change in between.
	if !t.slotFound {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个时段。")
	}
	e, sl := t.event, t.slot
	startMS, endMS, title, place := t.startMS, t.endMS, t.event.Title, t.place
	sl.Start = time.UnixMilli(startMS)
	if perSlot { // closures concern only a venue's open-hours sessions
		if err := tx.checkVenueOpen(ctx, req.SlotID, sl.Start); err != nil {
			return nil, err
		}
		if err := tx.checkOpenHoursQuota(ctx, req, sl.Start); err != nil {
			return nil, err
		}
	}
	d, err := chorus.DecideBooking(&e, sl, req, chorus.BookingPolicy{RequireConfirm: tx.db.RequireConfirm,
		ConfirmWindow: tx.db.ConfirmWindow}, tx.now)
	if err != nil {
		return nil, err
	}
	st, deadline := d.Status, d.Deadline
	if d.TakesSeat() {
		// The guard never fails while one writer owns the file; if it
		// did, the seat counts changed under the decision.
		// On PostgreSQL it goes with the booking's insert (Tx.later).
		err := tx.laterCheck(ctx, func(n int64) error {
			if n == 0 {
				return fmt.Errorf("take seat: slot %d filled during the booking", req.SlotID)
			}
			return nil
		}, "UPDATE slots SET taken = taken + 1 WHERE id = ? AND taken < capacity", req.SlotID)
		if err != nil {
			return nil, fmt.Errorf("take seat: %w", err)
		}
	}
	if st == chorus.StatusPending {
		if err := tx.checkPending(ctx, req); err != nil {
			return nil, err
		}
	}
	b, err := tx.insertBooking(ctx, req, st, deadline, perSlot)
	if err != nil {
		return nil, err
	}
	b.EventTitle, b.Place, b.Community = title, place, community
	b.SlotStart, b.SlotEnd = time.UnixMilli(startMS), time.UnixMilli(endMS)
	if err := tx.record(ctx, "booking_id", b.ID, "", st, req.Actor, ""); err != nil {
		return nil, err
	}
	if err := tx.touchResident(ctx, req.Phone, req.Name); err != nil {
		return nil, err
	}
	told, err := tx.queueBookingSMS(ctx, bookingSMS{id: b.ID, phone: b.Phone, title: title, place: place, code: b.Code,
		startMS: startMS, deadline: b.Deadline, zone: loadZone(t.zone, tx.db.Location), facts: &t.facts, community: community},
		chorus.BookingMessage(st))
	if err != nil {
		return nil, err
	}
	b.SMS = chorus.MessageRefused
	if told {
		b.SMS = chorus.MessageQueued
	}
	if st == chorus.StatusPending && !told {
		// The confirmation SMS was refused (daily limit, bad parameters):
		// the resident has nothing to reply to, and keeps the seat.
		if err := tx.transition(ctx, b.ID, chorus.StatusPending, chorus.StatusConfirmed, chorus.ActorSystem, unreachableReason); err != nil {
			return nil, err
		}
		b.Status, b.Deadline = chorus.StatusConfirmed, time.Time{}
	}
	if b.Status == chorus.StatusWaitlisted {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM bookings WHERE slot_id = ? AND status = 'waitlisted' AND id <= ?",
			b.SlotID, b.ID).Scan(&b.Position); err != nil {
			return nil, fmt.Errorf("waitlist position: %w", err)
		}
	}
	tx.change.Slots = append(tx.change.Slots, req.SlotID)
	tx.change.Events = append(tx.change.Events, req.EventID)
	return b, nil
}

// bookTarget is what a booking needs, read in one statement: the
// event's community and reach, whether it is a venue's open-hours week
// (booked session by session, per_slot), its community's time zone (for
// the SMS), the live booking the phone already holds (of the event; of
// the session for a venue's week; 0 when none), and the event, slot and
// place the decision and the SMS need.
type bookTarget struct {
	community      int64
	open           bool
	perSlot        bool
	zone           string
	held           int64
	slotFound      bool // the slot is the event's
	event          chorus.Event
	slot           chorus.Slot
	startMS, endMS int64
	place          string
	facts          phoneFacts // of req.Phone, for the booking's SMS (bookingFacts)
}

// bookingFacts is the budget and the family rule of the phoneFacts
// bookTarget reads for a booking's SMS: those of every kind a booking
// sends (chorus.BookingMessage), checked by TestBookingFactsKinds.
var bookingFacts = phoneFacts{budget: chorus.BudgetResident, withFamily: true}

// bookTarget reads req's event and slot for a booking. Errors: ENOTFOUND
// (no such event).
func (tx *Tx) bookTarget(ctx context.Context, req chorus.BookingRequest) (bookTarget, error) {
	if !tx.db.pg {
		return tx.bookTargetSQLite(ctx, req)
	}
	var t bookTarget
	var kind chorus.ServiceKind
	var slotID, startMS, endMS, capacity, taken sql.NullInt64
	var place sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT e.community_id, e.district_open, e.kind,
		COALESCE((SELECT c.time_zone FROM community c WHERE c.id = e.community_id), ''),
		COALESCE((SELECT b.id FROM bookings b WHERE b.event_id = e.id AND b.phone = ? AND b.status IN `+liveIn+`
			AND (e.kind != ? OR b.slot_id = ?) LIMIT 1), 0),
		`+phoneFactsCols+`,
		e.status, e.cutoff_minutes, e.waitlist, e.title, s.id, s.start_ms, s.end_ms, s.capacity, s.taken, p.name
		FROM events e LEFT JOIN slots s ON s.id = ? AND s.event_id = e.id LEFT JOIN places p ON p.id = e.place_id
		WHERE e.id = ?`, append(append([]any{req.Phone, chorus.ServiceVenue, req.SlotID},
		bookingFacts.args(req.Phone, tx.dayStart())...), req.SlotID, req.EventID)...).
		Scan(append(append([]any{&t.community, &t.open, &kind, &t.zone, &t.held}, t.facts.dest()...),
			&t.event.Status, &t.event.CutoffMinutes, &t.event.Waitlist, &t.event.Title,
			&slotID, &startMS, &endMS, &capacity, &taken, &place)...)
	if err == nil {
		err = t.facts.scanned(req.Phone, bookingFacts)
	}
	t.perSlot = kind == chorus.ServiceVenue
	t.slotFound = slotID.Valid && place.Valid
	t.startMS, t.endMS, t.place = startMS.Int64, endMS.Int64, place.String
	t.slot.Capacity, t.slot.Taken = int(capacity.Int64), int(taken.Int64)
	return t, notFound(err, "活动")
}

// bookTargetSQLite reads what bookTarget reads in a few small statements:
// SQLite has no round trips to save, and compiles each statement anew
// (mattn/go-sqlite3 keeps no statement cache), so a handful of small
// statements cost less than one with many subqueries. The phone's facts
// are left to the SMS (queueTold reads them when it needs them).
func (tx *Tx) bookTargetSQLite(ctx context.Context, req chorus.BookingRequest) (bookTarget, error) {
	var t bookTarget
	var kind chorus.ServiceKind
	var placeID int64
	err := tx.QueryRowContext(ctx, `SELECT community_id, district_open, kind, status, cutoff_minutes, waitlist, title, place_id
		FROM events WHERE id = ?`, req.EventID).Scan(&t.community, &t.open, &kind,
		&t.event.Status, &t.event.CutoffMinutes, &t.event.Waitlist, &t.event.Title, &placeID)
	if err != nil {
		return t, notFound(err, "活动")
	}
	t.perSlot = kind == chorus.ServiceVenue
	var zone sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT time_zone FROM community WHERE id = ?", t.community).Scan(&zone); err != nil && err != sql.ErrNoRows {
		return t, fmt.Errorf("time zone: %w", err)
	}
	t.zone = zone.String
	sameSlot := int64(0)
	if t.perSlot {
		sameSlot = req.SlotID
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM bookings WHERE event_id = ? AND phone = ? AND status IN `+liveIn+`
		AND (? = 0 OR slot_id = ?)`, req.EventID, req.Phone, sameSlot, sameSlot).Scan(&t.held)
	if err != nil && err != sql.ErrNoRows {
		return t, fmt.Errorf("existing booking: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT s.start_ms, s.end_ms, s.capacity, s.taken, p.name FROM slots s, places p
		WHERE s.id = ? AND s.event_id = ? AND p.id = ?`, req.SlotID, req.EventID, placeID).
		Scan(&t.startMS, &t.endMS, &t.slot.Capacity, &t.slot.Taken, &t.place)
	if err != nil && err != sql.ErrNoRows {
		return t, fmt.Errorf("slot: %w", err)
	}
	t.slotFound = err == nil
	return t, nil
}

// checkPending applies the bounds on unconfirmed bookings (chorus.Limits)
// to a new pending booking: the seat taken is given back with the error,
// as the whole transaction is undone.
func (tx *Tx) checkPending(ctx context.Context, req chorus.BookingRequest) error {
	l := tx.db.Limits
	if l.PendingPerKiosk <= 0 && l.PendingPerPhone <= 0 {
		return nil
	}
	var byKiosk, byPhone int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM bookings WHERE status = 'pending' AND ? > 0 AND kiosk_id = ?),
		(SELECT COUNT(*) FROM bookings WHERE status = 'pending' AND phone = ?)`,
		req.KioskID, req.KioskID, req.Phone).Scan(&byKiosk, &byPhone); err != nil {
		return fmt.Errorf("pending bookings: %w", err)
	}
	return l.CheckPending(byKiosk, byPhone)
}

// unreachableReason is the history's note when a pending booking is
// confirmed at once because its confirmation SMS was refused (daily limit,
// bad parameters): the resident has nothing to reply to, and must not lose
// the seat for it.
const unreachableReason = "确认短信无法发送,直接确认"

// insertBooking inserts a booking with a fresh check-in code, drawing again
// when the code is taken among the event's live bookings, and returns it
// as stored, with its signed check-in token (the display fields are left
// to the caller). perSlot marks a booking of one session of a venue's
// open-hours week (one live booking per session, not per event).
func (tx *Tx) insertBooking(ctx context.Context, req chorus.BookingRequest, st chorus.Status, deadline time.Time, perSlot bool) (*chorus.Booking, error) {
	for try := 0; try < 20; try++ {
		code, err := bookingCode()
		if err != nil {
			return nil, err
		}
		key, err := tx.db.tokenKey(ctx)
		if err != nil {
			return nil, err
		}
		nonce, token, err := chorus.NewCheckinToken(key)
		if err != nil {
			return nil, err
		}
		const insert = `INSERT INTO bookings (event_id, slot_id, phone, name, status, code,
			deadline_ms, source, idem_key, created_ms, updated_ms, token_nonce, kiosk_id, per_slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		args := []any{req.EventID, req.SlotID, req.Phone, req.Name, st, code, ms(deadline), req.Source,
			nullStr(req.IdempotencyKey), tx.now.UnixMilli(), tx.now.UnixMilli(), nonce, nullID(req.KioskID), perSlot}
		var id int64
		if tx.db.pg {
			// One round trip rather than a savepoint around the insert:
			// a row that would break a unique index is not inserted, and
			// no id comes back.
			err = tx.QueryRowContext(ctx, insert+" ON CONFLICT DO NOTHING RETURNING id", args...).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // the code (or, never in practice, the nonce) is taken; draw again
			} else if err != nil {
				return nil, fmt.Errorf("insert booking: %w", err)
			}
		} else {
			res, err := tx.ExecContext(ctx, insert, args...)
			if isUnique(err) {
				continue // the code (or, never in practice, the nonce) is taken; draw again
			} else if err != nil {
				return nil, fmt.Errorf("insert booking: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return nil, fmt.Errorf("insert booking: %w", err)
			}
		}
		b := &chorus.Booking{ID: id, EventID: req.EventID, SlotID: req.SlotID, Phone: req.Phone, Name: req.Name,
			Status: st, Code: code, CheckinToken: token, Source: req.Source, CreatedAt: time.UnixMilli(tx.now.UnixMilli())}
		if !deadline.IsZero() {
			b.Deadline = time.UnixMilli(deadline.UnixMilli())
		}
		return b, nil
	}
	return nil, fmt.Errorf("insert booking: no free check-in code after 20 draws")
}

// bookingCode draws a booking's check-in code (NewCode; tests make codes
// collide).
var bookingCode = NewCode

// NewCode draws a uniformly random 6-digit check-in code.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("draw code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// record appends a transition of a booking or an enrolment (col names which).
func (tx *Tx) record(ctx context.Context, col string, id int64, from, to chorus.Status, actor chorus.Actor, reason string) error {
	err := tx.later(ctx, "INSERT INTO transitions ("+col+`, from_status, to_status, at_ms, actor, reason)
		VALUES (?, ?, ?, ?, ?, ?)`, id, from, to, tx.now.UnixMilli(), actor, reason)
	if err != nil {
		return fmt.Errorf("record transition: %w", err)
	}
	return nil
}

// touchResident makes sure a resident with this phone exists, keeping the
// first name given; a new one is the community of ctx's scope (the kiosk
// or staff member that took the booking) until an address says otherwise.
func (tx *Tx) touchResident(ctx context.Context, phone, name string) error {
	err := tx.later(ctx, `INSERT INTO residents (phone, name, created_ms, community_id) VALUES (?, ?, ?, ?)
		ON CONFLICT(phone) DO UPDATE SET name = CASE WHEN residents.name = '' THEN excluded.name ELSE residents.name END`,
		phone, name, tx.now.UnixMilli(), chorus.ScopeFrom(ctx).Community)
	if err != nil {
		return fmt.Errorf("resident %s: %w", chorus.MaskPhone(phone), err)
	}
	return nil
}

// queueBookingMessage queues an SMS of the given kind about a booking;
// whether it expects a reply is the kind's rule (queue sets it).
func (tx *Tx) queueBookingMessage(ctx context.Context, id int64, kind chorus.MessageKind) error {
	m := bookingSMS{id: id}
	var deadline sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT b.phone, e.title, p.name, b.code, s.start_ms, b.deadline_ms
		FROM bookings b JOIN events e ON e.id = b.event_id JOIN slots s ON s.id = b.slot_id
		JOIN places p ON p.id = e.place_id WHERE b.id = ?`, id).Scan(&m.phone, &m.title, &m.place, &m.code, &m.startMS, &deadline)
	if err != nil {
		return fmt.Errorf("booking %d for sms: %w", id, err)
	}
	m.deadline = fromMS(deadline)
	_, err = tx.queueBookingSMS(ctx, m, kind)
	return err
}

// bookingSMS is what an SMS about a booking says.
type bookingSMS struct {
	id                        int64
	phone, title, place, code string
	startMS                   int64
	deadline                  time.Time      // of an offer
	zone                      *time.Location // of the event's community; nil: read it
	facts                     *phoneFacts    // of phone, read before anything was written for it; nil: read them
	community                 int64          // the event's; 0: the outbox finds it (queueOne)
}

// queueBookingSMS queues an SMS of the given kind about the booking b
// describes, reporting whether the resident's own message was queued
// rather than refused.
func (tx *Tx) queueBookingSMS(ctx context.Context, b bookingSMS, kind chorus.MessageKind) (bool, error) {
	zone := b.zone
	if zone == nil {
		zone = tx.bookingZone(ctx, b.id)
	}
	when := chorus.FormatWhen(time.UnixMilli(b.startMS).In(zone))
	// A title may be cut with a marker; a place never (it is refused at
	// creation when it would not fit).
	ev, pl := chorus.Ellipsize(b.title, chorus.MaxParamRunes), b.place
	m := chorus.Message{Phone: b.phone, Kind: kind, BookingID: b.id, Community: b.community}
	switch kind {
	case chorus.MsgBookingConfirm, chorus.MsgBookingBooked, chorus.MsgReminder:
		m.Params = map[string]string{"event": ev, "time": when, "place": pl, "code": b.code}
	case chorus.MsgCancelled:
		m.Params = map[string]string{"event": ev, "time": when}
	case chorus.MsgWaitlisted:
		m.Params = map[string]string{"event": ev, "time": when}
	case chorus.MsgWaitlistOffer:
		hours := chorus.OfferHours(b.deadline, tx.now)
		m.Params = map[string]string{"event": ev, "time": when, "hours": strconv.Itoa(hours)}
	case chorus.MsgCheckinCode:
		m.Params = map[string]string{"event": ev, "code": b.code}
	default:
		return false, fmt.Errorf("booking message of kind %s", kind)
	}
	return tx.queueToldKnown(ctx, m, b.facts)
}

// Transition moves a booking to status to; see chorus.BookingService.
func (db *DB) Transition(ctx context.Context, id int64, to chorus.Status, actor chorus.Actor, reason string) (*chorus.Booking, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeBooking(ctx, tx, id); err != nil {
			return err
		}
		return tx.transition(ctx, id, "", to, actor, reason)
	})
	if err != nil {
		return nil, err
	}
	return db.booking(ctx, id)
}

// transition moves booking id to status to; when expect is set, only from
// that status (a deadline must not cancel a booking confirmed meanwhile).
func (tx *Tx) transition(ctx context.Context, id int64, expect, to chorus.Status, actor chorus.Actor, reason string) error {
	var from chorus.Status
	var slotID, eventID int64
	err := tx.QueryRowContext(ctx, "SELECT status, slot_id, event_id FROM bookings WHERE id = ?", id).Scan(&from, &slotID, &eventID)
	if err != nil {
		return notFound(err, "预约")
	}
	if expect != "" && from != expect {
		return chorus.Errorf(chorus.ECONFLICT, "这个预约已经变了,请刷新后再试。")
	}
	if err := chorus.CheckTransition(from, to); err != nil {
		return err
	}
	set, args := "status = ?, updated_ms = ?", []any{to, tx.now.UnixMilli()}
	switch to {
	case chorus.StatusCheckedIn:
		set, args = set+", checked_in_ms = ?", append(args, tx.now.UnixMilli())
	case chorus.StatusConfirmed:
		set += ", checked_in_ms = NULL, deadline_ms = NULL"
	case chorus.StatusOffered:
		// Staff offering a seat by hand (waitlisted → offered): the offer
		// holds a free seat and lapses like one made by offerNext.
		deadline, err := tx.holdSeat(ctx, slotID)
		if err != nil {
			return err
		}
		set, args = set+", deadline_ms = ?", append(args, deadline.UnixMilli())
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bookings SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
		return fmt.Errorf("booking %d to %s: %w", id, to, err)
	}
	if err := tx.record(ctx, "booking_id", id, from, to, actor, reason); err != nil {
		return err
	}
	tx.change.Events = append(tx.change.Events, eventID) // attendance changed
	switch to {
	case chorus.StatusCancelled:
		// A cancellation by SMS reply is acknowledged by the reply's own
		// answer (已为您取消…), not told twice.
		if actor != chorus.ActorSMS {
			if err := tx.queueBookingMessage(ctx, id, chorus.MsgCancelled); err != nil {
				return err
			}
		}
	case chorus.StatusOffered:
		if err := tx.queueBookingMessage(ctx, id, chorus.MsgWaitlistOffer); err != nil {
			return err
		}
	case chorus.StatusConfirmed:
		if from == chorus.StatusOffered {
			// The seat is taken: the check-in code now, not the day before.
			if err := tx.queueBookingMessage(ctx, id, chorus.MsgBookingBooked); err != nil {
				return err
			}
		}
	}
	if from.HoldsSeat() && !to.HoldsSeat() {
		if _, err := tx.ExecContext(ctx, "UPDATE slots SET taken = taken - 1 WHERE id = ?", slotID); err != nil {
			return fmt.Errorf("free seat: %w", err)
		}
		tx.change.Slots = append(tx.change.Slots, slotID)
		if to != chorus.StatusNoShow {
			return tx.offerNext(ctx, slotID)
		}
	}
	return nil
}

// holdSeat takes a free seat of the slot for an offer made by hand and
// returns when the offer lapses. Errors: ECONFLICT (no free seat).
func (tx *Tx) holdSeat(ctx context.Context, slotID int64) (time.Time, error) {
	var startMS int64
	if err := tx.QueryRowContext(ctx, "SELECT start_ms FROM slots WHERE id = ?", slotID).Scan(&startMS); err != nil {
		return time.Time{}, fmt.Errorf("slot %d: %w", slotID, err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE slots SET taken = taken + 1 WHERE id = ? AND taken < capacity", slotID)
	if err != nil {
		return time.Time{}, fmt.Errorf("hold seat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return time.Time{}, chorus.Errorf(chorus.ECONFLICT, "这个时段已经没有空位了。")
	}
	tx.change.Slots = append(tx.change.Slots, slotID)
	return chorus.OfferDeadline(tx.now, tx.db.OfferTTL, time.UnixMilli(startMS)), nil
}

// offerNext offers the slot's free seats to the first in its waitlist while
// chorus.OffersSeats allows, each offer held until chorus.OfferDeadline.
func (tx *Tx) offerNext(ctx context.Context, slotID int64) error {
	var status chorus.EventStatus
	var startMS int64
	if err := tx.QueryRowContext(ctx, `SELECT e.status, s.start_ms FROM slots s JOIN events e ON e.id = s.event_id
		WHERE s.id = ?`, slotID).Scan(&status, &startMS); err != nil {
		return fmt.Errorf("slot %d: %w", slotID, err)
	}
	start := time.UnixMilli(startMS)
	if !chorus.OffersSeats(status, start, tx.now) {
		return nil
	}
	for {
		var next int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM bookings WHERE slot_id = ? AND status = 'waitlisted'
			AND (SELECT taken < capacity FROM slots WHERE id = ?) ORDER BY id LIMIT 1`, slotID, slotID).Scan(&next)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return fmt.Errorf("waitlist of slot %d: %w", slotID, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE slots SET taken = taken + 1 WHERE id = ?", slotID); err != nil {
			return fmt.Errorf("hold seat: %w", err)
		}
		deadline := chorus.OfferDeadline(tx.now, tx.db.OfferTTL, start)
		if _, err := tx.ExecContext(ctx, "UPDATE bookings SET status = 'offered', deadline_ms = ?, updated_ms = ? WHERE id = ?",
			deadline.UnixMilli(), tx.now.UnixMilli(), next); err != nil {
			return fmt.Errorf("offer seat: %w", err)
		}
		if err := tx.record(ctx, "booking_id", next, chorus.StatusWaitlisted, chorus.StatusOffered, chorus.ActorSystem, "有空位了"); err != nil {
			return err
		}
		if err := tx.queueBookingMessage(ctx, next, chorus.MsgWaitlistOffer); err != nil {
			return err
		}
	}
}

// History returns a booking's transitions, oldest first.
func (db *DB) History(ctx context.Context, id int64) ([]chorus.Transition, error) {
	return db.transitions(ctx, "booking_id", id)
}

func (db *DB) transitions(ctx context.Context, col string, id int64) ([]chorus.Transition, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Transition, error) {
		var t chorus.Transition
		var at sql.NullInt64
		err := rows.Scan(&t.From, &t.To, &at, &t.Actor, &t.Reason)
		t.At = fromMS(at)
		return t, err
	}, "SELECT from_status, to_status, at_ms, actor, reason FROM transitions WHERE "+col+" = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return out, nil
}

// Expire applies the deadlines at now, as chorus.DecideLapse decides:
// pending bookings not confirmed in time are cancelled, lapsed offers
// expire, confirmed bookings of an event that has ended become no_show;
// each freed seat goes to the waitlist.
func (db *DB) Expire(ctx context.Context, now time.Time) (int, error) {
	type due struct {
		id            int64
		from          chorus.Status
		deadline, end time.Time
	}
	list, err := queryRows(ctx, db.read, func(rows rowScanner) (due, error) {
		var d due
		var deadline, end sql.NullInt64
		err := rows.Scan(&d.id, &d.from, &deadline, &end)
		d.deadline, d.end = fromMS(deadline), fromMS(end)
		return d, err
	}, `SELECT b.id, b.status, b.deadline_ms,
		(SELECT MAX(end_ms) FROM slots l WHERE l.event_id = b.event_id) FROM bookings b JOIN slots s ON s.id = b.slot_id
		WHERE (b.status IN ('pending','offered') AND b.deadline_ms <= ?)
		OR (b.status = 'confirmed' AND (SELECT MAX(end_ms) FROM slots l WHERE l.event_id = b.event_id) <= ?)
		ORDER BY b.id LIMIT 1000`, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire: %w", err)
	}
	n := 0
	for _, d := range list {
		lapse, ok := chorus.DecideLapse(d.from, d.deadline, d.end, now)
		if !ok {
			continue
		}
		err := db.update(ctx, func(tx *Tx) error {
			return tx.transition(ctx, d.id, d.from, lapse.To, chorus.ActorSystem, lapse.Reason)
		})
		if chorus.ErrorCode(err) == chorus.ECONFLICT {
			continue // changed meanwhile (a reply 1 crossed the deadline)
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// MoveBooking moves a booking to another slot of its event; see
// chorus.BookingService.
func (db *DB) MoveBooking(ctx context.Context, id, slotID int64, actor chorus.Actor, reason string) (*chorus.Booking, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeBooking(ctx, tx, id); err != nil {
			return err
		}
		return tx.move(ctx, id, slotID, actor, reason)
	})
	if err != nil {
		return nil, err
	}
	return db.booking(ctx, id)
}

func (tx *Tx) move(ctx context.Context, id, slotID int64, actor chorus.Actor, reason string) error {
	var st chorus.Status
	var from, eventID int64
	err := tx.QueryRowContext(ctx, "SELECT status, slot_id, event_id FROM bookings WHERE id = ?", id).Scan(&st, &from, &eventID)
	if err != nil {
		return notFound(err, "预约")
	}
	if !st.HoldsSeat() || st == chorus.StatusCheckedIn {
		return chorus.Errorf(chorus.ECONFLICT, "这个预约%s,不能改时段。", st.Label())
	}
	if slotID == from {
		return chorus.Errorf(chorus.EINVALID, "已经是这个时段了。")
	}
	var slotEvent, endMS int64
	var evStatus chorus.EventStatus
	err = tx.QueryRowContext(ctx, `SELECT s.event_id, s.end_ms, e.status FROM slots s JOIN events e ON e.id = s.event_id
		WHERE s.id = ?`, slotID).Scan(&slotEvent, &endMS, &evStatus)
	if err != nil {
		return notFound(err, "时段")
	}
	switch {
	case slotEvent != eventID:
		return chorus.Errorf(chorus.EINVALID, "只能改到同一个活动的其他时段。")
	case evStatus == chorus.EventCancelled:
		return chorus.Errorf(chorus.ECONFLICT, "这个活动已经取消了。")
	case !tx.now.Before(time.UnixMilli(endMS)):
		return chorus.Errorf(chorus.ECONFLICT, "那个时段已经结束了,请选其他时段。")
	}
	res, err := tx.ExecContext(ctx, "UPDATE slots SET taken = taken + 1 WHERE id = ? AND taken < capacity", slotID)
	if err != nil {
		return fmt.Errorf("take seat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chorus.Errorf(chorus.EFULL, "那个时段已满,请选其他时段。")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE slots SET taken = taken - 1 WHERE id = ?", from); err != nil {
		return fmt.Errorf("free seat: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bookings SET slot_id = ?, updated_ms = ? WHERE id = ?", slotID, tx.now.UnixMilli(), id); isUnique(err) {
		// Open hours are booked session by session: this phone holds that
		// session already.
		return chorus.Errorf(chorus.ECONFLICT, "已经预约了那个时段,不用再改。")
	} else if err != nil {
		return fmt.Errorf("move booking %d: %w", id, err)
	}
	var startMS int64
	if err := tx.QueryRowContext(ctx, "SELECT start_ms FROM slots WHERE id = ?", slotID).Scan(&startMS); err != nil {
		return fmt.Errorf("slot %d: %w", slotID, err)
	}
	note := "改到" + chorus.FormatWhen(time.UnixMilli(startMS).In(tx.bookingZone(ctx, id)))
	if reason != "" {
		note += "\uff08" + reason + "\uff09" // (reason)
	}
	if err := tx.record(ctx, "booking_id", id, st, st, actor, note); err != nil {
		return err
	}
	kind := chorus.MsgBookingConfirm
	if st == chorus.StatusOffered {
		kind = chorus.MsgWaitlistOffer
	}
	if err := tx.queueBookingMessage(ctx, id, kind); err != nil {
		return err
	}
	tx.change.Slots = append(tx.change.Slots, from, slotID)
	tx.change.Events = append(tx.change.Events, eventID)
	return tx.offerNext(ctx, from)
}

// MoveOwnBooking moves the booking id of phone to another slot of its
// event, as its resident asks at a kiosk (a booking ctx's scope reaches as
// a resident's, see ownReach): the slot must still take bookings. A
// booking already in that slot is answered as it is (the same move sent
// twice). Another phone's booking is not found. Errors: ENOTFOUND,
// EINVALID, ECONFLICT, EFULL.
func (db *DB) MoveOwnBooking(ctx context.Context, id int64, phone string, slotID int64) (*chorus.Booking, error) {
	phone, err := chorus.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	err = db.update(ctx, func(tx *Tx) error {
		var owner string
		var at int64
		var st chorus.Status
		if err := tx.QueryRowContext(ctx, "SELECT phone, slot_id, status FROM bookings WHERE id = ?", id).Scan(&owner, &at, &st); err != nil ||
			owner != phone || ownReach(ctx, tx, id) != nil {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
		}
		if at == slotID && st.HoldsSeat() {
			// Already there: the same move sent again (a retry after a
			// slow network) answers with the booking as it is.
			return nil
		}
		var e chorus.Event
		var startMS int64
		err := tx.QueryRowContext(ctx, `SELECT e.status, e.cutoff_minutes, s.start_ms FROM slots s
			JOIN events e ON e.id = s.event_id WHERE s.id = ?`, slotID).Scan(&e.Status, &e.CutoffMinutes, &startMS)
		if err != nil {
			return notFound(err, "时段")
		}
		if !e.BookingOpen(chorus.Slot{Start: time.UnixMilli(startMS)}, tx.now) {
			return chorus.Errorf(chorus.ECONFLICT, "那个时段已经截止预约了,请选其他时段。")
		}
		return tx.move(ctx, id, slotID, chorus.ActorResident, "居民在自助机上改时间")
	})
	if err != nil {
		return nil, err
	}
	return db.booking(ctx, id)
}
