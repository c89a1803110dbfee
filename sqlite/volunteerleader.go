package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// leaderClaim is a proposed claim of a shift, as its leader sees it.
type leaderClaim struct {
	id, volunteer, unit int64
	name                string
	minutes             int
}

// shiftLeaderClaims returns the proposed, undisputed claims of shift.
func (tx *Tx) shiftLeaderClaims(ctx context.Context, shift int64) ([]leaderClaim, error) {
	return queryRows(ctx, tx, func(r rowScanner) (leaderClaim, error) {
		var c leaderClaim
		return c, r.Scan(&c.id, &c.volunteer, &c.unit, &c.name, &c.minutes)
	}, `SELECT c.id, v.id, COALESCE(v.partner_id, 0), v.name, c.minutes FROM hours_claims c
		JOIN volunteer_signups g ON c.source = 'shift' AND c.source_id = g.id JOIN volunteers v ON v.id = c.volunteer_id
		WHERE g.shift_id = ? AND c.status = 'proposed' AND c.disputed_ms IS NULL ORDER BY c.id`, shift)
}

// AskLeaders sends, once per shift that has ended, the activity's leader
// the hours proposed from its check-ins, their own left out (staff
// confirm those): 回复确认N confirms them. It returns how many leaders
// were asked.
func (db *DB) AskLeaders(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *Tx) error {
		n = 0
		ids, err := queryIDs(ctx, tx, `SELECT s.id FROM volunteer_shifts s JOIN volunteer_activities a ON a.id = s.activity_id
			WHERE a.leader_id IS NOT NULL AND s.end_ms <= ? AND s.leader_asked_ms IS NULL
			AND EXISTS (SELECT 1 FROM volunteer_signups g JOIN hours_claims c ON c.source = 'shift' AND c.source_id = g.id
				WHERE g.shift_id = s.id AND c.status = 'proposed' AND c.volunteer_id != a.leader_id)`, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("shifts for leaders: %w", err)
		}
		for _, id := range ids {
			f, err := tx.shiftFacts(ctx, id)
			if err != nil {
				return err
			}
			claims, err := tx.shiftLeaderClaims(ctx, id)
			if err != nil {
				return err
			}
			var parts []string
			for _, c := range claims {
				if c.volunteer != f.leader {
					parts = append(parts, chorus.MaskName(c.name)+chorus.FormatMinutes(c.minutes))
				}
			}
			if _, err := tx.ExecContext(ctx, "UPDATE volunteer_shifts SET leader_asked_ms = ? WHERE id = ?", now.UnixMilli(), id); err != nil {
				return err
			}
			if len(parts) == 0 {
				continue
			}
			var phone, status string
			if err := tx.QueryRowContext(ctx, "SELECT phone, status FROM volunteers WHERE id = ?", f.leader).Scan(&phone, &status); err != nil {
				return fmt.Errorf("leader of shift %d: %w", id, err)
			}
			if status == chorus.VolunteerLeft {
				continue
			}
			m := shiftMessage(chorus.MsgShiftLeaderHours, phone, id, f, tx.zoneOf(ctx, f.community), "")
			m.Params["list"] = chorus.Ellipsize(strings.Join(parts, "、"), chorus.MaxParamRunes)
			m.Params["code"] = fmt.Sprint(id)
			if err := tx.queue(ctx, m); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// leaderConfirm carries out an activity leader's 确认N: the proposed
// hours of shift N are confirmed as chorus.DecideLeaderConfirm allows
// (and credited), the leader's own left for staff, their own unit's
// staff marked for staff's counter-check. A phone that does not lead the
// shift's activity goes to staff. It returns the id of the hours SMS
// answered, if any.
func (tx *Tx) leaderConfirm(ctx context.Context, in *chorus.Inbound) (int64, error) {
	f, err := tx.shiftFacts(ctx, in.Order)
	if err != nil {
		in.Outcome = fmt.Sprintf("没有班次%d,请工作人员处理", in.Order)
		return 0, nil
	}
	var phone string
	var unit int64
	if f.leader != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT phone, COALESCE(partner_id, 0) FROM volunteers WHERE id = ?", f.leader).
			Scan(&phone, &unit); err != nil {
			return 0, fmt.Errorf("leader of shift %d: %w", in.Order, err)
		}
	}
	if f.leader == 0 || phone != in.Phone {
		in.Outcome = fmt.Sprintf("这个号码不是班次%d的活动负责人,不能确认时长,请工作人员处理", in.Order)
		return 0, nil
	}
	in.Community = f.community
	claims, err := tx.shiftLeaderClaims(ctx, in.Order)
	if err != nil {
		return 0, err
	}
	confirmed, checked := 0, 0
	for _, c := range claims {
		switch chorus.DecideLeaderConfirm(f.leader, unit, c.volunteer, c.unit) {
		case chorus.LeaderConfirms:
			if _, err := tx.ExecContext(ctx, `UPDATE hours_claims SET status = 'confirmed', decided_by = ?, decided_ms = ?
				WHERE id = ? AND status = 'proposed'`, chorus.Confirmer{VolunteerID: f.leader}.DecidedBy(), tx.now.UnixMilli(), c.id); err != nil {
				return 0, fmt.Errorf("leader confirms claim %d: %w", c.id, err)
			}
			if err := creditClaim(tx, c.id); err != nil {
				return 0, err
			}
			confirmed++
		case chorus.LeaderCounterCheck:
			if _, err := tx.ExecContext(ctx, "UPDATE hours_claims SET note = ? WHERE id = ?", "负责人已确认,待社区复核(同单位)", c.id); err != nil {
				return 0, err
			}
			checked++
		}
	}
	action := fmt.Sprintf("已确认%d人的时长", confirmed)
	if checked > 0 {
		action += fmt.Sprintf(",%d人由社区工作人员复核", checked)
	}
	var msg int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM messages WHERE phone = ? AND kind = ?",
		in.Phone, chorus.MsgShiftLeaderHours).Scan(&msg); err != nil {
		return 0, err
	}
	in.Outcome, in.Handled = fmt.Sprintf("负责人确认班次%d:%s", in.Order, action), true
	return msg, tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgShiftLeaderAck, Community: f.community,
		Params: map[string]string{"code": fmt.Sprint(in.Order), "action": action}})
}
