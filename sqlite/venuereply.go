package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// venueReply carries out an approver's 同意N, 不同意N or 取消N (N may be
// left out of 同意/不同意 when the phone has exactly one request pending).
// Only the venue's approver phones decide, and chorus.DecideVenueReply
// says what the answer does; strangers' and unclear answers are left to
// staff. It returns the id of the request message answered, if any.
func (tx *Tx) venueReply(ctx context.Context, in *chorus.Inbound) (int64, error) {
	mine, err := tx.venueRequests(ctx, venueApproverOf, in.Phone, in.Phone)
	if err != nil {
		return 0, err
	}
	var req *chorus.VenueRequest
	if in.Order != 0 {
		for i := range mine {
			if mine[i].ID == in.Order {
				req = &mine[i]
			}
		}
		if req == nil {
			in.Outcome = fmt.Sprintf("这个号码不能答复场馆申请%d,请工作人员处理", in.Order)
			return 0, nil
		}
	} else {
		var pending []*chorus.VenueRequest
		for i := range mine {
			if mine[i].Status == chorus.VenuePending {
				pending = append(pending, &mine[i])
			}
		}
		if len(pending) != 1 {
			in.Outcome = fmt.Sprintf("答复没有写申请编号,这个号码有%d个场馆申请等待答复,请工作人员处理", len(pending))
			return 0, nil
		}
		req = pending[0]
	}
	in.Order = req.ID
	msgID, err := tx.venueMessage(ctx, in.Phone, req.Community)
	if err != nil {
		return 0, err
	}
	eff := chorus.DecideVenueReply(req.ID, req.Status, in.Intent)
	in.Outcome, in.Handled = eff.Outcome, eff.Handled
	if eff.To == "" {
		return msgID, nil
	}
	reason := ""
	if eff.To == chorus.VenueRefused {
		reason = chorus.RefusalReason(in.Content)
	}
	if err := tx.decideVenue(ctx, req, eff.To, in.Phone, reason); err != nil {
		return 0, err
	}
	action := map[chorus.VenueRequestStatus]string{chorus.VenueApproved: "同意", chorus.VenueRefused: "不同意",
		chorus.VenueWithdrawn: "撤回"}[eff.To]
	p := venueParams(req.Venue, req.Event, req.Start, req.End, tx.db.Location, req.ID)
	delete(p, "code")
	p["action"] = action
	return msgID, tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgVenueAck, Params: p, Community: req.Community})
}

// venueApproverOf is the condition on a venue request r that a phone (given
// twice) may answer it: one of its venue's approvers, or of its partner's
// phones when the venue names none.
const venueApproverOf = `(EXISTS (SELECT 1 FROM venues v, json_each(v.approvers) a
		WHERE v.place_id = r.place_id AND a.value = ?) OR EXISTS (SELECT 1 FROM venues v JOIN partner_phones pp
		ON pp.partner_id = v.partner_id WHERE v.place_id = r.place_id AND v.approvers = '[]' AND pp.phone = ?))`

// venueMatch reports whether phone may answer venue request n (a reply's
// number routed by chorus.RouteReply).
func (tx *Tx) venueMatch(ctx context.Context, phone string, n int64) (bool, error) {
	list, err := tx.venueRequests(ctx, "r.id = ? AND "+venueApproverOf, n, phone, phone)
	return len(list) > 0, err
}

// venueMessage returns the newest venue request sent to phone for
// community (the reply is that community's), 0 when none.
func (tx *Tx) venueMessage(ctx context.Context, phone string, community int64) (int64, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT MAX(id) FROM messages WHERE phone = ? AND kind = ? AND community_id = ?",
		phone, chorus.MsgVenueRequest, community).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("venue message: %w", err)
	}
	return id.Int64, nil
}

