package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// Volunteers' check-in tokens (issue 20): a signup's QR code carries
// /c/<token>, signed with the key and in the form of bookings' and class
// enrolments' tokens (chorus.NewCheckinToken); the signup keeps the nonce.

// giveSignupNonce gives signup id a token nonce if it has none yet (a
// signup made before migration 32 gets its own lazily) and returns it.
func (tx *Tx) giveSignupNonce(ctx context.Context, id int64, key []byte) (string, error) {
	var nonce sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT token_nonce FROM volunteer_signups WHERE id = ?", id).Scan(&nonce); err != nil {
		return "", notFound(err, "报名")
	}
	if nonce.Valid && nonce.String != "" {
		return nonce.String, nil
	}
	n, _, err := chorus.NewCheckinToken(key)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE volunteer_signups SET token_nonce = ? WHERE id = ?", n, id); err != nil {
		return "", fmt.Errorf("signup token: %w", err)
	}
	return n, nil
}

// SignupToken returns the signed check-in token of signup id in the
// scope's community, giving it one first if it was made before tokens.
// Errors: ENOTFOUND.
func (db *DB) SignupToken(ctx context.Context, id int64) (string, error) {
	key, err := db.tokenKey(ctx)
	if err != nil {
		return "", err
	}
	var nonce string
	err = db.update(ctx, func(tx *Tx) error {
		var community int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id FROM volunteer_signups WHERE id = ?", id).
			Scan(&community); err != nil || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
		}
		var err error
		nonce, err = tx.giveSignupNonce(ctx, id, key)
		return err
	})
	if err != nil {
		return "", err
	}
	return chorus.CheckinToken(key, nonce)
}

// TokenPresence records a volunteer's presence by the token of their
// signup's QR code, scanned at a door that does not name a shift (the
// staff's door page, the kiosk's check-in mode, which try a booking's and
// a class enrolment's token first): the first scan checks in, the second
// checks out, as ShiftPresence does by the code. Errors: ENOTFOUND (a
// forged or altered token, or no signup of the scope's community has it),
// ECONFLICT (as ShiftPresence).
func (db *DB) TokenPresence(ctx context.Context, token string, at time.Time, by string) (*chorus.PresenceResult, error) {
	key, err := db.tokenKey(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := chorus.ParseCheckinToken(key, token)
	if err != nil {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "这个二维码无效,请找工作人员。")
	}
	var res *chorus.PresenceResult
	err = db.update(ctx, func(tx *Tx) error {
		var id, shiftID, community int64
		if err := tx.QueryRowContext(ctx, "SELECT id, shift_id, community_id FROM volunteer_signups WHERE token_nonce = ?", nonce).
			Scan(&id, &shiftID, &community); err != nil || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个二维码的报名。")
		}
		f, err := tx.shiftFacts(ctx, shiftID)
		if err != nil {
			return err
		}
		if at.IsZero() || at.After(tx.now) {
			at = tx.now
		}
		res, err = tx.presence(ctx, id, f, at, by)
		return err
	})
	return res, err
}
