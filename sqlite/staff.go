package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chorus-community/chorus"
)

// Session and login limits.
const (
	// SessionIdle ends a session nobody used for this long: a shift.
	SessionIdle = 12 * time.Hour
	// SessionMax ends any session after this long.
	SessionMax = 7 * 24 * time.Hour
	// DefaultPasswordCost is bcrypt's work factor: ~100 ms a check on a
	// small server, slow enough against guessing, quick enough at the door.
	DefaultPasswordCost = 11
)

// CreateStaff adds a staff account with a bcrypt hash of password.
// Errors: EINVALID, ECONFLICT (username taken).
func (db *DB) CreateStaff(ctx context.Context, s *chorus.Staff, password string) error {
	if err := chorus.ValidateStaff(s, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), db.passwordCost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	s.CreatedAt = db.Now()
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO staff (username, name, role, password_hash, created_ms) VALUES (?, ?, ?, ?, ?)`,
			s.Username, s.Name, s.Role, string(hash), s.CreatedAt.UnixMilli())
		if isUnique(err) {
			return chorus.Errorf(chorus.ECONFLICT, "用户名 %s 已经有人用了。", s.Username)
		} else if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		s.ID, err = res.LastInsertId()
		return err
	})
}

// SetStaff changes a staff account's name, role and disabled state, and
// its password when password is not empty; disabling ends its sessions.
// Errors: EINVALID, ENOTFOUND.
func (db *DB) SetStaff(ctx context.Context, s *chorus.Staff, password string) error {
	check := password
	if check == "" {
		check = "unchanged-password"
	}
	if err := chorus.ValidateStaff(s, check); err != nil {
		return err
	}
	var hash []byte
	if password != "" {
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(password), db.passwordCost()); err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
	}
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE staff SET name = ?, role = ?, disabled = ? WHERE id = ?", s.Name, s.Role, s.Disabled, s.ID)
		if err != nil {
			return fmt.Errorf("update staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
		}
		if hash != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE staff SET password_hash = ? WHERE id = ?", string(hash), s.ID); err != nil {
				return err
			}
		}
		if s.Disabled || hash != nil {
			_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE staff_id = ?", s.ID)
		}
		return err
	})
}

const staffCols = "id, username, name, role, disabled, created_ms"

func scanStaff(s interface{ Scan(...any) error }) (chorus.Staff, error) {
	var st chorus.Staff
	var created int64
	err := s.Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.Disabled, &created)
	st.CreatedAt = time.UnixMilli(created)
	return st, err
}

// StaffList returns every staff account.
func (db *DB) StaffList(ctx context.Context) ([]chorus.Staff, error) {
	out, err := queryRows(ctx, db.read, scanStaff, "SELECT "+staffCols+" FROM staff ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	return out, nil
}

// CountStaff returns how many accounts exist.
func (db *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM staff").Scan(&n)
	return n, err
}

// Session returns the staff member and CSRF token of a live session, and
// keeps it alive. Errors: EUNAUTHORIZED (unknown, idle too long, expired,
// disabled).
func (db *DB) Session(ctx context.Context, token string) (*chorus.Staff, string, error) {
	now := db.Now()
	var csrf string
	var lastSeen, expires int64
	s, err := scanStaff(db.read.QueryRowContext(ctx, `SELECT s.id, s.username, s.name, s.role, s.disabled, s.created_ms
		FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = ?`, hashToken(token)))
	if err == nil {
		err = db.read.QueryRowContext(ctx, "SELECT csrf, last_seen_ms, expires_ms FROM sessions WHERE token_hash = ?",
			hashToken(token)).Scan(&csrf, &lastSeen, &expires)
	}
	if err == sql.ErrNoRows || (err == nil && (s.Disabled || now.UnixMilli() >= expires || now.Sub(time.UnixMilli(lastSeen)) >= SessionIdle)) {
		return nil, "", chorus.Errorf(chorus.EUNAUTHORIZED, "请先登录。")
	} else if err != nil {
		return nil, "", fmt.Errorf("session: %w", err)
	}
	if now.Sub(time.UnixMilli(lastSeen)) > time.Minute { // keep writes rare
		db.update(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_ms = ? WHERE token_hash = ?", now.UnixMilli(), hashToken(token))
			return err
		})
	}
	return &s, csrf, nil
}

// Logout ends a session.
func (db *DB) Logout(ctx context.Context, token string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
		return err
	})
}

// Audit records that a staff member changed something.
func (db *DB) Audit(ctx context.Context, s *chorus.Staff, action, detail string) error {
	return db.AuditChange(ctx, s, action, detail, "", "")
}

// maxAuditValue bounds the before and after values kept for one change.
const maxAuditValue = 4000

// AuditChange records a change with what it looked like before and after
// (JSON, each cut to maxAuditValue characters).
func (db *DB) AuditChange(ctx context.Context, s *chorus.Staff, action, detail, before, after string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (at_ms, staff_id, username, action, detail, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
			tx.now.UnixMilli(), nullID(s.ID), s.Username, action, chorus.Shorten(detail, 200),
			chorus.Shorten(before, maxAuditValue), chorus.Shorten(after, maxAuditValue))
		return err
	})
}

// AuditLog returns the newest audit entries.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]chorus.AuditEntry, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.AuditEntry, error) {
		var e chorus.AuditEntry
		var at int64
		err := rows.Scan(&e.ID, &at, &e.StaffID, &e.Username, &e.Action, &e.Detail, &e.Before, &e.After)
		e.At = time.UnixMilli(at)
		return e, err
	}, `SELECT id, at_ms, COALESCE(staff_id, 0), username, action, detail, before, after FROM audit_log
		ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}

// dummyHash is a hash of a random password at the current cost.
func (db *DB) dummyHash() string {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	if db.dummy == "" {
		h, _ := bcrypt.GenerateFromPassword([]byte(randomHex(16)), db.passwordCost())
		db.dummy = string(h)
	}
	return db.dummy
}

func (db *DB) passwordCost() int {
	if db.PasswordCost > 0 {
		return db.PasswordCost
	}
	return DefaultPasswordCost
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
