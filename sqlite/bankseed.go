package sqlite

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/chorus-community/chorus"
)

// BankSeedVolunteer stores a volunteer of the scope's community who agreed
// to be contacted, with skills, and returns its id. It is the time bank's
// stand-in for the volunteers' own store (issue 20, helper A) in tests and
// the demo: at the merge it gives way to that store's way of adding one.
func (db *DB) BankSeedVolunteer(ctx context.Context, phone, name string, skills []string) (int64, error) {
	p, err := chorus.NormalizePhone(phone)
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(skills)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.update(ctx, func(tx *Tx) error {
		community := chorus.ScopeFrom(ctx).Community
		res, err := tx.ExecContext(ctx, `INSERT INTO volunteers (community_id, phone, name, resident_id, skills, consent_ms, created_ms)
			VALUES (?, ?, ?, (SELECT id FROM residents WHERE phone = ? AND community_id = ?), ?, ?, ?)`,
			community, p, strings.TrimSpace(name), p, community, string(raw), tx.now.UnixMilli(), tx.now.UnixMilli())
		if isUnique(err) {
			return chorus.Errorf(chorus.ECONFLICT, "这个号码已经是志愿者了。")
		} else if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// SetBirthYear records the year a resident of the scope's community was
// born (0 forgets it): spending hours starts at an age. Errors:
// ENOTFOUND, EINVALID.
func (db *DB) SetBirthYear(ctx context.Context, phone string, year int) error {
	if year != 0 && (year < 1900 || year > db.Now().Year()) {
		return chorus.Errorf(chorus.EINVALID, "出生年份不对,请写四位数的年份,例如1950。")
	}
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE residents SET birth_year = ? WHERE phone = ? AND community_id = ?",
			nullID(int64(year)), phone, chorus.ScopeFrom(ctx).Community)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这位居民。")
		}
		return nil
	})
}
