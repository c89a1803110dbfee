package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// CallHistory returns when calls were placed to phone since since (placed
// or attempted without an answer: both count against the provider's
// per-number limits).
func (db *DB) CallHistory(ctx context.Context, phone string, since time.Time) ([]time.Time, error) {
	ms, err := queryRows(ctx, db.read, scanValue[int64], "SELECT placed_ms FROM calls WHERE phone = ? AND placed_ms >= ?",
		phone, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("calls to %s: %w", chorus.MaskPhone(phone), err)
	}
	out := make([]time.Time, len(ms))
	for i, v := range ms {
		out[i] = time.UnixMilli(v)
	}
	return out, nil
}

// CallsSince counts the calls placed since since, for the daily budget.
func (db *DB) CallsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM calls WHERE placed_ms >= ?", since.UnixMilli()).Scan(&n)
	return n, err
}

// StartCall records that a call for message id is about to be placed:
// the message goes to sending (Attempts+1) and the call is counted before
// the provider is asked, so a call whose answer is lost still counts.
// It returns the call's row id.
func (db *DB) StartCall(ctx context.Context, id int64, phone string, at time.Time) (int64, error) {
	var row int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_ms = ?
			WHERE id = ? AND status IN ('queued','sending') AND channel = 'voice'`, at.UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ECONFLICT, "这条通知已经不在待呼叫状态。")
		}
		return tx.QueryRowContext(ctx, "INSERT INTO calls (message_id, phone, placed_ms) VALUES (?, ?, ?) RETURNING id",
			id, phone, at.UnixMilli()).Scan(&row)
	})
	if err != nil {
		return 0, fmt.Errorf("start call for message %d: %w", id, err)
	}
	return row, nil
}

// CallPlaced records the provider's CallId for call row and the message's
// acceptance (status submitted, biz_id the CallId).
func (db *DB) CallPlaced(ctx context.Context, id, row int64, callID string, at time.Time) error {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE calls SET call_id = ? WHERE id = ?", callID, row); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'submitted', biz_id = ?, err_code = '', err_msg = '',
			updated_ms = ? WHERE id = ? AND status IN ('queued','sending')`, callID, at.UnixMilli(), id)
		return err
	})
}

// CallKnown reports whether the provider is known to have placed a call
// for message id: a CallId came back, or a push named the message.
func (db *DB) CallKnown(ctx context.Context, id int64) (string, bool, error) {
	var callID string
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(call_id), '') FROM calls WHERE message_id = ? AND call_id != ''`, id).
		Scan(&callID)
	return callID, callID != "", err
}

// CallBySMS ends a call message (status failed, with the reason in
// err_code) and queues the same notice to the same phone by SMS, under
// the SMS rules (opt-out, daily limits), in one transaction.
func (db *DB) CallBySMS(ctx context.Context, id int64, reason, msg string) error {
	return db.update(ctx, func(tx *Tx) error {
		m, err := scanMessage(tx.QueryRowContext(ctx, "SELECT "+messageCols+" FROM messages WHERE id = ? AND channel = 'voice'", id))
		if err != nil {
			return notFound(err, "通知")
		}
		if m.Status != chorus.MessageQueued && m.Status != chorus.MessageSending {
			return nil // already settled
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'failed', err_code = ?, err_msg = ?, updated_ms = ?
			WHERE id = ?`, reason, chorus.Shorten(msg, 200), tx.now.UnixMilli(), id); err != nil {
			return err
		}
		sms := chorus.Message{Phone: m.Phone, Kind: m.Kind, Params: m.Params, Channel: chorus.ChannelSMS,
			BookingID: m.BookingID, EnrolmentID: m.EnrolmentID, OrderID: m.OrderID}
		_, err = tx.queueOne(ctx, sms, true)
		return err
	})
}
