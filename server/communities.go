package server

import (
	"net/http"
	"strconv"

	"github.com/chorus-community/chorus"
)

// publicScope puts in a public route's context the community it asks
// about: ?community=N (an unknown one is a 404), else the caller's own when
// it is a kiosk (its bearer token) or a staff member (the session), else
// community 1. Public routes never act in the district's scope unless the
// caller is a district admin's session.
func (s *Server) publicScope(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if v := r.URL.Query().Get("community"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return noSuchCommunity()
			}
			if _, err := s.Store.CommunityByID(r.Context(), id); chorus.ErrorCode(err) == chorus.ENOTFOUND {
				return noSuchCommunity()
			} else if err != nil {
				return err
			}
			return fn(w, r.WithContext(chorus.WithScope(r.Context(), chorus.Scope{Community: id})))
		}
		if tok, ok := BearerToken(r); ok && s.Kiosks != nil {
			if k, err := s.Kiosks.KioskByToken(r.Context(), tok); err == nil {
				return fn(w, r.WithContext(chorus.WithScope(r.Context(), chorus.Scope{Community: k.Community})))
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && len(c.Value) <= 128 {
			if st, _, err := s.Staff.Session(r.Context(), c.Value); err == nil {
				return fn(w, r.WithContext(chorus.WithScope(r.Context(), staffScope(st))))
			}
		}
		return fn(w, r)
	}
}

func noSuchCommunity() error {
	return chorus.Errorf(chorus.ENOTFOUND, "没有这个社区,请检查网址里的社区编号。")
}

// communityView is a community as the district's API shows it.
type communityView struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	SignName   string `json:"sign_name"`
	TimeZone   string `json:"time_zone"`
	StaffPhone string `json:"staff_phone"`
}

func viewCommunity(c chorus.Community) communityView {
	return communityView{ID: c.ID, Name: c.Name, SignName: c.SignName, TimeZone: c.TimeZone, StaffPhone: c.StaffPhone}
}

// listCommunities answers the district's communities:
// GET /api/district/communities -> [{id, name, sign_name, time_zone,
// staff_phone}] ("" is the deployment's setting).
func (s *Server) listCommunities(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.Communities(r.Context())
	if err != nil {
		return err
	}
	out := make([]communityView, len(list))
	for i, c := range list {
		out[i] = viewCommunity(c)
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// addCommunity adds a community to the district: POST
// /api/district/communities {name, sign_name, time_zone?, staff_phone?}
// -> 201 and the community.
func (s *Server) addCommunity(w http.ResponseWriter, r *http.Request) error {
	var in communityView
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c := chorus.Community{Name: in.Name, SignName: in.SignName, TimeZone: in.TimeZone, StaffPhone: in.StaffPhone}
	if err := s.Store.AddCommunity(r.Context(), &c); err != nil {
		return err
	}
	auditChange(r, nil, viewCommunity(c))
	WriteJSON(w, http.StatusCreated, viewCommunity(c))
	return nil
}

// setCommunity changes a community's name, signature, time zone or staff
// phone: PUT /api/district/communities/{id}, only the fields sent ("" in
// time_zone or staff_phone: the deployment's).
func (s *Server) setCommunity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.Store.CommunityByID(r.Context(), id)
	if err != nil {
		return err
	}
	var in communityView
	if err := decodeOver(w, r, viewCommunity(*cur), &in); err != nil {
		return err
	}
	c := *cur
	c.Name, c.SignName, c.TimeZone, c.StaffPhone, c.PushSecret = in.Name, in.SignName, in.TimeZone, in.StaffPhone, ""
	if err := s.Store.SetCommunity(r.Context(), &c); err != nil {
		return err
	}
	viewZones.Delete(s) // a new time zone shows at once
	auditChange(r, viewCommunity(*cur), viewCommunity(c))
	WriteJSON(w, http.StatusOK, viewCommunity(c))
	return nil
}
