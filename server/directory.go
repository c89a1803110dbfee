package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// communityAnswer is GET /api/community: the community and the time zone
// the pages show every time in (an IANA name, Asia/Shanghai).
type communityAnswer struct {
	*chorus.Community
	TimeZone string `json:"time_zone"`
}

func (s *Server) getCommunity(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Store.Community(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, communityAnswer{Community: c, TimeZone: c.TimeZoneOr(s.Location.String())})
	return nil
}

func (s *Server) listPlaces(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.Places(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"places": list})
	return nil
}

func (s *Server) listEstates(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.Estates(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"estates": list})
	return nil
}

func (s *Server) listPartners(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Store.Partners(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"partners": list})
	return nil
}

// idFor sets *id from the path on PUT and to 0 on POST.
func idFor(r *http.Request, id *int64) error {
	if r.Method != http.MethodPut {
		*id = 0
		return nil
	}
	v, err := pathID(r, "id")
	*id = v
	return err
}

// saved answers 201 for a created item and 200 for an updated one.
func saved(w http.ResponseWriter, r *http.Request, v any) error {
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	WriteJSON(w, status, v)
	return nil
}

func (s *Server) savePlace(w http.ResponseWriter, r *http.Request) error {
	var p chorus.Place
	if err := decodeSaved(w, r, s.Store.Places, func(x *chorus.Place) int64 { return x.ID }, &p); err != nil {
		return err
	}
	if err := idFor(r, &p.ID); err != nil {
		return err
	}
	if err := s.Store.SavePlace(r.Context(), &p); err != nil {
		return err
	}
	return saved(w, r, p)
}

func (s *Server) saveEstate(w http.ResponseWriter, r *http.Request) error {
	var e chorus.Estate
	if err := decodeSaved(w, r, s.Store.Estates, func(x *chorus.Estate) int64 { return x.ID }, &e); err != nil {
		return err
	}
	if err := idFor(r, &e.ID); err != nil {
		return err
	}
	if err := s.Store.SaveEstate(r.Context(), &e); err != nil {
		return err
	}
	return saved(w, r, e)
}

func (s *Server) savePartner(w http.ResponseWriter, r *http.Request) error {
	var p chorus.Partner
	if err := decodeSaved(w, r, s.Store.Partners, func(x *chorus.Partner) int64 { return x.ID }, &p); err != nil {
		return err
	}
	if err := idFor(r, &p.ID); err != nil {
		return err
	}
	if err := s.Store.SavePartner(r.Context(), &p); err != nil {
		return err
	}
	return saved(w, r, p)
}

// knownNames lists the names used with a phone, for the kiosk's name
// picker (names are chosen, never typed); a kiosk sees them masked (李**)
// and sends the masked name back (unmaskName).
func (s *Server) knownNames(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	names, err := s.Store.KnownNames(r.Context(), phone)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"names": s.viewer(r, phone).Names(names)})
	return nil
}

// addressOnFile tells the kiosk the address kept for a phone, if any: to
// the building only (光华街8号院3号楼…), enough for the resident to
// recognise it and ask for a visit there.
func (s *Server) addressOnFile(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	res, err := s.Store.Resident(r.Context(), phone)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		WriteJSON(w, http.StatusOK, map[string]any{"address": nil})
		return nil
	} else if err != nil {
		return err
	}
	var addr any
	if !res.Address.IsZero() {
		v := s.viewer(r, phone)
		a := v.Address(res.Address)
		addr = map[string]any{"estate_id": a.EstateID, "estate": a.Estate,
			"building": a.Building, "unit": a.Unit, "room": a.Room, "text": v.AddressText(res.Address)}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"address": addr})
	return nil
}

func (s *Server) getResident(w http.ResponseWriter, r *http.Request) error {
	phone, err := chorus.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		return err
	}
	return s.writeResident(w, r, phone)
}

// writeResident answers the resident with this phone as stored.
func (s *Server) writeResident(w http.ResponseWriter, r *http.Request, phone string) error {
	res, err := s.Store.Resident(r.Context(), phone)
	if err != nil {
		return err
	}
	res.CreatedAt = res.CreatedAt.In(s.Location)
	WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) saveResident(w http.ResponseWriter, r *http.Request) error {
	phone, err := chorus.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		return err
	}
	// Only the fields sent change: {} erases nothing.
	var patch chorus.ResidentPatch
	if err := decode(w, r, &patch); err != nil {
		return err
	}
	before, after, err := s.Store.PatchResident(r.Context(), phone, patch)
	if err != nil {
		return err
	}
	auditChange(r, before, after)
	return s.writeResident(w, r, phone)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	phone := ""
	if r.URL.Query().Get("phone") != "" {
		p, err := queryPhone(r)
		if err != nil {
			return err
		}
		phone = p
	}
	list, err := s.Store.Messages(r.Context(), phone, 200)
	if err != nil {
		return err
	}
	for i := range list {
		m := &list[i]
		m.NextAttempt, m.CreatedAt, m.UpdatedAt = m.NextAttempt.In(s.Location), m.CreatedAt.In(s.Location), m.UpdatedAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"messages": list})
	return nil
}

// setOptOut stops or resumes SMS to a resident who asked by phone or at
// the desk: PUT /api/admin/residents/{phone}/optout {"opted_out": bool}.
func (s *Server) setOptOut(w http.ResponseWriter, r *http.Request) error {
	phone, err := chorus.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		return err
	}
	var body struct {
		OptedOut *bool `json:"opted_out"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.OptedOut == nil {
		return chorus.Errorf(chorus.EINVALID, "请说明是停止还是恢复发送短信(opted_out)。")
	}
	if _, err := s.Store.SetOptOut(r.Context(), phone, *body.OptedOut); err != nil {
		return err
	}
	err = s.writeResident(w, r, phone)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		// A phone known only from bookings, of another community:
		// nothing of it to show but what was just set.
		WriteJSON(w, http.StatusOK, map[string]any{"phone": phone, "opted_out": *body.OptedOut})
		return nil
	}
	return err
}

// resendMessage queues a copy of an SMS: POST /api/admin/messages/{id}/resend.
// The copy answers 201, refused with the reason when the rules stop it.
func (s *Server) resendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct{}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	m, err := s.Store.ResendMessage(r.Context(), id)
	if err != nil {
		return err
	}
	m.NextAttempt, m.CreatedAt, m.UpdatedAt = m.NextAttempt.In(s.Location), m.CreatedAt.In(s.Location), m.UpdatedAt.In(s.Location)
	WriteJSON(w, http.StatusCreated, m)
	return nil
}
