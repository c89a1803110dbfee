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
// live enrolments; and the nonce of its signed check-in token (its QR
// code), as a booking's.
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
		key, err := tx.db.tokenKey(ctx)
		if err != nil {
			return err
		}
		nonce, _, err := chorus.NewCheckinToken(key)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET code = ?, token_nonce = ? WHERE id = ?", code, nonce, enrolmentID); err != nil {
			return fmt.Errorf("class code: %w", err)
		}
		return nil
	}
	return fmt.Errorf("class code: no free code after 20 draws")
}

// queueClassEnrolled sends the enrolment's phone, when it enrolled in a
// term class, the class_enrolled SMS: the class, its weekday and time, the
// venue and the check-in code. The kind goes to that phone only, never to
// family contacts (chorus.MsgClassEnrolled). It reports false for an
// enrolment of a programme that is not a class.
func (tx *Tx) queueClassEnrolled(ctx context.Context, id int64) (bool, error) {
	var phone, title, start, place, code string
	var weekday int
	err := tx.QueryRowContext(ctx, `SELECT n.phone, n.code, k.title, k.weekday, k.start_time, p.name FROM enrolments n
		JOIN classes k ON k.programme_id = n.programme_id JOIN places p ON p.id = k.place_id WHERE n.id = ?`, id).
		Scan(&phone, &code, &title, &weekday, &start, &place)
	if err == sql.ErrNoRows || (err == nil && code == "") {
		return false, nil // 托管, or a class enrolment from before codes
	} else if err != nil {
		return false, fmt.Errorf("class enrolment %d for sms: %w", id, err)
	}
	return true, tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgClassEnrolled, EnrolmentID: id,
		Params: map[string]string{"event": chorus.Ellipsize(title, chorus.MaxParamRunes),
			"time": "每" + chorus.WeekdayNames[weekday] + start, "place": chorus.Ellipsize(place, chorus.MaxParamRunes), "code": code}})
}

// signEnrolmentToken turns the nonce scanned into e.CheckinToken into the
// token.
func (db *DB) signEnrolmentToken(ctx context.Context, e *chorus.Enrolment) error {
	if e.CheckinToken == "" {
		return nil
	}
	key, err := db.tokenKey(ctx)
	if err != nil {
		return err
	}
	if e.CheckinToken, err = chorus.CheckinToken(key, e.CheckinToken); err != nil {
		return fmt.Errorf("enrolment %d token: %w", e.ID, err)
	}
	return nil
}

