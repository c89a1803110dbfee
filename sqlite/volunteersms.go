package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// CallOut texts the call-out of shift shiftID (回复参加N) to the
// community's volunteers who may get one (chorus.Volunteer.CallOutOK:
// active, consenting, asked for the activity's kind), not signed up for
// it and not called for it before; each message is subject to the phone's
// opt-out and daily SMS budget like any other. It returns how many were
// queued (not refused). Errors: ENOTFOUND, ECONFLICT (started, full).
func (db *DB) CallOut(ctx context.Context, shiftID int64) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *Tx) error {
		n = 0
		f, err := tx.shiftFacts(ctx, shiftID)
		if err != nil || !chorus.ScopeFrom(ctx).Sees(f.community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个班次。")
		}
		if f.status != "active" || !chorus.SignupOpen(f.start, tx.now) {
			return chorus.Errorf(chorus.ECONFLICT, "这个班次已经开始或结束了。")
		}
		if f.taken >= f.capacity {
			return chorus.Errorf(chorus.ECONFLICT, "这个班次已经报满了,不用再招募。")
		}
		var kind string
		if err := tx.QueryRowContext(ctx, "SELECT kind FROM volunteer_activities WHERE id = ?", f.activityID).Scan(&kind); err != nil {
			return err
		}
		list, err := queryRows(ctx, tx, scanVolunteer, "SELECT "+volunteerCols+volunteerFrom+`WHERE v.community_id = ?
			AND NOT EXISTS (SELECT 1 FROM volunteer_signups g WHERE g.shift_id = ? AND g.volunteer_id = v.id)
			AND NOT EXISTS (SELECT 1 FROM volunteer_callouts o WHERE o.shift_id = ? AND o.volunteer_id = v.id)
			ORDER BY v.id`, f.community, shiftID, shiftID)
		if err != nil {
			return fmt.Errorf("volunteers to call: %w", err)
		}
		for _, v := range list {
			if !v.CallOutOK(kind) {
				continue
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO volunteer_callouts (shift_id, volunteer_id, created_ms) VALUES (?, ?, ?)",
				shiftID, v.ID, tx.now.UnixMilli()); err != nil {
				return fmt.Errorf("record call-out: %w", err)
			}
			told, err := tx.queueTold(ctx, shiftMessage(chorus.MsgShiftCallOut, v.Phone, shiftID, f, tx.db.Location, ""))
			if err != nil {
				return err
			}
			if told {
				n++
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE volunteer_shifts SET called_ms = ? WHERE id = ?", tx.now.UnixMilli(), shiftID)
		return err
	})
	return n, err
}

// QueueShiftReminders texts, once the local hour has reached hour, the
// day-before reminder of each shift starting tomorrow to its volunteers
// holding a place; each shift is reminded once.
func (db *DB) QueueShiftReminders(ctx context.Context, now time.Time, hour int) (int, error) {
	communities, err := db.Communities(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.update(ctx, func(tx *Tx) error {
		n = 0
		for _, c := range communities {
			from, to, zone, due := db.tomorrowOf(c, now, hour)
			if !due {
				continue
			}
			ids, err := queryIDs(ctx, tx, `SELECT id FROM volunteer_shifts WHERE community_id = ? AND reminded_ms IS NULL
				AND start_ms >= ? AND start_ms < ? ORDER BY id`, c.ID, from.UnixMilli(), to.UnixMilli())
			if err != nil {
				return fmt.Errorf("shift reminders: %w", err)
			}
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, "UPDATE volunteer_shifts SET reminded_ms = ? WHERE id = ?", tx.now.UnixMilli(), id); err != nil {
					return err
				}
				f, err := tx.shiftFacts(ctx, id)
				if err != nil {
					return err
				}
				f.start = f.start.In(zone)
				type held struct{ phone, code string }
				list, err := queryRows(ctx, tx, func(r rowScanner) (held, error) {
					var h held
					return h, r.Scan(&h.phone, &h.code)
				}, `SELECT v.phone, g.code FROM volunteer_signups g JOIN volunteers v ON v.id = g.volunteer_id
					WHERE g.shift_id = ? AND g.status = 'confirmed' ORDER BY g.id`, id)
				if err != nil {
					return err
				}
				for _, h := range list {
					if err := tx.queue(ctx, shiftMessage(chorus.MsgShiftReminder, h.phone, id, f, zone, h.code)); err != nil {
						return err
					}
					n++
				}
			}
		}
		return nil
	})
	return n, err
}

