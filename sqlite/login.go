package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chorus-community/chorus"
)

// Login checks a username and password from addr (the client's address)
// and device (the browser's device token, or "") and opens a session.
//
// Throttling cannot be raced: one write transaction counts the recent
// failures, decides (chorus.LoginWait) and records this attempt as a
// failure before the password is checked; a right password then clears
// it. Forty parallel guesses therefore see each other, and all but the
// first few are refused unchecked. A device the account has logged in
// from before is held back only by its own failures, so guesses made
// elsewhere cannot lock the owner out.
//
// Errors: EUNAUTHORIZED (wrong username or password, disabled), EFORBIDDEN
// (too many failures: wait).
func (db *DB) Login(ctx context.Context, username, password, addr, device string) (*chorus.LoginResult, error) {
	var attempt int64
	var known bool
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		known, err = tx.knownDevice(ctx, username, device)
		if err != nil {
			return err
		}
		since := tx.now.Add(-chorus.LoginFailureWindow).UnixMilli()
		var wait time.Duration
		if known {
			c, err := tx.loginCounts(ctx, "device", hashToken(device), since)
			if err != nil {
				return err
			}
			wait = chorus.LoginWait(c, chorus.FreeDeviceFailures, tx.now)
		} else {
			u, err := tx.loginCounts(ctx, "username", username, since)
			if err != nil {
				return err
			}
			a, err := tx.loginCounts(ctx, "addr", addr, since)
			if err != nil {
				return err
			}
			wait = max(chorus.LoginWait(u, chorus.FreeUserFailures, tx.now), chorus.LoginWait(a, chorus.FreeAddrFailures, tx.now))
		}
		if wait > 0 {
			return chorus.LoginWaitError(wait)
		}
		// A known device's failures count against the device alone.
		user, from, dev := username, addr, ""
		if known {
			user, from, dev = "", "", hashToken(device)
		}
		res, err := tx.insert(ctx, "INSERT INTO login_failures (username, addr, device, at_ms) VALUES (?, ?, ?, ?)",
			user, from, dev, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("record login attempt: %w", err)
		}
		attempt, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	s, ok, err := db.checkPassword(ctx, username, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, chorus.Errorf(chorus.EUNAUTHORIZED, "用户名或密码不对。")
	}
	// The session starts in the first community the staff member works for.
	if err := db.memberships(ctx, db.read, s, 0); err != nil {
		return nil, err
	}
	if s.Community == 0 {
		return nil, chorus.Errorf(chorus.EFORBIDDEN, "这个账号还没有分到任何社区,请联系街道管理员。")
	}
	out := &chorus.LoginResult{Staff: s, Token: randomHex(32), CSRF: randomHex(16), Device: device}
	if !known {
		out.Device = randomHex(32)
	}
	err = db.update(ctx, func(tx *Tx) error {
		// The owner proved who they are: the failures at this username
		// (and this attempt) no longer count.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE id = ? OR (username = ? AND username != '') OR at_ms < ?",
			attempt, username, tx.now.Add(-chorus.LoginFailureWindow).UnixMilli()); err != nil {
			return err
		}
		now := tx.now.UnixMilli()
		if _, err := tx.ExecContext(ctx, `INSERT INTO known_devices (token_hash, staff_id, created_ms, last_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT(token_hash) DO UPDATE SET last_ms = excluded.last_ms`, hashToken(out.Device), s.ID, now, now); err != nil {
			return fmt.Errorf("known device: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_ms <= ? OR last_seen_ms <= ?",
			now, tx.now.Add(-SessionIdle).UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, staff_id, csrf, created_ms, last_seen_ms, expires_ms, community_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(out.Token), s.ID, out.CSRF, now, now, tx.now.Add(SessionMax).UnixMilli(), s.Community)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return out, nil
}

// checkPassword compares password with the account's hash, doing the same
// work for an unknown username so that timing tells nothing; ok is false
// for a wrong password, an unknown username or a disabled account.
func (db *DB) checkPassword(ctx context.Context, username, password string) (*chorus.Staff, bool, error) {
	var hash string
	s, err := scanStaff(db.read.QueryRowContext(ctx, "SELECT "+staffCols+" FROM staff WHERE username = ?", username))
	if err == nil {
		err = db.read.QueryRowContext(ctx, "SELECT password_hash FROM staff WHERE id = ?", s.ID).Scan(&hash)
	}
	if err != nil && err != sql.ErrNoRows {
		return nil, false, fmt.Errorf("staff %s: %w", username, err)
	}
	unknown := err == sql.ErrNoRows
	if unknown {
		hash = db.dummyHash()
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || unknown || s.Disabled {
		return nil, false, nil
	}
	return &s, true, nil
}

// knownDevice reports whether device is a browser username has logged in
// from before.
func (tx *Tx) knownDevice(ctx context.Context, username, device string) (bool, error) {
	if device == "" || len(device) > 128 {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM known_devices d JOIN staff s ON s.id = d.staff_id
		WHERE d.token_hash = ? AND s.username = ?`, hashToken(device), username).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("known device: %w", err)
	}
	return n > 0, nil
}

// loginCounts counts the failures of one key (column username, addr or
// device) since sinceMS.
func (tx *Tx) loginCounts(ctx context.Context, col, key string, sinceMS int64) (chorus.LoginCounts, error) {
	var c chorus.LoginCounts
	if key == "" {
		return c, nil
	}
	var last sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*), MAX(at_ms) FROM login_failures WHERE "+col+" = ? AND at_ms >= ?",
		key, sinceMS).Scan(&c.Failures, &last)
	if err != nil {
		return c, fmt.Errorf("login failures: %w", err)
	}
	c.Last = fromMS(last)
	return c, nil
}

// LoginThrottles returns the usernames and addresses that must wait before
// their next login, longest wait first.
func (db *DB) LoginThrottles(ctx context.Context) ([]chorus.LoginThrottle, error) {
	now := db.Now()
	since := now.Add(-chorus.LoginFailureWindow).UnixMilli()
	out := []chorus.LoginThrottle{}
	for _, k := range []struct {
		col  string
		free int
	}{{"username", chorus.FreeUserFailures}, {"addr", chorus.FreeAddrFailures}} {
		type failures struct {
			key string
			c   chorus.LoginCounts
		}
		list, err := queryRows(ctx, db.read, func(rows rowScanner) (failures, error) {
			var f failures
			var last int64
			err := rows.Scan(&f.key, &f.c.Failures, &last)
			f.c.Last = time.UnixMilli(last)
			return f, err
		}, "SELECT "+k.col+", COUNT(*), MAX(at_ms) FROM login_failures WHERE "+k.col+
			" != '' AND at_ms >= ? GROUP BY "+k.col+" HAVING COUNT(*) >= ?", since, k.free)
		if err != nil {
			return nil, fmt.Errorf("login throttles: %w", err)
		}
		for _, f := range list {
			key, c := f.key, f.c
			wait := chorus.LoginWait(c, k.free, now)
			if wait <= 0 {
				continue
			}
			t := chorus.LoginThrottle{Failures: c.Failures, Until: now.Add(wait)}
			if k.col == "username" {
				t.Username = key
			} else {
				t.Addr = key
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// LiftThrottle forgets the failures of a username or an address, so that
// its next login is checked at once.
func (db *DB) LiftThrottle(ctx context.Context, username, addr string) error {
	if username == "" && addr == "" {
		return chorus.Errorf(chorus.EINVALID, "请说明解除哪个用户名或地址的限制。")
	}
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE (username = ? AND username != '') OR (addr = ? AND addr != '')",
			username, addr)
		return err
	})
}

// SetPassword sets a staff account's password by username (chorus user
// passwd) and ends its sessions. Errors: EINVALID, ENOTFOUND.
func (db *DB) SetPassword(ctx context.Context, username, password string) error {
	if err := chorus.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), db.passwordCost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.update(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, "UPDATE staff SET password_hash = ? WHERE username = ? RETURNING id", string(hash), username).Scan(&id)
		if err == sql.ErrNoRows {
			return chorus.Errorf(chorus.ENOTFOUND, "没有用户名为 %s 的工作人员。", username)
		} else if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE staff_id = ?", id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM login_failures WHERE username = ?", username)
		return err
	})
}
