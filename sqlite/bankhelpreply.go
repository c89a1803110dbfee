package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// queueHelp queues m about help request and links the message to it
// (help_messages), so that a reply to it is the request's.
func (tx *Tx) queueHelp(ctx context.Context, m chorus.Message, request int64) error {
	if err := tx.queue(ctx, m); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO help_messages (message_id, request_id)
		SELECT MAX(id), ? FROM messages WHERE phone = ? AND kind = ? HAVING MAX(id) IS NOT NULL`, request, m.Phone, m.Kind)
	return err
}

// helpMessage is the newest message to phone about help request, or 0.
func (tx *Tx) helpMessage(ctx context.Context, phone string, request int64) (int64, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT MAX(m.id) FROM help_messages hm JOIN messages m ON m.id = hm.message_id
		WHERE hm.request_id = ? AND m.phone = ?`, request, phone).Scan(&id)
	return id.Int64, err
}

// helpVolunteerMatch reports whether phone belongs to a volunteer asked
// for help request n or holding it (n 0: exactly one such request, which
// it sets), and which volunteer.
func (tx *Tx) helpVolunteerMatch(ctx context.Context, phone string, n int64, intent chorus.Intent) (request, volunteer int64, err error) {
	q := `SELECT h.id, v.id FROM help_requests h JOIN volunteers v ON v.phone = ? AND v.community_id = h.community_id
		WHERE (EXISTS (SELECT 1 FROM help_asks a WHERE a.request_id = h.id AND a.volunteer_id = v.id) OR h.volunteer_id = v.id)`
	args := []any{phone}
	if n != 0 {
		q, args = q+" AND h.id = ?", append(args, n)
	} else if intent == chorus.IntentAccept {
		q += " AND h.status = 'open'"
	} else {
		q += " AND h.status = 'accepted' AND h.volunteer_id = v.id"
	}
	type pair struct{ h, v int64 }
	rows, err := queryRows(ctx, tx, func(r rowScanner) (pair, error) {
		var p pair
		err := r.Scan(&p.h, &p.v)
		return p, err
	}, q+" LIMIT 2", args...)
	if err != nil || len(rows) != 1 {
		return 0, 0, err
	}
	return rows[0].h, rows[0].v, nil
}

// commandReply routes a numbered 接/完成/退 from in.Phone
// (chorus.RouteReply): to a partner's order, to a volunteer's help
// request, or, when the phone is both and could mean either, to staff,
// the phone told so (reply_unclear).
//
// It returns the message about the help request the reply answers (its
// community is the reply's), or 0, and whether the phone was told.
func (tx *Tx) commandReply(ctx context.Context, in *chorus.Inbound) (id int64, asked bool, err error) {
	partners, err := tx.partnerIDs(ctx, in.Phone)
	if err != nil {
		return 0, false, err
	}
	request, volunteer := int64(0), int64(0)
	if in.Intent != chorus.IntentGiveBack {
		if request, volunteer, err = tx.helpVolunteerMatch(ctx, in.Phone, in.Order, in.Intent); err != nil {
			return 0, false, err
		}
	}
	switch chorus.RouteReply(in.Intent, chorus.ReplyMatches{Order: len(partners) > 0, Help: request != 0}) {
	case chorus.TargetHelp:
		msg, err := tx.helpMessage(ctx, in.Phone, request)
		if err != nil {
			return 0, false, err
		}
		in.Order = 0 // not an order: the inbox must not take it for one
		return msg, false, tx.helpCommand(ctx, in, request, volunteer)
	case chorus.TargetAsk:
		in.Outcome = fmt.Sprintf("号码既是共建单位也是志愿者,回复的%d可能是订单也可能是求助,请工作人员确认", in.Order)
		return 0, true, tx.tellUnclear(ctx, in)
	}
	return 0, false, tx.partnerReply(ctx, in)
}

// helpCommand carries out a volunteer's 接N or 完成N hours for request.
func (tx *Tx) helpCommand(ctx context.Context, in *chorus.Inbound, request, volunteer int64) error {
	var err error
	if in.Intent == chorus.IntentAccept {
		err = tx.acceptHelp(ctx, in, request, volunteer)
	} else {
		err = tx.helpDone(ctx, request, volunteer, in.Minutes, in.Phone)
		if err == nil {
			in.Outcome, in.Handled = fmt.Sprintf("求助%d已完成,服务%s,等居民确认", request, chorus.FormatMinutes(in.Minutes)), true
		}
	}
	if code := chorus.ErrorCode(err); code != "" && code != chorus.EINTERNAL {
		in.Outcome, in.Handled = fmt.Sprintf("求助%d:%s", request, chorus.ErrorMessage(err)), false
		return nil
	}
	return err
}

