package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// AddMakeupSession adds a make-up session (补课) to a class of the scope's
// community on date, at the class's usual time and place, and texts
// everyone holding a place (session_makeup); see chorus.ClassService. It
// is a session like the others: its roster, check-in and the missed
// sessions rule count it.
func (db *DB) AddMakeupSession(ctx context.Context, classID int64, date string) (*chorus.ClassSession, error) {
	var s chorus.ClassSession
	err := db.update(ctx, func(tx *Tx) error {
		var community int64
		if err := seeClass(ctx, tx, classID, &community); err != nil {
			return err
		}
		c, err := scanClass(tx.QueryRowContext(ctx, "SELECT "+classCols+classFrom+"WHERE k.id = ?", classID))
		if err != nil {
			return fmt.Errorf("class %d: %w", classID, err)
		}
		sessions, err := classSessions(ctx, tx, classID)
		if err != nil {
			return err
		}
		today := tx.now.In(tx.zoneOf(ctx, community)).Format(time.DateOnly)
		if err := chorus.CheckMakeupSession(c, sessions, date, today); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO class_sessions (class_id, date, status, reason, changed_ms, makeup)
			VALUES (?, ?, 'scheduled', '', ?, 1)`, classID, date, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("insert make-up session: %w", err)
		}
		s = chorus.ClassSession{ClassID: classID, Date: date, Status: chorus.SessionScheduled, Makeup: true}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		tx.change.Programmes = append(tx.change.Programmes, c.ProgrammeID)
		return tx.tellMakeup(ctx, c, date)
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// tellMakeup texts everyone holding a place in class c that a make-up
// session is added on date.
func (tx *Tx) tellMakeup(ctx context.Context, c chorus.Class, date string) error {
	when := date + " " + c.StartTime
	if t, err := time.ParseInLocation("2006-01-02 15:04", when, tx.zoneOf(ctx, c.Community)); err == nil {
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
	}, "SELECT id, phone FROM enrolments WHERE programme_id = ? AND status IN ('confirmed', 'checked_in', 'offered') ORDER BY id", c.ProgrammeID)
	if err != nil {
		return fmt.Errorf("enrolled to tell: %w", err)
	}
	for _, w := range list {
		if err := tx.queue(ctx, chorus.Message{Phone: w.phone, Kind: chorus.MsgSessionMakeup, EnrolmentID: w.id,
			Params: map[string]string{"event": chorus.Ellipsize(c.Title, chorus.MaxParamRunes), "time": when,
				"place": chorus.Ellipsize(c.Place, chorus.MaxParamRunes)}}); err != nil {
			return err
		}
	}
	return nil
}
