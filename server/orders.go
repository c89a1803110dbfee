package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// createHaircut asks for a barber at home; 200 when an open request of the
// phone already exists. Asked at a kiosk, it goes to the partners only
// after the reply 1 from the phone; asked by staff, at once.
func (s *Server) createHaircut(w http.ResponseWriter, r *http.Request) error {
	var req chorus.HaircutRequest
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
	req.Actor, req.KioskID = residentActor(r), kioskID(r)
	o, err := s.Store.RequestHaircut(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if o.Existing {
		status = http.StatusOK
	}
	WriteJSON(w, status, s.orderView(*o, s.viewer(r, o.Phone)))
	return nil
}

// lookupOrders lists a phone's home-service orders that are still open or
// finished in the last days, as the caller may see them (我的预约).
func (s *Server) lookupOrders(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	list, err := s.Store.OrdersOf(r.Context(), phone)
	if err != nil {
		return err
	}
	v := s.viewer(r, phone)
	out := []chorus.Order{}
	for _, o := range list {
		if o.Status.CanTransition(chorus.OrderCancelled) {
			out = append(out, s.orderView(o, v))
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"orders": out})
	return nil
}

// cancelResidentOrder cancels a resident's open order: the phone must
// match, and a kiosk must have had the phone's SMS verification code
// typed.
func (s *Server) cancelResidentOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := decodePhone(w, r)
	if err != nil {
		return err
	}
	o, err := s.Store.Order(r.Context(), id)
	if err != nil {
		return err
	}
	if o.Phone != phone {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个订单。")
	}
	if err := s.requireProof(r, phone); err != nil {
		return err
	}
	note := "居民取消"
	if StaffFrom(r.Context()) != nil {
		note = "工作人员代居民取消"
	}
	o, err = s.Store.CancelOrder(r.Context(), id, residentActor(r), note)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.orderView(*o, s.viewer(r, phone)))
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
		list[i] = s.orderView(list[i], chorus.ViewerStaff)
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
	WriteJSON(w, http.StatusOK, map[string]any{"order": s.orderView(*o, chorus.ViewerStaff), "timeline": tl})
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
	WriteJSON(w, http.StatusOK, s.orderView(*o, chorus.ViewerStaff))
	return nil
}

// confirmOrder dispatches a kiosk order waiting for the resident's reply
// 1 once staff confirmed it with the resident by telephone: POST
// /api/admin/orders/{id}/confirm (no body).
func (s *Server) confirmOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.Store.ConfirmOrder(r.Context(), id, actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.orderView(*o, chorus.ViewerStaff))
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
	WriteJSON(w, http.StatusCreated, s.orderView(*o, chorus.ViewerStaff))
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

// districtPartners lists every partner's figures for the yearly thanks,
// per community and in total: GET /api/district/partners?year=2026
// (default: this year, in the deployment's zone).
func (s *Server) districtPartners(w http.ResponseWriter, r *http.Request) error {
	year := s.Now().In(s.Location).Year()
	if v := r.URL.Query().Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2200 {
			return chorus.Errorf(chorus.EINVALID, "年份不正确,请写成2026这样。")
		}
		year = y
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.Location)
	to := from.AddDate(1, 0, 0)
	list, err := s.Store.PartnerFigures(r.Context(), from, to)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"year": year, "from": from, "to": to, "partners": list})
	return nil
}

// linkPartner links a partner already serving another community to the
// caller's community, found by id or by one of its phones: POST
// /api/admin/partners/link {"id" or "phone", "services", "estates"}.
func (s *Server) linkPartner(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		ID       int64                `json:"id"`
		Phone    string               `json:"phone"`
		Services []chorus.ServiceKind `json:"services"`
		Estates  []int64              `json:"estates"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.ID <= 0 && body.Phone == "" {
		return chorus.Errorf(chorus.EINVALID, "请填写共建单位的编号或联系电话。")
	}
	p, err := s.Store.LinkPartner(r.Context(), body.ID, body.Phone, body.Services, body.Estates)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
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
	WriteJSON(w, http.StatusOK, s.orderView(*o, chorus.ViewerStaff))
	return nil
}
