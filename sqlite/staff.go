package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
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

// CreateStaff adds a staff account with a bcrypt hash of password, working
// for the scope's community with s.Role (and for every community when
// s.District). Errors: EINVALID, ECONFLICT (username taken).
func (db *DB) CreateStaff(ctx context.Context, s *chorus.Staff, password string) error {
	if err := chorus.ValidateStaff(s, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), db.passwordCost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	s.CreatedAt = db.Now()
	sc := chorus.ScopeFrom(ctx)
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.checkCommunity(ctx, sc.Community); err != nil {
			return err
		}
		res, err := tx.insert(ctx, `INSERT INTO staff (username, name, role, password_hash, created_ms, district, phone) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.Username, s.Name, s.Role, string(hash), s.CreatedAt.UnixMilli(), s.District, nullStr(s.Phone))
		if isUnique(err) {
			return chorus.Errorf(chorus.ECONFLICT, "用户名 %s 已经有人用了。", s.Username)
		} else if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		s.Community = sc.Community
		_, err = tx.ExecContext(ctx, "INSERT INTO staff_communities (staff_id, community_id, role) VALUES (?, ?, ?)",
			s.ID, sc.Community, s.Role)
		return err
	})
}

// SetStaff changes a staff account's name, disabled state and district
// flag, its role in the scope's community (a district admin's scope may so
// add an account to the community), and its password when password is not
// empty; disabling ends its sessions. Errors: EINVALID, ENOTFOUND (no such
// account in the scope's community).
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
	sc := chorus.ScopeFrom(ctx)
	return db.update(ctx, func(tx *Tx) error {
		var member int
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM staff_communities WHERE staff_id = ? AND community_id = ?",
			s.ID, sc.Community).Scan(&member)
		if err != nil {
			return fmt.Errorf("staff community: %w", err)
		}
		if member == 0 && !sc.District {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
		}
		res, err := tx.ExecContext(ctx, "UPDATE staff SET name = ?, role = ?, disabled = ?, district = ?, phone = ? WHERE id = ?",
			s.Name, s.Role, s.Disabled, s.District, nullStr(s.Phone), s.ID)
		if err != nil {
			return fmt.Errorf("update staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_communities (staff_id, community_id, role) VALUES (?, ?, ?)
			ON CONFLICT(staff_id, community_id) DO UPDATE SET role = excluded.role`, s.ID, sc.Community, s.Role); err != nil {
			return fmt.Errorf("staff community: %w", err)
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

// LeaveCommunity takes a staff account out of the scope's community: its
// role there and its sessions in it end; it keeps its other communities
// (an account that worked nowhere else can no longer sign in). Errors:
// ENOTFOUND (it does not work for the scope's community), ECONFLICT (a
// district admin, who works for every community).
func (db *DB) LeaveCommunity(ctx context.Context, staffID int64) error {
	sc := chorus.ScopeFrom(ctx)
	return db.update(ctx, func(tx *Tx) error {
		var district bool
		err := tx.QueryRowContext(ctx, "SELECT district FROM staff WHERE id = ?", staffID).Scan(&district)
		if err == sql.ErrNoRows {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
		} else if err != nil {
			return fmt.Errorf("staff %d: %w", staffID, err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM staff_communities WHERE staff_id = ? AND community_id = ?", staffID, sc.Community)
		if err != nil {
			return fmt.Errorf("leave community: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if district {
				return chorus.Errorf(chorus.ECONFLICT, "街道管理员在每个社区都能工作,不能只移出一个社区;请先取消街道管理员身份。")
			}
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个工作人员。")
		}
		if district {
			return chorus.Errorf(chorus.ECONFLICT, "街道管理员在每个社区都能工作,不能只移出一个社区;请先取消街道管理员身份。")
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE staff_id = ? AND community_id = ?", staffID, sc.Community)
		return err
	})
}

const staffCols = "id, username, name, role, disabled, created_ms, district, COALESCE(phone, '')"

func scanStaff(s interface{ Scan(...any) error }) (chorus.Staff, error) {
	var st chorus.Staff
	var created int64
	err := s.Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.Disabled, &created, &st.District, &st.Phone)
	st.CreatedAt = time.UnixMilli(created)
	return st, err
}

// StaffList returns the accounts of the scope's community, with their
// role there; a district admin's scope lists every account (with the role
// in the current community, or none).
func (db *DB) StaffList(ctx context.Context) ([]chorus.Staff, error) {
	sc := chorus.ScopeFrom(ctx)
	q := `SELECT s.id, s.username, s.name, COALESCE(m.role, ''), s.disabled, s.created_ms, s.district, COALESCE(s.phone, '') FROM staff s
		LEFT JOIN staff_communities m ON m.staff_id = s.id AND m.community_id = ?
		WHERE m.role IS NOT NULL OR s.district = 1 OR ? = 1 ORDER BY s.id`
	out, err := queryRows(ctx, db.read, scanStaff, q, sc.Community, sc.District)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	for i := range out {
		if err := db.memberships(ctx, db.read, &out[i], sc.Community); err != nil {
			return nil, err
		}
		if out[i].Community != sc.Community { // listed to a district admin only
			out[i].Community, out[i].Role = 0, ""
		}
		if !sc.District {
			// A community's admin sees the role in their own community
			// only, not where else a colleague works.
			out[i].Communities = slices.DeleteFunc(out[i].Communities, func(m chorus.Membership) bool { return m.Community != sc.Community })
		}
	}
	return out, nil
}

// CountStaff returns how many accounts exist.
func (db *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM staff").Scan(&n)
	return n, err
}

// memberships fills s.Communities (a district admin: every community, as
// admin) and, for community, s.Community and s.Role; a staff member who
// does not work there gets the first community they work for, or none
// (Community 0, Role "").
func (db *DB) memberships(ctx context.Context, q querier, s *chorus.Staff, community int64) error {
	query := `SELECT m.community_id, COALESCE(c.name, ''), m.role FROM staff_communities m
		LEFT JOIN community c ON c.id = m.community_id WHERE m.staff_id = ? ORDER BY m.community_id`
	args := []any{s.ID}
	if s.District {
		query, args = "SELECT id, name, 'admin' FROM community ORDER BY id", nil
	}
	list, err := queryRows(ctx, q, func(rows rowScanner) (chorus.Membership, error) {
		var m chorus.Membership
		err := rows.Scan(&m.Community, &m.Name, &m.Role)
		if m.Name == "" {
			m.Name = unnamedCommunity
		}
		return m, err
	}, query, args...)
	if err != nil {
		return fmt.Errorf("staff %d communities: %w", s.ID, err)
	}
	s.Communities, s.Community, s.Role = list, 0, ""
	for _, m := range list {
		if m.Community == community {
			s.Community, s.Role = m.Community, m.Role
		}
	}
	if s.Community == 0 && len(list) > 0 {
		s.Community, s.Role = list[0].Community, list[0].Role
	}
	return nil
}

// Session returns the staff member and CSRF token of a live session, and
// keeps it alive. The staff member carries the session's community (the
// first one they work for when they no longer work there), their role in
// it, their communities and district flag. Errors: EUNAUTHORIZED
// (unknown, idle too long, expired, disabled, working for no community).
func (db *DB) Session(ctx context.Context, token string) (*chorus.Staff, string, error) {
	now := db.Now()
	var csrf string
	var lastSeen, expires, community int64
	s, err := scanStaff(db.read.QueryRowContext(ctx, `SELECT s.id, s.username, s.name, s.role, s.disabled, s.created_ms, s.district, COALESCE(s.phone, '')
		FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = ?`, hashToken(token)))
	if err == nil {
		err = db.read.QueryRowContext(ctx, "SELECT csrf, last_seen_ms, expires_ms, community_id FROM sessions WHERE token_hash = ?",
			hashToken(token)).Scan(&csrf, &lastSeen, &expires, &community)
	}
	if err == nil {
		err = db.memberships(ctx, db.read, &s, community)
	}
	if err == sql.ErrNoRows || (err == nil && (s.Disabled || s.Community == 0 || now.UnixMilli() >= expires ||
		now.Sub(time.UnixMilli(lastSeen)) >= SessionIdle)) {
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

// SwitchCommunity moves a live session to community and returns its staff
// member as Session would now. Errors: EUNAUTHORIZED (no live session),
// EFORBIDDEN (the staff member does not work there; a district admin
// works everywhere), ENOTFOUND (no such community, for a district admin).
func (db *DB) SwitchCommunity(ctx context.Context, token string, community int64) (*chorus.Staff, error) {
	s, _, err := db.Session(ctx, token)
	if err != nil {
		return nil, err
	}
	member := false
	for _, m := range s.Communities {
		member = member || m.Community == community
	}
	if !member {
		if s.District {
			return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个社区。")
		}
		return nil, chorus.Errorf(chorus.EFORBIDDEN, "您不在这个社区工作,不能切换过去。")
	}
	err = db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sessions SET community_id = ? WHERE token_hash = ?", community, hashToken(token))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("switch community: %w", err)
	}
	s, _, err = db.Session(ctx, token)
	return s, err
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
// (JSON, each cut to maxAuditValue characters), in the scope's community.
func (db *DB) AuditChange(ctx context.Context, s *chorus.Staff, action, detail, before, after string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at_ms, staff_id, username, action, detail, before, after, community_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tx.now.UnixMilli(), nullID(s.ID), s.Username, action, chorus.Shorten(detail, 200),
			chorus.Shorten(before, maxAuditValue), chorus.Shorten(after, maxAuditValue), chorus.ScopeFrom(ctx).Community)
		return err
	})
}

// AuditLog returns the newest audit entries of the scope's community.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]chorus.AuditEntry, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.AuditEntry, error) {
		var e chorus.AuditEntry
		var at int64
		err := rows.Scan(&e.ID, &at, &e.StaffID, &e.Username, &e.Action, &e.Detail, &e.Before, &e.After)
		e.At = time.UnixMilli(at)
		return e, err
	}, `SELECT id, at_ms, COALESCE(staff_id, 0), username, action, detail, before, after FROM audit_log
		WHERE community_id = ? ORDER BY id DESC LIMIT ?`, chorus.ScopeFrom(ctx).Community, limit)
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
