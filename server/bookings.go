package server

import (
	"net/http"
	"strings"

	"github.com/chorus-community/chorus"
)

// createBooking books a seat for a resident. A repeated request (same
// phone and event, or the same idempotency key) answers 200 with the
// existing booking instead of 201.
func (s *Server) createBooking(w http.ResponseWriter, r *http.Request) error {
	return s.book(w, r, false)
}

// staffBooking books on behalf of a resident who phoned: confirmed at once.
func (s *Server) staffBooking(w http.ResponseWriter, r *http.Request) error {
	return s.book(w, r, true)
}

func (s *Server) book(w http.ResponseWriter, r *http.Request, staff bool) error {
	var req chorus.BookingRequest
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
	req.Source, req.Actor, req.KioskID = "api", residentActor(r), kioskID(r)
	if req.KioskID != 0 {
		req.Source = "kiosk"
	}
	if staff {
		req.Source, req.Actor, req.Confirmed = "staff", actor(r), true
	}
	b, err := s.Store.Book(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if b.Existing {
		status = http.StatusOK
	}
	// The booking just made keeps its code for the done screen and the
	// slip; one the phone already held shows none (chorus.Viewer).
	v := chorus.ViewerKioskBooking
	if StaffFrom(r.Context()) != nil {
		v = chorus.ViewerStaff
	}
	WriteJSON(w, status, s.bookingView(*b, v))
	return nil
}

// unmaskName turns a masked name a kiosk resident chose from the name
// picker (李**) back into the name on file for the phone.
func (s *Server) unmaskName(r *http.Request, name *string, phone string) error {
	if kioskFrom(r.Context()) == nil || !strings.Contains(*name, "*") {
		return nil
	}
	p, err := chorus.NormalizePhone(phone)
	if err != nil {
		return err
	}
	known, err := s.Store.KnownNames(r.Context(), p)
	if err != nil {
		return err
	}
	*name = chorus.UnmaskName(*name, known)
	if strings.Contains(*name, "*") {
		*name = "" // not a name on file: book without one
	}
	return nil
}

// lookupBookings lists a phone's live bookings, as the caller may see
// them: a kiosk sees the check-in codes only after the phone's SMS
// verification code was typed.
func (s *Server) lookupBookings(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	list, err := s.Store.BookingsByPhone(r.Context(), phone)
	if err != nil {
		return err
	}
	list = ownOrStaffs(r, list, func(b chorus.Booking) int64 { return b.Community })
	v := s.viewer(r, phone)
	for i := range list {
		list[i] = s.bookingView(list[i], v)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}

// ownOrStaffs keeps what a phone lookup shows: at a kiosk, the phone's
// records the store found in the kiosk's reach (its community's, and
// events open to the district elsewhere); to staff, those of the
// communities their scope sees only, as any list.
func ownOrStaffs[T any](r *http.Request, list []T, community func(T) int64) []T {
	if StaffFrom(r.Context()) == nil {
		return list
	}
	sc := chorus.ScopeFrom(r.Context())
	kept := list[:0]
	for _, x := range list {
		if sc.Sees(community(x)) {
			kept = append(kept, x)
		}
	}
	return kept
}

// residentBooking reads the booking of the path's id whose phone matches
// the body's {"phone"}: a resident acting on their own booking, of the
// kiosk's community or of an event open to the district (booked from a
// kiosk of another community). Another phone's booking, or one another
// community keeps to itself, is not found, as if it did not exist.
func (s *Server) residentBooking(w http.ResponseWriter, r *http.Request) (*chorus.Booking, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	phone, err := decodePhone(w, r)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.OwnBooking(r.Context(), id, phone)
	if err != nil {
		return nil, err
	}
	if len(ownOrStaffs(r, []chorus.Booking{*b}, func(b chorus.Booking) int64 { return b.Community })) == 0 {
		// Staff act for residents of the communities they work in.
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个预约。")
	}
	return b, nil
}

// decodePhone reads a body {"phone"} and normalises the phone.
func decodePhone(w http.ResponseWriter, r *http.Request) (string, error) {
	var body struct {
		Phone string `json:"phone"`
	}
	if err := decode(w, r, &body); err != nil {
		return "", err
	}
	return chorus.NormalizePhone(body.Phone)
}

// cancelBooking cancels a resident's booking; the phone must match, and a
// kiosk must have had the phone's SMS verification code typed.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	b, err := s.residentBooking(w, r)
	if err != nil {
		return err
	}
	if err := s.requireProof(r, b.Phone); err != nil {
		return err
	}
	reason := "居民取消"
	if StaffFrom(r.Context()) != nil {
		reason = "工作人员代居民取消"
	}
	// The resident's own booking is cancelled in its event's community.
	ctx := chorus.WithScope(r.Context(), chorus.Scope{Community: b.Community})
	b, err = s.Store.Transition(ctx, b.ID, chorus.StatusCancelled, residentActor(r), reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, s.viewer(r, b.Phone)))
	return nil
}

func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Store.Booking(r.Context(), id)
	if err != nil {
		return err
	}
	hist, err := s.Store.History(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range hist {
		hist[i].At = hist[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"booking": s.bookingView(*b, chorus.ViewerStaff), "history": hist})
	return nil
}

// transitionBooking lets staff move a booking: confirm, cancel, check in,
// undo a check-in.
func (s *Server) transitionBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		To     chorus.Status `json:"to"`
		Reason string        `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.To.Label() == "" {
		return chorus.Errorf(chorus.EINVALID, "不认识的预约状态。")
	}
	b, err := s.Store.Transition(r.Context(), id, body.To, actor(r), chorus.Shorten(body.Reason, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, chorus.ViewerStaff))
	return nil
}

// moveBooking moves a booking to another slot of its event, keeping its
// id and check-in code: POST /api/admin/bookings/{id}/move {"slot_id"}.
func (s *Server) moveBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		SlotID int64  `json:"slot_id"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.SlotID <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请选择要改到的时段。")
	}
	b, err := s.Store.MoveBooking(r.Context(), id, body.SlotID, actor(r), chorus.Shorten(body.Reason, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.bookingView(*b, chorus.ViewerStaff))
	return nil
}