// acceptHelp gives request to volunteer when it is still open.
func (tx *Tx) acceptHelp(ctx context.Context, in *chorus.Inbound, request, volunteer int64) error {
	h, err := helpRequest(ctx, tx, request)
	if err != nil {
		return err
	}
	switch {
	case h.VolunteerID == volunteer:
		in.Outcome, in.Handled = fmt.Sprintf("求助%d您已经接过了", request), true
		return nil
	case h.Status != chorus.HelpOpen && h.Status != chorus.HelpEscalated:
		in.Outcome, in.Handled = fmt.Sprintf("求助%d已由其他志愿者接了或已结束", request), true
		return tx.queueHelp(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgHelpTaken,
			Params: map[string]string{"code": fmt.Sprint(request)}, Community: h.Community}, request)
	}
	if err := bankCheckServe(ctx, tx, volunteer, h.ResidentID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE help_requests SET status = 'accepted', volunteer_id = ?, accepted_ms = ?, next_wave_ms = NULL
		WHERE id = ? AND status IN ('open', 'escalated')`, volunteer, tx.now.UnixMilli(), request)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("help %d changed under its accept", request)
	}
	params, err := tx.helpParams(ctx, h)
	if err != nil {
		return err
	}
	if err := tx.queueHelp(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgHelpAccepted, Params: params, Community: h.Community}, request); err != nil {
		return err
	}
	if err := tx.tellHelpComing(ctx, h, volunteer, params); err != nil {
		return err
	}
	others, err := queryRows(ctx, tx, scanValue[string], `SELECT v.phone FROM help_asks a JOIN volunteers v ON v.id = a.volunteer_id
		WHERE a.request_id = ? AND a.volunteer_id != ?`, request, volunteer)
	if err != nil {
		return err
	}
	for _, p := range others {
		if err := tx.queueHelp(ctx, chorus.Message{Phone: p, Kind: chorus.MsgHelpTaken,
			Params: map[string]string{"code": params["code"]}, Community: h.Community}, request); err != nil {
			return err
		}
	}
	in.Outcome, in.Handled = fmt.Sprintf("志愿者已接求助%d", request), true
	return nil
}

// helpDone records request as done by volunteer with minutes of service:
// an hours claim proposed for the resident to confirm, who is asked by
// SMS (reply 1); ackPhone, when set, is told it was recorded.
func (tx *Tx) helpDone(ctx context.Context, request, volunteer int64, minutes int, ackPhone string) error {
	h, err := helpRequest(ctx, tx, request)
	if err != nil {
		return err
	}
	if err := chorus.CheckHelpDone(*h, volunteer); err != nil {
		return err
	}
	if minutes <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请写上服务了几小时,例如“完成%d 1.5”。", request)
	}
	if minutes > chorus.MaxHelpMinutes {
		return chorus.Errorf(chorus.EINVALID, "一次服务最多记8小时。")
	}
	loc := tx.zoneOf(ctx, h.Community)
	start, err := time.ParseInLocation(time.DateOnly, h.Day, loc)
	if err != nil {
		return fmt.Errorf("help %d day: %w", request, err)
	}
	start = start.Add(8 * time.Hour)
	if h.HalfDay == chorus.Afternoon {
		start = start.Add(6 * time.Hour)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO hours_claims (community_id, volunteer_id, source, source_id, start_ms, end_ms, minutes, created_ms)
		VALUES (?, ?, 'help', ?, ?, ?, ?, ?)`, h.Community, volunteer, request, start.UnixMilli(),
		start.Add(time.Duration(minutes)*time.Minute).UnixMilli(), minutes, tx.now.UnixMilli())
	if isUnique(err) {
		return chorus.Errorf(chorus.ECONFLICT, "这个求助已经报过完成了。")
	} else if err != nil {
		return fmt.Errorf("help %d claim: %w", request, err)
	}
	if _, err := res.LastInsertId(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE help_requests SET status = 'done', done_ms = ? WHERE id = ?", tx.now.UnixMilli(), request); err != nil {
		return err
	}
	var phone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM residents WHERE id = ?", h.ResidentID).Scan(&phone); err != nil {
		return err
	}
	hours := chorus.FormatMinutes(minutes)
	hours = hours[:len(hours)-len("小时")]
	if err := tx.queueHelp(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgHelpConfirm, Community: h.Community,
		Params: map[string]string{"hours": hours, "service": h.Service}}, request); err != nil {
		return err
	}
	if ackPhone == "" {
		return nil
	}
	return tx.queueHelp(ctx, chorus.Message{Phone: ackPhone, Kind: chorus.MsgHelpAck, Community: h.Community,
		Params: map[string]string{"code": fmt.Sprint(request), "action": "服务" + chorus.FormatMinutes(minutes) + "已登记,等居民确认"}}, request)
}

