package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// tokenKey returns the key that signs check-in tokens (made by migration 4).
func (db *DB) tokenKey(ctx context.Context) ([]byte, error) {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	if db.key != nil {
		return db.key, nil
	}
	var key []byte
	if err := db.read.QueryRowContext(ctx, "SELECT value FROM secrets WHERE name = 'checkin_token_key'").Scan(&key); err != nil {
		return nil, fmt.Errorf("check-in token key: %w", err)
	}
	if len(key) < chorus.TokenKeyBytes/2 {
		return nil, fmt.Errorf("check-in token key: too short (%d bytes)", len(key))
	}
	db.key = key
	return key, nil
}

// signToken turns the nonce scanned into b.CheckinToken into the token.
func (db *DB) signToken(ctx context.Context, b *chorus.Booking) error {
	if b.CheckinToken == "" {
		return nil
	}
	key, err := db.tokenKey(ctx)
	if err != nil {
		return err
	}
	tok, err := chorus.CheckinToken(key, b.CheckinToken)
	if err != nil {
		return fmt.Errorf("booking %d token: %w", b.ID, err)
	}
	b.CheckinToken = tok
	return nil
}

// ParseToken checks a check-in token's signature; see chorus.ParseCheckinToken.
func (db *DB) ParseToken(ctx context.Context, token string) error {
	key, err := db.tokenKey(ctx)
	if err != nil {
		return err
	}
	_, err = chorus.ParseCheckinToken(key, token)
	return err
}

// CheckIn checks a booking in at an event's door by token, code or id. It
// is idempotent: a repeat answers "already" with the first time, and two
// scans at once record one check-in. A pending or offered booking of
// someone who came is confirmed and checked in. A scan synced later with an
// earlier At moves the recorded time back: the first time wins.
//
// A door set to a class (ClassID, no EventID) is ClassCheckIn's. At an
// event's door, the token of a class enrolment is checked in at today's
// session of its own class: the token names it.
func (db *DB) CheckIn(ctx context.Context, req chorus.CheckinRequest) (*chorus.CheckinResult, error) {
	if req.EventID <= 0 && req.ClassID > 0 {
		if req.Token == "" && req.Code == "" && req.EnrolmentID <= 0 {
			return nil, chorus.Errorf(chorus.EINVALID, "请扫描二维码或输入6位签到码。")
		}
		return db.ClassCheckIn(ctx, chorus.ClassCheckinRequest{ClassID: req.ClassID, Code: req.Code, Token: req.Token,
			EnrolmentID: req.EnrolmentID, At: req.At, Actor: req.Actor})
	}
	if req.EventID <= 0 {
		return nil, chorus.Errorf(chorus.EINVALID, "请先选择签到的活动。")
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorStaff
	}
	key, err := db.tokenKey(ctx)
	if err != nil {
		return nil, err
	}
	nonce := ""
	switch {
	case req.Token != "":
		if nonce, err = chorus.ParseCheckinToken(key, req.Token); err != nil {
			return &chorus.CheckinResult{Outcome: chorus.CheckinUnknown, Message: "这个二维码无效,请找工作人员。"}, nil
		}
	case req.Code != "":
		if !chorus.IsCode(req.Code) {
			return nil, chorus.Errorf(chorus.EINVALID, "签到码是6位数字,请重新输入。")
		}
	case req.BookingID <= 0:
		return nil, chorus.Errorf(chorus.EINVALID, "请扫描二维码或输入6位签到码。")
	}
	var res chorus.CheckinResult
	var id int64
	err = db.update(ctx, func(tx *Tx) error {
		// Only the scope's events: one open to the district is checked in
		// by its host's staff and kiosks.
		if err := seeEvent(ctx, tx, req.EventID, false); err != nil {
			return err
		}
		if nonce != "" {
			class, seen, err := tx.classOfToken(ctx, nonce)
			if err != nil {
				return err
			}
			if seen {
				return tx.classCheckIn(ctx, class, "", nonce, 0, req.At, req.Actor, &res)
			}
		}
		var err error
		id, err = tx.checkIn(ctx, req, nonce, &res)
		return err
	})
	if err != nil {
		return nil, err
	}
	if id > 0 {
		if res.Booking, err = db.booking(ctx, id); err != nil {
			return nil, err
		}
		if res.Outcome == chorus.CheckinAlready || res.Outcome == chorus.CheckinOK {
			res.FirstAt = res.Booking.CheckedInAt
		}
	}
	return &res, nil
}

