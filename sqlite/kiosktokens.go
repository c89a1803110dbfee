package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The kiosks' short-lived tokens (table kiosk_tokens): the server's
// websocket tickets and verification proofs, told apart by kind, a label
// the caller chooses ("ticket", "proof").

// PutKioskToken keeps a token of kind for kiosk (and phone, for a proof)
// until expires, as its hash, so that any instance on this database
// accepts it. Expired tokens of every kind are swept on the way.
func (db *DB) PutKioskToken(ctx context.Context, kind, token string, kiosk int64, phone string, expires time.Time) error {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM kiosk_tokens WHERE expires_ms <= ?", tx.now.UnixMilli()); err != nil {
			return fmt.Errorf("sweep kiosk tokens: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kiosk_tokens (token_hash, kind, kiosk_id, phone, expires_ms)
			VALUES (?, ?, ?, ?, ?)`, hashToken(token), kind, kiosk, phone, expires.UnixMilli()); err != nil {
			return fmt.Errorf("keep kiosk token: %w", err)
		}
		return nil
	})
}

// TakeKioskToken uses a single-use token of kind up and returns its kiosk
// and phone; ok is false when it is unknown, already used or expired. The
// taking is one DELETE … RETURNING: of two instances taking one ticket at
// once, one gets it.
func (db *DB) TakeKioskToken(ctx context.Context, kind, token string) (kiosk int64, phone string, ok bool, err error) {
	var expires int64
	err = db.update(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, "DELETE FROM kiosk_tokens WHERE token_hash = ? AND kind = ? RETURNING kiosk_id, phone, expires_ms",
			hashToken(token), kind).Scan(&kiosk, &phone, &expires)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("take kiosk token: %w", err)
		}
		ok = tx.now.UnixMilli() < expires
		return nil
	})
	if err != nil || !ok {
		return 0, "", false, err
	}
	return kiosk, phone, true, nil
}

// KioskToken returns the kiosk and phone of a reusable token of kind (a
// proof) without using it up; ok is false when it is unknown or expired.
func (db *DB) KioskToken(ctx context.Context, kind, token string) (kiosk int64, phone string, ok bool, err error) {
	var expires int64
	err = db.read.QueryRowContext(ctx, "SELECT kiosk_id, phone, expires_ms FROM kiosk_tokens WHERE token_hash = ? AND kind = ?",
		hashToken(token), kind).Scan(&kiosk, &phone, &expires)
	if err == sql.ErrNoRows {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("kiosk token: %w", err)
	}
	if db.Now().UnixMilli() >= expires {
		return 0, "", false, nil
	}
	return kiosk, phone, true, nil
}
