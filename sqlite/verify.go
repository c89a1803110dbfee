package sqlite

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/chorus-community/chorus"
)

// hashCode is how a verification code is kept: the phone salts it, so
// equal codes of two phones differ.
func hashCode(phone, code string) string {
	sum := sha256.Sum256([]byte("chorus-verify:" + phone + ":" + code))
	return hex.EncodeToString(sum[:])
}

// SendVerification draws a 6-digit verification code for phone and queues
// it by SMS, subject to the phone's daily SMS budget and opt-out like any
// other message. Any earlier code of the phone stops working. It reports
// false, with nothing to type, when the rules refused the SMS.
func (db *DB) SendVerification(ctx context.Context, phone string, kioskID int64) (bool, error) {
	phone, err := chorus.NormalizePhone(phone)
	if err != nil {
		return false, err
	}
	code, err := NewCode()
	if err != nil {
		return false, err
	}
	var sent bool
	err = db.update(ctx, func(tx *Tx) error {
		now := tx.now.UnixMilli()
		if _, err := tx.ExecContext(ctx, "UPDATE verifications SET used_ms = ? WHERE phone = ? AND used_ms IS NULL", now, phone); err != nil {
			return fmt.Errorf("retire codes: %w", err)
		}
		// Signed by the community of the kiosk (or staff) that asked for it:
		// where the resident stands, whichever community they live in.
		if err := tx.queue(ctx, chorus.Message{Phone: phone, Kind: chorus.MsgVerifyCode, Params: map[string]string{"code": code},
			Community: chorus.ScopeFrom(ctx).Community}); err != nil {
			return err
		}
		var st chorus.MessageStatus
		if err := tx.QueryRowContext(ctx, "SELECT status FROM messages WHERE phone = ? AND kind = ? ORDER BY id DESC LIMIT 1",
			phone, chorus.MsgVerifyCode).Scan(&st); err != nil {
			return fmt.Errorf("verification sms: %w", err)
		}
		if sent = st == chorus.MessageQueued; !sent {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO verifications (phone, kiosk_id, code_hash, created_ms, expires_ms)
			VALUES (?, ?, ?, ?, ?)`, phone, nullID(kioskID), hashCode(phone, code), now, tx.now.Add(chorus.VerifyCodeTTL).UnixMilli())
		return err
	})
	return sent, err
}

// CheckVerification checks a code typed for phone against the phone's
// latest one (chorus.CheckVerification decides), counting a wrong try and
// using up a right one. Errors: EINVALID (wrong code), ECONFLICT (none
// sent, used, expired or locked).
func (db *DB) CheckVerification(ctx context.Context, phone, code string) error {
	phone, err := chorus.NormalizePhone(phone)
	if err != nil {
		return err
	}
	var verdict error
	err = db.update(ctx, func(tx *Tx) error {
		var v chorus.Verification
		var hash string
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, code_hash, expires_ms, tries, used_ms FROM verifications
			WHERE phone = ? ORDER BY id DESC LIMIT 1`, phone).Scan(&v.ID, &hash, &expires, &v.Tries, &used)
		if err == sql.ErrNoRows {
			verdict = chorus.Errorf(chorus.ECONFLICT, "请先点“发验证码”,再输入短信里的6位验证码。")
			return nil
		} else if err != nil {
			return fmt.Errorf("verification: %w", err)
		}
		v.ExpiresAt, v.UsedAt = fromMS(sql.NullInt64{Int64: expires, Valid: true}), fromMS(used)
		right := subtle.ConstantTimeCompare([]byte(hash), []byte(hashCode(phone, code))) == 1
		next, err := chorus.CheckVerification(v, right, tx.now)
		verdict = err
		if next.Tries == v.Tries && next.UsedAt.Equal(v.UsedAt) {
			return nil
		}
		_, err = tx.ExecContext(ctx, "UPDATE verifications SET tries = ?, used_ms = ? WHERE id = ?", next.Tries, ms(next.UsedAt), v.ID)
		return err
	})
	if err != nil {
		return err
	}
	return verdict
}
