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

// maxOfflineScan bounds how old a scan synced later may be: a staff phone
// offline for a whole event day, no more.
const maxOfflineScan = 12 * time.Hour

// CheckIn checks a booking in at an event's door by token, code or id. It
// is idempotent: a repeat answers "already" with the first time, and two
// scans at once record one check-in. A pending or offered booking of
// someone who came is confirmed and checked in. A scan synced later with an
// earlier At moves the recorded time back: the first time wins.
func (db *DB) CheckIn(ctx context.Context, req chorus.CheckinRequest) (*chorus.CheckinResult, error) {
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
		var err error
		id, err = tx.checkIn(ctx, req, nonce, &res)
		return err
	})
	if err != nil {
		return nil, err
	}
	if id > 0 {
		if res.Booking, err = db.Booking(ctx, id); err != nil {
			return nil, err
		}
		if res.Outcome == chorus.CheckinAlready || res.Outcome == chorus.CheckinOK {
			res.FirstAt = res.Booking.CheckedInAt
		}
	}
	return &res, nil
}

func (tx *Tx) checkIn(ctx context.Context, req chorus.CheckinRequest, nonce string, res *chorus.CheckinResult) (int64, error) {
	var id, eventID int64
	var st chorus.Status
	var name string
	var checked sql.NullInt64
	q := "SELECT id, event_id, status, name, checked_in_ms FROM bookings "
	var err error
	switch {
	case nonce != "":
		err = tx.QueryRowContext(ctx, q+"WHERE token_nonce = ?", nonce).Scan(&id, &eventID, &st, &name, &checked)
	case req.Code != "":
		// A live booking with the code first, else the latest one that had it.
		err = tx.QueryRowContext(ctx, q+"WHERE event_id = ? AND code = ? ORDER BY status IN "+liveIn+" DESC, id DESC LIMIT 1",
			req.EventID, req.Code).Scan(&id, &eventID, &st, &name, &checked)
	default:
		err = tx.QueryRowContext(ctx, q+"WHERE id = ?", req.BookingID).Scan(&id, &eventID, &st, &name, &checked)
	}
	if err == sql.ErrNoRows {
		res.Outcome, res.Message = chorus.CheckinUnknown, "没有找到这个预约,请找工作人员。"
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("find booking: %w", err)
	}
	if eventID != req.EventID {
		var title string
		var start int64
		if err := tx.QueryRowContext(ctx, `SELECT e.title, s.start_ms FROM bookings b JOIN events e ON e.id = b.event_id
			JOIN slots s ON s.id = b.slot_id WHERE b.id = ?`, id).Scan(&title, &start); err != nil {
			return 0, fmt.Errorf("booking %d: %w", id, err)
		}
		res.Outcome = chorus.CheckinOtherEvent
		res.Message = fmt.Sprintf("这是%s「%s」的预约,不是这个活动。", chorus.FormatWhen(time.UnixMilli(start).In(tx.db.Location)), title)
		return id, nil
	}
	var startMS int64
	if err := tx.QueryRowContext(ctx, "SELECT s.start_ms FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.id = ?", id).
		Scan(&startMS); err != nil {
		return 0, fmt.Errorf("booking %d slot: %w", id, err)
	}
	day := time.UnixMilli(startMS).In(tx.db.Location)
	if y, m, d := tx.now.In(tx.db.Location).Date(); y != day.Year() || m != day.Month() || d != day.Day() {
		res.Outcome = chorus.CheckinOtherEvent
		res.Message = fmt.Sprintf("这是%s的预约,不是今天的,请找工作人员。", chorus.FormatDay(day))
		return id, nil
	}
	// A scan kept offline carries its own time: accepted back to
	// maxOfflineScan, never in the future.
	at := tx.now
	if !req.At.IsZero() && req.At.Before(at) && tx.now.Sub(req.At) <= maxOfflineScan {
		at = req.At
	}
	greet := strings.TrimSpace(name)
	if greet != "" {
		greet += ","
	}
	switch st {
	case chorus.StatusCheckedIn:
		res.Outcome, res.Message = chorus.CheckinAlready, greet+"您已经签到过了。"
		if checked.Valid && at.UnixMilli() < checked.Int64 {
			if _, err := tx.ExecContext(ctx, "UPDATE bookings SET checked_in_ms = ? WHERE id = ?", at.UnixMilli(), id); err != nil {
				return 0, fmt.Errorf("first check-in time: %w", err)
			}
		}
		return id, nil
	case chorus.StatusPending, chorus.StatusOffered:
		if err := tx.transition(ctx, id, st, chorus.StatusConfirmed, req.Actor, "到场签到"); err != nil {
			return 0, err
		}
		fallthrough
	case chorus.StatusConfirmed:
		if err := tx.transition(ctx, id, chorus.StatusConfirmed, chorus.StatusCheckedIn, req.Actor, ""); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE bookings SET checked_in_ms = ? WHERE id = ?", at.UnixMilli(), id); err != nil {
			return 0, fmt.Errorf("check-in time: %w", err)
		}
		tx.change.Events = append(tx.change.Events, eventID)
		res.Outcome, res.Message = chorus.CheckinOK, greet+"签到成功!"
	case chorus.StatusWaitlisted:
		res.Outcome, res.Message = chorus.CheckinWaitlisted, greet+"您还在候补,暂时没有空位,请找工作人员。"
	case chorus.StatusNoShow:
		res.Outcome, res.Message = chorus.CheckinCancelled, "这个活动已经结束了。"
	default:
		res.Outcome, res.Message = chorus.CheckinCancelled, "这个预约已经取消了,请找工作人员。"
	}
	return id, nil
}

// Attendance counts an event's bookings at the door. Errors: ENOTFOUND.
func (db *DB) Attendance(ctx context.Context, eventID int64) (*chorus.Attendance, error) {
	a := &chorus.Attendance{EventID: eventID}
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE id = ?", eventID).Scan(&n); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个活动。")
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
// by (part of) the name, for staff at the door.
func (db *DB) SearchBookings(ctx context.Context, eventID int64, q string) ([]chorus.Booking, error) {
	q = strings.TrimSpace(q)
	if q == "" || len([]rune(q)) > 20 {
		return nil, chorus.Errorf(chorus.EINVALID, "请输入手机号后4位或姓名。")
	}
	if len(q) == 4 && chorus.IsCode(q+"00") {
		return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
			"WHERE b.event_id = ? AND substr(b.phone, -4) = ? ORDER BY s.start_ms, b.id LIMIT 50", eventID, q)
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	return db.queryBookings(ctx, "SELECT "+bookingCols+bookingFrom+
		`WHERE b.event_id = ? AND b.name LIKE ? ESCAPE '\' ORDER BY s.start_ms, b.id LIMIT 50`, eventID, "%"+esc+"%")
}