// ClassCheckIn checks a resident in at today's session of a class (of the
// scope's community) by their enrolment's code or the token of its QR
// code, marking them present; see chorus.DecideClassCheckin. A token of
// another class's enrolment or of an event's booking checks nobody in
// (chorus.WrongClassDoor). It is idempotent: a repeat answers "already"
// with the first time, and a check-in synced later with an earlier At
// moves the recorded time back. A check-in at the door replaces an
// "absent" mark staff had already ticked. Errors: EINVALID, ENOTFOUND.
func (db *DB) ClassCheckIn(ctx context.Context, req chorus.ClassCheckinRequest) (*chorus.CheckinResult, error) {
	if req.ClassID <= 0 {
		return nil, chorus.Errorf(chorus.EINVALID, "请先选择签到的课程。")
	}
	nonce := ""
	if req.Token != "" {
		key, err := db.tokenKey(ctx)
		if err != nil {
			return nil, err
		}
		if nonce, err = chorus.ParseCheckinToken(key, req.Token); err != nil {
			return &chorus.CheckinResult{Outcome: chorus.CheckinUnknown, Message: "这个二维码无效,请找工作人员。"}, nil
		}
	} else if req.EnrolmentID <= 0 && !chorus.IsCode(req.Code) {
		return nil, chorus.Errorf(chorus.EINVALID, "签到码是6位数字,请重新输入。")
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorStaff
	}
	var res chorus.CheckinResult
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeClass(ctx, tx, req.ClassID, nil); err != nil {
			return err
		}
		return tx.classCheckIn(ctx, req.ClassID, req.Code, nonce, req.EnrolmentID, req.At, req.Actor, &res)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// classOfToken returns the class of the enrolment whose token has nonce,
// when ctx's scope sees it.
func (tx *Tx) classOfToken(ctx context.Context, nonce string) (int64, bool, error) {
	var id, community int64
	err := tx.QueryRowContext(ctx, `SELECT k.id, k.community_id FROM enrolments n JOIN classes k ON k.programme_id = n.programme_id
		WHERE n.token_nonce = ?`, nonce).Scan(&id, &community)
	if err == sql.ErrNoRows {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("class of token: %w", err)
	}
	return id, chorus.ScopeFrom(ctx).Sees(community), nil
}

// classCheckIn checks in, at today's session of class classID (one the
// scope sees), the enrolment with code, or with the token of nonce when
// nonce is set, or enrolment (found by the door's search) when it is not
// 0; see ClassCheckIn. res.Booking tells the door who came:
// the name, the class's title and place, and the session's times.
func (tx *Tx) classCheckIn(ctx context.Context, classID int64, code, nonce string, enrolment int64, at time.Time, actor chorus.Actor, res *chorus.CheckinResult) error {
	if nonce != "" {
		// A QR code of something else answers so, in words.
		other, seen, err := tx.classOfToken(ctx, nonce)
		if err != nil {
			return err
		}
		var title string
		switch {
		case seen && other != classID:
			if err := tx.QueryRowContext(ctx, "SELECT title FROM classes WHERE id = ?", other).Scan(&title); err != nil {
				return fmt.Errorf("class %d: %w", other, err)
			}
			d := chorus.WrongClassDoor("课程", title)
			res.Outcome, res.Message = d.Outcome, d.Message
			return nil
		case !seen:
			var community int64
			err := tx.QueryRowContext(ctx, "SELECT e.title, e.community_id FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.token_nonce = ?",
				nonce).Scan(&title, &community)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("booking of token: %w", err)
			}
			if err == nil && chorus.ScopeFrom(ctx).Sees(community) {
				d := chorus.WrongClassDoor("活动", title)
				res.Outcome, res.Message = d.Outcome, d.Message
				return nil
			}
		}
	}
	var community, programme int64
	if err := tx.QueryRowContext(ctx, "SELECT community_id FROM classes WHERE id = ?", classID).Scan(&community); err != nil {
		return fmt.Errorf("class %d: %w", classID, err)
	}
	loc := tx.zoneOf(ctx, community)
	today := tx.now.In(loc).Format(time.DateOnly)
	f := chorus.ClassCheckinFacts{ClassID: classID}
	var start, end, place string
	if err := tx.QueryRowContext(ctx, `SELECT k.title, k.programme_id, k.start_time, k.end_time, p.name FROM classes k
		JOIN places p ON p.id = k.place_id WHERE k.id = ?`, classID).Scan(&f.Title, &programme, &start, &end, &place); err != nil {
		return fmt.Errorf("class %d: %w", classID, err)
	}
	err := tx.QueryRowContext(ctx, "SELECT id, class_id, date, status, reason FROM class_sessions WHERE class_id = ? AND date = ?",
		classID, today).Scan(&f.Session.ID, &f.Session.ClassID, &f.Session.Date, &f.Session.Status, &f.Session.Reason)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("today's session: %w", err)
	}
	if f.Start, err = time.ParseInLocation("2006-01-02 15:04", today+" "+start, loc); err != nil {
		f.Start = tx.now // a class's times are checked when it is saved
	}
	finish, err := time.ParseInLocation("2006-01-02 15:04", today+" "+end, loc)
	if err != nil {
		finish = f.Start
	}
	var id int64
	var present sql.NullInt64
	q := `SELECT n.id, n.name, n.status, a.at_ms FROM enrolments n
		LEFT JOIN class_attendance a ON a.enrolment_id = n.id AND a.session_id = ? AND a.mark = 'present' `
	switch {
	case nonce != "":
		err = tx.QueryRowContext(ctx, q+"WHERE n.programme_id = ? AND n.token_nonce = ?", f.Session.ID, programme, nonce).
			Scan(&id, &f.Name, &f.Status, &present)
	case enrolment > 0:
		err = tx.QueryRowContext(ctx, q+"WHERE n.programme_id = ? AND n.id = ?", f.Session.ID, programme, enrolment).
			Scan(&id, &f.Name, &f.Status, &present)
	default:
		// A live enrolment with the code first, else the latest that had it.
		err = tx.QueryRowContext(ctx, q+"WHERE n.programme_id = ? AND n.code = ? ORDER BY n.status IN "+liveIn+" DESC, n.id DESC LIMIT 1",
			f.Session.ID, programme, code).Scan(&id, &f.Name, &f.Status, &present)
	}
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("find enrolment: %w", err)
	}
	found := err == nil
	f.Present = fromMS(present)
	d := chorus.DecideClassCheckin(found, f, at, tx.now, loc)
	res.Outcome, res.Message = d.Outcome, d.Message
	if found && f.Session.ID != 0 {
		res.Booking = &chorus.Booking{Name: f.Name, EventTitle: f.Title, Place: place, SlotStart: f.Start, SlotEnd: finish,
			Status: f.Status, Community: community}
	}
	switch {
	case d.CheckIn:
		if _, err := tx.ExecContext(ctx, `INSERT INTO class_attendance (session_id, enrolment_id, mark, at_ms, actor) VALUES (?, ?, 'present', ?, ?)
			ON CONFLICT (session_id, enrolment_id) DO UPDATE SET mark = 'present', at_ms = excluded.at_ms, actor = excluded.actor`,
			f.Session.ID, id, d.At.UnixMilli(), actor); err != nil {
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
}
