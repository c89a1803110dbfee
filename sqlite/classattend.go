package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// sessionOf returns the session of a class the scope sees on date, with
// the class's programme and community.
func sessionOf(ctx context.Context, q rowQueryer, classID int64, date string) (s chorus.ClassSession, programme, community int64, err error) {
	if err = seeClass(ctx, q, classID, &community); err != nil {
		return
	}
	err = q.QueryRowContext(ctx, `SELECT s.id, s.class_id, s.date, s.status, s.reason, k.programme_id FROM class_sessions s
		JOIN classes k ON k.id = s.class_id WHERE s.class_id = ? AND s.date = ?`, classID, date).
		Scan(&s.ID, &s.ClassID, &s.Date, &s.Status, &s.Reason, &programme)
	if err == sql.ErrNoRows {
		err = chorus.Errorf(chorus.ENOTFOUND, "这门课在%s没有课。", date)
	}
	return
}

// MarkAttendance records whether an enrolled resident came to the
// session of a class on date (mark present or absent), as staff tick the
// roster. Only a scheduled session of today or before may be marked.
// Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (db *DB) MarkAttendance(ctx context.Context, classID int64, date string, enrolmentID int64, mark string, actor chorus.Actor) error {
	if mark != chorus.AttendancePresent && mark != chorus.AttendanceAbsent {
		return chorus.Errorf(chorus.EINVALID, "出勤只能记为“到”或“未到”。")
	}
	return db.update(ctx, func(tx *Tx) error {
		s, programme, community, err := sessionOf(ctx, tx, classID, date)
		if err != nil {
			return err
		}
		if s.Status != chorus.SessionScheduled {
			return chorus.Errorf(chorus.ECONFLICT, "%s 这一节没有上课,不用记出勤。", date)
		}
		if today := tx.now.In(db.ZoneOf(ctx, community)).Format(time.DateOnly); date > today {
			return chorus.Errorf(chorus.ECONFLICT, "%s 这一节还没上,不能记出勤。", date)
		}
		var st chorus.Status
		if err := tx.QueryRowContext(ctx, "SELECT status FROM enrolments WHERE id = ? AND programme_id = ?", enrolmentID, programme).
			Scan(&st); err == sql.ErrNoRows {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
		} else if err != nil {
			return err
		}
		if !st.HoldsSeat() {
			return chorus.Errorf(chorus.ECONFLICT, "这个报名现在是“%s”,不在名单上。", st.Label())
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO class_attendance (session_id, enrolment_id, mark, at_ms, actor) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (session_id, enrolment_id) DO UPDATE SET mark = excluded.mark, at_ms = excluded.at_ms, actor = excluded.actor`,
			s.ID, enrolmentID, mark, tx.now.UnixMilli(), actor); err != nil {
			return fmt.Errorf("mark attendance: %w", err)
		}
		return nil
	})
}

// SessionRoster returns the roster of a class's session: every resident
// holding a place (confirmed, or asked to keep it), with their mark.
// Errors: ENOTFOUND.
func (db *DB) SessionRoster(ctx context.Context, classID int64, date string) ([]chorus.SessionAttendance, error) {
	s, programme, _, err := sessionOf(ctx, db.read, classID, date)
	if err != nil {
		return nil, err
	}
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.SessionAttendance, error) {
		var a chorus.SessionAttendance
		var at sql.NullInt64
		err := rows.Scan(&a.EnrolmentID, &a.Name, &a.Phone, &a.Mark, &at, &a.By)
		a.At = fromMS(at)
		return a, err
	}, `SELECT n.id, n.name, n.phone, COALESCE(a.mark, ''), a.at_ms, COALESCE(a.actor, '') FROM enrolments n
		LEFT JOIN class_attendance a ON a.enrolment_id = n.id AND a.session_id = ?
		WHERE n.programme_id = ? AND n.status IN ('confirmed', 'checked_in', 'offered') ORDER BY n.id`, s.ID, programme)
	if err != nil {
		return nil, fmt.Errorf("session roster: %w", err)
	}
	return out, nil
}

// ClassMarks returns every attendance mark of a class, for the export.
// Errors: ENOTFOUND.
func (db *DB) ClassMarks(ctx context.Context, classID int64) ([]chorus.ClassMark, error) {
	if err := seeClass(ctx, db.read, classID, nil); err != nil {
		return nil, err
	}
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.ClassMark, error) {
		var m chorus.ClassMark
		err := rows.Scan(&m.EnrolmentID, &m.Date, &m.Mark)
		return m, err
	}, `SELECT a.enrolment_id, s.date, a.mark FROM class_attendance a JOIN class_sessions s ON s.id = a.session_id
		WHERE s.class_id = ? ORDER BY s.date, a.enrolment_id`, classID)
	if err != nil {
		return nil, fmt.Errorf("class marks: %w", err)
	}
	return out, nil
}

// AskMissedClasses asks, by SMS, each confirmed resident of an open class
// who missed chorus.MissedToAsk held sessions in a row whose roster was
// taken (chorus.RollTaken, chorus.DecideKeepAsk) whether to keep the place: the enrolment becomes offered
// with a deadline chorus.ClassKeepTTL away, so that a reply 1 confirms it
// again through the reply path and silence lets ExpireEnrolmentOffers
// pass the place to the waitlist. Background work: every community, each
// in its own zone. It returns how many were asked.
func (db *DB) AskMissedClasses(ctx context.Context) (int, error) {
	type class struct {
		id, programme, community int64
		title                    string
	}
	since := db.Now().AddDate(0, 0, -8).UTC().Format(time.DateOnly)
	classes, err := queryRows(ctx, db.read, func(rows rowScanner) (class, error) {
		var c class
		err := rows.Scan(&c.id, &c.programme, &c.community, &c.title)
		return c, err
	}, `SELECT id, programme_id, community_id, title FROM classes WHERE status = 'open'
		AND (last_date >= ? OR EXISTS (SELECT 1 FROM class_sessions s WHERE s.class_id = classes.id AND s.date >= ?))`,
		since, since) // a make-up session may come after the last date
	if err != nil {
		return 0, fmt.Errorf("classes to check: %w", err)
	}
	asked := 0
	for _, c := range classes {
		now := db.Now()
		loc := db.ZoneOf(ctx, c.community)
		sessions, err := classSessions(ctx, db.read, c.id)
		if err != nil {
			return asked, err
		}
		marked, err := queryRows(ctx, db.read, scanValue[string], `SELECT DISTINCT s.date FROM class_attendance a
			JOIN class_sessions s ON s.id = a.session_id WHERE s.class_id = ?`, c.id)
		if err != nil {
			return asked, fmt.Errorf("rolls taken: %w", err)
		}
		taken := make(map[string]bool, len(marked))
		for _, d := range marked {
			taken[d] = true
		}
		held := chorus.RollTaken(chorus.HeldSessions(sessions, now.In(loc).Format(time.DateOnly)), taken)
		if len(held) < chorus.MissedToAsk {
			continue
		}
		type enrolled struct {
			id               int64
			createdMS        int64
			lastAsked, phone string
		}
		list, err := queryRows(ctx, db.read, func(rows rowScanner) (enrolled, error) {
			var e enrolled
			err := rows.Scan(&e.id, &e.createdMS, &e.lastAsked, &e.phone)
			return e, err
		}, `SELECT n.id, n.created_ms, COALESCE(k.asked_date, ''), n.phone FROM enrolments n
			LEFT JOIN class_keep k ON k.enrolment_id = n.id WHERE n.programme_id = ? AND n.status = 'confirmed'`, c.programme)
		if err != nil {
			return asked, fmt.Errorf("enrolments to check: %w", err)
		}
		for _, e := range list {
			present, err := db.presentDates(ctx, c.id, e.id)
			if err != nil {
				return asked, err
			}
			enrolledOn := time.UnixMilli(e.createdMS).In(loc).Format(time.DateOnly)
			about, ok := chorus.DecideKeepAsk(held, present, enrolledOn, e.lastAsked)
			if !ok {
				continue
			}
			err = db.update(ctx, func(tx *Tx) error {
				return tx.askToKeep(ctx, e.id, c.programme, c.title, about)
			})
			if chorus.ErrorCode(err) == chorus.ECONFLICT {
				continue // it changed meanwhile (a withdrawal)
			} else if err != nil {
				return asked, err
			}
			asked++
		}
	}
	return asked, nil
}

// presentDates returns the session dates of a class an enrolment was
// marked present at.
func (db *DB) presentDates(ctx context.Context, classID, enrolmentID int64) (map[string]bool, error) {
	dates, err := queryRows(ctx, db.read, scanValue[string], `SELECT s.date FROM class_attendance a
		JOIN class_sessions s ON s.id = a.session_id WHERE s.class_id = ? AND a.enrolment_id = ? AND a.mark = 'present'`,
		classID, enrolmentID)
	if err != nil {
		return nil, fmt.Errorf("present dates: %w", err)
	}
	m := make(map[string]bool, len(dates))
	for _, d := range dates {
		m[d] = true
	}
	return m, nil
}

// askToKeep moves a confirmed enrolment to offered with the keep
// deadline, remembers the session asked about and queues the SMS.
func (tx *Tx) askToKeep(ctx context.Context, enrolmentID, programme int64, title, about string) error {
	deadline := tx.now.Add(chorus.ClassKeepTTL)
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET status = 'offered', deadline_ms = ?, updated_ms = ?
		WHERE id = ? AND status = 'confirmed'`, deadline.UnixMilli(), tx.now.UnixMilli(), enrolmentID)
	if err != nil {
		return fmt.Errorf("ask to keep: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chorus.Errorf(chorus.ECONFLICT, "这个报名已经变了。")
	}
	reason := fmt.Sprintf("连续%d次未到,短信询问是否保留名额", chorus.MissedToAsk)
	if err := tx.record(ctx, "enrolment_id", enrolmentID, chorus.StatusConfirmed, chorus.StatusOffered, chorus.ActorSystem, reason); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO class_keep (enrolment_id, asked_date, asked_ms) VALUES (?, ?, ?)
		ON CONFLICT (enrolment_id) DO UPDATE SET asked_date = excluded.asked_date, asked_ms = excluded.asked_ms`,
		enrolmentID, about, tx.now.UnixMilli()); err != nil {
		return fmt.Errorf("remember the ask: %w", err)
	}
	var phone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM enrolments WHERE id = ?", enrolmentID).Scan(&phone); err != nil {
		return err
	}
	tx.change.Programmes = append(tx.change.Programmes, programme)
	return tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgClassKeep, EnrolmentID: enrolmentID,
		Params: map[string]string{"count": fmt.Sprint(chorus.MissedToAsk), "event": chorus.Ellipsize(title, chorus.MaxParamRunes),
			"hours": fmt.Sprint(chorus.OfferHours(deadline, tx.now))}})
}

// tellSessionCancelled texts everyone holding a place in a class that its
// session on date is called off.
func (tx *Tx) tellSessionCancelled(ctx context.Context, classID int64, date, reason string) error {
	var title, start string
	var programme, community int64
	if err := tx.QueryRowContext(ctx, "SELECT title, start_time, programme_id, community_id FROM classes WHERE id = ?", classID).
		Scan(&title, &start, &programme, &community); err != nil {
		return fmt.Errorf("class %d: %w", classID, err)
	}
	when := date + " " + start
	if t, err := time.ParseInLocation("2006-01-02 15:04", when, tx.db.ZoneOf(ctx, community)); err == nil {
		when = chorus.FormatWhen(t)
	}
	type who struct {
		id    int64
		phone string
	}
	list, err := queryRows(ctx, tx, func(rows rowScanner) (who, error) {
		var w who
		err := rows.Scan(&w.id, &w.phone)
		return w, err
	}, "SELECT id, phone FROM enrolments WHERE programme_id = ? AND status IN ('confirmed', 'checked_in', 'offered') ORDER BY id", programme)
	if err != nil {
		return fmt.Errorf("enrolled to tell: %w", err)
	}
	for _, w := range list {
		if err := tx.queue(ctx, chorus.Message{Phone: w.phone, Kind: chorus.MsgSessionOff, EnrolmentID: w.id,
			Params: map[string]string{"event": chorus.Ellipsize(title, chorus.MaxParamRunes), "time": when,
				"reason": chorus.Ellipsize(reason, chorus.MaxParamRunes)}}); err != nil {
			return err
		}
	}
	return nil
}
