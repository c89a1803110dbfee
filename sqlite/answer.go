package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chorus-community/chorus"
)

// This file fills in what a resident's request is answered with beyond the
// record itself: whether the request repeated an earlier one, and where
// the SMS it caused is, so that a kiosk says what really happened.

// replayed reports whether the row id of table (bookings, enrolments,
// orders) was made by a request with the idempotency key key.
func (db *DB) replayed(ctx context.Context, table string, id int64, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	var got sql.NullString
	err := db.read.QueryRowContext(ctx, "SELECT idem_key FROM "+table+" WHERE id = ?", id).Scan(&got)
	if err != nil {
		return false, fmt.Errorf("idempotency key of %s %d: %w", table, id, err)
	}
	return got.Valid && got.String == key, nil
}

// smsOf returns the status of the newest message sent to phone about the
// row id (col is booking_id, enrolment_id or order_id) that tells the
// resident what their request became (chorus.ReceiptKinds), or "" when
// none.
func (db *DB) smsOf(ctx context.Context, col string, id int64, phone string) (chorus.MessageStatus, error) {
	q := "SELECT status FROM messages WHERE " + col + " = ? AND phone = ? AND kind IN ("
	args := []any{id, phone}
	for i, k := range chorus.ReceiptKinds() {
		if i > 0 {
			q += ", "
		}
		q += "?"
		args = append(args, k)
	}
	var st chorus.MessageStatus
	err := db.read.QueryRowContext(ctx, q+") ORDER BY id DESC LIMIT 1", args...).Scan(&st)
	if err == sql.ErrNoRows {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("sms of %s %d: %w", col, id, err)
	}
	return st, nil
}

// answerBooking fills b.Replayed and b.SMS for the request req answered
// with b (b.Existing already set).
func (db *DB) answerBooking(ctx context.Context, b *chorus.Booking, key string) error {
	if b.Existing {
		r, err := db.replayed(ctx, "bookings", b.ID, key)
		if err != nil {
			return err
		}
		b.Replayed = r
		if !r {
			return nil // nothing was sent for a booking the phone already held
		}
	}
	st, err := db.smsOf(ctx, "booking_id", b.ID, b.Phone)
	b.SMS = st
	return err
}

// answerEnrolment does for an enrolment what answerBooking does.
func (db *DB) answerEnrolment(ctx context.Context, e *chorus.Enrolment, key string) error {
	if e.Existing {
		r, err := db.replayed(ctx, "enrolments", e.ID, key)
		if err != nil {
			return err
		}
		e.Replayed = r
		if !r {
			return nil
		}
	}
	st, err := db.smsOf(ctx, "enrolment_id", e.ID, e.Phone)
	e.SMS = st
	return err
}

// requestSMS names, for each kind of resident request, the column of
// messages naming it.
var requestSMS = map[string]string{
	"booking":   "booking_id",
	"enrolment": "enrolment_id",
	"order":     "order_id",
}

// RequestSMS returns where the SMS a resident's request sent is now (what
// is "booking", "enrolment" or "order"): the newest receipt kind of SMS to
// phone about the request, or "" when there is none to that phone, so that
// another phone learns nothing. A kiosk's done screen follows it from
// 正在发往 to 已发送. Errors: EINVALID (what).
func (db *DB) RequestSMS(ctx context.Context, what string, id int64, phone string) (chorus.MessageStatus, error) {
	col, ok := requestSMS[what]
	if !ok {
		return "", chorus.Errorf(chorus.EINVALID, "不认识的请求类型。")
	}
	phone, err := chorus.NormalizePhone(phone)
	if err != nil {
		return "", err
	}
	return db.smsOf(ctx, col, id, phone)
}
