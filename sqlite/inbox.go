package sqlite

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// replyWindow is how far back a reply looks for the message it answers: an
// answer to something older than a week is more likely about something else.
const replyWindow = 7 * 24 * time.Hour

// HandleInbound stores a reply and applies it in one transaction: 1
// confirms a pending booking (or takes an offered seat while the offer is
// valid), 2 cancels it (the seat goes to the waitlist), each change
// acknowledged by SMS; an opt-out is recorded and answered once. The reply
// answers the message its dest_code names, or, without one, what
// chorus.PlanReply allows among everything the phone was asked about (see
// replyToItems). Anything else goes to the staff inbox, with at most one
// help answer per phone per day. A repeated push of the same reply
// (same phone and sequence id) changes nothing and returns the stored one
// with dup set.
func (db *DB) HandleInbound(ctx context.Context, in chorus.Inbound) (out *chorus.Inbound, dup bool, err error) {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = db.Now()
	}
	err = db.update(ctx, func(tx *Tx) error {
		dup, err = tx.handleInbound(ctx, &in)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if dup {
		list, err := db.inbox(ctx, "phone = ? AND sequence_id = ?", in.Phone, in.SequenceID)
		if err != nil || len(list) == 0 {
			return nil, true, fmt.Errorf("stored reply: %v", err)
		}
		return &list[0], true, nil
	}
	return &in, false, nil
}

// handleInbound stores and applies one reply in tx; dup reports a reply
// stored before (the same phone and sequence id), which changes nothing.
func (tx *Tx) handleInbound(ctx context.Context, in *chorus.Inbound) (dup bool, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO sms_inbox (phone, content, sequence_id, dest_code, sent_ms, received_ms,
		intent, order_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(phone, sequence_id) DO NOTHING RETURNING id`,
		in.Phone, in.Content, in.SequenceID, in.DestCode, ms(in.SentAt), in.ReceivedAt.UnixMilli(), in.Intent, in.Order).Scan(&in.ID)
	if err == sql.ErrNoRows {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("store reply: %w", err)
	}
	route, err := tx.pushRoute(ctx, in)
	if err != nil {
		return false, err
	}
	in.Community = route
	msgID, asked, err := tx.applyReply(ctx, in)
	if err != nil {
		return false, err
	}
	if in.Community, err = tx.replyCommunity(ctx, in, route, msgID); err != nil {
		return false, err
	}
	if !in.Handled && !asked { // a reply asked which booking gets no help text on top
		if err := tx.helpOnce(ctx, in.Phone, in.Community); err != nil {
			return false, err
		}
	}
	tx.change.Inbox++
	_, err = tx.ExecContext(ctx, "UPDATE sms_inbox SET outcome = ?, handled = ?, message_id = ?, community_id = ? WHERE id = ?",
		in.Outcome, in.Handled, nullID(msgID), in.Community, in.ID)
	return false, err
}

// pushRoute returns the community the push of in names: its own push
// secret (in.Community, set by the caller), or the signature the reply was
// sent to (in.SignName, with the shared secret); 0 when it names none.
func (tx *Tx) pushRoute(ctx context.Context, in *chorus.Inbound) (int64, error) {
	if in.Community > 0 || in.SignName == "" {
		return in.Community, nil
	}
	var c sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MIN(id) FROM community WHERE sign_name = ? AND sign_name <> ''", in.SignName).
		Scan(&c); err != nil {
		return 0, fmt.Errorf("community of signature: %w", err)
	}
	return c.Int64, nil
}

// replyCommunity returns the community a reply belongs to (its staff see
// it in their inbox): the one of the message it answered (msgID), else of
// the order a partner's 接N named, else the one its push named (route),
// else the resident's, else the first.
func (tx *Tx) replyCommunity(ctx context.Context, in *chorus.Inbound, route, msgID int64) (int64, error) {
	var c sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT community_id FROM messages WHERE id = ?),
		(SELECT community_id FROM orders WHERE id = ? AND ? IN ('accept','done','give_back')),
		NULLIF(?, 0), (SELECT community_id FROM residents WHERE phone = ?), ?)`,
		msgID, in.Order, in.Intent, route, in.Phone, chorus.DefaultCommunity).Scan(&c)
	if err != nil {
		return 0, fmt.Errorf("community of reply: %w", err)
	}
	return c.Int64, nil
}

// applyReply carries out one reply and says what it did in in.Outcome. It
// returns the id of the message answered, if any, and whether the phone
// was already answered (asked which booking it meant, or told a number
// was unclear), so that it gets no help text on top.
func (tx *Tx) applyReply(ctx context.Context, in *chorus.Inbound) (int64, bool, error) {
	in.Outcome, in.Handled = "未能识别,请工作人员处理", false
	switch in.Intent {
	case chorus.IntentOptOut:
		changed, err := tx.setOptOut(ctx, in.Phone, true)
		if err != nil {
			return 0, false, err
		}
		in.Outcome, in.Handled = "已退订短信", true
		if changed {
			return 0, false, tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgOptOutAck, Params: map[string]string{},
				Community: in.Community})
		}
		return 0, false, nil
	case chorus.IntentAccept, chorus.IntentDone, chorus.IntentGiveBack:
		return tx.commandReply(ctx, in) // an order's or a help request's (bankhelpreply.go)
	case chorus.IntentVenueAgree, chorus.IntentVenueRefuse, chorus.IntentVenueWithdraw, chorus.IntentJoin:
		// 取消N is a venue approver's and a volunteer's word: the number
		// decides, and two matches are asked about, never guessed.
		target, err := tx.routeNumbered(ctx, in)
		if err != nil {
			return 0, false, err
		}
		switch target {
		case chorus.TargetShift:
			id, err := tx.shiftReply(ctx, in)
			return id, false, err
		case chorus.TargetAsk:
			in.Outcome = chorus.AskWhich(in.Order)
			return 0, true, tx.tellUnclear(ctx, in)
		}
		id, err := tx.venueReply(ctx, in)
		return id, false, err
	case chorus.IntentVolunteer:
		return 0, false, tx.volunteerKeyword(ctx, in)
	case chorus.IntentLeaderConfirm:
		id, err := tx.leaderConfirm(ctx, in)
		return id, false, err
	case chorus.IntentDispute:
		id, err := tx.disputeReply(ctx, in)
		return id, false, err
	case chorus.IntentConfirm, chorus.IntentCancel:
	default:
		return 0, false, nil // the rest: staff decide
	}
	return tx.replyToItems(ctx, in)
}

