package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"

	"github.com/chorus-community/chorus"
)

// sessionRoster answers the roster of a class's session
// (?date=2026-12-10): {"date", "status", "roster": [SessionAttendance]}.
func (s *Server) sessionRoster(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	roster, err := s.Store.SessionRoster(r.Context(), id, date)
	if err != nil {
		return err
	}
	for i := range roster {
		roster[i].At = roster[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"date": date, "roster": roster})
	return nil
}

// searchClassRoster finds, in today's roster of a class (the residents
// holding a place, not the waitlist), those named by the last 4 digits of
// the phone or part of the name (?q=), for the door's 查找: {"roster":
// [SessionAttendance]} with phones masked; ?date= reads another day's
// session's roster. The door checks one in with POST /api/admin/checkins
// {"class_id", "enrolment_id"}.
func (s *Server) searchClassRoster(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	if date == "" {
		date = s.today()
	}
	roster, err := s.Store.SessionRoster(r.Context(), id, date)
	if err != nil {
		return err
	}
	found, err := chorus.SearchRoster(roster, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	for i := range found {
		found[i].At = found[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"roster": found})
	return nil
}

// markAttendance records a mark: body {"date", "enrolment_id", "mark":
// "present"|"absent"}; answers the session's roster.
func (s *Server) markAttendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Date        string `json:"date"`
		EnrolmentID int64  `json:"enrolment_id"`
		Mark        string `json:"mark"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if err := s.Store.MarkAttendance(r.Context(), id, body.Date, body.EnrolmentID, body.Mark, actor(r)); err != nil {
		return err
	}
	roster, err := s.Store.SessionRoster(r.Context(), id, body.Date)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"date": body.Date, "roster": roster})
	return nil
}

// classAttendanceCSV exports a class's attendance for Excel, as the
// events' exports: one row per enrolment ever holding a place, one column
// per session held or to come (到 / 未到 / blank; 假期 and 停课 for the
// sessions that did not take place).
func (s *Server) classAttendanceCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Store.Class(r.Context(), id)
	if err != nil {
		return err
	}
	enrolments, err := s.Store.ClassEnrolments(r.Context(), id)
	if err != nil {
		return err
	}
	marks, err := s.Store.ClassMarks(r.Context(), id)
	if err != nil {
		return err
	}
	byKey := make(map[string]string, len(marks))
	for _, m := range marks {
		byKey[fmt.Sprint(m.EnrolmentID, m.Date)] = m.Mark
	}
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	header := []string{"姓名", "手机号", "报名状态"}
	for _, ss := range c.Sessions {
		header = append(header, ss.Date)
	}
	cw.Write(append(header, "到课次数"))
	for _, e := range enrolments {
		if e.Status == chorus.StatusWaitlisted || (e.Status == chorus.StatusCancelled && !attended(byKey, e.ID, c.Sessions)) {
			continue
		}
		row := []string{csvCell(e.Name), excelDigits(e.Phone), e.Status.Label()}
		present := 0
		for _, ss := range c.Sessions {
			cell := ""
			switch {
			case ss.Status == chorus.SessionSkipped:
				cell = "假期"
			case ss.Status == chorus.SessionCancelled:
				cell = "停课"
			case byKey[fmt.Sprint(e.ID, ss.Date)] == chorus.AttendancePresent:
				cell, present = "到", present+1
			case byKey[fmt.Sprint(e.ID, ss.Date)] == chorus.AttendanceAbsent:
				cell = "未到"
			}
			row = append(row, cell)
		}
		cw.Write(append(row, fmt.Sprint(present)))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(fmt.Sprintf("class-%d-attendance.csv", c.ID), fmt.Sprintf("出勤-%s-%s.csv", c.Title, c.FirstDate)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// attended reports whether an enrolment has any mark: a resident who
// withdrew after coming stays in the export.
func attended(marks map[string]string, id int64, sessions []chorus.ClassSession) bool {
	for _, ss := range sessions {
		if marks[fmt.Sprint(id, ss.Date)] != "" {
			return true
		}
	}
	return false
}
