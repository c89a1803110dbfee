package server

import (
	"context"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// ticketTTL is how long a websocket ticket can be used: the page opens the
// socket right after fetching it.
const ticketTTL = 30 * time.Second

// TicketStore keeps the kiosks' short-lived tokens in the database (only
// their hashes), so that behind a round-robin proxy any instance accepts
// what another issued: the websocket tickets (a browser cannot set an
// Authorization header on a websocket, and the kiosk token must never
// travel in a URL, which proxies log) and the verification proofs
// (verify.go). sqlite.DB implements it; kind is tokenTicket or
// tokenProof.
type TicketStore interface {
	// PutKioskToken keeps a token of kind for kiosk (and phone) until
	// expires, sweeping the expired ones.
	PutKioskToken(ctx context.Context, kind, token string, kiosk int64, phone string, expires time.Time) error
	// TakeKioskToken uses a single-use token up in one statement; ok is
	// false when it is unknown, used or expired.
	TakeKioskToken(ctx context.Context, kind, token string) (kiosk int64, phone string, ok bool, err error)
	// KioskToken returns a reusable token's kiosk and phone; ok is false
	// when it is unknown or expired.
	KioskToken(ctx context.Context, kind, token string) (kiosk int64, phone string, ok bool, err error)
}

// Kinds of kiosk tokens, as the store records them.
const (
	tokenTicket = "ticket" // a websocket ticket: single use
	tokenProof  = "proof"  // a verification proof: good until it expires
)

// maxTokenLen bounds a token read from a request before it is hashed:
// ours are 32 hex digits.
const maxTokenLen = 128

// kioskTicket gives a kiosk a websocket ticket: POST /api/kiosk/ticket
// with its bearer token answers {"ticket", "expires_at"}.
func (s *Server) kioskTicket(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authKiosk(r)
	if err != nil {
		return err
	}
	tok, err := randomToken()
	if err != nil {
		return err
	}
	exp := s.Now().Add(ticketTTL)
	if err := s.Store.PutKioskToken(r.Context(), tokenTicket, tok, k.ID, "", exp); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ticket": tok, "expires_at": exp.In(s.Location)})
	return nil
}

// socketKiosk returns the kiosk opening a websocket: by ?ticket= (pages)
// or by its bearer token (other clients). Errors: EUNAUTHORIZED,
// EFORBIDDEN (revoked).
func (s *Server) socketKiosk(r *http.Request) (*chorus.Kiosk, error) {
	tok := r.URL.Query().Get("ticket")
	if tok == "" {
		return s.authKiosk(r)
	}
	var id int64
	ok := false
	if len(tok) <= maxTokenLen {
		var err error
		if id, _, ok, err = s.Store.TakeKioskToken(r.Context(), tokenTicket, tok); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, chorus.Errorf(chorus.EUNAUTHORIZED, "连接凭证已失效,请重新连接。")
	}
	// The ticket proves the kiosk, whatever its community: the route is
	// public, its scope (?community=, by default 1) says nothing of it.
	ctx := chorus.WithScope(r.Context(), chorus.Scope{Community: chorus.DefaultCommunity, District: true})
	k, err := s.Kiosks.Kiosk(ctx, id)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		return nil, chorus.Errorf(chorus.EUNAUTHORIZED, "这台自助机还没有配对,请联系工作人员。")
	} else if err != nil {
		return nil, err
	}
	if k.Revoked {
		return nil, chorus.Errorf(chorus.EFORBIDDEN, "这台自助机已停用,请联系工作人员。")
	}
	return k, nil
}