// replyToSeat applies in's 1 or 2 to the booking or enrolment id (kind is
// chorus.ReplyItemBooking or chorus.ReplyItemEnrolment) as
// chorus.DecideReply decides from its status and deadline now, and says
// what happened in in.Outcome.
func (tx *Tx) replyToSeat(ctx context.Context, in *chorus.Inbound, kind string, id int64) error {
	table := "bookings"
	if kind == chorus.ReplyItemEnrolment {
		table = "enrolments"
	}
	it := chorus.ReplyItem{Kind: kind, ID: id}
	var deadline sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT status, deadline_ms FROM "+table+" WHERE id = ?", id).Scan(&it.Status, &deadline); err != nil {
		return fmt.Errorf("%s %d: %w", kind, id, err)
	}
	it.Deadline = fromMS(deadline)
	eff := chorus.DecideReply(it, in.Intent, tx.now)
	if eff.To != "" {
		reason := "短信回复:" + chorus.Shorten(in.Content, 20)
		var err error
		if kind == chorus.ReplyItemEnrolment {
			err = tx.enrolmentTo(ctx, id, it.Status, eff.To, chorus.ActorSMS, reason)
		} else {
			err = tx.transition(ctx, id, it.Status, eff.To, chorus.ActorSMS, reason)
		}
		if chorus.ErrorCode(err) == chorus.ECONFLICT {
			eff = chorus.ReplyRefused(it, in.Intent)
		} else if err != nil {
			return err
		}
	}
	in.Outcome, in.Handled = eff.Outcome, eff.Handled
	return nil
}

