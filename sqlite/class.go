package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

var _ chorus.ClassService = (*DB)(nil)

// CreateClass stores a new class of the scope's community, at one of its
// places, with its sessions; see chorus.ClassService.
func (db *DB) CreateClass(ctx context.Context, c *chorus.Class) error {
	if err := c.Validate(); err != nil {
		return err
	}
	plan, err := chorus.PlanSessions(c.FirstDate, c.LastDate, c.Weekday, c.Skipped)
	if err != nil {
		return err
	}
	c.Community, c.CreatedAt = chorus.ScopeFrom(ctx).Community, db.Now()
	skipped, err := json.Marshal(skippedOrEmpty(c.Skipped))
	if err != nil {
		return err
	}
	err = db.update(ctx, func(tx *Tx) error {
		if err := tx.classRefs(ctx, c); err != nil {
			return err
		}
		minAge, maxAge := classAges(c)
		res, err := tx.insert(ctx, `INSERT INTO programmes (title, description, place_id, partner_id, start_date,
			end_date, min_age, max_age, capacity, status, created_ms, community_id, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'class')`,
			c.Title, c.Description, c.PlaceID, c.PartnerID, c.FirstDate, c.LastDate, minAge, maxAge, c.Capacity, c.Status,
			c.CreatedAt.UnixMilli(), c.Community)
		if err != nil {
			return fmt.Errorf("insert class's programme: %w", err)
		}
		if c.ProgrammeID, err = res.LastInsertId(); err != nil {
			return err
		}
		res, err = tx.insert(ctx, `INSERT INTO classes (community_id, title, description, teacher, partner_id, place_id,
			programme_id, weekday, start_time, end_time, first_date, last_date, skipped, capacity, min_age, max_age, status, created_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Community, c.Title, c.Description, c.Teacher, c.PartnerID, c.PlaceID, c.ProgrammeID, c.Weekday, c.StartTime, c.EndTime,
			c.FirstDate, c.LastDate, string(skipped), c.Capacity, c.MinAge, c.MaxAge, c.Status, c.CreatedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("insert class: %w", err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := tx.skipHolidays(ctx, plan, c); err != nil {
			return err
		}
		sessions, _ := chorus.ReplanSessions(nil, plan)
		return tx.saveSessions(ctx, c.ID, sessions, nil)
	})
	if err != nil {
		c.ID, c.ProgrammeID = 0, 0
	}
	return err
}

// classAges is the age range of a class's programme: the class's, or any
// age when it has none.
func classAges(c *chorus.Class) (int, int) {
	if c.MinAge == 0 && c.MaxAge == 0 {
		return 0, chorus.MaxClassAge
	}
	return c.MinAge, c.MaxAge
}

// UpdateClass changes a class of the scope's community and lays its
// sessions out again; see chorus.ClassService.
func (db *DB) UpdateClass(ctx context.Context, c *chorus.Class) error {
	if err := c.Validate(); err != nil {
		return err
	}
	plan, err := chorus.PlanSessions(c.FirstDate, c.LastDate, c.Weekday, c.Skipped)
	if err != nil {
		return err
	}
	skipped, err := json.Marshal(skippedOrEmpty(c.Skipped))
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := seeClass(ctx, tx, c.ID, &c.Community); err != nil {
			return err
		}
		if err := tx.classRefs(ctx, c); err != nil {
			return err
		}
		before, err := scanClass(tx.QueryRowContext(ctx, "SELECT "+classCols+classFrom+"WHERE k.id = ?", c.ID))
		if err != nil {
			return fmt.Errorf("class %d: %w", c.ID, err)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT g.id, g.taken FROM classes k JOIN programmes g ON g.id = k.programme_id
			WHERE k.id = ?`, c.ID).Scan(&c.ProgrammeID, &taken); err != nil {
			return fmt.Errorf("class's programme: %w", err)
		}
		if c.Capacity < taken {
			return chorus.Errorf(chorus.ECONFLICT, "已有%d人报名,名额不能少于%d。", taken, taken)
		}
		minAge, maxAge := classAges(c)
		if _, err := tx.ExecContext(ctx, `UPDATE programmes SET title = ?, description = ?, place_id = ?, partner_id = ?,
			start_date = ?, end_date = ?, min_age = ?, max_age = ?, capacity = ?, status = ? WHERE id = ?`,
			c.Title, c.Description, c.PlaceID, c.PartnerID, c.FirstDate, c.LastDate, minAge, maxAge, c.Capacity, c.Status,
			c.ProgrammeID); err != nil {
			return fmt.Errorf("update class's programme: %w", err)
		}
		tx.change.Programmes = append(tx.change.Programmes, c.ProgrammeID)
		if err := tx.offerPlaces(ctx, c.ProgrammeID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE classes SET title = ?, description = ?, teacher = ?, partner_id = ?,
			place_id = ?, weekday = ?, start_time = ?, end_time = ?, first_date = ?, last_date = ?, skipped = ?,
			capacity = ?, min_age = ?, max_age = ?, status = ? WHERE id = ?`,
			c.Title, c.Description, c.Teacher, c.PartnerID, c.PlaceID, c.Weekday, c.StartTime, c.EndTime,
			c.FirstDate, c.LastDate, string(skipped), c.Capacity, c.MinAge, c.MaxAge, c.Status, c.ID); err != nil {
			return fmt.Errorf("update class: %w", err)
		}
		old, err := classSessions(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := tx.skipHolidays(ctx, plan, c); err != nil {
			return err
		}
		// The sessions held keep their attendance: the past stays as it was.
		today := tx.now.In(tx.zoneOf(ctx, c.Community)).Format(time.DateOnly)
		sessions, dropped := chorus.ReplanFrom(old, plan, today)
		if err := tx.saveSessions(ctx, c.ID, sessions, dropped); err != nil {
			return err
		}
		if !chorus.ClassChanged(before, *c) {
			return nil
		}
		return tx.tellClassChanged(ctx, c, sessions, today)
	})
}

// tellClassChanged texts everyone holding a place in class c (not the
// waitlist) the class's new weekday, time and venue from its first session
// to come (class_changed), once each.
func (tx *Tx) tellClassChanged(ctx context.Context, c *chorus.Class, sessions []chorus.ClassSession, today string) error {
	told := *c
	if err := tx.QueryRowContext(ctx, "SELECT name FROM places WHERE id = ?", c.PlaceID).Scan(&told.Place); err != nil {
		return fmt.Errorf("class's place: %w", err)
	}
	params, ok := chorus.ClassChangedParams(told, sessions, today)
	if !ok {
		return nil
	}
	list, err := tx.holdingPlaces(ctx, c.ProgrammeID)
	if err != nil {
		return err
	}
	for _, w := range list {
		if err := tx.queue(ctx, chorus.Message{Phone: w.phone, Kind: chorus.MsgClassChanged, EnrolmentID: w.id,
			Community: c.Community, Params: params}); err != nil {
			return err
		}
	}
	return nil
}

// placeHolder is an enrolment holding a class's place, to be told.
type placeHolder struct {
	id    int64
	phone string
}

// holdingPlaces returns the enrolments holding a place in a class's
// programme (confirmed, checked in, or asked whether to keep it), oldest
// first; the waitlist is not among them.
func (tx *Tx) holdingPlaces(ctx context.Context, programme int64) ([]placeHolder, error) {
	list, err := queryRows(ctx, tx, func(rows rowScanner) (placeHolder, error) {
		var w placeHolder
		err := rows.Scan(&w.id, &w.phone)
		return w, err
	}, "SELECT id, phone FROM enrolments WHERE programme_id = ? AND status IN ('confirmed', 'checked_in', 'offered') ORDER BY id", programme)
	if err != nil {
		return nil, fmt.Errorf("enrolled to tell: %w", err)
	}
	return list, nil
}

// skipHolidays skips the sessions of plan that fall on a 法定节假日 of the
// calendar (chorus.HolidaySessions), without staff naming them.
func (tx *Tx) skipHolidays(ctx context.Context, plan []chorus.ClassSession, c *chorus.Class) error {
	cal, err := tx.holidays(ctx, c.FirstDate, c.LastDate)
	if err != nil {
		return err
	}
	chorus.HolidaySessions(plan, cal)
	return nil
}

// skippedOrEmpty keeps a class without holidays as [] rather than null.
func skippedOrEmpty(s []chorus.DateRange) []chorus.DateRange {
	if s == nil {
		return []chorus.DateRange{}
	}
	return s
}

// classRefs checks that a class's place is its community's and that its
// partner exists.
func (tx *Tx) classRefs(ctx context.Context, c *chorus.Class) error {
	if err := tx.checkRefs(ctx, c.PlaceID, c.PartnerID); err != nil {
		return err
	}
	return tx.checkPlaceOf(ctx, c.PlaceID, c.Community)
}

// saveSessions writes a class's sessions: new ones inserted, kept ones
// updated, dropped ones deleted.
func (tx *Tx) saveSessions(ctx context.Context, classID int64, sessions, dropped []chorus.ClassSession) error {
	now := tx.now.UnixMilli()
	for _, s := range dropped {
		// A session with attendance was held: it stays, marks and all.
		if _, err := tx.ExecContext(ctx, `DELETE FROM class_sessions WHERE id = ?1
			AND NOT EXISTS (SELECT 1 FROM class_attendance WHERE session_id = ?1)`, s.ID); err != nil {
			return fmt.Errorf("drop session: %w", err)
		}
	}
	for _, s := range sessions {
		if s.ID == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO class_sessions (class_id, date, status, reason, changed_ms, makeup) VALUES (?, ?, ?, ?, ?, ?)",
				classID, s.Date, s.Status, s.Reason, now, s.Makeup); err != nil {
				return fmt.Errorf("insert session: %w", err)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE class_sessions SET status = ?, reason = ?,
			changed_ms = CASE WHEN status = ? AND reason = ? THEN changed_ms ELSE ? END WHERE id = ?`,
			s.Status, s.Reason, s.Status, s.Reason, now, s.ID); err != nil {
			return fmt.Errorf("update session: %w", err)
		}
	}
	return nil
}

// seeClass returns ENOTFOUND unless ctx's scope sees class id, and its
// community in *community when community is not nil.
func seeClass(ctx context.Context, q rowQueryer, id int64, community *int64) error {
	var c int64
	if err := q.QueryRowContext(ctx, "SELECT community_id FROM classes WHERE id = ?", id).Scan(&c); err != nil {
		return notFound(err, "课程")
	}
	if !chorus.ScopeFrom(ctx).Sees(c) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个课程。")
	}
	if community != nil {
		*community = c
	}
	return nil
}

