package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// giveClassCode draws the check-in code of a new enrolment when its
// programme holds a class's places: 6 digits, unique among the class's
// live enrolments.
func (tx *Tx) giveClassCode(ctx context.Context, programme, enrolmentID int64) error {
	var kind string
	if err := tx.QueryRowContext(ctx, "SELECT kind FROM programmes WHERE id = ?", programme).Scan(&kind); err != nil {
		return fmt.Errorf("programme %d kind: %w", programme, err)
	}
	if kind != "class" {
		return nil
	}
	for range 20 {
		code, err := NewCode()
		if err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM enrolments WHERE programme_id = ? AND code = ? AND status IN "+liveIn+")",
			programme, code).Scan(&taken); err != nil {
			return fmt.Errorf("class code taken: %w", err)
		}
		if taken {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET code = ? WHERE id = ?", code, enrolmentID); err != nil {
			return fmt.Errorf("class code: %w", err)
		}
		return nil
	}
	return fmt.Errorf("class code: no free code after 20 draws")
}

// ClassCheckIn checks a resident in at today's session of a class (of the
// scope's community) by their enrolment's code, marking them present; see
// chorus.DecideClassCheckin. It is idempotent: a repeat answers "already"
// with the first time, and a check-in synced later with an earlier At
// moves the recorded time back. A code typed at the door replaces an
// "absent" mark staff had already ticked. Errors: EINVALID, ENOTFOUND.
func (db *DB) ClassCheckIn(ctx context.Context, req chorus.ClassCheckinRequest) (*chorus.CheckinResult, error) {
	if req.ClassID <= 0 {
		return nil, chorus.Errorf(chorus.EINVALID, "请先选择签到的课程。")
	}
	if !chorus.IsCode(req.Code) {
		return nil, chorus.Errorf(chorus.EINVALID, "签到码是6位数字,请重新输入。")
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorStaff
	}
	var res chorus.CheckinResult
	err := db.update(ctx, func(tx *Tx) error {
		var community, programme int64
		if err := seeClass(ctx, tx, req.ClassID, &community); err != nil {
			return err
		}
		loc := tx.zoneOf(ctx, community)
		today := tx.now.In(loc).Format(time.DateOnly)
		f := chorus.ClassCheckinFacts{ClassID: req.ClassID}
		var start string
		if err := tx.QueryRowContext(ctx, "SELECT title, programme_id, start_time FROM classes WHERE id = ?", req.ClassID).
			Scan(&f.Title, &programme, &start); err != nil {
			return fmt.Errorf("class %d: %w", req.ClassID, err)
		}
		err := tx.QueryRowContext(ctx, "SELECT id, class_id, date, status, reason FROM class_sessions WHERE class_id = ? AND date = ?",
			req.ClassID, today).Scan(&f.Session.ID, &f.Session.ClassID, &f.Session.Date, &f.Session.Status, &f.Session.Reason)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("today's session: %w", err)
		}
		if f.Start, err = time.ParseInLocation("2006-01-02 15:04", today+" "+start, loc); err != nil {
			f.Start = tx.now // a class's times are checked when it is saved
		}
		var id int64
		var present sql.NullInt64
		// A live enrolment with the code first, else the latest that had it.
		err = tx.QueryRowContext(ctx, `SELECT n.id, n.name, n.status, a.at_ms FROM enrolments n
			LEFT JOIN class_attendance a ON a.enrolment_id = n.id AND a.session_id = ? AND a.mark = 'present'
			WHERE n.programme_id = ? AND n.code = ? ORDER BY n.status IN `+liveIn+` DESC, n.id DESC LIMIT 1`,
			f.Session.ID, programme, req.Code).Scan(&id, &f.Name, &f.Status, &present)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("find enrolment: %w", err)
		}
		f.Present = fromMS(present)
		d := chorus.DecideClassCheckin(err == nil, f, req.At, tx.now, loc)
		res.Outcome, res.Message = d.Outcome, d.Message
		switch {
		case d.CheckIn:
			if _, err := tx.ExecContext(ctx, `INSERT INTO class_attendance (session_id, enrolment_id, mark, at_ms, actor) VALUES (?, ?, 'present', ?, ?)
				ON CONFLICT (session_id, enrolment_id) DO UPDATE SET mark = 'present', at_ms = excluded.at_ms, actor = excluded.actor`,
				f.Session.ID, id, d.At.UnixMilli(), req.Actor); err != nil {
				return fmt.Errorf("mark present: %w", err)
			}
			res.FirstAt = time.UnixMilli(d.At.UnixMilli())
			tx.change.Programmes = append(tx.change.Programmes, programme)
		case d.Outcome == chorus.CheckinAlready && !d.At.IsZero():
			if _, err := tx.ExecContext(ctx, "UPDATE class_attendance SET at_ms = ? WHERE session_id = ? AND enrolment_id = ?",
				d.At.UnixMilli(), f.Session.ID, id); err != nil {
				return fmt.Errorf("check-in time: %w", err)
			}
			res.FirstAt = time.UnixMilli(d.At.UnixMilli())
		case d.Outcome == chorus.CheckinAlready:
			res.FirstAt = f.Present
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}
