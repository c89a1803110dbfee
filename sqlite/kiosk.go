package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

var _ chorus.KioskService = (*DB)(nil)

// Pairing and token sizes.
const (
	// pairingDigits is the length of a pairing code: short enough to type
	// on a touch screen, and 10^8 codes against a few outstanding ones at
	// a time, each valid a day and refused quickly after repeated misses
	// by the HTTP layer.
	pairingDigits = 8
	// tokenBytes is the entropy of a kiosk's long-lived token (hex on the
	// wire): unguessable, so a hash without salt is enough to store it.
	tokenBytes = 32
	// codeAttempts bounds retries when a new code collides with one still
	// outstanding.
	codeAttempts = 5
)

// hashSecret returns the hex SHA-256 of a token or pairing code.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newPairingCode returns pairingDigits random decimal digits.
func newPairingCode() (string, error) {
	max := big.NewInt(1)
	for range pairingDigits {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", fmt.Errorf("pairing code: %w", err)
	}
	return fmt.Sprintf("%0*d", pairingDigits, n), nil
}

// normalizePairingCode keeps the digits of a typed code ("1234 5678",
// "1234-5678") and checks its length.
func normalizePairingCode(code string) (string, error) {
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", chorus.Errorf(chorus.EINVALID, "配对码是%d位数字。", pairingDigits)
		}
	}
	if b.Len() != pairingDigits {
		return "", chorus.Errorf(chorus.EINVALID, "配对码是%d位数字。", pairingDigits)
	}
	return b.String(), nil
}

const kioskCols = `k.id, k.name, k.place_id, p.name, k.mode_kind, COALESCE(k.mode_event_id, 0), COALESCE(k.mode_class_id, 0),
	COALESCE((SELECT e.title FROM events e WHERE e.id = k.mode_event_id), (SELECT c.title FROM classes c WHERE c.id = k.mode_class_id), ''),
	k.mode_message,
	k.idle_seconds, k.text_size, k.printer, k.revoked_ms IS NOT NULL, k.paired_ms, k.created_ms, k.community_id`

const kioskFrom = ` FROM kiosks k JOIN places p ON p.id = k.place_id `

func scanKiosk(s interface{ Scan(...any) error }) (chorus.Kiosk, error) {
	var k chorus.Kiosk
	var paired, created sql.NullInt64
	err := s.Scan(&k.ID, &k.Name, &k.PlaceID, &k.Place, &k.Mode.Kind, &k.Mode.EventID, &k.Mode.ClassID, &k.Mode.EventTitle, &k.Mode.Message,
		&k.Settings.IdleSeconds, &k.Settings.TextSize, &k.Settings.Printer, &k.Revoked, &paired, &created,
		&k.Community)
	k.PairedAt, k.CreatedAt = fromMS(paired), fromMS(created)
	return k, err
}

// Kiosk returns one kiosk. Errors: ENOTFOUND (none, or of a community the
// scope does not see).
func (db *DB) Kiosk(ctx context.Context, id int64) (*chorus.Kiosk, error) {
	k, err := scanKiosk(db.read.QueryRowContext(ctx, "SELECT "+kioskCols+kioskFrom+"WHERE k.id = ?", id))
	if err == nil && !chorus.ScopeFrom(ctx).Sees(k.Community) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, notFound(err, "自助机")
	}
	return &k, nil
}

// Kiosks returns the scope's community's kiosks, revoked ones too, by
// place and name.
func (db *DB) Kiosks(ctx context.Context) ([]chorus.Kiosk, error) {
	out, err := queryRows(ctx, db.read, scanKiosk, "SELECT "+kioskCols+kioskFrom+"WHERE k.community_id = ? ORDER BY k.place_id, k.name, k.id",
		chorus.ScopeFrom(ctx).Community)
	if err != nil {
		return nil, fmt.Errorf("kiosks: %w", err)
	}
	return out, nil
}

