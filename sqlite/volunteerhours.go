package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// checkinEarly is how long before a shift starts a volunteer may check in.
const checkinEarly = time.Hour

// ShiftPresence records a volunteer's presence at shift shiftID by the
// code of their signup, typed or scanned at the door at at (zero: now):
// the first time checks in, the second checks out and proposes the claim
// of their hours (chorus.ShiftHours), or leaves them to staff. by is who
// recorded it ("staff:wang", "kiosk:3"). Errors: ENOTFOUND (no such
// signup: the code is wrong), ECONFLICT (not the shift's day or hours, a
// waitlisted or cancelled signup).
func (db *DB) ShiftPresence(ctx context.Context, shiftID int64, code string, at time.Time, by string) (*chorus.PresenceResult, error) {
	var res *chorus.PresenceResult
	err := db.update(ctx, func(tx *Tx) error {
		f, err := tx.shiftFacts(ctx, shiftID)
		if err != nil || !chorus.ScopeFrom(ctx).Sees(f.community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个班次。")
		}
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM volunteer_signups WHERE shift_id = ? AND code = ?", shiftID, code).
			Scan(&id); err != nil {
			return chorus.Errorf(chorus.ENOTFOUND, "签到码不对,请再看一下短信,或找现场负责人。")
		}
		if at.IsZero() || at.After(tx.now) {
			at = tx.now
		}
		res, err = tx.presence(ctx, id, f, at, by)
		return err
	})
	return res, err
}

func (tx *Tx) presence(ctx context.Context, id int64, f *shiftFacts, at time.Time, by string) (*chorus.PresenceResult, error) {
	g, err := tx.signup(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case g.Status != chorus.SignupConfirmed:
		return nil, chorus.Errorf(chorus.ECONFLICT, "这个报名不在名单上(候补或已取消),请找现场负责人。")
	case at.Before(f.start.Add(-checkinEarly)):
		return nil, chorus.Errorf(chorus.ECONFLICT, "还没到签到时间,班次%s开始。", chorus.FormatWhen(f.start.In(tx.db.Location)))
	case g.CheckIn.IsZero() && !at.Before(f.end):
		return nil, chorus.Errorf(chorus.ECONFLICT, "这个班次已经结束了,请找工作人员补登。")
	case g.CheckIn.IsZero():
		if _, err := tx.ExecContext(ctx, `UPDATE volunteer_signups SET checkin_ms = ?, presence_by = ?, updated_ms = ?
			WHERE id = ?`, at.UnixMilli(), by, tx.now.UnixMilli(), id); err != nil {
			return nil, fmt.Errorf("check in: %w", err)
		}
		g.CheckIn = at
		return &chorus.PresenceResult{Outcome: chorus.PresenceIn, Message: g.Volunteer + ",签到成功,谢谢您来帮忙!", Signup: g}, nil
	case g.CheckOut.IsZero():
		if _, err := tx.ExecContext(ctx, `UPDATE volunteer_signups SET checkout_ms = ?, presence_by = ?, updated_ms = ?
			WHERE id = ?`, at.UnixMilli(), by, tx.now.UnixMilli(), id); err != nil {
			return nil, fmt.Errorf("check out: %w", err)
		}
		if err := tx.proposeClaim(ctx, id); err != nil {
			return nil, err
		}
		g, err = tx.signup(ctx, id)
		if err != nil {
			return nil, err
		}
		return &chorus.PresenceResult{Outcome: chorus.PresenceOut, Message: g.Volunteer + ",签退成功,辛苦了!服务时长由工作人员确认。", Signup: g}, nil
	}
	return &chorus.PresenceResult{Outcome: chorus.PresenceAlready, Message: g.Volunteer + "已经签到、签退过了。", Signup: g}, nil
}

