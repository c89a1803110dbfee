package server

import (
	"net/http"
	"strconv"

	"github.com/chorus-community/chorus"
)

// SMSState is where the SMS a resident's request sent is now.
type SMSState struct {
	SMS chorus.MessageStatus `json:"sms"`
}

// requestSMS answers where the SMS of a resident's booking, enrolment or
// order is now: GET /api/sms?booking=ID&phone=… (or enrolment=, order=).
// A kiosk's done screen asks a few times while it shows, so that 短信正在
// 发往 becomes 短信已发送 when the provider takes it. Another phone's
// request answers "" as one that sent nothing.
func (s *Server) requestSMS(w http.ResponseWriter, r *http.Request) error {
	phone, err := queryPhone(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for _, what := range []string{"booking", "enrolment", "order"} {
		v := q.Get(what)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return chorus.Errorf(chorus.EINVALID, "编号不正确。")
		}
		st, err := s.Store.RequestSMS(r.Context(), what, id, phone)
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, SMSState{SMS: st})
		return nil
	}
	return chorus.Errorf(chorus.EINVALID, "请说明要查哪个预约、报名或订单。")
}
