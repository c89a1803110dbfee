package server

import (
	"context"
	"net/http"

	"github.com/chorus-community/chorus"
)

type kioskKey struct{}

// kioskFrom returns the paired kiosk a resident request came from, or nil
// (staff, or no such request).
func kioskFrom(ctx context.Context) *chorus.Kiosk {
	k, _ := ctx.Value(kioskKey{}).(*chorus.Kiosk)
	return k
}

// requireKioskOrStaff admits a paired kiosk (its bearer token, and within
// the kiosk's rate limits) or a staff session: every endpoint that acts for
// a resident or shows a resident's records. Staff are held to what staff
// routes ask (a change carries the CSRF token, is done in their name and
// goes to the audit log). Either acts in its own community (the kiosk's,
// the session's). Anyone else gets 401.
func (s *Server) requireKioskOrStaff(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, ok := BearerToken(r); ok && s.Kiosks != nil {
			k, err := s.authKiosk(r)
			if err != nil {
				return err
			}
			if err := s.limits().kioskRequest(k.ID, r.Method, s.Now()); err != nil {
				return err
			}
			ctx := chorus.WithScope(r.Context(), chorus.Scope{Community: k.Community})
			return fn(w, r.WithContext(context.WithValue(ctx, kioskKey{}, k)))
		}
		if st, csrf, err := s.session(r); err == nil {
			return s.asStaff(w, r, st, csrf, fn)
		}
		return chorus.Errorf(chorus.EUNAUTHORIZED, "请在社区自助机上办理,或请工作人员帮忙。")
	}
}

// viewer says what the caller of a resident route may see
// (chorus.Viewer): staff everything; a kiosk that proved the phone with
// an SMS code a little more than one where it was only typed.
func (s *Server) viewer(r *http.Request, phone string) chorus.Viewer {
	if StaffFrom(r.Context()) != nil {
		return chorus.ViewerStaff
	}
	if k := kioskFrom(r.Context()); k != nil && s.validProof(r.Context(), r.Header.Get(ProofHeader), phone, k.ID) {
		return chorus.ViewerKioskVerified
	}
	return chorus.ViewerKiosk
}

// residentActor is who a resident route acts as: the staff member, or the
// resident at a kiosk.
func residentActor(r *http.Request) chorus.Actor {
	if StaffFrom(r.Context()) != nil {
		return actor(r)
	}
	return chorus.ActorResident
}

// kioskID is the id of the request's kiosk, 0 for staff.
func kioskID(r *http.Request) int64 {
	if k := kioskFrom(r.Context()); k != nil {
		return k.ID
	}
	return 0
}

// requireProof refuses a kiosk's change to a phone's records (a cancel)
// unless the phone's SMS verification code was typed at that kiosk in the
// last few minutes; staff need none. Errors: EFORBIDDEN.
func (s *Server) requireProof(r *http.Request, phone string) error {
	if s.viewer(r, phone) >= chorus.ViewerKioskVerified {
		return nil
	}
	return chorus.Errorf(chorus.EFORBIDDEN, "为了保护您的预约,请先点“发验证码”,再输入短信里的6位验证码。")
}
