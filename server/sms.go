package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// SMSStore is what the SMS endpoints need of storage.
type SMSStore interface {
	// ApplyReceipts records delivery receipts, each once.
	ApplyReceipts(ctx context.Context, receipts []chorus.Receipt) (int, error)
	// HandleInbound stores and applies one reply, once.
	HandleInbound(ctx context.Context, in chorus.Inbound) (*chorus.Inbound, bool, error)
	// Inbox returns received replies, newest first.
	Inbox(ctx context.Context, unhandled bool, limit int) ([]chorus.Inbound, error)
	// ResendCode queues a booking's check-in code again, within limits.
	ResendCode(ctx context.Context, bookingID int64) (bool, error)
	// SettleInbound marks an inbox reply dealt with by staff member by.
	SettleInbound(ctx context.Context, id int64, by, note string) (*chorus.Inbound, error)
	// PushCommunity returns the community whose own push secret secret
	// is, or 0.
	PushCommunity(ctx context.Context, secret string) (int64, error)
}

// checkPushSecret compares the secret path segment in constant time with
// the deployment's shared secret (community 0: pushes route by signature)
// and each community's own (that community). With no secret configured the
// push endpoints do not exist.
func (s *Server) checkPushSecret(r *http.Request) (int64, error) {
	got := r.PathValue("secret")
	if s.PushSecret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.PushSecret)) == 1 {
		return 0, nil
	}
	if got != "" && s.SMS != nil {
		c, err := s.SMS.PushCommunity(r.Context(), got)
		if err != nil {
			return 0, err
		}
		if c > 0 {
			return c, nil
		}
	}
	return 0, chorus.Errorf(chorus.ENOTFOUND, "没有这个接口。")
}

// readPush reads a push body within sms.MaxPushBytes.
func readPush(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, sms.MaxPushBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, chorus.Errorf(chorus.EINVALID, "推送内容太大了。")
	}
	return body, err
}

// pushAnswer writes Alibaba's expected answer, or a 400 for a batch that
// could not be read at all (logged; Alibaba pushes it again).
func (s *Server) pushAnswer(w http.ResponseWriter, kind string, err error) error {
	var items *sms.ItemsError
	switch {
	case err == nil:
	case errors.As(err, &items):
		s.Logger.Warn("sms push: items skipped", "push", kind, "err", err)
	default:
		s.Logger.Warn("sms push refused", "push", kind, "err", err)
		return chorus.Errorf(chorus.EINVALID, "推送内容无法识别。")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(sms.PushOK)
	return nil
}

// smsReport receives Alibaba's batch push of delivery receipts (SmsReport).
func (s *Server) smsReport(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.checkPushSecret(r); err != nil {
		return err
	}
	body, err := readPush(w, r)
	if err != nil {
		return err
	}
	reports, perr := sms.ParseReports(body)
	var items *sms.ItemsError
	if perr != nil && !errors.As(perr, &items) {
		return s.pushAnswer(w, "report", perr)
	}
	receipts := make([]chorus.Receipt, len(reports))
	for i, rep := range reports {
		receipts[i] = rep.Receipt()
	}
	if len(receipts) > 0 {
		if _, err := s.SMS.ApplyReceipts(r.Context(), receipts); err != nil {
			return err // 500: Alibaba pushes again later
		}
	}
	return s.pushAnswer(w, "report", perr)
}

// smsUp receives Alibaba's batch push of replies (SmsUp) and applies each.
// A community's own push URL routes its replies to it; the shared one
// leaves the store to route them (by the message answered, the signature).
func (s *Server) smsUp(w http.ResponseWriter, r *http.Request) error {
	community, err := s.checkPushSecret(r)
	if err != nil {
		return err
	}
	body, err := readPush(w, r)
	if err != nil {
		return err
	}
	ups, perr := sms.ParseUps(body)
	var items *sms.ItemsError
	if perr != nil && !errors.As(perr, &items) {
		return s.pushAnswer(w, "up", perr)
	}
	for _, up := range ups {
		up := up.Inbound()
		up.Community = community
		in, dup, err := s.SMS.HandleInbound(r.Context(), up)
		if err != nil {
			return err // 500: the replies not yet stored come again
		}
		if !dup {
			s.Logger.Info("sms reply", "phone", chorus.MaskPhone(in.Phone), "intent", in.Intent, "outcome", in.Outcome)
		}
	}
	return s.pushAnswer(w, "up", perr)
}

// listInbox shows staff the replies; ?all=1 includes those handled.
func (s *Server) listInbox(w http.ResponseWriter, r *http.Request) error {
	list, err := s.SMS.Inbox(r.Context(), r.URL.Query().Get("all") == "", 200)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].ReceivedAt = list[i].ReceivedAt.In(s.Location)
		if !list[i].SentAt.IsZero() {
			list[i].SentAt = list[i].SentAt.In(s.Location)
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"inbox": list})
	return nil
}

// settleInbound marks a reply of the inbox dealt with: POST
// /api/admin/inbox/{id}/settle {"note"}.
func (s *Server) settleInbound(w http.ResponseWriter, r *http.Request) error {
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
	by := ""
	if st := StaffFrom(r.Context()); st != nil {
		by = st.Name
	}
	in, err := s.SMS.SettleInbound(r.Context(), id, by, chorus.Shorten(strings.TrimSpace(body.Note), 100))
	if err != nil {
		return err
	}
	in.ReceivedAt = in.ReceivedAt.In(s.Location)
	if !in.SentAt.IsZero() {
		in.SentAt = in.SentAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, in)
	return nil
}

// resendCode sends a booking's check-in code again by SMS (a resident at
// the door who lost it); the phone must match, and resends are limited.
func (s *Server) resendCode(w http.ResponseWriter, r *http.Request) error {
	b, err := s.residentBooking(w, r)
	if err != nil {
		return err
	}
	sent, err := s.SMS.ResendCode(r.Context(), b.ID)
	if err != nil {
		return err
	}
	if !sent {
		return chorus.Errorf(chorus.ECONFLICT, "今天发送签到码的次数已经用完了,请找工作人员。")
	}
	WriteJSON(w, http.StatusOK, map[string]any{"sent": true, "message": "签到码已经重新发到您的手机。"})
	return nil
}
