package app

import (
	"context"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/sqlite"
)

// presenceEvery is how often an instance on a shared database writes which
// kiosks are connected to it: a third of kiosk.OfflineAfter, so that a
// connected kiosk never looks offline to the others.
const presenceEvery = kiosk.OfflineAfter / 3

// sharedHub is the kiosk hub as the server sees it when several instances
// share one PostgreSQL database: Health adds the kiosks connected to the
// other instances, as those write them (sharePresence), so that the
// console's 自助机 list and the district figures, answered by any
// instance, show every connected kiosk online.
type sharedHub struct {
	*kiosk.Hub
	db  *sqlite.DB
	now func() time.Time
	loc *time.Location
}

// Health returns this hub's kiosks, and those another instance heard from
// within kiosk.OfflineAfter that this one does not have online.
func (h sharedHub) Health() map[int64]chorus.KioskHealth {
	m := h.Hub.Health()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	others, err := h.db.KioskPresence(ctx, h.now().Add(-kiosk.OfflineAfter))
	if err != nil {
		h.Hub.Logger.Warn("kiosks of the other instances not read", "err", err)
		return m
	}
	for id, o := range others {
		if !m[id].Online {
			o.LastSeen = o.LastSeen.In(h.loc)
			m[id] = o
		}
	}
	return m
}

// sharePresence writes the kiosks connected to this instance to the
// database every presenceEvery and whenever one connects or its last
// connection leaves (poke), until ctx ends.
func (a *App) sharePresence(ctx context.Context, poke <-chan struct{}) {
	tick := time.NewTicker(presenceEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-poke:
		}
		if err := a.DB.SaveKioskPresence(ctx, a.Hub.Health()); err != nil && ctx.Err() == nil {
			a.Logger.Warn("kiosk presence not written", "err", err)
		}
	}
}
