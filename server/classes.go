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