// CreateKiosk registers a kiosk with a pairing code; see chorus.KioskService.
func (db *DB) CreateKiosk(ctx context.Context, name string, placeID int64) (*chorus.Kiosk, string, error) {
	k := chorus.Kiosk{Name: name, PlaceID: placeID, Settings: chorus.DefaultKioskSettings()}
	if err := k.Validate(); err != nil {
		return nil, "", err
	}
	var code string
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.checkPlace(ctx, k.PlaceID, chorus.ScopeFrom(ctx).Community); err != nil {
			return err
		}
		res, err := tx.insert(ctx, `INSERT INTO kiosks (name, place_id, mode_kind, idle_seconds, text_size,
			printer, created_ms, community_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.Name, k.PlaceID, k.Mode.Kind,
			k.Settings.IdleSeconds, k.Settings.TextSize, k.Settings.Printer, tx.now.UnixMilli(), chorus.ScopeFrom(ctx).Community)
		if err != nil {
			return fmt.Errorf("insert kiosk: %w", err)
		}
		if k.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		code, err = tx.setPairingCode(ctx, k.ID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, err := db.Kiosk(ctx, k.ID)
	return out, code, err
}

// NewPairingCode issues a new pairing code; see chorus.KioskService.
func (db *DB) NewPairingCode(ctx context.Context, id int64) (string, error) {
	var code string
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.kiosk(ctx, id); err != nil {
			return err
		}
		var err error
		code, err = tx.setPairingCode(ctx, id)
		return err
	})
	return code, err
}

// setPairingCode gives kiosk id a fresh code valid for PairingCodeTTL,
// drawing again if it collides with one still outstanding.
func (tx *Tx) setPairingCode(ctx context.Context, id int64) (string, error) {
	for range codeAttempts {
		code, err := newPairingCode()
		if err != nil {
			return "", err
		}
		err = tx.mayConflict(ctx, func() error {
			_, err := tx.ExecContext(ctx, "UPDATE kiosks SET pair_hash = ?, pair_expires_ms = ? WHERE id = ?",
				hashSecret(code), tx.now.Add(chorus.PairingCodeTTL).UnixMilli(), id)
			return err
		})
		if isUnique(err) {
			continue
		} else if err != nil {
			return "", fmt.Errorf("set pairing code: %w", err)
		}
		return code, nil
	}
	return "", fmt.Errorf("set pairing code: %d collisions", codeAttempts)
}

// Pair consumes a pairing code; see chorus.KioskService.
func (db *DB) Pair(ctx context.Context, code string) (*chorus.Kiosk, string, error) {
	code, err := normalizePairingCode(code)
	if err != nil {
		return nil, "", err
	}
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("kiosk token: %w", err)
	}
	token := hex.EncodeToString(b)
	var id int64
	err = db.update(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT id FROM kiosks WHERE pair_hash = ? AND pair_expires_ms > ?",
			hashSecret(code), tx.now.UnixMilli()).Scan(&id)
		if err == sql.ErrNoRows {
			return chorus.Errorf(chorus.EINVALID, "配对码不对或已过期,请向工作人员要一个新的配对码。")
		} else if err != nil {
			return fmt.Errorf("pair: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE kiosks SET pair_hash = NULL, pair_expires_ms = NULL, token_hash = ?,
			paired_ms = ?, revoked_ms = NULL WHERE id = ?`, hashSecret(token), tx.now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("pair: %w", err)
		}
		tx.change.Kiosks = append(tx.change.Kiosks, id)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	// The code proved the kiosk, whichever community it is of.
	k, err := db.Kiosk(chorus.WithScope(ctx, chorus.Scope{Community: chorus.DefaultCommunity, District: true}), id)
	if err != nil {
		return nil, "", err
	}
	return k, token, nil
}