const classCols = `k.id, k.community_id, k.title, k.description, k.teacher, k.partner_id, COALESCE(pa.name, ''), k.place_id,
	p.name, k.weekday, k.start_time, k.end_time, k.first_date, k.last_date, k.skipped, k.capacity, k.min_age, k.max_age,
	k.status, k.created_ms, k.programme_id, g.taken,
	(SELECT COUNT(*) FROM enrolments n WHERE n.programme_id = g.id AND n.status = 'waitlisted')`

const classFrom = ` FROM classes k JOIN places p ON p.id = k.place_id LEFT JOIN partners pa ON pa.id = k.partner_id
	JOIN programmes g ON g.id = k.programme_id `

func scanClass(s rowScanner) (chorus.Class, error) {
	var c chorus.Class
	var skipped string
	var created sql.NullInt64
	err := s.Scan(&c.ID, &c.Community, &c.Title, &c.Description, &c.Teacher, &c.PartnerID, &c.Partner, &c.PlaceID,
		&c.Place, &c.Weekday, &c.StartTime, &c.EndTime, &c.FirstDate, &c.LastDate, &skipped, &c.Capacity, &c.MinAge,
		&c.MaxAge, &c.Status, &created, &c.ProgrammeID, &c.Taken, &c.Waiting)
	if err != nil {
		return c, err
	}
	c.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(skipped), &c.Skipped); err != nil {
		return c, fmt.Errorf("class %d skipped: %w", c.ID, err)
	}
	return c, nil
}