// SetPresence records the check-in and check-out of signup id as staff
// saw them (a forgotten check-out, a wrong time), and proposes its claim
// again. A confirmed claim is not changed here: a confirmed hour is
// corrected in the time bank. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (db *DB) SetPresence(ctx context.Context, id int64, in, out time.Time, by string) (*chorus.Signup, error) {
	if in.IsZero() || (!out.IsZero() && !out.After(in)) {
		return nil, chorus.Errorf(chorus.EINVALID, "签退时间要晚于签到时间。")
	}
	var g *chorus.Signup
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		if g, err = tx.signup(ctx, id); err != nil || !chorus.ScopeFrom(ctx).Sees(g.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
		}
		if in.After(tx.now) || out.After(tx.now) {
			return chorus.Errorf(chorus.EINVALID, "不能登记还没到的时间。")
		}
		if g.Status != chorus.SignupConfirmed {
			return chorus.Errorf(chorus.ECONFLICT, "这个报名不在名单上(候补或已取消)。")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE volunteer_signups SET checkin_ms = ?, checkout_ms = ?, presence_by = ?,
			updated_ms = ? WHERE id = ?`, in.UnixMilli(), ms(out), by, tx.now.UnixMilli(), id); err != nil {
			return fmt.Errorf("set presence: %w", err)
		}
		if !out.IsZero() {
			if err := tx.proposeClaim(ctx, id); err != nil {
				return err
			}
		}
		g, err = tx.signup(ctx, id)
		return err
	})
	return g, err
}

// proposeClaim proposes (or proposes again) the claim of signup id from
// its presence, as chorus.ShiftHours computes it; when staff must settle
// it instead, the signup says why and no claim is proposed.
func (tx *Tx) proposeClaim(ctx context.Context, id int64) error {
	var shiftID, volunteer, community int64
	var in, out sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT shift_id, volunteer_id, community_id, checkin_ms, checkout_ms
		FROM volunteer_signups WHERE id = ?`, id).Scan(&shiftID, &volunteer, &community, &in, &out); err != nil {
		return fmt.Errorf("signup %d: %w", id, err)
	}
	f, err := tx.shiftFacts(ctx, shiftID)
	if err != nil {
		return err
	}
	var claimID int64
	var status string
	err = tx.QueryRowContext(ctx, "SELECT id, status FROM hours_claims WHERE source = 'shift' AND source_id = ?", id).
		Scan(&claimID, &status)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("claim of signup: %w", err)
	}
	if status == chorus.ClaimConfirmed {
		return chorus.Errorf(chorus.ECONFLICT, "这次服务时长已经确认过了,如需更正请在时间银行里冲正。")
	}
	spans, err := queryRows(ctx, tx, func(r rowScanner) (chorus.Span, error) {
		var s chorus.Span
		var a, b int64
		err := r.Scan(&a, &b, &s.Minutes)
		s.Start, s.End = time.UnixMilli(a), time.UnixMilli(b)
		return s, err
	}, `SELECT start_ms, end_ms, minutes FROM hours_claims WHERE volunteer_id = ? AND status != 'rejected'
		AND NOT (source = 'shift' AND source_id = ?) AND end_ms > ? AND start_ms < ?`,
		volunteer, id, f.start.Add(-24*time.Hour).UnixMilli(), f.end.Add(24*time.Hour).UnixMilli())
	if err != nil {
		return fmt.Errorf("claims of volunteer: %w", err)
	}
	h := chorus.ShiftHours(fromMS(in), fromMS(out), f.start, f.end, spans, tx.db.Location)
	if _, err := tx.ExecContext(ctx, "UPDATE volunteer_signups SET to_staff = ? WHERE id = ?", h.ToStaff, id); err != nil {
		return fmt.Errorf("signup to staff: %w", err)
	}
	if h.ToStaff != "" {
		if claimID != 0 { // the claim proposed before no longer holds
			_, err := tx.ExecContext(ctx, `UPDATE hours_claims SET status = 'rejected', decided_by = 'system', decided_ms = ?,
				note = ? WHERE id = ?`, tx.now.UnixMilli(), h.ToStaff, claimID)
			return err
		}
		return nil
	}
	if claimID != 0 {
		_, err := tx.ExecContext(ctx, `UPDATE hours_claims SET start_ms = ?, end_ms = ?, minutes = ?, status = 'proposed',
			decided_by = '', decided_ms = NULL, note = '' WHERE id = ?`, h.Start.UnixMilli(), h.End.UnixMilli(), h.Minutes, claimID)
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO hours_claims (community_id, volunteer_id, source, source_id, start_ms, end_ms,
		minutes, created_ms) VALUES (?, ?, 'shift', ?, ?, ?, ?, ?)`, community, volunteer, id, h.Start.UnixMilli(),
		h.End.UnixMilli(), h.Minutes, tx.now.UnixMilli())
	if err != nil {
		return fmt.Errorf("propose claim: %w", err)
	}
	return nil
}

const claimCols = `c.id, c.community_id, c.volunteer_id, v.name, c.source, c.source_id, c.start_ms, c.end_ms, c.minutes,
	c.status, c.decided_by, c.decided_ms, c.note, c.created_ms,
	COALESCE((SELECT a.title FROM volunteer_signups g JOIN volunteer_shifts s ON s.id = g.shift_id
		JOIN volunteer_activities a ON a.id = s.activity_id WHERE c.source = 'shift' AND g.id = c.source_id), '')`

const claimFrom = ` FROM hours_claims c JOIN volunteers v ON v.id = c.volunteer_id `

func scanClaim(r rowScanner) (chorus.Claim, error) {
	var c chorus.Claim
	var start, end, created int64
	var decided sql.NullInt64
	err := r.Scan(&c.ID, &c.Community, &c.VolunteerID, &c.Volunteer, &c.Source, &c.SourceID, &start, &end, &c.Minutes,
		&c.Status, &c.DecidedBy, &decided, &c.Note, &created, &c.Activity)
	c.Start, c.End, c.DecidedAt, c.CreatedAt = time.UnixMilli(start), time.UnixMilli(end), fromMS(decided), time.UnixMilli(created)
	return c, err
}

// Claim returns one claim the scope sees. Errors: ENOTFOUND.
func (db *DB) Claim(ctx context.Context, id int64) (*chorus.Claim, error) {
	c, err := scanClaim(db.read.QueryRowContext(ctx, "SELECT "+claimCols+claimFrom+"WHERE c.id = ?", id))
	if err != nil || !chorus.ScopeFrom(ctx).Sees(c.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这条服务时长记录。")
	}
	return &c, nil
}

// PendingHours returns the scope's community's hours to settle.
func (db *DB) PendingHours(ctx context.Context) (*chorus.HoursQueue, error) {
	c := chorus.ScopeFrom(ctx).Community
	claims, err := queryRows(ctx, db.read, scanClaim, "SELECT "+claimCols+claimFrom+
		"WHERE c.community_id = ? AND c.status = 'proposed' AND c.source = 'shift' ORDER BY c.start_ms, c.id", c)
	if err != nil {
		return nil, err
	}
	signups, err := queryRows(ctx, db.read, scanSignup, "SELECT "+signupCols+signupFrom+`JOIN volunteer_shifts s ON s.id = g.shift_id
		WHERE g.community_id = ? AND g.status = 'confirmed' AND (g.to_staff != ''
		OR (g.checkin_ms IS NOT NULL AND g.checkout_ms IS NULL AND s.end_ms <= ?)) ORDER BY s.start_ms, g.id`,
		c, db.Now().UnixMilli())
	if err != nil {
		return nil, err
	}
	for i := range signups {
		if signups[i].ToStaff == "" {
			signups[i].ToStaff = "没有签退记录"
		}
	}
	return &chorus.HoursQueue{Claims: claims, Signups: signups}, nil
}

// DecideClaim confirms (confirm) or rejects a proposed shift claim, as c
// decides it: staff, or the activity's leader but never for their own
// hours (chorus.MayConfirm). A confirmed claim is credited to the time
// bank in the same transaction. Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT
// (decided already).
func (db *DB) DecideClaim(ctx context.Context, id int64, c chorus.Confirmer, confirm bool, note string) (*chorus.Claim, error) {
	err := db.update(ctx, func(tx *Tx) error {
		var community, volunteer int64
		var source, status string
		var sourceID int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id, volunteer_id, source, source_id, status FROM hours_claims WHERE id = ?",
			id).Scan(&community, &volunteer, &source, &sourceID, &status); err != nil || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这条服务时长记录。")
		}
		var leader int64
		if source == chorus.ClaimShift {
			var l sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT a.leader_id FROM volunteer_signups g JOIN volunteer_shifts s ON s.id = g.shift_id
				JOIN volunteer_activities a ON a.id = s.activity_id WHERE g.id = ?`, sourceID).Scan(&l); err != nil {
				return fmt.Errorf("leader of claim: %w", err)
			}
			leader = l.Int64
		} else if !c.Staff {
			return chorus.Errorf(chorus.EFORBIDDEN, "上门帮扶的时长由受助居民或工作人员确认。")
		}
		if c.Staff {
			own, err := tx.staffVolunteer(ctx, community, c.Login)
			if err != nil {
				return err
			}
			c.VolunteerID = own
		}
		if err := chorus.MayConfirm(c, volunteer, leader); err != nil {
			return err
		}
		if status != chorus.ClaimProposed {
			return chorus.Errorf(chorus.ECONFLICT, "这条服务时长已经处理过了。")
		}
		to := chorus.ClaimRejected
		if confirm {
			to = chorus.ClaimConfirmed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE hours_claims SET status = ?, decided_by = ?, decided_ms = ?, note = ?
			WHERE id = ? AND status = 'proposed'`, to, c.DecidedBy(), tx.now.UnixMilli(), chorus.Shorten(note, 100), id); err != nil {
			return fmt.Errorf("decide claim: %w", err)
		}
		if confirm {
			return creditClaim(tx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Claim(ctx, id)
}

// CorrectClaim changes the minutes of a proposed claim (staff only; the
// server audits it) with a note saying why. A confirmed claim is corrected
// in the time bank instead. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (db *DB) CorrectClaim(ctx context.Context, id int64, minutes int, note string) (*chorus.Claim, error) {
	if minutes < 0 || minutes > chorus.MaxVolunteerMinutesPerDay || minutes%15 != 0 {
		return nil, chorus.Errorf(chorus.EINVALID, "时长应在0到8小时之间,按15分钟计。")
	}
	if len([]rune(note)) < 2 {
		return nil, chorus.Errorf(chorus.EINVALID, "请写明更正的原因。")
	}
	err := db.update(ctx, func(tx *Tx) error {
		var community int64
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT community_id, status FROM hours_claims WHERE id = ?", id).
			Scan(&community, &status); err != nil || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这条服务时长记录。")
		}
		if status != chorus.ClaimProposed {
			return chorus.Errorf(chorus.ECONFLICT, "已处理的服务时长不能在这里更正,请在时间银行里冲正。")
		}
		_, err := tx.ExecContext(ctx, "UPDATE hours_claims SET minutes = ?, note = ? WHERE id = ?", minutes, chorus.Shorten(note, 100), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.Claim(ctx, id)
}

// presenceWindow is how long after a shift ends its volunteers' codes
// still check them out at a door that does not name the shift.
const presenceWindow = 6 * time.Hour

// CodePresence records a volunteer's presence by the code of their signup
// alone, typed or scanned at a door that does not name a shift (the
// kiosk's check-in mode, the staff's door page, which try a booking's
// code first): it finds the scope's community's confirmed signup with the
// code on a shift from an hour before its start to six hours after its
// end, and does what ShiftPresence does. Errors: ENOTFOUND (no such code
// now), ECONFLICT (the code is on two shifts now: type it where the shift
// is named).
func (db *DB) CodePresence(ctx context.Context, code string, at time.Time, by string) (*chorus.PresenceResult, error) {
	now := db.Now()
	ids, err := queryIDs(ctx, db.read, `SELECT s.id FROM volunteer_signups g JOIN volunteer_shifts s ON s.id = g.shift_id
		WHERE g.community_id = ? AND g.code = ? AND g.status = 'confirmed' AND s.start_ms <= ? AND s.end_ms >= ?`,
		chorus.ScopeFrom(ctx).Community, code, now.Add(checkinEarly).UnixMilli(), now.Add(-presenceWindow).UnixMilli())
	switch {
	case err != nil:
		return nil, fmt.Errorf("code presence: %w", err)
	case len(ids) == 0:
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个签到码。")
	case len(ids) > 1:
		return nil, chorus.Errorf(chorus.ECONFLICT, "这个签到码现在对应两个志愿班次,请找现场负责人签到。")
	}
	return db.ShiftPresence(ctx, ids[0], code, at, by)
}

// staffVolunteer returns the id of community's volunteer whose phone is
// the staff member login's own (0: none, or no phone recorded).
func (tx *Tx) staffVolunteer(ctx context.Context, community int64, login string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT v.id FROM staff s JOIN volunteers v ON v.phone = s.phone AND v.community_id = ?
		WHERE s.username = ?`, community, login).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, err
}
