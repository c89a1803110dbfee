package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// tellHelpComing tells the resident of help request h that a volunteer
// took it: the volunteer's surname only, and when (params as helpParams
// made them).
func (tx *Tx) tellHelpComing(ctx context.Context, h *chorus.HelpRequest, volunteer int64, params map[string]string) error {
	var phone, name string
	if err := tx.QueryRowContext(ctx, "SELECT r.phone, v.name FROM residents r, volunteers v WHERE r.id = ? AND v.id = ?",
		h.ResidentID, volunteer).Scan(&phone, &name); err != nil {
		return fmt.Errorf("help %d coming: %w", h.ID, err)
	}
	surname := "一位"
	if r, size := utf8.DecodeRuneInString(name); size > 0 {
		surname = string(r)
	}
	return tx.queueHelp(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgHelpComing, Community: h.Community,
		Params: map[string]string{"volunteer": surname, "time": params["time"], "service": params["service"], "code": params["code"]}},
		h.ID)
}

// disputeReply carries out a 不属实 from in.Phone: it disputes the help
// request whose hours SMS the phone got last and that still waits for
// confirmation; with none, the reply goes to staff. It returns the id of
// the hours SMS answered.
func (tx *Tx) disputeReply(ctx context.Context, in *chorus.Inbound) (int64, error) {
	var msg, request sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT m.id, hm.request_id FROM messages m JOIN help_messages hm ON hm.message_id = m.id
		JOIN help_requests h ON h.id = hm.request_id
		WHERE m.phone = ? AND m.kind = ? AND h.status = 'done' ORDER BY m.id DESC LIMIT 1`,
		in.Phone, chorus.MsgHelpConfirm).Scan(&msg, &request)
	if err == sql.ErrNoRows {
		in.Outcome = "回复“不属实”,但没有等待确认的服务时长,请工作人员处理"
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("hours SMS of dispute: %w", err)
	}
	return msg.Int64, tx.disputeHelp(ctx, in, request.Int64)
}

// disputeHelp marks the hours claim of help request as disputed by its
// resident (reply 2 or 不属实 to the hours SMS), alerts the on-duty staff
// phone and tells the resident staff will call. Nothing is paid; staff
// confirm or reject after calling. A second dispute changes nothing.
func (tx *Tx) disputeHelp(ctx context.Context, in *chorus.Inbound, request int64) error {
	h, err := helpRequest(ctx, tx, request)
	if err != nil {
		return err
	}
	var phone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM residents WHERE id = ?", h.ResidentID).Scan(&phone); err != nil {
		return err
	}
	if h.Status != chorus.HelpDone || phone != in.Phone {
		in.Outcome = fmt.Sprintf("对求助%d回复了“%s”,请工作人员核实", request, chorus.Shorten(in.Content, 20))
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE hours_claims SET disputed_ms = ?, note = ?
		WHERE id = ? AND status = 'proposed' AND disputed_ms IS NULL`, tx.now.UnixMilli(), "居民回复不属实", h.ClaimID)
	if err != nil {
		return fmt.Errorf("dispute claim: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		in.Outcome, in.Handled = fmt.Sprintf("求助%d的服务时长已经转工作人员核实", request), true
		return nil
	}
	var minutes int
	if err := tx.QueryRowContext(ctx, "SELECT minutes FROM hours_claims WHERE id = ?", h.ClaimID).Scan(&minutes); err != nil {
		return err
	}
	staff, err := tx.staffPhone(ctx, h.Community)
	if err != nil {
		return err
	}
	if staff != "" {
		if err := tx.queueHelp(ctx, chorus.Message{Phone: staff, Kind: chorus.MsgHelpDisputed, Community: h.Community,
			Params: map[string]string{"code": fmt.Sprint(request), "duration": chorus.FormatMinutes(minutes)}}, request); err != nil {
			return err
		}
	}
	if err := tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgHelpCallBack, Params: map[string]string{},
		Community: h.Community}); err != nil {
		return err
	}
	in.Outcome, in.Handled = fmt.Sprintf("居民说求助%d的服务时长不属实,已短信通知值班电话核实", request), true
	return nil
}
