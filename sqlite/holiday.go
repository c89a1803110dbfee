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
	out := &chorus.HolidayImport{Year: year, Days: len(days), Skipped: []chorus.HolidayClash{}, Restored: []chorus.HolidayClash{}}
	err := db.update(ctx, func(tx *Tx) error {
		out.Skipped, out.Restored = out.Skipped[:0], out.Restored[:0]
		// The weekday staff said a 调休上班 day follows outlives a new
		// import of the same day (files never say it).
		old, err := calendarDays(ctx, tx, "date LIKE ?", strconv.Itoa(year)+"-%")
		if err != nil {
			return err
		}
		follows := map[string]int{}
		for _, d := range old {
			if d.Kind == chorus.CalendarWorkday {
				follows[d.Date] = d.Follows
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE date LIKE ?", strconv.Itoa(year)+"-%"); err != nil {
			return fmt.Errorf("clear calendar: %w", err)
		}
		for _, d := range days {
			if d.Kind == chorus.CalendarWorkday && d.Follows == 0 {
				d.Follows = follows[d.Date]
			}
			if err := tx.putCalendarDay(ctx, d); err != nil {
				return err
			}
		}
		return tx.afterCalendar(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) putCalendarDay(ctx context.Context, d chorus.CalendarDay) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (date, kind, name, source, follows, imported_ms) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source,
		follows = excluded.follows, imported_ms = excluded.imported_ms`,
		d.Date, d.Kind, d.Name, d.Source, d.Follows, tx.now.UnixMilli()); err != nil {
		return fmt.Errorf("calendar day %s: %w", d.Date, err)
	}
	return nil
}

// afterCalendar lays out again, after the calendar changed, the sessions of
// every class and the open-hours weeks of every venue, as an import does.
func (tx *Tx) afterCalendar(ctx context.Context, out *chorus.HolidayImport) error {
	if err := tx.replanHolidays(ctx, out); err != nil {
		return err
	}
	off, err := tx.relayVenues(ctx)
	if err != nil {
		return err
	}
	out.CalledOff, out.CalledOffSessions = len(off), append([]chorus.CalledOffSession{}, off...)
	return nil
}

// SaveCalendarDay adds one day to the deployment-wide holiday calendar, or
// changes it (its kind, name, the weekday a 调休上班 day follows), and lays
// out again every class's sessions and every venue's open hours from
// today, as an import does. Errors: EINVALID.
func (db *DB) SaveCalendarDay(ctx context.Context, d chorus.CalendarDay) (*chorus.HolidayImport, error) {
	if err := chorus.CheckCalendarDay(&d); err != nil {
		return nil, err
	}
	year, _ := strconv.Atoi(d.Date[:4])
	out := &chorus.HolidayImport{Year: year, Days: 1, Skipped: []chorus.HolidayClash{}, Restored: []chorus.HolidayClash{}}
	err := db.update(ctx, func(tx *Tx) error {
		out.Skipped, out.Restored = out.Skipped[:0], out.Restored[:0]
		if err := tx.putCalendarDay(ctx, d); err != nil {
			return err
		}
		return tx.afterCalendar(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteCalendarDay takes one day off the holiday calendar (it becomes an
// ordinary day) and lays out again every class's sessions and every
// venue's open hours from today. Errors: ENOTFOUND.
func (db *DB) DeleteCalendarDay(ctx context.Context, date string) (*chorus.HolidayImport, error) {
	out := &chorus.HolidayImport{Skipped: []chorus.HolidayClash{}, Restored: []chorus.HolidayClash{}}
	err := db.update(ctx, func(tx *Tx) error {
		out.Skipped, out.Restored = out.Skipped[:0], out.Restored[:0]
		res, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE date = ?", date)
		if err != nil {
			return fmt.Errorf("delete calendar day %s: %w", date, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ENOTFOUND, "节假日安排里没有%s这一天。", chorus.Shorten(date, 20))
		}
		out.Year, _ = strconv.Atoi(date[:4])
		return tx.afterCalendar(ctx, out)
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
		id, community, programme        int64
		title, first, last, skip, start string
		weekday                         int
	}
	classes, err := queryRows(ctx, tx, func(s rowScanner) (row, error) {
		var r row
		err := s.Scan(&r.id, &r.community, &r.title, &r.weekday, &r.first, &r.last, &r.skip, &r.programme, &r.start)
		return r, err
	}, `SELECT id, community_id, title, weekday, first_date, last_date, skipped, programme_id, start_time FROM classes
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
		reasons := make(map[string]string, len(old))
		for _, s := range old {
			was[s.Date], reasons[s.Date] = s.Status, s.Reason
		}
		sessions, dropped := chorus.ReplanSessions(old, plan)
		var keep, drop []chorus.ClassSession
		var told, restored []chorus.HolidayClash
		for _, s := range sessions {
			if s.Date < today {
				continue // the past stays as it was
			}
			keep = append(keep, s)
			if s.Status == chorus.SessionScheduled && was[s.Date] == chorus.SessionSkipped {
				restored = append(restored, chorus.HolidayClash{Community: c.community, ClassID: c.id, Class: c.title,
					Date: s.Date, Holiday: reasons[s.Date]})
			}
			if d, ok := cal[s.Date]; ok && s.Status == chorus.SessionSkipped && s.Reason == d.Name && was[s.Date] != chorus.SessionSkipped {
				told = append(told, chorus.HolidayClash{Community: c.community, ClassID: c.id, Class: c.title,
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
		for _, clash := range told {
			if err := tx.tellHolidaySkipped(ctx, c.programme, c.start, clash); err != nil {
				return err
			}
		}
		imp.Skipped = append(imp.Skipped, told...)
		for _, back := range restored {
			if err := tx.tellSessionBack(ctx, c.programme, c.start, back); err != nil {
				return err
			}
		}
		imp.Restored = append(imp.Restored, restored...)
	}
	return nil
}

// tellSessionBack texts everyone holding a place in the class (its
// programme) who was told its session of back.Date was off for a holiday
// (a session_holiday SMS naming that session) that it is on again:
// session_back, one each. Residents enrolled since, never told it was
// off, and the waitlist are not told.
func (tx *Tx) tellSessionBack(ctx context.Context, programme int64, start string, back chorus.HolidayClash) error {
	when := back.Date + " " + start
	if t, err := time.ParseInLocation("2006-01-02 15:04", when, tx.db.ZoneOf(ctx, back.Community)); err == nil {
		when = chorus.FormatWhen(t)
	}
	list, err := queryRows(ctx, tx, func(rows rowScanner) (placeHolder, error) {
		var w placeHolder
		err := rows.Scan(&w.id, &w.phone)
		return w, err
	}, `SELECT n.id, n.phone FROM enrolments n WHERE n.programme_id = ? AND n.status IN ('confirmed', 'checked_in', 'offered')
		AND EXISTS (SELECT 1 FROM messages m WHERE m.enrolment_id = n.id AND m.phone = n.phone AND m.kind = 'session_holiday'
			AND json_extract(m.params, '$.time') = ?) ORDER BY n.id`, programme, when)
	if err != nil {
		return fmt.Errorf("told of the holiday: %w", err)
	}
	for _, w := range list {
		if err := tx.queue(ctx, chorus.Message{Phone: w.phone, Kind: chorus.MsgSessionBack, EnrolmentID: w.id, Community: back.Community,
			Params: map[string]string{"event": chorus.Ellipsize(back.Class, chorus.MaxParamRunes), "time": when}}); err != nil {
			return err
		}
	}
	return nil
}

// tellHolidaySkipped texts everyone holding a place in the class (its
// programme) that its session of clash.Date is skipped for the holiday:
// one SMS each, naming the date and the holiday. The waitlist is not told.
func (tx *Tx) tellHolidaySkipped(ctx context.Context, programme int64, start string, clash chorus.HolidayClash) error {
	when := clash.Date + " " + start
	if t, err := time.ParseInLocation("2006-01-02 15:04", when, tx.db.ZoneOf(ctx, clash.Community)); err == nil {
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
		if err := tx.queue(ctx, chorus.Message{Phone: w.phone, Kind: chorus.MsgSessionHoliday, EnrolmentID: w.id, Community: clash.Community,
			Params: map[string]string{"event": chorus.Ellipsize(clash.Class, chorus.MaxParamRunes), "time": when,
				"holiday": chorus.Ellipsize(clash.Holiday, chorus.MaxParamRunes)}}); err != nil {
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

// calendar returns the calendar's days (法定节假日 and 调休上班) from first
// to last (dates included), by date.
func (tx *Tx) calendar(ctx context.Context, first, last string) (map[string]chorus.CalendarDay, error) {
	days, err := calendarDays(ctx, tx, "date BETWEEN ? AND ?", first, last)
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
		err := s.Scan(&d.Date, &d.Kind, &d.Name, &d.Source, &d.Follows)
		return d, err
	}, "SELECT date, kind, name, source, follows FROM calendar_days WHERE "+where+" ORDER BY date", args...)
	if err != nil {
		return nil, fmt.Errorf("calendar days: %w", err)
	}
	if out == nil {
		out = []chorus.CalendarDay{}
	}
	return out, nil
}
