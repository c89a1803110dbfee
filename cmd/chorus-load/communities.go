package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the server's database, seeded in place
)

// seedCommunities gives the server's database n communities before a
// bookings run (-communities): n = 1 makes every record community 1's
// (the demo's 和泽苑 folded into 光华街, so that the run measures one
// community); n > 1 adds communities up to n, each a copy of community
// 1's estates, places, events with their slots and residents, under its
// own names and phones: the data the scoped queries must skip. It writes
// the file directly, in the schema of migration 0018, while the server
// runs (SQLite's busy timeout serialises the two writers).
func seedCommunities(path string, n int) error {
	if n < 1 {
		return fmt.Errorf("-communities must be at least 1")
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if n == 1 {
		if err := foldCommunities(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	var have int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 1) FROM community").Scan(&have); err != nil {
		return err
	}
	for c := have + 1; c <= n; c++ {
		if err := copyCommunity(ctx, tx, int64(c)); err != nil {
			return fmt.Errorf("community %d: %w", c, err)
		}
	}
	return tx.Commit()
}

// communityTables are the tables whose rows carry a community_id.
func communityTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'community_id' AND m.name NOT IN ('staff_communities','partner_communities','sessions')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// foldCommunities makes every record community 1's and leaves community
// 1 alone in the deployment.
func foldCommunities(ctx context.Context, tx *sql.Tx) error {
	tables, err := communityTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET community_id = 1 WHERE community_id <> 1"); err != nil {
			return fmt.Errorf("fold %s: %w", t, err)
		}
	}
	for _, q := range []string{
		"UPDATE sessions SET community_id = 1",
		"DELETE FROM staff_communities WHERE community_id <> 1",
		"DELETE FROM partner_communities WHERE community_id <> 1",
		"DELETE FROM community WHERE id <> 1",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("fold: %w", err)
		}
	}
	return nil
}

// copyCommunity adds community c as a copy of community 1's estates,
// places, events (with their slots) and residents.
func copyCommunity(ctx context.Context, tx *sql.Tx, c int64) error {
	name := fmt.Sprintf("压测%d社区", c)
	if _, err := tx.ExecContext(ctx, "INSERT INTO community (id, name, sign_name) VALUES (?, ?, ?)", c, name, name); err != nil {
		return err
	}
	own := map[string]expr{"community_id": {"?", []any{c}}, "name": {"? || name", []any{name}}}
	estates, err := copyRows(ctx, tx, "estates", "community_id = 1", own)
	if err != nil {
		return err
	}
	places, err := copyRows(ctx, tx, "places", "community_id = 1", own)
	if err != nil {
		return err
	}
	events, err := copyRows(ctx, tx, "events", "community_id = 1 AND status = 'open'",
		map[string]expr{"community_id": {"?", []any{c}}, "title": {"? || title", []any{name}}})
	if err != nil {
		return err
	}
	for old, id := range events {
		if _, err := tx.ExecContext(ctx, "UPDATE events SET place_id = ? WHERE id = ?", remap(ctx, tx, places, "events", id, "place_id"), id); err != nil {
			return err
		}
		if _, err := copyRows(ctx, tx, "slots", fmt.Sprintf("event_id = %d", old), map[string]expr{"event_id": {"?", []any{id}}, "taken": {"0", nil}}); err != nil {
			return err
		}
	}
	// Residents: phones 170 + community + a serial, unique in the deployment.
	if _, err := copyRows(ctx, tx, "residents", "community_id = 1", map[string]expr{"community_id": {"?", []any{c}},
		"phone": {"'170' || printf('%02d', ?) || printf('%06d', id)", []any{c}}, "estate_id": {"NULL", nil}}); err != nil {
		return err
	}
	for old, id := range estates {
		if _, err := tx.ExecContext(ctx, `UPDATE residents SET estate_id = ? WHERE community_id = ? AND estate_id IS NULL
			AND phone IN (SELECT '170' || printf('%02d', ?) || printf('%06d', r.id) FROM residents r WHERE r.estate_id = ?)`, id, c, c, old); err != nil {
			return err
		}
	}
	return nil
}

// remap returns the new id of the copied row's reference col (the copy
// still points at community 1's row).
func remap(ctx context.Context, tx *sql.Tx, ids map[int64]int64, table string, id int64, col string) int64 {
	var old int64
	tx.QueryRowContext(ctx, "SELECT "+col+" FROM "+table+" WHERE id = ?", id).Scan(&old)
	if n, ok := ids[old]; ok {
		return n
	}
	return old
}

// expr is an SQL expression and the values of its placeholders.
type expr struct {
	q    string
	args []any
}

// copyRows copies the rows of table matching where, with the columns in
// set given by SQL expressions, and returns the new id of each row by its
// old one.
func copyRows(ctx context.Context, tx *sql.Tx, table, where string, set map[string]expr) (map[int64]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		return nil, err
	}
	var cols []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		if s != "id" {
			cols = append(cols, s)
		}
	}
	rows.Close()
	ids, err := func() ([]int64, error) {
		r, err := tx.QueryContext(ctx, "SELECT id FROM "+table+" WHERE "+where+" ORDER BY id")
		if err != nil {
			return nil, err
		}
		defer r.Close()
		var out []int64
		for r.Next() {
			var id int64
			if err := r.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, r.Err()
	}()
	if err != nil {
		return nil, err
	}
	exprs := make([]string, len(cols))
	var bound []any
	for i, col := range cols {
		exprs[i] = col
		if e, ok := set[col]; ok {
			exprs[i] = e.q
			bound = append(bound, e.args...)
		}
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(exprs, ", ") + " FROM " + table + " WHERE id = ?"
	out := make(map[int64]int64, len(ids))
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, q, append(append([]any{}, bound...), id)...)
		if err != nil {
			return nil, fmt.Errorf("copy %s %d: %w", table, id, err)
		}
		if out[id], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