// decideVenue moves request r to status to, decided by who: agreed, its
// event opens; refused, staff are alerted; withdrawn, the event is called
// off (every booked resident told) and staff are alerted.
func (tx *Tx) decideVenue(ctx context.Context, r *chorus.VenueRequest, to chorus.VenueRequestStatus, who, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE venue_requests SET status = ?, decided_by = ?, decided_ms = ?, reason = ?
		WHERE id = ? AND status = ?`, to, who, tx.now.UnixMilli(), reason, r.ID, r.Status)
	if err != nil {
		return fmt.Errorf("decide venue request %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chorus.Errorf(chorus.ECONFLICT, "这个场馆申请已经有答复了。")
	}
	switch to {
	case chorus.VenueApproved:
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = (SELECT open_status FROM venue_requests WHERE id = ?)
			WHERE id = ? AND status = 'closed'`, r.ID, r.EventID); err != nil {
			return fmt.Errorf("open event %d: %w", r.EventID, err)
		}
		tx.change.Events = append(tx.change.Events, r.EventID)
		return nil
	case chorus.VenueRefused:
		return tx.alertVenue(ctx, r, "共建单位不同意")
	case chorus.VenueWithdrawn:
		if err := tx.cancelEvent(ctx, r.EventID, chorus.ActorSystem, "共建单位撤回场馆"); err != nil {
			return err
		}
		return tx.alertVenue(ctx, r, "共建单位撤回,活动已取消")
	}
	return nil
}

// alertVenue tells the community's on-duty staff phone what became of
// request r.
func (tx *Tx) alertVenue(ctx context.Context, r *chorus.VenueRequest, outcome string) error {
	phone, err := tx.staffPhone(ctx, r.Community)
	if err != nil || phone == "" {
		return err
	}
	p := venueParams(r.Venue, r.Event, r.Start, r.End, tx.db.Location, r.ID)
	p["outcome"] = outcome
	return tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgVenueAlert, Params: p, Community: r.Community})
}

// ExpireVenueRequests expires the requests still unanswered at their
// deadline, alerting staff for each; their events stay closed. It returns
// how many expired.
func (db *DB) ExpireVenueRequests(ctx context.Context, now time.Time) (int, error) {
	ids, err := queryIDs(ctx, db.read, "SELECT id FROM venue_requests WHERE status = 'pending' AND deadline_ms <= ? ORDER BY id LIMIT 500",
		now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("due venue requests: %w", err)
	}
	n := 0
	for _, id := range ids {
		if err := db.update(ctx, func(tx *Tx) error {
			list, err := tx.venueRequests(ctx, "r.id = ? AND r.status = 'pending'", id)
			if err != nil || len(list) == 0 {
				return err
			}
			if err := tx.decideVenue(ctx, &list[0], chorus.VenueExpired, "", ""); err != nil {
				return err
			}
			n++
			return tx.alertVenue(ctx, &list[0], "无人答复,申请已过期")
		}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// AnswerVenueRequest records a partner's answer given by telephone
// (intent IntentVenueAgree, IntentVenueRefuse or IntentVenueWithdraw), by
// actor, as chorus.DecideVenueReply allows; it does what the SMS answer
// would. Errors: ENOTFOUND (none, or of a community the scope does not
// see), ECONFLICT (the request's status does not allow it), EINVALID.
func (db *DB) AnswerVenueRequest(ctx context.Context, id int64, intent chorus.Intent, reason string, actor chorus.Actor) (*chorus.VenueRequest, error) {
	var out *chorus.VenueRequest
	err := db.update(ctx, func(tx *Tx) error {
		list, err := tx.venueRequests(ctx, "r.id = ?", id)
		if err != nil {
			return err
		}
		if len(list) == 0 || !chorus.ScopeFrom(ctx).Sees(list[0].Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个借用申请。")
		}
		r := &list[0]
		eff := chorus.DecideVenueReply(r.ID, r.Status, intent)
		switch {
		case eff.Outcome == "未能识别,请工作人员处理":
			return chorus.Errorf(chorus.EINVALID, "答复只能是同意、不同意或撤回。")
		case eff.To == "" && eff.Handled:
			out = r
			return nil // the same answer again: nothing changes
		case eff.To == "":
			return chorus.Errorf(chorus.ECONFLICT, "这个申请现在是“%s”,不能再登记这个答复。", r.Status.Label())
		}
		if eff.To != chorus.VenueRefused {
			reason = ""
		}
		if err := tx.decideVenue(ctx, r, eff.To, string(actor), chorus.Shorten(reason, 60)); err != nil {
			return err
		}
		list, err = tx.venueRequests(ctx, "r.id = ?", id)
		if err == nil {
			out = &list[0]
		}
		return err
	})
	return out, err
}
