package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// replyToItems carries out a 1 or a 2 from in.Phone. The reply's dest_code
// names the message it answers when it carries the SmsUpExtendCode the
// message went with (chorus.ReplyTo); otherwise every item the phone was
// asked about within the reply window may be meant, and chorus.PlanReply
// decides: 1 confirms all it can, 2 cancels the only one or asks which. It
// returns the id of the message answered (the first acted on), if any,
// and whether the phone was asked which booking it meant.
func (tx *Tx) replyToItems(ctx context.Context, in *chorus.Inbound) (int64, bool, error) {
	items, named, err := tx.replyItems(ctx, in.Phone, in.DestCode, in.Community)
	if err != nil {
		return 0, false, err
	}
	if len(items) == 0 {
		in.Outcome = "没有等待回复的短信,请工作人员处理"
		return 0, false, nil
	}
	plan := chorus.PlanReply(in.Intent, items, named, tx.now)
	if plan.Ask {
		n := countAnswerable(items, in.Intent, tx.now)
		in.Outcome = fmt.Sprintf("回复可能指%d个预约,已短信询问是哪一个,请工作人员跟进", n)
		return items[0].MessageID, true, tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgReplyWhich,
			Params: map[string]string{"count": strconv.Itoa(n)}, Community: in.Community})
	}
	if len(plan.Act) == 0 {
		// Nothing it can change: say why, about the newest item.
		return items[0].MessageID, false, tx.replyToItem(ctx, in, items[0])
	}
	var outcomes []string
	handled := true
	for _, it := range plan.Act {
		if err := tx.replyToItem(ctx, in, it); err != nil {
			return 0, false, err
		}
		outcomes = append(outcomes, in.Outcome)
		handled = handled && in.Handled
	}
	in.Outcome, in.Handled = strings.Join(outcomes, ";"), handled
	return plan.Act[0].MessageID, false, nil
}

func countAnswerable(items []chorus.ReplyItem, intent chorus.Intent, now time.Time) int {
	n := 0
	for _, it := range items {
		if it.Answerable(intent, now) {
			n++
		}
	}
	return n
}

// replyItems gathers what a reply from phone may answer, newest first: the
// bookings (of slots not yet over) and enrolments that messages expecting
// a reply were about, within replyWindow. When destCode names one of those
// messages, only its item is returned, with named set. This is the one
// place that lists "the items a reply 1 can confirm": another kind of
// pending item joins here (and in replyToItem). A reply whose push named
// its community (route > 0) answers only that community's messages,
// unless its destCode names one.
func (tx *Tx) replyItems(ctx context.Context, phone, destCode string, route int64) ([]chorus.ReplyItem, bool, error) {
	q := `SELECT m.id, COALESCE(m.booking_id, 0), COALESCE(m.enrolment_id, 0), COALESCE(o.id, 0), COALESCE(h.id, 0),
		COALESCE(b.status, n.status, CASE WHEN o.awaiting_reply = 1 AND o.status = 'requested' THEN 'pending' ELSE '' END,
			CASE h.status WHEN 'done' THEN 'pending' WHEN 'confirmed' THEN 'confirmed' ELSE '' END),
		COALESCE(b.deadline_ms, n.deadline_ms, o.confirm_by_ms)
		FROM messages m
		LEFT JOIN bookings b ON b.id = m.booking_id
		LEFT JOIN slots s ON s.id = b.slot_id
		LEFT JOIN enrolments n ON n.id = m.enrolment_id
		LEFT JOIN orders o ON o.id = m.order_id AND m.kind = '` + string(chorus.MsgOrderConfirm) + `'
		LEFT JOIN help_messages hm ON hm.message_id = m.id AND m.kind = '` + string(chorus.MsgHelpConfirm) + `'
		LEFT JOIN help_requests h ON h.id = hm.request_id
		WHERE m.phone = ? AND m.expects_reply = 1 AND m.status NOT IN ('refused','failed') AND m.created_ms >= ?
		AND ((b.id IS NOT NULL AND s.end_ms > ?) OR n.id IS NOT NULL OR o.id IS NOT NULL OR h.id IS NOT NULL)`
	args := []any{phone, tx.now.Add(-replyWindow).UnixMilli(), tx.now.UnixMilli()}
	if rem, ok := chorus.ReplyTo(destCode); ok {
		items, err := tx.scanReplyItems(ctx, q+" AND m.id % 10000000 = ? ORDER BY m.id DESC LIMIT 1", append(args, rem)...)
		if err != nil || len(items) > 0 {
			return items, true, err
		}
	}
	if route > 0 {
		q, args = q+" AND m.community_id = ?", append(args, route)
	}
	items, err := tx.scanReplyItems(ctx, q+" ORDER BY m.id DESC", args...)
	return items, false, err
}