// shiftMatch reports whether the number of a reply from phone can be a
// shift of theirs: a shift they signed up for (a 取消N again is answered
// too), or, for 参加N, a shift of a community they volunteer in.
func (tx *Tx) shiftMatch(ctx context.Context, phone string, n int64, join bool) (bool, error) {
	q := `SELECT COUNT(*) FROM volunteer_signups g JOIN volunteers v ON v.id = g.volunteer_id
		WHERE g.shift_id = ? AND v.phone = ?`
	if join {
		q = `SELECT COUNT(*) FROM volunteer_shifts s JOIN volunteers v ON v.community_id = s.community_id
			WHERE s.id = ? AND v.phone = ?`
	}
	var c int
	if err := tx.QueryRowContext(ctx, q, n, phone).Scan(&c); err != nil {
		return false, fmt.Errorf("shift of reply: %w", err)
	}
	return c > 0, nil
}

// routeNumbered decides what a reply's number is about for its phone
// (chorus.RouteReply) when the intent's word is shared: 取消N by venue
// approvers and volunteers.
func (tx *Tx) routeNumbered(ctx context.Context, in *chorus.Inbound) (chorus.ReplyTarget, error) {
	var m chorus.ReplyMatches
	var err error
	if in.Order == 0 {
		return chorus.RouteReply(in.Intent, m), nil
	}
	if m.Shift, err = tx.shiftMatch(ctx, in.Phone, in.Order, in.Intent == chorus.IntentJoin); err != nil {
		return "", err
	}
	if in.Intent == chorus.IntentVenueWithdraw {
		if m.Venue, err = tx.venueMatch(ctx, in.Phone, in.Order); err != nil {
			return "", err
		}
	}
	return chorus.RouteReply(in.Intent, m), nil
}

// shiftReply carries out a volunteer's 参加N (a place on shift N, or its
// waitlist) or 取消N (their signup cancelled, the place passed on). It
// returns the id of the newest shift message sent to the phone about N's
// community, if any.
func (tx *Tx) shiftReply(ctx context.Context, in *chorus.Inbound) (int64, error) {
	f, err := tx.shiftFacts(ctx, in.Order)
	if err != nil {
		in.Outcome = fmt.Sprintf("没有班次%d,请工作人员处理", in.Order)
		return 0, nil
	}
	v, err := tx.volunteerByPhone(ctx, f.community, in.Phone)
	if err != nil {
		return 0, err
	}
	if v == nil && in.Intent == chorus.IntentJoin && f.status == "active" && chorus.SignupOpen(f.start, tx.now) {
		// The reply is the phone's own proof: it joins the volunteers
		// of the shift's community, then signs up as any volunteer.
		if v, err = tx.joinBySMS(ctx, f.community, in.Phone); err != nil {
			return 0, err
		}
	}
	if v == nil {
		in.Outcome = fmt.Sprintf("这个号码不是志愿者,不能报名班次%d,请工作人员处理", in.Order)
		return 0, nil
	}
	in.Community = f.community
	var msgID sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM messages WHERE phone = ? AND community_id = ? AND kind IN (?, ?, ?, ?)`,
		in.Phone, f.community, chorus.MsgShiftCallOut, chorus.MsgShiftSignup, chorus.MsgShiftPlace, chorus.MsgShiftReminder).
		Scan(&msgID); err != nil {
		return 0, fmt.Errorf("shift message: %w", err)
	}
	if in.Intent == chorus.IntentJoin {
		g, err := tx.signUp(ctx, in.Order, v.ID, chorus.JoinSMS)
		switch {
		case chorus.ErrorCode(err) == chorus.ECONFLICT:
			in.Outcome, in.Handled = fmt.Sprintf("班次%d:%s", in.Order, chorus.ErrorMessage(err)), true
			return msgID.Int64, nil
		case err != nil:
			return 0, err
		case g.Status == chorus.SignupWaitlist:
			in.Outcome, in.Handled = fmt.Sprintf("班次%d已满,已排入候补", in.Order), true
		default:
			in.Outcome, in.Handled = fmt.Sprintf("已报名班次%d", in.Order), true
		}
		return msgID.Int64, nil
	}
	var id int64
	var status string
	err = tx.QueryRowContext(ctx, "SELECT id, status FROM volunteer_signups WHERE shift_id = ? AND volunteer_id = ?",
		in.Order, v.ID).Scan(&id, &status)
	switch {
	case err == sql.ErrNoRows:
		in.Outcome, in.Handled = fmt.Sprintf("班次%d没有这位志愿者的报名", in.Order), true
		return msgID.Int64, nil
	case err != nil:
		return 0, err
	case status == chorus.SignupCancelled:
		in.Outcome, in.Handled = fmt.Sprintf("班次%d的报名已经取消过了", in.Order), true
		return msgID.Int64, nil
	}
	if _, err := tx.cancelSignup(ctx, id); chorus.ErrorCode(err) == chorus.ECONFLICT {
		in.Outcome = fmt.Sprintf("班次%d:%s", in.Order, chorus.ErrorMessage(err))
		return msgID.Int64, nil
	} else if err != nil {
		return 0, err
	}
	in.Outcome, in.Handled = fmt.Sprintf("已取消班次%d的报名", in.Order), true
	return msgID.Int64, nil
}
