package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// ImportHolidays replaces a year's days of the deployment-wide holiday
// calendar with days (from chorus.ParseHolidayFile) and, in the same
// transaction, lays out again the sessions of every class of every
// community from today on: a session on a 法定节假日 is skipped with the
// holiday's name as its reason, session ids are kept. It returns the
// sessions the import newly skipped (the clash report).
func (db *DB) ImportHolidays(ctx context.Context, year int, days []chorus.CalendarDay) (*chorus.HolidayImport, error) {
	out := &chorus.HolidayImport{Year: year, Days: len(days), Skipped: []chorus.HolidayClash{}}
	err := db.update(ctx, func(tx *Tx) error {
		out.Skipped = out.Skipped[:0]
		if _, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE date LIKE ?", strconv.Itoa(year)+"-%"); err != nil {
			return fmt.Errorf("clear calendar: %w", err)
		}
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, "INSERT INTO calendar_days (date, kind, name, source, imported_ms) VALUES (?, ?, ?, ?, ?)",
				d.Date, d.Kind, d.Name, d.Source, tx.now.UnixMilli()); err != nil {
				return fmt.Errorf("insert calendar day %s: %w", d.Date, err)
			}
		}
		return tx.replanHolidays(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// replanHolidays lays out the future sessions of every class not over
// again with the calendar, adding the sessions it skipped to imp.
func (tx *Tx) replanHolidays(ctx context.Context, imp *chorus.HolidayImport) error {
	today := tx.now.In(tx.db.Location).Format(time.DateOnly)
	type row struct {
		id, community            int64
		title, first, last, skip string
		weekday                  int
	}
	classes, err := queryRows(ctx, tx, func(s rowScanner) (row, error) {
		var r row
		err := s.Scan(&r.id, &r.community, &r.title, &r.weekday, &r.first, &r.last, &r.skip)
		return r, err
	}, `SELECT id, community_id, title, weekday, first_date, last_date, skipped FROM classes
		WHERE last_date >= ? AND status != 'cancelled' ORDER BY id`, today)
	if err != nil {
		return fmt.Errorf("classes to replan: %w", err)
	}
	for _, c := range classes {
		var skipped []chorus.DateRange
		if err := json.Unmarshal([]byte(c.skip), &skipped); err != nil {
			return fmt.Errorf("class %d skipped: %w", c.id, err)
		}
		plan, err := chorus.PlanSessions(c.first, c.last, c.weekday, skipped)
		if err != nil {
			continue // a class stored before a rule changed: leave it as it is
		}
		cal, err := tx.holidays(ctx, c.first, c.last)
		if err != nil {
			return err
		}
		chorus.HolidaySessions(plan, cal)
		old, err := classSessions(ctx, tx, c.id)
		if err != nil {
			return err
		}
		was := make(map[string]chorus.SessionStatus, len(old))
		for _, s := range old {
			was[s.Date] = s.Status
		}
		sessions, dropped := chorus.ReplanSessions(old, plan)
		var keep, drop []chorus.ClassSession
		for _, s := range sessions {
			if s.Date < today {
				continue // the past stays as it was
			}
			keep = append(keep, s)
			if d, ok := cal[s.Date]; ok && s.Status == chorus.SessionSkipped && s.Reason == d.Name && was[s.Date] != chorus.SessionSkipped {
				imp.Skipped = append(imp.Skipped, chorus.HolidayClash{Community: c.community, ClassID: c.id, Class: c.title,
					Date: s.Date, Holiday: d.Name})
			}
		}
		for _, s := range dropped {
			if s.Date >= today {
				drop = append(drop, s)
			}
		}
		if err := tx.saveSessions(ctx, c.id, keep, drop); err != nil {
			return err
		}
	}
	return nil
}

// holidays returns the calendar's 法定节假日 from first to last (dates
// included), by date.
func (tx *Tx) holidays(ctx context.Context, first, last string) (map[string]chorus.CalendarDay, error) {
	days, err := calendarDays(ctx, tx, "kind = 'holiday' AND date BETWEEN ? AND ?", first, last)
	if err != nil {
		return nil, err
	}
	m := make(map[string]chorus.CalendarDay, len(days))
	for _, d := range days {
		m[d.Date] = d
	}
	return m, nil
}

// Holidays returns the calendar's days of a year (法定节假日 and 调休上班),
// oldest first. The calendar is deployment-wide.
func (db *DB) Holidays(ctx context.Context, year int) ([]chorus.CalendarDay, error) {
	return calendarDays(ctx, db.read, "date LIKE ?", strconv.Itoa(year)+"-%")
}

func calendarDays(ctx context.Context, q querier, where string, args ...any) ([]chorus.CalendarDay, error) {
	out, err := queryRows(ctx, q, func(s rowScanner) (chorus.CalendarDay, error) {
		var d chorus.CalendarDay
		err := s.Scan(&d.Date, &d.Kind, &d.Name, &d.Source)
		return d, err
	}, "SELECT date, kind, name, source FROM calendar_days WHERE "+where+" ORDER BY date", args...)
	if err != nil {
		return nil, fmt.Errorf("calendar days: %w", err)
	}
	if out == nil {
		out = []chorus.CalendarDay{}
	}
	return out, nil
}