// confirmHelp confirms the hours of request for c (chorus.CheckHelpConfirm:
// never the volunteer), and pays the volunteer (creditClaim) in the same
// transaction.
func (tx *Tx) confirmHelp(ctx context.Context, request int64, c chorus.HelpConfirmer) error {
	h, err := helpRequest(ctx, tx, request)
	if err != nil {
		return err
	}
	var recipientPhone, volunteerPhone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM residents WHERE id = ?", h.ResidentID).Scan(&recipientPhone); err != nil {
		return err
	}
	if h.VolunteerID != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT phone FROM volunteers WHERE id = ?", h.VolunteerID).Scan(&volunteerPhone); err != nil {
			return err
		}
	}
	if c.Staff != "" && c.Phone == "" {
		// The staff member's own phone, as an admin recorded it.
		var p sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT phone FROM staff WHERE username = ?", c.Staff).Scan(&p); err != nil && err != sql.ErrNoRows {
			return err
		}
		c.Phone = p.String
	}
	if err := chorus.CheckHelpConfirm(*h, recipientPhone, volunteerPhone, c); err != nil {
		return err
	}
	by := chorus.OperatorResidentSMS
	if c.Staff != "" {
		by = chorus.StaffOperator(c.Staff)
	}
	res, err := tx.ExecContext(ctx, `UPDATE hours_claims SET status = 'confirmed', decided_by = ?, decided_ms = ?
		WHERE id = ? AND status = 'proposed'`, by, tx.now.UnixMilli(), h.ClaimID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return chorus.Errorf(chorus.ECONFLICT, "这次服务的时长已经确认过了。")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE help_requests SET status = 'confirmed' WHERE id = ?", request); err != nil {
		return err
	}
	if err := creditClaim(tx, h.ClaimID); err != nil {
		return err
	}
	return tx.queueHelp(ctx, chorus.Message{Phone: volunteerPhone, Kind: chorus.MsgHelpAck, Community: h.Community,
		Params: map[string]string{"code": fmt.Sprint(request), "action": "服务" + chorus.FormatMinutes(h.Minutes) + "已确认,记入时间银行"}}, request)
}

// replyToHelp carries out a resident's 1 to a help_confirm message: the
// hours are confirmed and paid, inside a savepoint so that a refusal (not
// the resident's phone, not enough hours) undoes only itself and the reply
// is kept for staff. A 2 is left to staff: the resident disputes the
// hours.
func (tx *Tx) replyToHelp(ctx context.Context, in *chorus.Inbound, request int64) error {
	if in.Intent == chorus.IntentCancel {
		return tx.disputeHelp(ctx, in, request)
	}
	if in.Intent != chorus.IntentConfirm {
		in.Outcome, in.Handled = fmt.Sprintf("居民对求助%d的服务时长回复了“%s”,请工作人员核实", request, chorus.Shorten(in.Content, 20)), false
		return nil
	}
	var st chorus.HelpStatus
	if err := tx.QueryRowContext(ctx, "SELECT status FROM help_requests WHERE id = ?", request).Scan(&st); err != nil {
		return err
	}
	if st == chorus.HelpConfirmed { // a repeated 1: nothing to follow up
		in.Outcome, in.Handled = fmt.Sprintf("求助%d的服务时长已经确认过了", request), true
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT help_reply"); err != nil {
		return err
	}
	err := tx.confirmHelp(ctx, request, chorus.HelpConfirmer{Phone: in.Phone})
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO help_reply"); rerr != nil {
			return rerr
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE help_reply"); rerr != nil {
		return rerr
	}
	switch code := chorus.ErrorCode(err); code {
	case "":
		in.Outcome, in.Handled = fmt.Sprintf("居民已确认求助%d的服务时长", request), true
	case chorus.EINTERNAL:
		return err
	default:
		in.Outcome, in.Handled = fmt.Sprintf("求助%d:%s", request, chorus.ErrorMessage(err)), false
	}
	return nil
}

