package server

import (
	"context"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
)

// readyTimeout bounds /readyz's write check: a write that takes longer is
// as good as failed for a kiosk waiting on a booking.
const readyTimeout = 2 * time.Second

// healthView is /healthz's answer.
type healthView struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, healthView{Status: "ok", Version: s.Version})
}

// writeChecker is a store that can prove a write commits (sqlite.DB).
type writeChecker interface {
	WriteCheck(ctx context.Context) error
}

// readyView is /readyz's answer; Reason says in plain Chinese why not.
type readyView struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// readyz answers 200 when the database answers and a write commits within
// readyTimeout, else 503 with the reason (disk full, read-only, too slow).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	err := s.Store.Ping(ctx)
	if wc, ok := s.Store.(writeChecker); ok && err == nil {
		err = wc.WriteCheck(ctx)
	}
	if err != nil {
		reason := "数据库暂时不可用。"
		if k, ok := err.(interface{ Kind() string }); ok {
			reason = chorus.WriteProblemMessage(k.Kind())
		}
		s.Logger.Error("not ready", "reason", reason, "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, readyView{Status: "数据库暂时不可用", Reason: reason})
		return
	}
	WriteJSON(w, http.StatusOK, readyView{Status: "ready"})
}

// statusView is GET /api/admin/status: what 今日 shows about the system.
type statusView struct {
	Version string              `json:"version"`
	Backup  chorus.BackupStatus `json:"backup"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	v := statusView{Version: s.Version}
	if s.Backups != nil {
		v.Backup = s.Backups()
		v.Backup.LastOK, v.Backup.ErrorAt = v.Backup.LastOK.In(s.Location), v.Backup.ErrorAt.In(s.Location)
	}
	WriteJSON(w, http.StatusOK, v)
	return nil
}

// LiveSubscribers returns how many consoles hold the live feed open.
func (s *Server) LiveSubscribers() int {
	return s.feed.Len()
}