// helpOnce queues a short help answer, signed for community, unless the
// phone had one today.
func (tx *Tx) helpOnce(ctx context.Context, phone string, community int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE phone = ? AND kind = ? AND created_ms >= ?",
		phone, chorus.MsgHelp, tx.dayStart()).Scan(&n); err != nil {
		return fmt.Errorf("help sent today: %w", err)
	}
	if n > 0 {
		return nil
	}
	return tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgHelp, Params: map[string]string{}, Community: community})
}

// dayStart is the start of today in the community's zone, in Unix ms.
func (tx *Tx) dayStart() int64 {
	y, mo, d := tx.now.In(tx.db.Location).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, tx.db.Location).UnixMilli()
}

// Inbox returns the replies routed to the scope's community, newest
// first; only those left to staff when unhandled is set.
func (db *DB) Inbox(ctx context.Context, unhandled bool, limit int) ([]chorus.Inbound, error) {
	c := chorus.ScopeFrom(ctx).Community
	if unhandled {
		return db.inbox(ctx, "handled = 0 AND community_id = ? ORDER BY id DESC LIMIT ?", c, limit)
	}
	return db.inbox(ctx, "community_id = ? ORDER BY id DESC LIMIT ?", c, limit)
}

func (db *DB) inbox(ctx context.Context, where string, args ...any) ([]chorus.Inbound, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Inbound, error) {
		var in chorus.Inbound
		var sent, recv sql.NullInt64
		err := rows.Scan(&in.ID, &in.Phone, &in.Content, &in.SequenceID, &in.DestCode, &sent, &recv, &in.Intent,
			&in.Order, &in.Outcome, &in.Handled, &in.Community)
		in.SentAt, in.ReceivedAt = fromMS(sent), fromMS(recv)
		return in, err
	}, `SELECT id, phone, content, sequence_id, dest_code, sent_ms, received_ms, intent,
		order_no, outcome, handled, community_id FROM sms_inbox WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// ApplyReceipts records delivery receipts: each moves its message forward
// only (to delivered or failed, with the provider's error); a receipt seen
// before (same biz id and phone) changes nothing. It returns how many were
// new.
func (db *DB) ApplyReceipts(ctx context.Context, receipts []chorus.Receipt) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *Tx) error {
		n = 0
		for _, r := range receipts {
			res, err := tx.ExecContext(ctx, `INSERT INTO sms_receipts (biz_id, phone, out_id, success, err_code, received_ms)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, r.BizID, r.Phone, nullID(r.OutID), r.Success, r.ErrCode, tx.now.UnixMilli())
			if err != nil {
				return fmt.Errorf("receipt: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue // pushed again
			}
			n++
			st, code, msg := chorus.MessageDelivered, "", ""
			if !r.Success {
				st, code, msg = chorus.MessageFailed, r.ErrCode, chorus.Shorten(r.ErrMsg, 200)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, err_code = ?, err_msg = ?,
				biz_id = CASE WHEN biz_id = '' THEN ? ELSE biz_id END, updated_ms = ?
				WHERE ((? > 0 AND id = ?) OR (? = 0 AND biz_id = ? AND biz_id != '')) AND phone = ?
				AND status IN ('queued','sending','submitted','unknown')`,
				st, code, msg, r.BizID, tx.now.UnixMilli(), r.OutID, r.OutID, r.OutID, r.BizID, r.Phone); err != nil {
				return fmt.Errorf("receipt for message %d: %w", r.OutID, err)
			}
		}
		return nil
	})
	return n, err
}

// tomorrowOf returns the bounds [from, to) of tomorrow on community c's
// clock at now, with its zone; due is false while c's local hour is still
// before hour (the day-before reminders wait for it).
func (db *DB) tomorrowOf(c chorus.Community, now time.Time, hour int) (from, to time.Time, zone *time.Location, due bool) {
	zone = loadZone(c.TimeZone, db.Location)
	local := now.In(zone)
	y, mo, d := local.Date()
	from = time.Date(y, mo, d+1, 0, 0, 0, 0, zone)
	return from, from.AddDate(0, 0, 1), zone, local.Hour() >= hour
}

// QueueReminders queues the day-before reminder of every confirmed booking
// of a slot that starts tomorrow, once the local hour has reached hour:
// each community's own hour and tomorrow, in its time zone (an event's
// bookings are its community's). Each booking is reminded once. It
// returns how many were queued.
func (db *DB) QueueReminders(ctx context.Context, now time.Time, hour int) (int, error) {
	communities, err := db.Communities(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.update(ctx, func(tx *Tx) error {
		n = 0
		for _, c := range communities {
			from, to, _, due := db.tomorrowOf(c, now, hour)
			if !due {
				continue
			}
			ids, err := queryIDs(ctx, tx, `SELECT b.id FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN events e ON e.id = b.event_id
				WHERE b.status = 'confirmed' AND b.reminded_ms IS NULL AND s.start_ms >= ? AND s.start_ms < ? AND e.community_id = ?
				ORDER BY b.id LIMIT 1000`, from.UnixMilli(), to.UnixMilli(), c.ID)
			if err != nil {
				return fmt.Errorf("reminders: %w", err)
			}
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, "UPDATE bookings SET reminded_ms = ? WHERE id = ?", tx.now.UnixMilli(), id); err != nil {
					return err
				}
				if err := tx.queueBookingMessage(ctx, id, chorus.MsgReminder); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// ResendCode queues the check-in code of a live booking again, within the
// per-phone resend limit. It reports false when the limit (or an opt-out)
// refused it. Errors: ENOTFOUND, ECONFLICT (not live).
func (db *DB) ResendCode(ctx context.Context, bookingID int64) (bool, error) {
	var sent bool
	err := db.update(ctx, func(tx *Tx) error {
		var st chorus.Status
		var phone string
		if err := tx.QueryRowContext(ctx, "SELECT status, phone FROM bookings WHERE id = ?", bookingID).Scan(&st, &phone); err != nil {
			return notFound(err, "预约")
		}
		if !st.Live() || st == chorus.StatusWaitlisted {
			return chorus.Errorf(chorus.ECONFLICT, "这个预约现在是“%s”,没有签到码可发。", st.Label())
		}
		if err := tx.queueBookingMessage(ctx, bookingID, chorus.MsgCheckinCode); err != nil {
			return err
		}
		var status chorus.MessageStatus
		if err := tx.QueryRowContext(ctx, "SELECT status FROM messages WHERE booking_id = ? AND phone = ? ORDER BY id DESC LIMIT 1",
			bookingID, phone).Scan(&status); err != nil {
			return err
		}
		sent = status == chorus.MessageQueued
		return nil
	})
	return sent, err
}

// SettleInbound marks a reply in the staff inbox as dealt with (staff
// called the resident back), with what they did in its outcome.
// Errors: ENOTFOUND, ECONFLICT (already dealt with).
func (db *DB) SettleInbound(ctx context.Context, id int64, by, note string) (*chorus.Inbound, error) {
	outcome := "工作人员" + by + "已处理"
	if note != "" {
		outcome += ":" + note
	}
	err := db.update(ctx, func(tx *Tx) error {
		var handled bool
		var community int64
		if err := tx.QueryRowContext(ctx, "SELECT handled, community_id FROM sms_inbox WHERE id = ?", id).Scan(&handled, &community); err != nil {
			return notFound(err, "回复")
		}
		if !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这条回复。")
		}
		if handled {
			return chorus.Errorf(chorus.ECONFLICT, "这条回复已经处理过了。")
		}
		tx.change.Inbox++
		_, err := tx.ExecContext(ctx, "UPDATE sms_inbox SET handled = 1, outcome = ? WHERE id = ?", outcome, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	list, err := db.inbox(ctx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// PushCommunity returns the community whose own push secret secret is, or
// 0: the secrets are compared in constant time, each in full.
func (db *DB) PushCommunity(ctx context.Context, secret string) (int64, error) {
	type row struct {
		id     int64
		secret string
	}
	rows, err := queryRows(ctx, db.read, func(rs rowScanner) (row, error) {
		var r row
		return r, rs.Scan(&r.id, &r.secret)
	}, "SELECT id, push_secret FROM community WHERE push_secret <> ''")
	if err != nil {
		return 0, fmt.Errorf("push secrets: %w", err)
	}
	var found int64
	for _, r := range rows {
		if subtle.ConstantTimeCompare([]byte(secret), []byte(r.secret)) == 1 {
			found = r.id
		}
	}
	return found, nil
}
