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

// DeviceCookie marks a browser a staff member has logged in from: such a
// device is not held back by guesses made elsewhere (sqlite.DB.Login).
const DeviceCookie = "chorus_device"

// deviceCookieAge is how long a browser stays known without a login.
const deviceCookieAge = 180 * 24 * time.Hour

// CSRFHeader carries the session's CSRF token on every change.
const CSRFHeader = "X-CSRF-Token"

// StaffStore is what staff authentication needs of storage.
type StaffStore interface {
	// Login checks a password from an address and a device token and
	// opens a session.
	Login(ctx context.Context, username, password, addr, device string) (*chorus.LoginResult, error)
	// LoginThrottles lists the usernames and addresses that must wait.
	LoginThrottles(ctx context.Context) ([]chorus.LoginThrottle, error)
	// LiftThrottle forgets a username's or an address's failures.
	LiftThrottle(ctx context.Context, username, addr string) error
	// AuditChange records a change with its values before and after (JSON).
	AuditChange(ctx context.Context, s *chorus.Staff, action, detail, before, after string) error
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
	// SwitchCommunity moves a session to another community the staff
	// member works for and returns them as Session now does. Errors:
	// EFORBIDDEN (not theirs), ENOTFOUND.
	SwitchCommunity(ctx context.Context, token string, community int64) (*chorus.Staff, error)
	// LeaveCommunity takes an account out of the scope's community only.
	// Errors: ENOTFOUND (not working there), ECONFLICT (a district admin).
	LeaveCommunity(ctx context.Context, staffID int64) error
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

// requireDistrict admits requests with a live session of a district admin
// (街道管理员), held to what staff routes ask.
func (s *Server) requireDistrict(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		st, csrf, err := s.session(r)
		if err != nil {
			return err
		}
		if st.Disabled || !st.District {
			return chorus.Errorf(chorus.EFORBIDDEN, "这件事只有街道管理员能做。")
		}
		return s.asStaff(w, r, st, csrf, fn)
	}
}

// staffScope is the scope a staff member acts in: the session's community,
// and every community for a district admin.
func staffScope(st *chorus.Staff) chorus.Scope {
	return chorus.Scope{Community: st.Community, District: st.District}
}

// asStaff runs fn for a staff member: a change must carry the session's
// CSRF token, the handler sees the staff member (actor, StaffFrom) and
// acts in their scope (staffScope), and a successful change goes to the
// audit log.
func (s *Server) asStaff(w http.ResponseWriter, r *http.Request, st *chorus.Staff, csrf string, fn handlerFunc) error {
	change := r.Method != http.MethodGet && r.Method != http.MethodHead
	if change && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
		return chorus.Errorf(chorus.EFORBIDDEN, "页面已过期,请刷新后再试。")
	}
	ctx := chorus.WithScope(r.Context(), staffScope(st))
	r = r.WithContext(context.WithValue(ctx, staffKey{}, st))
	r, note := withAuditNote(r)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if err := fn(sw, r); err != nil {
		return err
	}
	if change && sw.status < 400 {
		before, after := note.values()
		if err := s.Staff.AuditChange(r.Context(), st, r.Pattern, s.redact(r.URL.Path), before, after); err != nil {
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
	device := ""
	if c, err := r.Cookie(DeviceCookie); err == nil {
		device = c.Value
	}
	res, err := s.Staff.Login(r.Context(), body.Username, body.Password, s.clientAddr(r), device)
	if err != nil {
		return err
	}
	secure := s.secureRequest(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure, MaxAge: int((7 * 24 * time.Hour).Seconds())})
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: res.Device, Path: "/api/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure, MaxAge: int(deviceCookieAge.Seconds())})
	s.Staff.Audit(chorus.WithScope(r.Context(), staffScope(res.Staff)), res.Staff, "POST /api/login", "登录")
	WriteJSON(w, http.StatusOK, map[string]any{"staff": s.staffView(*res.Staff), "csrf_token": res.CSRF})
	return nil
}

// logout ends the session. Like every change it needs the session's CSRF
// token, so that another site cannot log staff out; its cookie is cleared
// with the same attributes it was set with.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && len(c.Value) <= 128 {
		_, csrf, err := s.Staff.Session(r.Context(), c.Value)
		if err == nil && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
			return chorus.Errorf(chorus.EFORBIDDEN, "页面已过期,请刷新后再试。")
		}
		if err := s.Staff.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.secureRequest(r), MaxAge: -1})
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

// listThrottles shows the usernames and addresses that must wait before
// their next login: GET /api/admin/throttles.
func (s *Server) listThrottles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Staff.LoginThrottles(r.Context())
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Until = list[i].Until.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"throttles": list})
	return nil
}

