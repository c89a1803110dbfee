package server

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/chorus-community/chorus"
)

// KioskHub is the live side of the kiosk fleet (kiosk.Hub): it serves the
// kiosks' websockets and passes staff changes on to the connected screens.
type KioskHub interface {
	// ServeKiosk upgrades an authenticated kiosk's request to its
	// websocket. Errors, before upgrading: EFORBIDDEN (foreign origin).
	ServeKiosk(w http.ResponseWriter, r *http.Request, k *chorus.Kiosk) error
	// Health returns what is known of each kiosk's connection.
	Health() map[int64]chorus.KioskHealth
	// KioskChanged passes a kiosk's new name, place, mode, settings or
	// revocation to its screens.
	KioskChanged(k chorus.Kiosk)
	// Reload asks a kiosk's screens to reload the page.
	Reload(id int64)
	// Announce shows a new announcement on the kiosks it is meant for.
	Announce(a chorus.Announcement)
}

// qrSize is the side of the pairing QR code in pixels: big enough to scan
// from a phone held at arm's length off a laptop screen.
const qrSize = 320

// EventView renders an event as GET /api/events does, so that the kiosk
// hub sends kiosks the same JSON.
func (s *Server) EventView(e chorus.Event) any { return s.eventView(e) }

// kioskView is a kiosk as staff see it, with its connection's health.
type kioskView struct {
	chorus.Kiosk
	chorus.KioskHealth
}

func (s *Server) kioskView(k chorus.Kiosk, health map[int64]chorus.KioskHealth) kioskView {
	k.CreatedAt = k.CreatedAt.In(s.Location)
	if !k.PairedAt.IsZero() {
		k.PairedAt = k.PairedAt.In(s.Location)
	}
	return kioskView{Kiosk: k, KioskHealth: health[k.ID]}
}

// authKiosk returns the kiosk making the request. Errors: EUNAUTHORIZED (no
// or unknown token), EFORBIDDEN (revoked).
func (s *Server) authKiosk(r *http.Request) (*chorus.Kiosk, error) {
	tok, _ := BearerToken(r)
	if tok == "" {
		return nil, chorus.Errorf(chorus.EUNAUTHORIZED, "这台自助机还没有配对,请联系工作人员。")
	}
	k, err := s.Kiosks.KioskByToken(r.Context(), tok)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		return nil, chorus.Errorf(chorus.EUNAUTHORIZED, "这台自助机还没有配对,请联系工作人员。")
	}
	return k, err
}

// pairKiosk pairs a screen with an 8-digit code. Attempts are limited per
// source address (clientAddr), so that one device guessing codes is
// stopped without blocking every other kiosk's pairing.
func (s *Server) pairKiosk(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if !s.limits().pairing.allow(s.clientAddr(r), s.Now()) {
		return tooOften()
	}
	k, token, err := s.Kiosks.Pair(r.Context(), req.Code)
	if err != nil {
		return err
	}
	s.Hub.KioskChanged(*k)
	WriteJSON(w, http.StatusOK, map[string]any{"token": token, "kiosk": s.kioskView(*k, nil).Kiosk})
	return nil
}

// kioskMe lets a page check its token: after its websocket fails, a 401 or
// 403 here tells it to show the pairing screen rather than reconnect.
func (s *Server) kioskMe(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authKiosk(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"kiosk": s.kioskView(*k, nil).Kiosk})
	return nil
}

// kioskSocket authenticates a kiosk (a ticket, or its bearer token),
// answering 401 or 403 in JSON before
// any upgrade, and hands the connection to the hub.
func (s *Server) kioskSocket(w http.ResponseWriter, r *http.Request) error {
	k, err := s.socketKiosk(r)
	if err != nil {
		return err
	}
	return s.Hub.ServeKiosk(w, r, k)
}

func (s *Server) listKiosks(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Kiosks.Kiosks(r.Context())
	if err != nil {
		return err
	}
	health := s.Hub.Health()
	out := make([]kioskView, len(list))
	for i, k := range list {
		out[i] = s.kioskView(k, health)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"kiosks": out})
	return nil
}

// kioskRequest is the body of POST and PUT /api/admin/kiosks.
type kioskRequest struct {
	Name    string `json:"name"`
	PlaceID int64  `json:"place_id"`
}

