package sqlite

import (
	"context"
	"database/sql"
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
		// The call is its message's community's.
		return tx.QueryRowContext(ctx, `INSERT INTO calls (message_id, phone, placed_ms, community_id)
			VALUES (?, ?, ?, (SELECT community_id FROM messages WHERE id = ?)) RETURNING id`,
			id, phone, at.UnixMilli(), id).Scan(&row)
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

// CallKnown reports whether the provider is known to have placed the
// current attempt for message id: its newest call got a CallId (from the
// placing, or from a push naming the message) and has no outcome yet.
func (db *DB) CallKnown(ctx context.Context, id int64) (string, bool, error) {
	var callID, outcome string
	err := db.read.QueryRowContext(ctx, `SELECT call_id, outcome FROM calls WHERE message_id = ? ORDER BY id DESC LIMIT 1`, id).
		Scan(&callID, &outcome)
	if err == sql.ErrNoRows {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return callID, callID != "" && outcome == "", nil
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

// ApplyCallResult records what a push said of a call, once per dedupe key
// (the provider repeats its pushes): a key pressed acts exactly as the
// SMS reply with that digit to that message would (it goes through the
// same reply handling and appears in the inbox); a final outcome decides
// what follows (chorus.DecideAfterCall): nothing more, one retry later,
// SMS copies to the family, the resident's own SMS, a staff phone call.
// It reports false for a repeated push.
func (db *DB) ApplyCallResult(ctx context.Context, r chorus.CallResult, dedupe string) (bool, error) {
	applied := false
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO voice_pushes (key, seen_ms) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
			dedupe, tx.now.UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		applied = true
		return tx.applyCallResult(ctx, r)
	})
	return applied, err
}

func (tx *Tx) applyCallResult(ctx context.Context, r chorus.CallResult) error {
	// The message: by the OutId, else by a call already known by its id.
	id := r.OutID
	if id == 0 {
		err := tx.QueryRowContext(ctx, "SELECT message_id FROM calls WHERE call_id = ? LIMIT 1", r.CallID).Scan(&id)
		if err != nil {
			tx.db.Logger.Warn("voice push for no known call", "call", r.CallID)
			return nil
		}
	}
	m, err := scanMessage(tx.QueryRowContext(ctx, "SELECT "+messageCols+" FROM messages WHERE id = ? AND channel = 'voice'", id))
	if err != nil {
		tx.db.Logger.Warn("voice push for no call message", "call", r.CallID, "out_id", id)
		return nil
	}
	// The call's row: by its id, else the newest attempt without one (its
	// placing got no answer: the push shows it did ring).
	var row int64
	var key string
	err = tx.QueryRowContext(ctx, `SELECT id, key FROM calls WHERE message_id = ? AND (call_id = ? OR call_id = '')
		ORDER BY call_id = ? DESC, id DESC LIMIT 1`, m.ID, r.CallID, r.CallID).Scan(&row, &key)
	if err != nil {
		return fmt.Errorf("call of message %d: %w", m.ID, err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE calls SET call_id = ? WHERE id = ?", r.CallID, row); err != nil {
		return err
	}
	if r.Key != "" {
		return tx.callKey(ctx, m, row, r)
	}
	if r.Outcome == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE calls SET outcome = ?, duration_s = ?, ended_ms = ? WHERE id = ?",
		r.Outcome, r.Duration, ms(r.At), row); err != nil {
		return err
	}
	outcome := r.Outcome
	if key != "" {
		outcome = chorus.CallKey // the key came first, through the step push
	}
	var attempts int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM calls WHERE message_id = ?", m.ID).Scan(&attempts); err != nil {
		return err
	}
	at := r.At
	if at.IsZero() {
		at = tx.now
	}
	next := chorus.DecideAfterCall(outcome, attempts, at, m.ExpectsReply)
	now := tx.now.UnixMilli()
	switch {
	case next.Acknowledged:
		_, err = tx.ExecContext(ctx, "UPDATE messages SET status = 'delivered', updated_ms = ? WHERE id = ?", now, m.ID)
	case next.Retry:
		_, err = tx.ExecContext(ctx, `UPDATE messages SET status = 'queued', next_attempt_ms = ?, err_code = ?, updated_ms = ?
			WHERE id = ?`, next.RetryAt.UnixMilli(), string(outcome), now, m.ID)
	default:
		_, err = tx.ExecContext(ctx, "UPDATE messages SET status = 'failed', err_code = ?, updated_ms = ? WHERE id = ?",
			outcome.ErrCode(), now, m.ID)
	}
	if err != nil {
		return err
	}
	copyOf := chorus.Message{Kind: m.Kind, Params: m.Params, Channel: chorus.ChannelSMS,
		BookingID: m.BookingID, EnrolmentID: m.EnrolmentID, OrderID: m.OrderID}
	if next.SMSToPerson {
		c := copyOf
		c.Phone = m.Phone
		if _, err := tx.queueOne(ctx, c, true); err != nil {
			return err
		}
	}
	if next.TellFamily && m.Kind.ToFamily() {
		family, err := queryRows(ctx, tx, scanValue[string], `SELECT f.phone FROM family_contacts f
			JOIN residents r ON r.id = f.resident_id WHERE r.phone = ? AND f.phone != ?`, m.Phone, m.Phone)
		if err != nil {
			return err
		}
		// The family had their copy when the notice was queued; after a
		// call nobody answered they get it again, marked by this attempt.
		for _, p := range family {
			c := copyOf
			c.Phone = p
			if _, err := tx.queueOne(ctx, c, false); err != nil {
				return err
			}
		}
	}
	if next.TellStaff {
		if _, err := tx.ExecContext(ctx, "UPDATE calls SET staff_call = 1 WHERE id = ?", row); err != nil {
			return err
		}
		tx.change.Messages++
	}
	return nil
}

