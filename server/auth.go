package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "chorus_session"

// CSRFHeader carries the session's CSRF token on every change.
const CSRFHeader = "X-CSRF-Token"

// StaffStore is what staff authentication needs of storage.
type StaffStore interface {
	// Login checks a password and opens a session: token and CSRF token.
	Login(ctx context.Context, username, password, addr string) (*chorus.Staff, string, string, error)
	// Session returns a live session's staff member and CSRF token.
	Session(ctx context.Context, token string) (*chorus.Staff, string, error)
	// Logout ends a session.
	Logout(ctx context.Context, token string) error
	// Audit records a change made by a staff member.
	Audit(ctx context.Context, s *chorus.Staff, action, detail string) error
	// AuditLog returns the newest entries.
	AuditLog(ctx context.Context, limit int) ([]chorus.AuditEntry, error)
	// StaffList returns every account.
	StaffList(ctx context.Context) ([]chorus.Staff, error)
	// CreateStaff adds an account.
	CreateStaff(ctx context.Context, s *chorus.Staff, password string) error
	// SetStaff changes an account (and its password when not empty).
	SetStaff(ctx context.Context, s *chorus.Staff, password string) error
}

type staffKey struct{}

// StaffFrom returns the staff member a request was made by, or nil.
func StaffFrom(ctx context.Context) *chorus.Staff {
	s, _ := ctx.Value(staffKey{}).(*chorus.Staff)
	return s
}

// actor names the staff member of a request for transitions: staff:li.
func actor(r *http.Request) chorus.Actor {
	if s := StaffFrom(r.Context()); s != nil {
		return chorus.Actor("staff:" + s.Username)
	}
	return chorus.ActorStaff
}

// session returns the staff member and CSRF token of the request's cookie.
func (s *Server) session(r *http.Request) (*chorus.Staff, string, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, "", chorus.Errorf(chorus.EUNAUTHORIZED, "请先登录工作人员账号。")
	}
	return s.Staff.Session(r.Context(), c.Value)
}

// requireStaff admits requests with a live staff session of at least role;
// a change (any method but GET and HEAD) must also carry the session's CSRF
// token in X-CSRF-Token. Successful changes go to the audit log.
func (s *Server) requireStaff(role chorus.Role, fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		st, csrf, err := s.session(r)
		if err != nil {
			return err
		}
		if !st.Can(role) {
			return chorus.Errorf(chorus.EFORBIDDEN, "这件事只有管理员能做。")
		}
		return s.asStaff(w, r, st, csrf, fn)
	}
}

// asStaff runs fn for a staff member: a change must carry the session's
// CSRF token, the handler sees the staff member (actor, StaffFrom), and a
// successful change goes to the audit log.
func (s *Server) asStaff(w http.ResponseWriter, r *http.Request, st *chorus.Staff, csrf string, fn handlerFunc) error {
	change := r.Method != http.MethodGet && r.Method != http.MethodHead
	if change && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
		return chorus.Errorf(chorus.EFORBIDDEN, "页面已过期,请刷新后再试。")
	}
	r = r.WithContext(context.WithValue(r.Context(), staffKey{}, st))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if err := fn(sw, r); err != nil {
		return err
	}
	if change && sw.status < 400 {
		if err := s.Staff.Audit(r.Context(), st, r.Pattern, r.URL.Path); err != nil {
			s.Logger.Error("audit log", "err", err)
		}
	}
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if len(body.Username) > 64 || len(body.Password) > 200 {
		return chorus.Errorf(chorus.EUNAUTHORIZED, "用户名或密码不对。")
	}
	st, token, csrf, err := s.Staff.Login(r.Context(), body.Username, body.Password, s.clientAddr(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureRequest(r), MaxAge: int((7 * 24 * time.Hour).Seconds())})
	s.Staff.Audit(r.Context(), st, "POST /api/login", "登录")
	WriteJSON(w, http.StatusOK, map[string]any{"staff": s.staffView(*st), "csrf_token": csrf})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && len(c.Value) <= 128 {
		if err := s.Staff.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

// me tells a page who is logged in and the CSRF token to send.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	st, csrf, err := s.session(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"staff": s.staffView(*st), "csrf_token": csrf})
	return nil
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Staff.StaffList(r.Context())
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.staffView(list[i])
	}
	WriteJSON(w, http.StatusOK, map[string]any{"staff": list})
	return nil
}

// staffView is an account as the API shows it: times in the community's zone.
func (s *Server) staffView(st chorus.Staff) chorus.Staff {
	st.CreatedAt = st.CreatedAt.In(s.Location)
	return st
}

// writeStaff answers the stored account id, as StaffList reads it.
func (s *Server) writeStaff(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	list, err := s.Staff.StaffList(r.Context())
	if err != nil {
		return err
	}
	for _, st := range list {
		if st.ID == id {
			WriteJSON(w, status, s.staffView(st))
			return nil
		}
	}
	return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
}

type staffInput struct {
	chorus.Staff
	Password string `json:"password"`
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request) error {
	var in staffInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st := in.Staff
	st.ID, st.Disabled = 0, false
	if err := s.Staff.CreateStaff(r.Context(), &st, in.Password); err != nil {
		return err
	}
	return s.writeStaff(w, r, st.ID, http.StatusCreated)
}

func (s *Server) updateStaff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in staffInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st := in.Staff
	st.ID = id
	if me := StaffFrom(r.Context()); me != nil && me.ID == id && (st.Disabled || st.Role != chorus.RoleAdmin) {
		return chorus.Errorf(chorus.ECONFLICT, "不能停用自己或取消自己的管理员身份。")
	}
	if err := s.Staff.SetStaff(r.Context(), &st, in.Password); err != nil {
		return err
	}
	return s.writeStaff(w, r, id, http.StatusOK)
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Staff.AuditLog(r.Context(), 500)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].At = list[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"audit": list})
	return nil
}
