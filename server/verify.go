package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// ProofHeader carries the proof a kiosk got by typing a phone's SMS
// verification code (POST /api/verify/check) on the requests that need it:
// seeing an earlier booking's check-in code, cancelling.
const ProofHeader = "X-Verify-Proof"

// sendVerification texts a 6-digit verification code to a phone:
// POST /api/verify {"phone"}. It counts against the phone's daily SMS
// budget and the kiosk's limits.
func (s *Server) sendVerification(w http.ResponseWriter, r *http.Request) error {
	phone, err := decodePhone(w, r)
	if err != nil {
		return err
	}
	if err := s.phoneRequest(r, phone); err != nil {
		return err
	}
	sent, err := s.Store.SendVerification(r.Context(), phone, kioskID(r))
	if err != nil {
		return err
	}
	if !sent {
		return chorus.Errorf(chorus.ECONFLICT, "今天发给这个手机号的短信已经太多了,发不了验证码。请明天再试,或请工作人员帮忙。")
	}
	WriteJSON(w, http.StatusOK, verifySent{Sent: true, ExpiresAt: s.Now().Add(chorus.VerifyCodeTTL).In(s.Location),
		Message: "验证码已经发到尾号" + phone[len(phone)-4:] + "的手机,5分钟内有效。"})
	return nil
}

// verifySent answers POST /api/verify.
type verifySent struct {
	Sent      bool      `json:"sent"`
	ExpiresAt time.Time `json:"expires_at"`
	Message   string    `json:"message"`
}

// verifyProof answers POST /api/verify/check.
type verifyProof struct {
	Proof     string    `json:"proof"`
	ExpiresAt time.Time `json:"expires_at"`
}

// checkVerification takes the code typed on the kiosk's keypad:
// POST /api/verify/check {"phone", "code"}. The right code, within 5
// minutes and 5 tries, once, gives the kiosk a proof for that phone
// (ProofHeader) valid for chorus.VerifyProofTTL.
func (s *Server) checkVerification(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	phone, err := chorus.NormalizePhone(body.Phone)
	if err != nil {
		return err
	}
	if len(body.Code) != 6 {
		return chorus.Errorf(chorus.EINVALID, "验证码是6位数字,请再看看短信。")
	}
	if err := s.Store.CheckVerification(r.Context(), phone, body.Code); err != nil {
		return err
	}
	tok, err := randomToken()
	if err != nil {
		return err
	}
	exp := s.Now().Add(chorus.VerifyProofTTL)
	if err := s.Store.PutKioskToken(r.Context(), tokenProof, tok, kioskID(r), phone, exp); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, verifyProof{Proof: tok, ExpiresAt: exp.In(s.Location)})
	return nil
}

// validProof reports whether tok proves phone at kiosk now: a proof
// issued by this instance or another on the same database (TicketStore).
// A store that cannot answer proves nothing; the error is logged.
func (s *Server) validProof(ctx context.Context, tok, phone string, kiosk int64) bool {
	if tok == "" || len(tok) > maxTokenLen {
		return false
	}
	k, p, ok, err := s.Store.KioskToken(ctx, tokenProof, tok)
	if err != nil {
		s.Logger.Error("verification proof", "err", err)
		return false
	}
	return ok && k == kiosk && subtle.ConstantTimeCompare([]byte(p), []byte(phone)) == 1
}

// randomToken draws 128 random bits as hex.
func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