// callKey applies a key pressed in the call for m as the SMS reply with
// that digit to m: the same handling, dedupe and inbox entry.
func (tx *Tx) callKey(ctx context.Context, m chorus.Message, row int64, r chorus.CallResult) error {
	if _, err := tx.ExecContext(ctx, "UPDATE calls SET key = ? WHERE id = ?", r.Key, row); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE messages SET status = 'delivered', updated_ms = ? WHERE id = ?",
		tx.now.UnixMilli(), m.ID); err != nil {
		return err
	}
	intent := chorus.KeyIntent(r.Key)
	if intent == "" || !m.ExpectsReply {
		return nil
	}
	at := r.At
	if at.IsZero() {
		at = tx.now
	}
	in := chorus.Inbound{Phone: m.Phone, Content: r.Key + "(电话按键)", SequenceID: "call:" + r.CallID,
		DestCode: chorus.ExtendCode(m), SentAt: at, ReceivedAt: tx.now, Intent: intent}
	_, err := tx.handleInbound(ctx, &in)
	return err
}

// StaffCalls returns the calls of the scope's community since since after
// which staff should phone the resident (no answer twice, no key), newest
// first.
func (db *DB) StaffCalls(ctx context.Context, since time.Time) ([]chorus.Message, error) {
	return db.queryMessages(ctx, "SELECT "+messageCols+` FROM messages WHERE id IN
		(SELECT message_id FROM calls WHERE staff_call = 1 AND placed_ms >= ? AND community_id = ?) ORDER BY id DESC`,
		since.UnixMilli(), chorus.ScopeFrom(ctx).Community)
}

// SetChannel sets how the resident with phone hears from the community,
// creating the resident's record when there is none. It reports whether
// the channel changed.
func (db *DB) SetChannel(ctx context.Context, phone string, ch chorus.Channel) (bool, error) {
	if !ch.Valid() {
		return false, chorus.Errorf(chorus.EINVALID, "通知方式只能是短信、电话语音或两者都要。")
	}
	changed := false
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.touchResident(ctx, phone, ""); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE residents SET channel = ? WHERE phone = ? AND channel != ?", ch, phone, ch)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	return changed, err
}
