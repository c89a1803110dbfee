package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/chorus-community/chorus"
)

// listHolidays answers the holiday calendar's days of ?year= (this year
// when absent). The calendar is deployment-wide: the same for every
// community.
func (s *Server) listHolidays(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(s.today()[:4])
	if q := r.URL.Query().Get("year"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil || y < 2000 || y > 2100 {
			return chorus.Errorf(chorus.EINVALID, "年份不对,应为 2026 这样的四位数。")
		}
		year = y
	}
	days, err := s.Store.Holidays(r.Context(), year)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"year": year, "days": days})
	return nil
}

// importHolidays imports a year's calendar sent as a holiday-cn file
// (chorus.ParseHolidayFile; its $schema and $id are allowed) and answers
// the import with the sessions it skipped. Any community's admin may
// import: the calendar is national and deployment-wide, and the import
// lays out again the classes of every community.
func (s *Server) importHolidays(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return chorus.Errorf(chorus.EINVALID, "请求格式不正确:请用 JSON。")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, chorus.MaxHolidayFileBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return chorus.Errorf(chorus.EINVALID, "节假日文件太大了(最多%d KB)。", chorus.MaxHolidayFileBytes>>10)
	}
	if err != nil {
		return chorus.Errorf(chorus.EINVALID, "请求内容没有收全,请重试。")
	}
	year, days, err := chorus.ParseHolidayFile(data)
	if err != nil {
		return err
	}
	imp, err := s.Store.ImportHolidays(r.Context(), year, days)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, imp)
	return nil
}

// saveHoliday is PUT /api/admin/holidays/{date}: staff add one day to the
// calendar or change it, body {"kind": "holiday"|"workday", "name": "国庆节",
// "follows": 1..7 (a 调休上班 day: the weekday whose rules it follows)}.
// The answer is an import's: the class sessions it skipped and the booked
// open-hours sessions it called off.
func (s *Server) saveHoliday(w http.ResponseWriter, r *http.Request) error {
	var d chorus.CalendarDay
	if err := decode(w, r, &d); err != nil {
		return err
	}
	d.Date, d.Source = r.PathValue("date"), ""
	imp, err := s.Store.SaveCalendarDay(r.Context(), d)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, imp)
	return nil
}

// deleteHoliday is DELETE /api/admin/holidays/{date}: the day becomes an
// ordinary day again; the answer is an import's.
func (s *Server) deleteHoliday(w http.ResponseWriter, r *http.Request) error {
	imp, err := s.Store.DeleteCalendarDay(r.Context(), r.PathValue("date"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, imp)
	return nil
}
