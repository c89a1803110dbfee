package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// adminClasses lists the scope's community's classes of a period
// (?when=upcoming|past|cancelled|all|today), without their sessions.
func (s *Server) adminClasses(w http.ResponseWriter, r *http.Request) error {
	p, err := chorus.ParsePeriod(r.URL.Query().Get("when"))
	if err != nil {
		return err
	}
	list, err := s.Store.ListClasses(r.Context(), p, s.today())
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.classView(list[i])
	}
	WriteJSON(w, http.StatusOK, map[string]any{"classes": list})
	return nil
}

// getClass answers one class with its sessions.
func (s *Server) getClass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeClass(w, r, id, http.StatusOK)
}

// createClass stores a new class and lays out its sessions.
func (s *Server) createClass(w http.ResponseWriter, r *http.Request) error {
	var c chorus.Class
	if err := decode(w, r, &c); err != nil {
		return err
	}
	c.ID, c.Sessions = 0, nil
	if err := s.Store.CreateClass(r.Context(), &c); err != nil {
		return err
	}
	return s.writeClass(w, r, c.ID, http.StatusCreated)
}

// updateClass changes the fields sent of a class (decodeOver) and lays
// its sessions out again.
func (s *Server) updateClass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	current, err := s.Store.Class(r.Context(), id)
	if err != nil {
		return err
	}
	current.Sessions = nil
	var c chorus.Class
	if err := decodeOver(w, r, current, &c); err != nil {
		return err
	}
	c.ID, c.Sessions = id, nil
	if err := s.Store.UpdateClass(r.Context(), &c); err != nil {
		return err
	}
	return s.writeClass(w, r, id, http.StatusOK)
}

// cancelClassSession calls off a class's session of a date: body
// {"date":"2026-12-10","reason":"老师生病"}.
func (s *Server) cancelClassSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Date   string `json:"date"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	sess, err := s.Store.CancelClassSession(r.Context(), id, body.Date, actor(r), chorus.Shorten(body.Reason, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, sess)
	return nil
}

// addMakeupSession adds a make-up session (补课) to a class: body
// {"date":"2026-12-12"}; 201 with the session. Everyone holding a place
// is texted.
func (s *Server) addMakeupSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Date string `json:"date"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	sess, err := s.Store.AddMakeupSession(r.Context(), id, body.Date)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, sess)
	return nil
}

func (s *Server) writeClass(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	c, err := s.Store.Class(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, status, s.classView(*c))
	return nil
}

// classView is a class as the API shows it: times in the community's
// zone.
func (s *Server) classView(c chorus.Class) chorus.Class {
	c.CreatedAt = c.CreatedAt.In(s.Location)
	return c
}

// listClasses answers the open classes of the kiosk's (or ?community=)
// community that have not ended, for residents: {"classes": [Class]}
// without sessions.
func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.ListClasses(r.Context(), chorus.PeriodUpcoming, s.today())
	if err != nil {
		return err
	}
	open := []chorus.Class{}
	for _, c := range list {
		if c.Status == chorus.EventOpen {
			open = append(open, s.classView(c))
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"classes": open})
	return nil
}

// createClassEnrolment enrols a resident for a class's term at a kiosk:
// 201, or 200 for the phone's live enrolment.
func (s *Server) createClassEnrolment(w http.ResponseWriter, r *http.Request) error {
	var req chorus.ClassEnrolmentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.enrolClass(w, r, req)
}

// staffClassEnrolment enrols a resident who phoned or came to the desk.
func (s *Server) staffClassEnrolment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req chorus.ClassEnrolmentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	req.ClassID = id
	return s.enrolClass(w, r, req)
}

func (s *Server) enrolClass(w http.ResponseWriter, r *http.Request, req chorus.ClassEnrolmentRequest) error {
	if k := r.Header.Get("Idempotency-Key"); k != "" && req.IdempotencyKey == "" {
		req.IdempotencyKey = k
	}
	if err := s.phoneRequest(r, req.Phone); err != nil {
		return err
	}
	if err := s.unmaskName(r, &req.Name, req.Phone); err != nil {
		return err
	}
	req.Actor = residentActor(r)
	e, err := s.Store.EnrolClass(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if e.Existing {
		status = http.StatusOK
	}
	// As a booking's: the enrolment just made keeps its check-in code for
	// the done screen; one the phone already held shows none unless the
	// phone was verified (chorus.Viewer).
	v := s.viewer(r, e.Phone)
	if v == chorus.ViewerKiosk {
		v = chorus.ViewerKioskBooking
	}
	WriteJSON(w, status, s.enrolmentView(*e, v))
	return nil
}

// classEnrolments answers a class's enrolments (the term's roster and its
// waitlist) for staff.
func (s *Server) classEnrolments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.Store.ClassEnrolments(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.enrolmentView(list[i], chorus.ViewerStaff)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"enrolments": list})
	return nil
}

// classCheckin checks a resident in at today's session of a class by the
// 6-digit code of their enrolment or its QR code (staff at the door):
// body {"code": "123456"} or {"token": scanned /c/<token> URL or token},
// "at": optional time of an offline check-in; answers the outcome and the
// words to show, and who came (booking: name, class title, times), as an
// event's door does.
func (s *Server) classCheckin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req chorus.ClassCheckinRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	req.ClassID, req.Token, req.Actor = id, TokenFromScan(req.Token), actor(r)
	res, err := s.Store.ClassCheckIn(r.Context(), req)
	if err != nil {
		return err
	}
	if res.Booking != nil {
		b := s.bookingView(*res.Booking, chorus.ViewerDoor)
		res.Booking = &b
	}
	if !res.FirstAt.IsZero() {
		res.FirstAt = res.FirstAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}