// KioskByToken returns the kiosk holding token; see chorus.KioskService.
func (db *DB) KioskByToken(ctx context.Context, token string) (*chorus.Kiosk, error) {
	if token == "" {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "这台自助机还没有配对。")
	}
	hash := hashSecret(token)
	k, ok, gen := db.kiosks.get(hash)
	if ok {
		return &k, nil
	}
	k, err := scanKiosk(db.read.QueryRowContext(ctx, "SELECT "+kioskCols+kioskFrom+"WHERE k.token_hash = ?", hash))
	if err == sql.ErrNoRows {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "这台自助机还没有配对,请联系工作人员。")
	} else if err != nil {
		return nil, fmt.Errorf("kiosk by token: %w", err)
	}
	if k.Revoked {
		return nil, chorus.Errorf(chorus.EFORBIDDEN, "这台自助机已停用,请联系工作人员。")
	}
	if !db.pg {
		// On PostgreSQL another instance may revoke the kiosk: every
		// request asks the database (a shared version is future work).
		db.kiosks.put(gen, hash, k)
	}
	return &k, nil
}

// RenameKiosk renames a kiosk or moves it; see chorus.KioskService.
func (db *DB) RenameKiosk(ctx context.Context, id int64, name string, placeID int64) (*chorus.Kiosk, error) {
	return db.changeKiosk(ctx, id, func(tx *Tx, k *chorus.Kiosk) error {
		k.Name = name
		if placeID != 0 {
			k.PlaceID = placeID
		}
		if err := k.Validate(); err != nil {
			return err
		}
		if err := tx.checkPlace(ctx, k.PlaceID, k.Community); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE kiosks SET name = ?, place_id = ? WHERE id = ?", k.Name, k.PlaceID, id)
		return err
	})
}

// SetKioskMode sets a kiosk's mode; see chorus.KioskService.
func (db *DB) SetKioskMode(ctx context.Context, id int64, m chorus.KioskMode) (*chorus.Kiosk, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return db.changeKiosk(ctx, id, func(tx *Tx, k *chorus.Kiosk) error {
		if m.Kind == chorus.KioskCheckin && m.EventID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM events WHERE id = ? AND community_id = ?",
				m.EventID, k.Community).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				return chorus.Errorf(chorus.EINVALID, "没有找到要签到的活动。")
			}
		}
		if m.Kind == chorus.KioskCheckin && m.ClassID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM classes WHERE id = ? AND community_id = ?",
				m.ClassID, k.Community).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				return chorus.Errorf(chorus.EINVALID, "没有找到要签到的课程。")
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE kiosks SET mode_kind = ?, mode_event_id = ?, mode_class_id = ?, mode_message = ? WHERE id = ?",
			m.Kind, nullID(m.EventID), nullID(m.ClassID), m.Message, id)
		return err
	})
}

// SetKioskSettings sets a kiosk's settings; see chorus.KioskService.
func (db *DB) SetKioskSettings(ctx context.Context, id int64, s chorus.KioskSettings) (*chorus.Kiosk, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return db.changeKiosk(ctx, id, func(tx *Tx, k *chorus.Kiosk) error {
		_, err := tx.ExecContext(ctx, "UPDATE kiosks SET idle_seconds = ?, text_size = ?, printer = ? WHERE id = ?",
			s.IdleSeconds, s.TextSize, s.Printer, id)
		return err
	})
}

// RevokeKiosk stops a kiosk's token from working and voids its pairing
// code; see chorus.KioskService.
func (db *DB) RevokeKiosk(ctx context.Context, id int64) (*chorus.Kiosk, error) {
	return db.changeKiosk(ctx, id, func(tx *Tx, k *chorus.Kiosk) error {
		_, err := tx.ExecContext(ctx, `UPDATE kiosks SET revoked_ms = COALESCE(revoked_ms, ?), pair_hash = NULL,
			pair_expires_ms = NULL WHERE id = ?`, tx.now.UnixMilli(), id)
		return err
	})
}