// Class returns one class of the scope's reach with its sessions; see
// chorus.ClassService.
func (db *DB) Class(ctx context.Context, id int64) (*chorus.Class, error) {
	c, err := scanClass(db.read.QueryRowContext(ctx, "SELECT "+classCols+classFrom+"WHERE k.id = ?", id))
	if err != nil {
		return nil, notFound(err, "课程")
	}
	if !chorus.ScopeFrom(ctx).Sees(c.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个课程。")
	}
	if c.Sessions, err = classSessions(ctx, db.read, id); err != nil {
		return nil, err
	}
	return &c, nil
}

// classSessions returns a class's sessions, oldest first.
func classSessions(ctx context.Context, q querier, classID int64) ([]chorus.ClassSession, error) {
	out, err := queryRows(ctx, q, func(s rowScanner) (chorus.ClassSession, error) {
		var c chorus.ClassSession
		err := s.Scan(&c.ID, &c.ClassID, &c.Date, &c.Status, &c.Reason, &c.Makeup)
		return c, err
	}, "SELECT id, class_id, date, status, reason, makeup FROM class_sessions WHERE class_id = ? ORDER BY date", classID)
	if err != nil {
		return nil, fmt.Errorf("class sessions: %w", err)
	}
	return out, nil
}

// ListClasses returns the scope's community's classes of a period; see
// chorus.ClassService. A class is upcoming until its last date.
func (db *DB) ListClasses(ctx context.Context, period chorus.Period, today string) ([]chorus.Class, error) {
	where, order, args := "WHERE k.community_id = ? ", "k.first_date DESC, k.id DESC", []any{chorus.ScopeFrom(ctx).Community}
	switch period {
	case chorus.PeriodUpcoming:
		where, order, args = where+"AND k.status != 'cancelled' AND k.last_date >= ? ", "k.first_date, k.id", append(args, today)
	case chorus.PeriodPast:
		where, args = where+"AND k.status != 'cancelled' AND k.last_date < ? ", append(args, today)
	case chorus.PeriodCancelled:
		where += "AND k.status = 'cancelled' "
	case chorus.PeriodToday:
		where, order = where+`AND k.status != 'cancelled' AND EXISTS (SELECT 1 FROM class_sessions s
			WHERE s.class_id = k.id AND s.date = ? AND s.status = 'scheduled') `, "k.start_time, k.id"
		args = append(args, today)
	}
	out, err := queryRows(ctx, db.read, scanClass, "SELECT "+classCols+classFrom+where+"ORDER BY "+order+" LIMIT ?",
		append(args, chorus.MaxListed)...)
	if err != nil {
		return nil, fmt.Errorf("classes: %w", err)
	}
	return out, nil
}

