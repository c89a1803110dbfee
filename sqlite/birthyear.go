package sqlite

import (
	"context"

	"github.com/chorus-community/chorus"
)

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
