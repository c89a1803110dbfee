package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// holidaysImport runs `chorus holidays import [-db FILE] 2027.json`: it
// imports a year's 法定节假日 and 调休上班 days from a file in the
// holiday-cn format (the 国务院办公厅 announces them in Oct–Dec; Chorus
// never fetches them itself), lays out again the future sessions of every
// community's classes, and prints the sessions it skipped.
func holidaysImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus holidays import", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: chorus holidays import [-db FILE] HOLIDAY-CN-FILE.json")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("holidays import: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, chorus.MaxHolidayFileBytes+1))
	if err != nil {
		return fmt.Errorf("holidays import: %w", err)
	}
	year, days, err := chorus.ParseHolidayFile(data)
	if err != nil {
		return fmt.Errorf("holidays import: %s", chorus.ErrorMessage(err))
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("holidays import: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	imp, err := db.ImportHolidays(ctx, year, days)
	if err != nil {
		return fmt.Errorf("holidays import: %s", chorus.ErrorMessage(err))
	}
	off := 0
	for _, d := range days {
		if d.Kind == chorus.CalendarHoliday {
			off++
		}
	}
	fmt.Fprintf(stdout, "%d: %d days imported into %s (法定节假日 %d, 调休上班 %d); %d sessions skipped\n",
		year, imp.Days, *dbPath, off, imp.Days-off, len(imp.Skipped))
	for _, c := range imp.Skipped {
		fmt.Fprintf(stdout, "skipped\tcommunity %d\tclass %d %s\t%s\t%s\n", c.Community, c.ClassID, c.Class, c.Date, c.Holiday)
	}
	if imp.CalledOff > 0 {
		fmt.Fprintf(stdout, "%d booked open-hours sessions of venues called off (their residents are told by SMS)\n", imp.CalledOff)
	}
	for _, s := range imp.CalledOffSessions {
		fmt.Fprintf(stdout, "called off\t%s\t%s %s–%s\t%d told\n", s.Venue, s.Date, s.Start, s.End, s.Told)
	}
	for _, c := range imp.Restored {
		fmt.Fprintf(stdout, "back on\tcommunity %d\tclass %d %s\t%s\n", c.Community, c.ClassID, c.Class, c.Date)
	}
	return nil
}

// holidaysList runs `chorus holidays list [-db FILE] [-year 2027]`: the
// calendar's days of a year, one a line: date, kind, name.
func holidaysList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus holidays list", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	year := fs.Int("year", time.Now().Year(), "the year")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("holidays list: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	days, err := db.Holidays(ctx, *year)
	if err != nil {
		return err
	}
	for _, d := range days {
		kind := "法定节假日"
		if d.Kind == chorus.CalendarWorkday {
			kind = "调休上班"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", d.Date, kind, d.Name)
	}
	return nil
}