// ReloadKiosk asks kiosk id's screens to reload; see chorus.KioskService.
// Nothing is stored: the commit names the kiosk (Change.Reloads), and
// every instance's OnCommit passes it to its screens.
func (db *DB) ReloadKiosk(ctx context.Context, id int64) (*chorus.Kiosk, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.kiosk(ctx, id); err != nil {
			return err
		}
		tx.change.Reloads = append(tx.change.Reloads, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Kiosk(ctx, id)
}

// changeKiosk runs fn on kiosk id inside a write transaction and returns
// the kiosk as stored afterwards.
func (db *DB) changeKiosk(ctx context.Context, id int64, fn func(tx *Tx, k *chorus.Kiosk) error) (*chorus.Kiosk, error) {
	err := db.update(ctx, func(tx *Tx) error {
		k, err := tx.kiosk(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, k); err != nil {
			return fmt.Errorf("kiosk %d: %w", id, err)
		}
		tx.change.Kiosks = append(tx.change.Kiosks, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Kiosk(ctx, id)
}

// kiosk returns kiosk id inside a transaction. Errors: ENOTFOUND (none, or
// of a community the scope does not see).
func (tx *Tx) kiosk(ctx context.Context, id int64) (*chorus.Kiosk, error) {
	k, err := scanKiosk(tx.QueryRowContext(ctx, "SELECT "+kioskCols+kioskFrom+"WHERE k.id = ?", id))
	if err == nil && !chorus.ScopeFrom(ctx).Sees(k.Community) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, notFound(err, "自助机")
	}
	return &k, nil
}

// CreateAnnouncement stores an announcement for the scope's community's
// kiosks; see chorus.KioskService.
func (db *DB) CreateAnnouncement(ctx context.Context, a *chorus.Announcement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := db.Now()
	if a.ExpiresAt.IsZero() {
		a.ExpiresAt = now.Add(chorus.DefaultAnnouncementTTL)
	}
	if !a.ExpiresAt.After(now) {
		return chorus.Errorf(chorus.EINVALID, "通知的结束时间已经过了。")
	}
	if a.ExpiresAt.Sub(now) > chorus.MaxAnnouncementTTL {
		return chorus.Errorf(chorus.EINVALID, "通知最多显示%d天。", int(chorus.MaxAnnouncementTTL/(24*time.Hour)))
	}
	a.CreatedAt = now
	a.Community = chorus.ScopeFrom(ctx).Community
	return db.update(ctx, func(tx *Tx) error {
		if a.KioskID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM kiosks WHERE id = ? AND community_id = ?",
				a.KioskID, a.Community).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				return chorus.Errorf(chorus.EINVALID, "没有找到这台自助机。")
			}
		}
		if a.PlaceID > 0 {
			if err := tx.checkPlace(ctx, a.PlaceID, a.Community); err != nil {
				return err
			}
		}
		res, err := tx.insert(ctx, `INSERT INTO announcements (text, speak, kiosk_id, place_id, expires_ms, created_ms, community_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Text, a.Speak, nullID(a.KioskID), nullID(a.PlaceID),
			a.ExpiresAt.UnixMilli(), a.CreatedAt.UnixMilli(), a.Community)
		if err != nil {
			return fmt.Errorf("insert announcement: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		tx.change.Announcements = append(tx.change.Announcements, a.ID)
		return nil
	})
}

// Announcements returns the scope's community's announcements not expired
// at now, newest first.
func (db *DB) Announcements(ctx context.Context, now time.Time) ([]chorus.Announcement, error) {
	return db.announcements(ctx, "AND community_id = ?", now.UnixMilli(), chorus.ScopeFrom(ctx).Community)
}

// LiveAnnouncements returns every community's announcements not expired
// at now, newest first, each with its Community: for the kiosk hub, which
// shows each kiosk its own community's.
func (db *DB) LiveAnnouncements(ctx context.Context, now time.Time) ([]chorus.Announcement, error) {
	return db.announcements(ctx, "", now.UnixMilli())
}

func (db *DB) announcements(ctx context.Context, where string, args ...any) ([]chorus.Announcement, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Announcement, error) {
		var a chorus.Announcement
		var expires, created int64
		err := rows.Scan(&a.ID, &a.Text, &a.Speak, &a.KioskID, &a.PlaceID, &expires, &created, &a.Community)
		a.ExpiresAt, a.CreatedAt = time.UnixMilli(expires), time.UnixMilli(created)
		return a, err
	}, `SELECT id, text, speak, COALESCE(kiosk_id, 0), COALESCE(place_id, 0),
		expires_ms, created_ms, community_id FROM announcements WHERE expires_ms > ? `+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	return out, nil
}