func (tx *Tx) scanReplyItems(ctx context.Context, q string, args ...any) ([]chorus.ReplyItem, error) {
	items, err := queryRows(ctx, tx, func(rows rowScanner) (chorus.ReplyItem, error) {
		var it chorus.ReplyItem
		var bid, eid, oid, hid int64
		var deadline sql.NullInt64
		err := rows.Scan(&it.MessageID, &bid, &eid, &oid, &hid, &it.Status, &deadline)
		switch {
		case hid != 0:
			it.Kind, it.ID = chorus.ReplyItemHelp, hid
		case bid != 0:
			it.Kind, it.ID = chorus.ReplyItemBooking, bid
		case eid != 0:
			it.Kind, it.ID = chorus.ReplyItemEnrolment, eid
		default:
			it.Kind, it.ID = chorus.ReplyItemOrder, oid
		}
		it.Deadline = fromMS(deadline)
		return it, err
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("items a reply answers: %w", err)
	}
	var out []chorus.ReplyItem
	seen := map[string]bool{}
	for _, it := range items {
		if key := it.Kind + strconv.FormatInt(it.ID, 10); !seen[key] {
			seen[key] = true
			out = append(out, it)
		}
	}
	return out, nil
}

// replyToItem applies in's 1 or 2 to one item, says what happened in
// in.Outcome, and acknowledges a change by SMS.
func (tx *Tx) replyToItem(ctx context.Context, in *chorus.Inbound, it chorus.ReplyItem) error {
	in.Handled = false
	var err error
	switch it.Kind {
	case chorus.ReplyItemBooking, chorus.ReplyItemEnrolment:
		err = tx.replyToSeat(ctx, in, it.Kind, it.ID)
	case chorus.ReplyItemOrder:
		err = tx.replyToKioskOrder(ctx, in, it.ID)
	case chorus.ReplyItemHelp:
		return tx.replyToHelp(ctx, in, it.ID) // the volunteer is told, not the resident
	default:
		return fmt.Errorf("reply to an item of kind %q", it.Kind)
	}
	if err != nil || !in.Handled || !it.Answerable(in.Intent, tx.now) {
		return err // nothing changed
	}
	return tx.acknowledge(ctx, in, it)
}

// acknowledge tells the phone what its reply changed (reply_ack), within
// its budget, unless chorus.ReplyItem.Acknowledged says the change is told
// otherwise.
func (tx *Tx) acknowledge(ctx context.Context, in *chorus.Inbound, it chorus.ReplyItem) error {
	if !it.Acknowledged(in.Intent) {
		return nil
	}
	action := chorus.ReplyAction(in.Intent)
	var title, when string
	m := chorus.Message{Phone: in.Phone, Kind: chorus.MsgReplyAck}
	switch it.Kind {
	case chorus.ReplyItemBooking:
		// The time as the event's community tells it (its own zone).
		var startMS, community int64
		if err := tx.QueryRowContext(ctx, `SELECT e.title, s.start_ms, e.community_id FROM bookings b JOIN events e ON e.id = b.event_id
			JOIN slots s ON s.id = b.slot_id WHERE b.id = ?`, it.ID).Scan(&title, &startMS, &community); err != nil {
			return fmt.Errorf("booking %d for ack: %w", it.ID, err)
		}
		when, m.BookingID = chorus.FormatWhen(time.UnixMilli(startMS).In(tx.zoneOf(ctx, community))), it.ID
	case chorus.ReplyItemOrder:
		var kind, day, half string
		if err := tx.QueryRowContext(ctx, `SELECT kind, day, half_day FROM orders WHERE id = ?`, it.ID).Scan(&kind, &day, &half); err != nil {
			return fmt.Errorf("order %d for ack: %w", it.ID, err)
		}
		o := chorus.Order{Kind: chorus.ServiceKind(kind), Day: day, HalfDay: chorus.HalfDay(half)}
		title, when, m.OrderID = o.Kind.Label(), o.Window(tx.db.Location), it.ID
	default:
		var start string
		if err := tx.QueryRowContext(ctx, `SELECT g.title, g.start_date FROM enrolments n JOIN programmes g ON g.id = n.programme_id
			WHERE n.id = ?`, it.ID).Scan(&title, &start); err != nil {
			return fmt.Errorf("enrolment %d for ack: %w", it.ID, err)
		}
		when, m.EnrolmentID = programmeStart(start, tx.db.Location), it.ID
	}
	m.Params = map[string]string{"action": action, "event": chorus.Ellipsize(title, chorus.MaxParamRunes), "time": when}
	return tx.queue(ctx, m)
}
