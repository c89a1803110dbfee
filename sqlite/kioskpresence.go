package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// SaveKioskPresence records what this instance knows of the kiosks
// connected to it (their Online entries in health), for the other
// instances on the same database: a row per kiosk, the newest sighting
// kept.
func (db *DB) SaveKioskPresence(ctx context.Context, health map[int64]chorus.KioskHealth) error {
	return db.update(ctx, func(tx *Tx) error {
		for id, h := range health {
			if !h.Online {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kiosk_presence (kiosk_id, seen_ms, app_version, screen) VALUES (?, ?, ?, ?)
				ON CONFLICT (kiosk_id) DO UPDATE SET seen_ms = excluded.seen_ms, app_version = excluded.app_version, screen = excluded.screen
				WHERE excluded.seen_ms >= kiosk_presence.seen_ms`, id, h.LastSeen.UnixMilli(), h.AppVersion, h.Screen); err != nil {
				return fmt.Errorf("kiosk presence: %w", err)
			}
		}
		return nil
	})
}

// KioskPresence returns the kiosks some instance heard from since since,
// each online with when it was last heard, its app version and screen.
func (db *DB) KioskPresence(ctx context.Context, since time.Time) (map[int64]chorus.KioskHealth, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT kiosk_id, seen_ms, app_version, screen FROM kiosk_presence WHERE seen_ms > ?",
		since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("kiosk presence: %w", err)
	}
	defer rows.Close()
	out := map[int64]chorus.KioskHealth{}
	for rows.Next() {
		var id, seen int64
		h := chorus.KioskHealth{Online: true}
		if err := rows.Scan(&id, &seen, &h.AppVersion, &h.Screen); err != nil {
			return nil, fmt.Errorf("kiosk presence: %w", err)
		}
		h.LastSeen = time.UnixMilli(seen)
		out[id] = h
	}
	return out, rows.Err()
}
