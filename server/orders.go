package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// createHaircut asks for a barber at home; 200 when an open request of the
// phone already exists.
func (s *Server) createHaircut(w http.ResponseWriter, r *http.Request) error {
	var req chorus.HaircutRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" && req.IdempotencyKey == "" {
		req.IdempotencyKey = k
	}
	req.Actor = chorus.ActorResident
	o, err := s.Store.RequestHaircut(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if o.Existing {
		status = http.StatusOK
	}
	WriteJSON(w, status, s.orderView(*o, true))
	return nil
}

// listOrders lists orders, newest first: of one ?status=, or for one
// resident's ?phone=.
func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	var list []chorus.Order
	var err error
	if r.URL.Query().Get("phone") != "" {
		phone, perr := queryPhone(r)
		if perr != nil {
			return perr
		}
		list, err = s.Store.OrdersOf(r.Context(), phone)
	} else {
		list, err = s.Store.Orders(r.Context(), chorus.OrderStatus(r.URL.Query().Get("status")))
	}
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.orderView(list[i], false)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"orders": list})
	return nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.Store.Order(r.Context(), id)
	if err != nil {
		return err
	}
	tl, err := s.Store.OrderTimeline(r.Context(), id)
	if err != nil {
		return err
	}
	for i := range tl {
		tl[i].At = tl[i].At.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"order": s.orderView(*o, false), "timeline": tl})
	return nil
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Note string `json:"note"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	o, err := s.Store.CancelOrder(r.Context(), id, actor(r), chorus.Shorten(body.Note, 100))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.orderView(*o, false))
	return nil
}

// createOrder lets staff dispatch an order for any need (上门维修 at night,
// 送药上门): it goes to the partners at once.
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	var req chorus.OrderRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	req.Actor = actor(r)
	o, err := s.Store.CreateOrder(r.Context(), req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, s.orderView(*o, false))
	return nil
}

// partnerStats lists each partner's figures for the yearly thanks.
func (s *Server) partnerStats(w http.ResponseWriter, r *http.Request) error {
	stats, err := s.Store.PartnerStats(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"partners": stats})
	return nil
}

// partnerAnswer records what a partner said on the telephone instead of
// by SMS: POST /api/admin/orders/{id}/answer {"partner_id", "intent":
// "accept"|"done"|"give_back"}.
func (s *Server) partnerAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		PartnerID int64         `json:"partner_id"`
		Intent    chorus.Intent `json:"intent"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.PartnerID <= 0 {
		return chorus.Errorf(chorus.EINVALID, "请选择是哪个共建单位打来的电话。")
	}
	o, err := s.Store.PartnerAnswer(r.Context(), id, body.PartnerID, body.Intent, actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.orderView(*o, false))
	return nil
}