// CancelClassSession calls off one session of a class; see
// chorus.ClassService. "Today" is the class's community's date.
func (db *DB) CancelClassSession(ctx context.Context, classID int64, date string, actor chorus.Actor, reason string) (*chorus.ClassSession, error) {
	var s chorus.ClassSession
	err := db.update(ctx, func(tx *Tx) error {
		var community int64
		if err := seeClass(ctx, tx, classID, &community); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, "SELECT id, class_id, date, status, reason FROM class_sessions WHERE class_id = ? AND date = ?",
			classID, date).Scan(&s.ID, &s.ClassID, &s.Date, &s.Status, &s.Reason)
		if err == sql.ErrNoRows {
			return chorus.Errorf(chorus.ENOTFOUND, "这门课在%s没有课。", date)
		} else if err != nil {
			return err
		}
		today := tx.now.In(db.ZoneOf(ctx, community)).Format(time.DateOnly)
		if err := chorus.CheckCancelSession(s, today, reason); err != nil {
			return err
		}
		s.Status, s.Reason = chorus.SessionCancelled, strings.TrimSpace(reason)
		if _, err := tx.ExecContext(ctx, "UPDATE class_sessions SET status = ?, reason = ?, changed_ms = ? WHERE id = ?",
			s.Status, s.Reason, tx.now.UnixMilli(), s.ID); err != nil {
			return fmt.Errorf("cancel session: %w", err)
		}
		return tx.tellSessionCancelled(ctx, classID, date, s.Reason)
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// EnrolClass enrols a resident for a class's term through the class's
// programme: its enrolment rules, waitlist, offers and SMS; see
// chorus.ClassService.
func (db *DB) EnrolClass(ctx context.Context, req chorus.ClassEnrolmentRequest) (*chorus.Enrolment, error) {
	c, err := db.Class(ctx, req.ClassID)
	if err != nil {
		return nil, err
	}
	today := db.Now().In(db.ZoneOf(ctx, c.Community)).Format(time.DateOnly)
	if c.Status != chorus.EventOpen || c.LastDate < today {
		return nil, chorus.Errorf(chorus.ECONFLICT, "这门课已经停止报名了。")
	}
	e, err := req.Enrolment(c)
	if err != nil {
		return nil, err
	}
	return db.Enrol(ctx, e)
}

// ClassEnrolments returns a class's enrolments; see chorus.ClassService.
func (db *DB) ClassEnrolments(ctx context.Context, classID int64) ([]chorus.Enrolment, error) {
	var pid int64
	if err := seeClass(ctx, db.read, classID, nil); err != nil {
		return nil, err
	}
	if err := db.read.QueryRowContext(ctx, "SELECT programme_id FROM classes WHERE id = ?", classID).Scan(&pid); err != nil {
		return nil, fmt.Errorf("class's programme: %w", err)
	}
	return db.Enrolments(ctx, pid, "")
}