// CompleteHelp records, for staff (operator), that the volunteer of help
// request id gave minutes of help: the hours claim is proposed and the
// resident asked to confirm by SMS. Errors: ENOTFOUND, EINVALID (minutes),
// ECONFLICT (not accepted, or done already).
func (db *DB) CompleteHelp(ctx context.Context, id int64, minutes int) (*chorus.HelpRequest, error) {
	err := db.update(ctx, func(tx *Tx) error {
		h, err := tx.scopedHelp(ctx, id)
		if err != nil {
			return err
		}
		if h.VolunteerID == 0 {
			return chorus.Errorf(chorus.ECONFLICT, "这个求助还没有志愿者接。")
		}
		return tx.helpDone(ctx, id, h.VolunteerID, minutes, "")
	})
	if err != nil {
		return nil, err
	}
	return db.HelpRequest(ctx, id)
}

// ConfirmHelp confirms, for the staff member login (whose own phone is
// staffPhone, "" when unknown), the hours of help request id and pays the
// volunteer. Errors: ENOTFOUND, ECONFLICT (nothing to confirm, not enough
// hours without approval), EFORBIDDEN (the staff member is the
// volunteer).
func (db *DB) ConfirmHelp(ctx context.Context, id int64, login, staffPhone string) (*chorus.HelpRequest, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.scopedHelp(ctx, id); err != nil {
			return err
		}
		return tx.confirmHelp(ctx, id, chorus.HelpConfirmer{Staff: login, Phone: staffPhone})
	})
	if err != nil {
		return nil, err
	}
	return db.HelpRequest(ctx, id)
}

// ApproveHelp records staff's approval for help request id: the pool pays
// the volunteer (poolPays), or the resident's balance may go below zero
// for it (overdraft). Errors: ENOTFOUND, ECONFLICT (already confirmed).
func (db *DB) ApproveHelp(ctx context.Context, id int64, poolPays, overdraft bool, operator string) (*chorus.HelpRequest, error) {
	err := db.update(ctx, func(tx *Tx) error {
		h, err := tx.scopedHelp(ctx, id)
		if err != nil {
			return err
		}
		if h.Status == chorus.HelpConfirmed || h.Status == chorus.HelpCancelled {
			return chorus.Errorf(chorus.ECONFLICT, "这个求助已经结束了。")
		}
		_, err = tx.ExecContext(ctx, "UPDATE help_requests SET pool_pays = ?, overdraft_ok = ?, approved_by = ? WHERE id = ?",
			poolPays, overdraft, operator, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.HelpRequest(ctx, id)
}

// CancelHelp calls off help request id before its hours are claimed; the
// volunteer who took it, if any, is told it is off. Errors: ENOTFOUND,
// ECONFLICT.
func (db *DB) CancelHelp(ctx context.Context, id int64) (*chorus.HelpRequest, error) {
	err := db.update(ctx, func(tx *Tx) error {
		h, err := tx.scopedHelp(ctx, id)
		if err != nil {
			return err
		}
		if h.Status != chorus.HelpOpen && h.Status != chorus.HelpAccepted && h.Status != chorus.HelpEscalated {
			return chorus.Errorf(chorus.ECONFLICT, "这个求助现在是“%s”,不能取消。", h.Status.Label())
		}
		if _, err := tx.ExecContext(ctx, "UPDATE help_requests SET status = 'cancelled', next_wave_ms = NULL WHERE id = ?", id); err != nil {
			return err
		}
		if h.VolunteerID == 0 {
			return nil
		}
		var phone string
		if err := tx.QueryRowContext(ctx, "SELECT phone FROM volunteers WHERE id = ?", h.VolunteerID).Scan(&phone); err != nil {
			return err
		}
		return tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgHelpAck, Community: h.Community,
			Params: map[string]string{"code": fmt.Sprint(id), "action": "居民已取消,不用去了,谢谢"}})
	})
	if err != nil {
		return nil, err
	}
	return db.HelpRequest(ctx, id)
}

// scopedHelp reads help request id in tx; ENOTFOUND outside the scope.
func (tx *Tx) scopedHelp(ctx context.Context, id int64) (*chorus.HelpRequest, error) {
	h, err := helpRequest(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !chorus.ScopeFrom(ctx).Sees(h.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个求助。")
	}
	return h, nil
}

// tellUnclear answers a numbered reply whose number could mean two things
// (chorus.TargetAsk): nothing was done, and staff will call. The phone
// learns nothing about either thing.
func (tx *Tx) tellUnclear(ctx context.Context, in *chorus.Inbound) error {
	return tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgReplyUnclear,
		Params: map[string]string{"order": strconv.FormatInt(in.Order, 10)}, Community: in.Community})
}
