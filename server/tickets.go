package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
)

// ticketTTL is how long a websocket ticket can be used: the page opens the
// socket right after fetching it.
const ticketTTL = 30 * time.Second

// tickets are the short-lived, single-use websocket tickets: a browser
// cannot set an Authorization header on a websocket, and the kiosk token
// must never travel in a URL (proxies log URLs).
type tickets struct {
	mu sync.Mutex
	m  map[string]ticket
}

type ticket struct {
	kiosk   int64
	expires time.Time
}

// issue makes a ticket for kiosk.
func (t *tickets) issue(kiosk int64, now time.Time) (string, time.Time, error) {
	tok, err := randomToken()
	if err != nil {
		return "", time.Time{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]ticket{}
	}
	for k, v := range t.m {
		if !now.Before(v.expires) {
			delete(t.m, k)
		}
	}
	exp := now.Add(ticketTTL)
	t.m[tok] = ticket{kiosk: kiosk, expires: exp}
	return tok, exp, nil
}

// take uses a ticket up and returns its kiosk.
func (t *tickets) take(tok string, now time.Time) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[tok]
	delete(t.m, tok)
	return v.kiosk, ok && now.Before(v.expires)
}

// kioskTicket gives a kiosk a websocket ticket: POST /api/kiosk/ticket
// with its bearer token answers {"ticket", "expires_at"}.
func (s *Server) kioskTicket(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authKiosk(r)
	if err != nil {
		return err
	}
	tok, exp, err := s.tickets.issue(k.ID, s.Now())
	if err != nil {
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
	id, ok := s.tickets.take(tok, s.Now())
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
