package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

func (s *Server) listProgrammes(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.Programmes(r.Context(), s.today())
	if err != nil {
		return err
	}
	return s.writeProgrammes(w, list)
}

// writeProgrammes answers {"programmes": […]} with times in the
// community's zone.
func (s *Server) writeProgrammes(w http.ResponseWriter, list []chorus.Programme) error {
	for i := range list {
		list[i] = s.programmeView(list[i])
	}
	WriteJSON(w, http.StatusOK, map[string]any{"programmes": list})
	return nil
}

func (s *Server) getProgramme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeProgramme(w, r, id, http.StatusOK)
}

func (s *Server) createProgramme(w http.ResponseWriter, r *http.Request) error {
	var p chorus.Programme
	if err := decode(w, r, &p); err != nil {
		return err
	}
	p.ID = 0
	if err := s.Store.CreateProgramme(r.Context(), &p); err != nil {
		return err
	}
	return s.writeProgramme(w, r, p.ID, http.StatusCreated)
}

func (s *Server) updateProgramme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// Only the fields sent change (decodeOver).
	current, err := s.Store.Programme(r.Context(), id)
	if err != nil {
		return err
	}
	var p chorus.Programme
	if err := decodeOver(w, r, current, &p); err != nil {
		return err
	}
	p.ID = id
	if err := s.Store.UpdateProgramme(r.Context(), &p); err != nil {
		return err
	}
	return s.writeProgramme(w, r, id, http.StatusOK)
}

func (s *Server) writeProgramme(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	p, err := s.Store.Programme(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, status, s.programmeView(*p))
	return nil
}

// programmeView is a programme as the API shows it: times in the
// community's zone.
func (s *Server) programmeView(p chorus.Programme) chorus.Programme {
	p.CreatedAt = p.CreatedAt.In(s.Location)
	return p
}

// createEnrolment enrols a guardian's children; 200 for an existing one.
func (s *Server) createEnrolment(w http.ResponseWriter, r *http.Request) error {
	return s.enrol(w, r, false)
}

// staffEnrolment enrols the children of a guardian who phoned or came to
// the desk, answering the full phone.
func (s *Server) staffEnrolment(w http.ResponseWriter, r *http.Request) error {
	return s.enrol(w, r, true)
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request, staff bool) error {
	var req chorus.EnrolmentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
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
	if staff {
		req.Actor = actor(r)
	}
	e, err := s.Store.Enrol(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if e.Existing {
		status = http.StatusOK
	}
	WriteJSON(w, status, s.enrolmentView(*e, s.viewer(r, e.Phone)))
	return nil
}

func (s *Server) lookupEnrolments(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	list, err := s.Store.Enrolments(r.Context(), 0, phone)
	if err != nil {
		return err
	}
	list = ownOrStaffs(r, list, func(e chorus.Enrolment) int64 { return e.Community })
	v := s.viewer(r, phone)
	for i := range list {
		list[i] = s.enrolmentView(list[i], v)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"enrolments": list})
	return nil
}

// cancelEnrolment cancels a guardian's enrolment; the phone must match,
// and a kiosk must have had the phone's SMS verification code typed.
func (s *Server) cancelEnrolment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := decodePhone(w, r)
	if err != nil {
		return err
	}
	list, err := s.Store.Enrolments(r.Context(), 0, phone)
	if err != nil {
		return err
	}
	list = ownOrStaffs(r, list, func(e chorus.Enrolment) int64 { return e.Community })
	var own *chorus.Enrolment
	for i := range list {
		if list[i].ID == id {
			own = &list[i]
		}
	}
	if own == nil {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
	}
	if err := s.requireProof(r, phone); err != nil {
		return err
	}
	reason := "家长取消"
	if StaffFrom(r.Context()) != nil {
		reason = "工作人员代家长取消"
	}
	// The guardian's own enrolment is cancelled in its programme's
	// community, whatever the kiosk's.
	ctx := chorus.WithScope(r.Context(), chorus.Scope{Community: own.Community})
	e, err := s.Store.CancelEnrolment(ctx, id, residentActor(r), reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.enrolmentView(*e, s.viewer(r, phone)))
	return nil
}

func (s *Server) programmeEnrolments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.Programme(r.Context(), id); err != nil {
		return err
	}
	list, err := s.Store.Enrolments(r.Context(), id, "")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.enrolmentView(list[i], chorus.ViewerStaff)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"enrolments": list})
	return nil
}

// adminProgrammes lists programmes for staff by period, whatever their
// status; see adminEvents.
func (s *Server) adminProgrammes(w http.ResponseWriter, r *http.Request) error {
	p, err := chorus.ParsePeriod(r.URL.Query().Get("when"))
	if err != nil {
		return err
	}
	list, err := s.Store.ListProgrammes(r.Context(), p, s.today())
	if err != nil {
		return err
	}
	return s.writeProgrammes(w, list)
}

// cancelProgramme calls a programme off; every guardian enrolled is told.
func (s *Server) cancelProgramme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason, err := decodeReason(w, r)
	if err != nil {
		return err
	}
	p, err := s.Store.CancelProgramme(r.Context(), id, actor(r), reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.programmeView(*p))
	return nil
}

// staffCancelEnrolment cancels an enrolment; the guardian is told.
func (s *Server) staffCancelEnrolment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason, err := decodeReason(w, r)
	if err != nil {
		return err
	}
	e, err := s.Store.CancelEnrolment(r.Context(), id, actor(r), reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.enrolmentView(*e, chorus.ViewerStaff))
	return nil
}

// confirmEnrolment takes the places offered to a waitlisted enrolment on
// the guardian's behalf (they phoned instead of replying 1).
func (s *Server) confirmEnrolment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct{}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	e, err := s.Store.ConfirmEnrolmentOffer(r.Context(), id, actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.enrolmentView(*e, chorus.ViewerStaff))
	return nil
}