// liftThrottle lets a username or an address try again at once:
// POST /api/admin/throttles/lift {"username"} or {"addr"}.
func (s *Server) liftThrottle(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Username string `json:"username"`
		Addr     string `json:"addr"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if err := s.Staff.LiftThrottle(r.Context(), body.Username, body.Addr); err != nil {
		return err
	}
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

// switchCommunity moves the session to another community the staff member
// works for (a district admin: any): POST /api/me/community
// {"community": N}. It answers as GET /api/me does, with the staff
// member's fields also at the top level. Errors: EFORBIDDEN (not theirs).
func (s *Server) switchCommunity(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Community int64 `json:"community"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.Community <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请选择要切换到的社区。")
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return chorus.Errorf(chorus.EUNAUTHORIZED, "请先登录工作人员账号。")
	}
	st, err := s.Staff.SwitchCommunity(r.Context(), c.Value, body.Community)
	if err != nil {
		return err
	}
	_, csrf, err := s.Staff.Session(r.Context(), c.Value)
	if err != nil {
		return err
	}
	view := s.staffView(*st)
	WriteJSON(w, http.StatusOK, switchAnswer{staffFields: view, Staff: view, CSRF: csrf})
	return nil
}

// staffFields names chorus.Staff embedded in switchAnswer.
type staffFields = chorus.Staff

// switchAnswer is the answer of POST /api/me/community: GET /api/me's
// (staff, csrf_token), with the staff member's fields at the top level
// too.
type switchAnswer struct {
	staffFields
	Staff chorus.Staff `json:"staff"`
	CSRF  string       `json:"csrf_token"`
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
	if me := StaffFrom(r.Context()); me == nil || !me.District {
		st.District = false // only a district admin makes another
	}
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
	list, err := s.Staff.StaffList(r.Context())
	if err != nil {
		return err
	}
	var in staffInput
	var current *chorus.Staff
	for i := range list {
		if list[i].ID == id {
			current = &list[i]
		}
	}
	if current == nil {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
	}
	// Only the fields sent change; the password never goes to the audit log.
	if err := decodeOver(w, r, s.staffView(*current), &in); err != nil {
		return err
	}
	auditChange(r, s.staffView(*current), in.Staff)
	st := in.Staff
	st.ID = id
	me := StaffFrom(r.Context())
	if me != nil && me.ID == id && (st.Disabled || st.Role != chorus.RoleAdmin || st.District != current.District) {
		return chorus.Errorf(chorus.ECONFLICT, "不能停用自己或取消自己的管理员身份。")
	}
	if me != nil && me.ID == id && current.Phone != "" && st.Phone != current.Phone {
		// The phone keeps a staff member from confirming their own
		// volunteer hours: another admin changes it.
		return chorus.Errorf(chorus.ECONFLICT, "不能修改自己的手机号,请另一位管理员修改。")
	}
	if me == nil || !me.District {
		// The list shows an admin the account's role in their own
		// community only; where else it works decides what they may change.
		wide := chorus.ScopeFrom(r.Context())
		wide.District = true
		all, err := s.Staff.StaffList(chorus.WithScope(r.Context(), wide))
		if err != nil {
			return err
		}
		full := *current
		for _, a := range all {
			if a.ID == id {
				full.Communities = a.Communities
			}
		}
		if err := communityAdminMayChange(me, &full, st, in.Password); err != nil {
			return err
		}
	}
	if err := s.Staff.SetStaff(r.Context(), &st, in.Password); err != nil {
		return err
	}
	return s.writeStaff(w, r, id, http.StatusOK)
}

// leaveCommunity answers DELETE /api/admin/staff/{id}/community: the
// account no longer works for the admin's current community; its other
// communities are untouched.
func (s *Server) leaveCommunity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if me := StaffFrom(r.Context()); me != nil && me.ID == id {
		return chorus.Errorf(chorus.ECONFLICT, "不能把自己移出本社区。")
	}
	if err := s.Staff.LeaveCommunity(r.Context(), id); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"id": id, "removed": true})
	return nil
}

// communityAdminMayChange refuses what a community's admin may not do to
// an account: make or unmake a district admin, or change the name,
// password or disabled state of a district admin or of someone who also
// works for a community where the admin is not one (that would hand them
// another community's account). The role in the admin's own community
// they may always set.
func communityAdminMayChange(me *chorus.Staff, current *chorus.Staff, st chorus.Staff, password string) error {
	if st.District != current.District {
		return chorus.Errorf(chorus.EFORBIDDEN, "只有街道管理员能设置街道管理员。")
	}
	if st.Name == current.Name && st.Disabled == current.Disabled && password == "" {
		return nil
	}
	mine := map[int64]bool{}
	if me != nil {
		for _, m := range me.Communities {
			mine[m.Community] = m.Role == chorus.RoleAdmin
		}
	}
	for _, m := range current.Communities {
		if !mine[m.Community] || current.District {
			return chorus.Errorf(chorus.EFORBIDDEN, "这位工作人员也在别的社区工作,改姓名、密码或停用请找街道管理员。")
		}
	}
	return nil
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