func (s *Server) createKiosk(w http.ResponseWriter, r *http.Request) error {
	var req kioskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	k, code, err := s.Kiosks.CreateKiosk(r.Context(), req.Name, req.PlaceID)
	if err != nil {
		return err
	}
	return s.writePairing(w, r, http.StatusCreated, k, code)
}

func (s *Server) newPairingCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	code, err := s.Kiosks.NewPairingCode(r.Context(), id)
	if err != nil {
		return err
	}
	k, err := s.Kiosks.Kiosk(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writePairing(w, r, http.StatusOK, k, code)
}

// writePairing answers with a kiosk, its pairing code, the URL that pairs
// a screen opening it, and that URL as a QR code (PNG data URL).
func (s *Server) writePairing(w http.ResponseWriter, r *http.Request, status int, k *chorus.Kiosk, code string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	pairURL := fmt.Sprintf("%s://%s/kiosk#pair=%s", scheme, r.Host, code)
	png, err := qrcode.Encode(pairURL, qrcode.Medium, qrSize)
	if err != nil {
		return fmt.Errorf("pairing QR code: %w", err)
	}
	WriteJSON(w, status, map[string]any{
		"kiosk":              s.kioskView(*k, s.Hub.Health()),
		"pairing_code":       code,
		"pairing_url":        pairURL,
		"pairing_expires_at": s.Now().Add(chorus.PairingCodeTTL).In(s.Location),
		"qr":                 "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
	})
	return nil
}

func (s *Server) renameKiosk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req kioskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	k, err := s.Kiosks.RenameKiosk(r.Context(), id, req.Name, req.PlaceID)
	return s.writeKioskChange(w, k, err)
}

func (s *Server) revokeKiosk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := s.Kiosks.RevokeKiosk(r.Context(), id)
	return s.writeKioskChange(w, k, err)
}

func (s *Server) setKioskMode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m chorus.KioskMode
	if err := decode(w, r, &m); err != nil {
		return err
	}
	k, err := s.Kiosks.SetKioskMode(r.Context(), id, m)
	return s.writeKioskChange(w, k, err)
}

func (s *Server) setKioskSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// Only the settings sent change (decodeOver): {"printer": true} keeps
	// the idle time and the text size.
	current, err := s.Kiosks.Kiosk(r.Context(), id)
	if err != nil {
		return err
	}
	var set chorus.KioskSettings
	if err := decodeOver(w, r, current.Settings, &set); err != nil {
		return err
	}
	k, err := s.Kiosks.SetKioskSettings(r.Context(), id, set)
	return s.writeKioskChange(w, k, err)
}

// writeKioskChange passes a changed kiosk to its screens and answers with it.
func (s *Server) writeKioskChange(w http.ResponseWriter, k *chorus.Kiosk, err error) error {
	if err != nil {
		return err
	}
	s.Hub.KioskChanged(*k)
	WriteJSON(w, http.StatusOK, s.kioskView(*k, s.Hub.Health()))
	return nil
}

func (s *Server) reloadKiosk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// The commit carries the request to the other instances' screens
	// (internal/app); this one's are told here.
	k, err := s.Kiosks.ReloadKiosk(r.Context(), id)
	if err != nil {
		return err
	}
	s.Hub.Reload(id)
	WriteJSON(w, http.StatusOK, s.kioskView(*k, s.Hub.Health()))
	return nil
}

func (s *Server) listAnnouncements(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Kiosks.Announcements(r.Context(), s.Now())
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = s.announcementView(list[i])
	}
	WriteJSON(w, http.StatusOK, map[string]any{"announcements": list})
	return nil
}

func (s *Server) createAnnouncement(w http.ResponseWriter, r *http.Request) error {
	var a chorus.Announcement
	if err := decode(w, r, &a); err != nil {
		return err
	}
	a.ID, a.CreatedAt = 0, time.Time{}
	if err := s.Kiosks.CreateAnnouncement(r.Context(), &a); err != nil {
		return err
	}
	s.Hub.Announce(a)
	WriteJSON(w, http.StatusCreated, map[string]any{"announcement": s.announcementView(a)})
	return nil
}

func (s *Server) announcementView(a chorus.Announcement) chorus.Announcement {
	a.ExpiresAt, a.CreatedAt = a.ExpiresAt.In(s.Location), a.CreatedAt.In(s.Location)
	return a
}
