package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// SignUp puts volunteer volunteerID on shift shiftID through channel
// (chorus.JoinSMS, JoinKiosk, JoinStaff): a place while one is left
// (chorus.DecideSignup), else the waitlist, and tells them by SMS. Places
// are taken inside the store's one write transaction, so of any number of
// volunteers signing up at once exactly the capacity get one. Errors:
// ENOTFOUND, ECONFLICT (already signed up, the shift has started, the
// volunteer left).
func (db *DB) SignUp(ctx context.Context, shiftID, volunteerID int64, channel string) (*chorus.Signup, error) {
	var g *chorus.Signup
	err := db.update(ctx, func(tx *Tx) error {
		var c int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id FROM volunteer_shifts WHERE id = ?", shiftID).Scan(&c); err != nil ||
			!chorus.ScopeFrom(ctx).Sees(c) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个班次。")
		}
		var err error
		g, err = tx.signUp(ctx, shiftID, volunteerID, channel)
		return err
	})
	return g, err
}

// shiftFacts is what a signup needs to know of its shift.
type shiftFacts struct {
	community          int64
	start, end         time.Time
	capacity, taken    int
	activity, status   string
	place, task        string
	leader, activityID int64
}

func (tx *Tx) shiftFacts(ctx context.Context, shiftID int64) (*shiftFacts, error) {
	var f shiftFacts
	var start, end int64
	var leader sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT s.community_id, s.start_ms, s.end_ms, s.capacity, s.taken, a.title, a.status, a.place,
		s.task, a.leader_id, a.id FROM volunteer_shifts s JOIN volunteer_activities a ON a.id = s.activity_id WHERE s.id = ?`, shiftID).
		Scan(&f.community, &start, &end, &f.capacity, &f.taken, &f.activity, &f.status, &f.place, &f.task, &leader, &f.activityID)
	if err != nil {
		return nil, notFound(err, "班次")
	}
	f.start, f.end, f.leader = time.UnixMilli(start), time.UnixMilli(end), leader.Int64
	return &f, nil
}

func (tx *Tx) signUp(ctx context.Context, shiftID, volunteerID int64, channel string) (*chorus.Signup, error) {
	f, err := tx.shiftFacts(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	var vc int64
	var phone, vstatus string
	if err := tx.QueryRowContext(ctx, "SELECT community_id, phone, status FROM volunteers WHERE id = ?", volunteerID).
		Scan(&vc, &phone, &vstatus); err != nil || vc != f.community {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这位志愿者。")
	}
	switch {
	case vstatus == chorus.VolunteerLeft:
		return nil, chorus.Errorf(chorus.ECONFLICT, "这位志愿者已经退出了。")
	case f.status != "active" || !chorus.SignupOpen(f.start, tx.now):
		return nil, chorus.Errorf(chorus.ECONFLICT, "这个班次已经开始或结束,不能再报名了。")
	}
	var id int64
	var old string
	err = tx.QueryRowContext(ctx, "SELECT id, status FROM volunteer_signups WHERE shift_id = ? AND volunteer_id = ?",
		shiftID, volunteerID).Scan(&id, &old)
	if err == nil && old != chorus.SignupCancelled {
		return nil, chorus.Errorf(chorus.ECONFLICT, "已经报名过这个班次了。")
	} else if err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("signup of volunteer: %w", err)
	}
	status := chorus.DecideSignup(f.capacity, f.taken)
	if status == chorus.SignupConfirmed {
		if err := tx.takePlace(ctx, shiftID, 1); err != nil {
			return nil, err
		}
	}
	now := tx.now.UnixMilli()
	var code string
	if id != 0 {
		err = tx.QueryRowContext(ctx, `UPDATE volunteer_signups SET status = ?, channel = ?, created_ms = ?, updated_ms = ?
			WHERE id = ? RETURNING code`, status, channel, now, now, id).Scan(&code)
	} else {
		if code, err = tx.signupCode(ctx, shiftID); err != nil {
			return nil, err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO volunteer_signups (community_id, shift_id, volunteer_id, channel, status, code,
			created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.community, shiftID, volunteerID, channel,
			status, code, now, now).Scan(&id)
	}
	if err != nil {
		return nil, fmt.Errorf("insert signup: %w", err)
	}
	// The nonce of its QR code's token (a signup made again keeps its own).
	key, err := tx.db.tokenKey(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.giveSignupNonce(ctx, id, key); err != nil {
		return nil, err
	}
	kind := chorus.MsgShiftSignup
	if status == chorus.SignupWaitlist {
		kind = chorus.MsgShiftFull
	}
	if err := tx.queue(ctx, shiftMessage(kind, phone, shiftID, f, tx.db.Location, code)); err != nil {
		return nil, err
	}
	return tx.signup(ctx, id)
}

// takePlace changes a shift's taken places by d, never past its capacity
// or below zero.
func (tx *Tx) takePlace(ctx context.Context, shiftID int64, d int) error {
	res, err := tx.ExecContext(ctx, "UPDATE volunteer_shifts SET taken = taken + ? WHERE id = ? AND taken + ? BETWEEN 0 AND capacity",
		d, shiftID, d)
	if err != nil {
		return fmt.Errorf("take place: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chorus.Errorf(chorus.EFULL, "这个班次已经报满了。")
	}
	return nil
}

// signupCode draws a 6-digit code no other signup of the shift has.
func (tx *Tx) signupCode(ctx context.Context, shiftID int64) (string, error) {
	for range 20 {
		code, err := NewCode()
		if err != nil {
			return "", err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteer_signups WHERE shift_id = ? AND code = ?", shiftID, code).
			Scan(&n); err != nil {
			return "", err
		} else if n == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("signup code: no free code after 20 draws")
}

// shiftMessage is the SMS of kind about shift shiftID to phone; checkin is
// the signup's code, for the messages that give a place.
func shiftMessage(kind chorus.MessageKind, phone string, shiftID int64, f *shiftFacts, loc *time.Location, checkin string) chorus.Message {
	p := map[string]string{"activity": chorus.Ellipsize(f.activity, chorus.MaxParamRunes),
		"time": chorus.FormatWhen(f.start.In(loc))}
	switch kind {
	case chorus.MsgShiftCallOut:
		p["place"], p["task"], p["code"] = f.place, f.task, fmt.Sprint(shiftID)
		p["count"] = fmt.Sprint(max(f.capacity-f.taken, 1))
	case chorus.MsgShiftSignup, chorus.MsgShiftReminder:
		p["place"], p["task"], p["code"], p["checkin"] = f.place, f.task, fmt.Sprint(shiftID), checkin
	case chorus.MsgShiftPlace:
		p["place"], p["code"], p["checkin"] = f.place, fmt.Sprint(shiftID), checkin
	}
	return chorus.Message{Phone: phone, Kind: kind, Params: p, Community: f.community}
}

const signupCols = `g.id, g.community_id, g.shift_id, g.volunteer_id, v.name, g.channel, g.status, g.code, g.checkin_ms,
	g.checkout_ms, g.created_ms, COALESCE((SELECT c.id FROM hours_claims c WHERE c.source = 'shift' AND c.source_id = g.id), 0),
	g.to_staff`

const signupFrom = ` FROM volunteer_signups g JOIN volunteers v ON v.id = g.volunteer_id `

func scanSignup(r rowScanner) (chorus.Signup, error) {
	var g chorus.Signup
	var in, out sql.NullInt64
	var created int64
	err := r.Scan(&g.ID, &g.Community, &g.ShiftID, &g.VolunteerID, &g.Volunteer, &g.Channel, &g.Status, &g.Code, &in, &out,
		&created, &g.ClaimID, &g.ToStaff)
	g.CheckIn, g.CheckOut, g.CreatedAt = fromMS(in), fromMS(out), time.UnixMilli(created)
	return g, err
}

func (tx *Tx) signup(ctx context.Context, id int64) (*chorus.Signup, error) {
	g, err := scanSignup(tx.QueryRowContext(ctx, "SELECT "+signupCols+signupFrom+"WHERE g.id = ?", id))
	if err != nil {
		return nil, notFound(err, "报名")
	}
	return &g, nil
}

// Roster returns a shift's signups, places first then the waitlist in
// order, then the cancelled. Errors: ENOTFOUND.
func (db *DB) Roster(ctx context.Context, shiftID int64) ([]chorus.Signup, error) {
	if _, err := db.Shift(ctx, shiftID); err != nil {
		return nil, err
	}
	return queryRows(ctx, db.read, scanSignup, "SELECT "+signupCols+signupFrom+`WHERE g.shift_id = ?
		ORDER BY CASE g.status WHEN 'confirmed' THEN 0 WHEN 'waitlist' THEN 1 ELSE 2 END, g.created_ms, g.id`, shiftID)
}

// CancelSignup cancels signup id (staff, or the volunteer's 取消N): a
// place it held goes to the first on the waitlist, who is told by SMS.
// Errors: ENOTFOUND, ECONFLICT (already cancelled, or checked in).
func (db *DB) CancelSignup(ctx context.Context, id int64) (*chorus.Signup, error) {
	var g *chorus.Signup
	err := db.update(ctx, func(tx *Tx) error {
		var c int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id FROM volunteer_signups WHERE id = ?", id).Scan(&c); err != nil ||
			!chorus.ScopeFrom(ctx).Sees(c) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
		}
		var err error
		g, err = tx.cancelSignup(ctx, id)
		return err
	})
	return g, err
}

func (tx *Tx) cancelSignup(ctx context.Context, id int64) (*chorus.Signup, error) {
	g, err := tx.signup(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case g.Status == chorus.SignupCancelled:
		return nil, chorus.Errorf(chorus.ECONFLICT, "这个报名已经取消过了。")
	case !g.CheckIn.IsZero():
		return nil, chorus.Errorf(chorus.ECONFLICT, "已经签到了,不能取消报名。")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE volunteer_signups SET status = 'cancelled', updated_ms = ? WHERE id = ?",
		tx.now.UnixMilli(), id); err != nil {
		return nil, fmt.Errorf("cancel signup: %w", err)
	}
	f, err := tx.shiftFacts(ctx, g.ShiftID)
	if err != nil {
		return nil, err
	}
	if g.Status == chorus.SignupConfirmed {
		if err := tx.takePlace(ctx, g.ShiftID, -1); err != nil {
			return nil, err
		}
		f.taken--
		if err := tx.givePlace(ctx, g.ShiftID, f); err != nil {
			return nil, err
		}
	}
	var phone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM volunteers WHERE id = ?", g.VolunteerID).Scan(&phone); err != nil {
		return nil, err
	}
	if err := tx.queue(ctx, shiftMessage(chorus.MsgShiftCancelled, phone, g.ShiftID, f, tx.db.Location, "")); err != nil {
		return nil, err
	}
	g.Status = chorus.SignupCancelled
	return g, nil
}

// givePlace gives a freed place of a shift not yet started to the first
// on its waitlist, and tells them: they asked to be on it, so the place
// is theirs at once, and 取消N gives it back.
func (tx *Tx) givePlace(ctx context.Context, shiftID int64, f *shiftFacts) error {
	if !chorus.SignupOpen(f.start, tx.now) || f.taken >= f.capacity {
		return nil
	}
	var id int64
	var phone, code string
	err := tx.QueryRowContext(ctx, `SELECT g.id, v.phone, g.code FROM volunteer_signups g JOIN volunteers v ON v.id = g.volunteer_id
		WHERE g.shift_id = ? AND g.status = 'waitlist' ORDER BY g.created_ms, g.id LIMIT 1`, shiftID).Scan(&id, &phone, &code)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return fmt.Errorf("waitlist of shift: %w", err)
	}
	if err := tx.takePlace(ctx, shiftID, 1); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE volunteer_signups SET status = 'confirmed', updated_ms = ? WHERE id = ?",
		tx.now.UnixMilli(), id); err != nil {
		return fmt.Errorf("give place: %w", err)
	}
	return tx.queue(ctx, shiftMessage(chorus.MsgShiftPlace, phone, shiftID, f, tx.db.Location, code))
}
