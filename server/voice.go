package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
)

// VoiceStore is what the voice endpoints need of storage.
type VoiceStore interface {
	// ApplyCallResult records what a push said of a call, once per dedupe
	// key; a key pressed acts as the SMS reply with that digit.
	ApplyCallResult(ctx context.Context, r chorus.CallResult, dedupe string) (bool, error)
	// StaffCalls lists the call messages after which staff should phone
	// the resident.
	StaffCalls(ctx context.Context, since time.Time) ([]chorus.Message, error)
	// CallsSince counts the calls placed since a time.
	CallsSince(ctx context.Context, since time.Time) (int, error)
	// SetChannel sets how a resident hears from the community.
	SetChannel(ctx context.Context, phone string, ch chorus.Channel) (bool, error)
}

// setOwnChannel is the kiosk's one tap 用电话语音通知我 (or back to SMS):
// POST /api/residents/channel {"phone", "channel"}. Calls ring at the
// resident's home: a kiosk needs the phone's proof, as for a cancel.
func (s *Server) setOwnChannel(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Phone   string `json:"phone"`
		Channel string `json:"channel"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	phone, err := chorus.NormalizePhone(body.Phone)
	if err != nil {
		return err
	}
	ch, err := chorus.ParseChannel(body.Channel)
	if err != nil {
		return err
	}
	if err := s.requireProof(r, phone); err != nil {
		return err
	}
	changed, err := s.Voice.SetChannel(r.Context(), phone, ch)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"channel": ch, "changed": changed, "label": ch.Label()})
	return nil
}

// voiceEvents receives the voice service's VoiceCallReport push: the steps
// of calls, the keys pressed among them.
func (s *Server) voiceEvents(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.checkPushSecret(r); err != nil {
		return err
	}
	body, err := readPush(w, r)
	if err != nil {
		return err
	}
	events, perr := voice.ParseEvents(body)
	var items *sms.ItemsError
	if perr != nil && !errors.As(perr, &items) {
		return s.pushAnswer(w, "voice events", perr)
	}
	for _, e := range events {
		res := e.Result()
		if res.Key == "" && res.Outcome == "" {
			continue // ringing, answered, hung up: the report follows
		}
		if _, err := s.Voice.ApplyCallResult(r.Context(), res, e.DedupeKey()); err != nil {
			return err // 500: the provider pushes again
		}
	}
	return s.pushAnswer(w, "voice events", perr)
}

// voiceReports receives the VoiceReport push: each call's record once it
// ended.
func (s *Server) voiceReports(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.checkPushSecret(r); err != nil {
		return err
	}
	body, err := readPush(w, r)
	if err != nil {
		return err
	}
	reports, perr := voice.ParseReports(body)
	var items *sms.ItemsError
	if perr != nil && !errors.As(perr, &items) {
		return s.pushAnswer(w, "voice reports", perr)
	}
	for _, rep := range reports {
		if _, err := s.Voice.ApplyCallResult(r.Context(), rep.Result(), rep.DedupeKey()); err != nil {
			return err
		}
	}
	return s.pushAnswer(w, "voice reports", perr)
}

// callsView is GET /api/admin/calls: today's calls against the budget, and
// the residents staff should phone (no answer twice, no key pressed).
type callsView struct {
	Today     int            `json:"today"`
	Budget    int            `json:"budget"` // 0: no limit
	FollowUps []callFollowUp `json:"follow_ups"`
}

type callFollowUp struct {
	MessageID int64              `json:"message_id"`
	Phone     string             `json:"phone"`
	Kind      chorus.MessageKind `json:"kind"`
	BookingID int64              `json:"booking_id,omitempty"`
	OrderID   int64              `json:"order_id,omitempty"`
	Why       string             `json:"why"`
	At        time.Time          `json:"at"`
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) error {
	now := s.Now().In(s.Location)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	n, err := s.Voice.CallsSince(r.Context(), day)
	if err != nil {
		return err
	}
	msgs, err := s.Voice.StaffCalls(r.Context(), day.AddDate(0, 0, -1))
	if err != nil {
		return err
	}
	v := callsView{Today: n, Budget: s.CallBudget, FollowUps: []callFollowUp{}}
	for _, m := range msgs {
		why := "电话没人接,请工作人员打电话告知"
		if m.ErrCode == chorus.CallNoKey.ErrCode() || m.ErrCode == chorus.CallHeard.ErrCode() {
			why = "接了电话但没有按键,请工作人员打电话确认"
		}
		v.FollowUps = append(v.FollowUps, callFollowUp{MessageID: m.ID, Phone: m.Phone, Kind: m.Kind,
			BookingID: m.BookingID, OrderID: m.OrderID, Why: why, At: m.UpdatedAt})
	}
	WriteJSON(w, http.StatusOK, v)
	return nil
}