func (tx *Tx) checkIn(ctx context.Context, req chorus.CheckinRequest, nonce string, res *chorus.CheckinResult) (int64, error) {
	var id int64
	var f chorus.CheckinFacts
	var checked sql.NullInt64
	var startMS int64
	q := `SELECT b.id, b.event_id, e.title, b.status, b.name, b.checked_in_ms, s.start_ms
		FROM bookings b JOIN events e ON e.id = b.event_id JOIN slots s ON s.id = b.slot_id `
	var err error
	switch {
	case nonce != "":
		err = tx.QueryRowContext(ctx, q+"WHERE b.token_nonce = ?", nonce).Scan(&id, &f.EventID, &f.EventTitle, &f.Status, &f.Name, &checked, &startMS)
	case req.Code != "":
		// A live booking with the code first, else the latest one that had it.
		err = tx.QueryRowContext(ctx, q+"WHERE b.event_id = ? AND b.code = ? ORDER BY b.status IN "+liveIn+" DESC, b.id DESC LIMIT 1",
			req.EventID, req.Code).Scan(&id, &f.EventID, &f.EventTitle, &f.Status, &f.Name, &checked, &startMS)
	default:
		err = tx.QueryRowContext(ctx, q+"WHERE b.id = ?", req.BookingID).Scan(&id, &f.EventID, &f.EventTitle, &f.Status, &f.Name, &checked, &startMS)
	}
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("find booking: %w", err)
	}
	f.CheckedInAt, f.SlotStart = fromMS(checked), time.UnixMilli(startMS)
	// The day and time as the event's community tells them (its zone).
	loc := tx.db.Location
	if err == nil {
		var community int64
		if tx.QueryRowContext(ctx, "SELECT community_id FROM events WHERE id = ?", f.EventID).Scan(&community) == nil {
			loc = tx.zoneOf(ctx, community)
		}
	}
	d := chorus.DecideCheckin(req.EventID, err == nil, f, req.At, tx.now, loc)
	res.Outcome, res.Message = d.Outcome, d.Message
	if d.Outcome == chorus.CheckinUnknown {
		return 0, nil
	}
	if d.Confirm {
		if err := tx.transition(ctx, id, f.Status, chorus.StatusConfirmed, req.Actor, "到场签到"); err != nil {
			return 0, err
		}
	}
	if d.CheckIn {
		if err := tx.transition(ctx, id, chorus.StatusConfirmed, chorus.StatusCheckedIn, req.Actor, ""); err != nil {
			return 0, err
		}
		tx.change.Events = append(tx.change.Events, f.EventID)
	}
	if !d.At.IsZero() {
		if _, err := tx.ExecContext(ctx, "UPDATE bookings SET checked_in_ms = ? WHERE id = ?", d.At.UnixMilli(), id); err != nil {
			return 0, fmt.Errorf("check-in time: %w", err)
		}
	}
	return id, nil
}

// Attendance counts an event's bookings at the door: an event of the
// scope's community. Errors: ENOTFOUND.
func (db *DB) Attendance(ctx context.Context, eventID int64) (*chorus.Attendance, error) {
	a := &chorus.Attendance{EventID: eventID}
	if err := seeEvent(ctx, db.read, eventID, false); err != nil {
		return nil, err
	}
	err := db.read.QueryRowContext(ctx, `SELECT
		COUNT(*) FILTER (WHERE status IN ('pending','confirmed','offered','checked_in')),
		COUNT(*) FILTER (WHERE status = 'checked_in'),
		COUNT(*) FILTER (WHERE status = 'no_show')
		FROM bookings WHERE event_id = ?`, eventID).Scan(&a.Booked, &a.CheckedIn, &a.NoShow)
	if err != nil {
		return nil, fmt.Errorf("attendance: %w", err)
	}
	a.NotYet = a.Booked - a.CheckedIn
	return a, nil
}

// SearchBookings finds an event's bookings by the phone's last 4 digits or
// by (part of) the name, for staff at the door: an event of the scope's
// community. Errors: EINVALID, ENOTFOUND.
func (db *DB) SearchBookings(ctx context.Context, eventID int64, q string) ([]chorus.Booking, error) {
	q = strings.TrimSpace(q)
	if q == "" || len([]rune(q)) > 20 {
		return nil, chorus.Errorf(chorus.EINVALID, "请输入手机号后4位或姓名。")
	}
	if err := seeEvent(ctx, db.read, eventID, false); err != nil {
		return nil, err
	}
	if len(q) == 4 && chorus.IsCode(q+"00") {
		return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
			"WHERE b.event_id = ? AND substr(b.phone, length(b.phone) - 3) = ? ORDER BY s.start_ms, b.id LIMIT 50", eventID, q)
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
		`WHERE b.event_id = ? AND b.name LIKE ? ESCAPE '\' ORDER BY s.start_ms, b.id LIMIT 50`, eventID, "%"+esc+"%")
}
