package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CopyReport is what CopyToPostgres copied: rows per table, and how many
// rows it compared column by column after the copy.
type CopyReport struct {
	Tables  []string       // in the order copied (a table after those it references)
	Rows    map[string]int // rows per table, the same on both sides
	Sampled int            // rows read back from PostgreSQL and compared
}

// pgSeeded lists the tables the migrations themselves fill on a new
// database (one row each; secrets gets the check-in key at Open): the copy
// replaces their rows with the SQLite database's.
var pgSeeded = map[string]bool{"community": true, "kiosk_version": true, "secrets": true}

// copySample bounds the rows per table CopyToPostgres compares after the copy.
const copySample = 12

// CopyToPostgres copies the SQLite database at from into the PostgreSQL
// database at to (chorus migrate): to is migrated to this build's version
// (Open) and must be empty, and both must be at the same migration; every
// table is copied in one transaction, a table after those it references,
// with its ids; each identity sequence is set above the copied ids; then
// the rows per table are counted on both sides and a sample of rows of each
// table compared column by column. Progress goes to log.
func CopyToPostgres(ctx context.Context, from, to string, log io.Writer) (*CopyReport, error) {
	if !IsPostgres(to) {
		return nil, fmt.Errorf("--to must be a PostgreSQL address (postgres://…), not %q", to)
	}
	if IsPostgres(from) {
		return nil, fmt.Errorf("--from must be a SQLite file, not a PostgreSQL address")
	}
	if _, err := os.Stat(from); err != nil {
		return nil, fmt.Errorf("SQLite database %s: %w", from, err)
	}
	src, err := sql.Open("sqlite3", "file:"+from+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", from, err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	srcTx, err := src.BeginTx(ctx, nil) // one snapshot for the copy and the checks
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", from, err)
	}
	defer srcTx.Rollback()
	srcVersions, err := queryRows(ctx, srcTx, scanValue[int64], "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("%s is not a Chorus database (schema_migrations: %w)", from, err)
	}

	// Migrate the target as the server would, then copy on a connection of
	// our own.
	target, err := Open(to)
	if err != nil {
		return nil, err
	}
	target.Close()
	pg, err := pgx.Connect(ctx, to)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redactDSN(to), err)
	}
	defer pg.Close(context.Background())

	dstVersions, err := pgScan[int64](ctx, pg, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	if !slices.Equal(srcVersions, dstVersions) {
		return nil, fmt.Errorf("migration versions differ: %s is at migration %d, %s at %d; start this chorus once on the SQLite file (it migrates it), or use the chorus that wrote it, then copy again",
			from, last(srcVersions), redactDSN(to), last(dstVersions))
	}
	tables, cols, err := pgTables(ctx, pg)
	if err != nil {
		return nil, err
	}
	if err := pgEmpty(ctx, pg, tables); err != nil {
		return nil, err
	}
	order, err := pgCopyOrder(ctx, pg, tables)
	if err != nil {
		return nil, err
	}
	srcTables, err := queryRows(ctx, srcTx, scanValue[string], "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")
	if err != nil {
		return nil, err
	}
	for _, t := range srcTables {
		if _, ok := cols[t]; !ok {
			return nil, fmt.Errorf("table %s of %s has no counterpart in PostgreSQL", t, from)
		}
	}
	for _, t := range order {
		if cols[t], err = sharedColumns(ctx, srcTx, t, cols[t]); err != nil {
			return nil, err
		}
	}

	rep := &CopyReport{Tables: order, Rows: map[string]int{}}
	tx, err := pg.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background())
	for _, t := range order {
		// The copy writes the rows as they are: no trigger (kiosk_version
		// counts) runs; the foreign keys are still checked.
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t+" DISABLE TRIGGER USER"); err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		if pgSeeded[t] {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
				return nil, fmt.Errorf("table %s: %w", t, err)
			}
		}
	}
	for _, t := range order {
		n, err := copyTable(ctx, srcTx, tx, t, cols[t])
		if err != nil {
			return nil, fmt.Errorf("copy table %s: %w", t, err)
		}
		rep.Rows[t] = n
		fmt.Fprintf(log, "%-32s %d rows\n", t, n)
	}
	for _, t := range order {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t+" ENABLE TRIGGER USER"); err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		for _, c := range cols[t] {
			if !c.identity {
				continue
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), GREATEST(MAX(%s), 1), MAX(%[3]s) IS NOT NULL) FROM %[1]s",
				t, c.name, quoteCol(c.name))); err != nil {
				return nil, fmt.Errorf("sequence of %s.%s: %w", t, c.name, err)
			}
		}
	}
	if err := checkCopy(ctx, srcTx, tx, order, cols, rep); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	return rep, nil
}

// pgColumn is one column of a PostgreSQL table.
type pgColumn struct {
	name, typ string
	identity  bool
}

// pgTables lists the PostgreSQL tables (but schema_migrations) and their columns.
func pgTables(ctx context.Context, pg *pgx.Conn) ([]string, map[string][]pgColumn, error) {
	rows, err := pg.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_identity = 'YES'
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() AND c.table_name != 'schema_migrations'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	cols := map[string][]pgColumn{}
	var tables []string
	for rows.Next() {
		var t string
		var c pgColumn
		if err := rows.Scan(&t, &c.name, &c.typ, &c.identity); err != nil {
			return nil, nil, err
		}
		if _, ok := cols[t]; !ok {
			tables = append(tables, t)
		}
		cols[t] = append(cols[t], c)
	}
	return tables, cols, rows.Err()
}

// sharedColumns keeps the PostgreSQL columns SQLite's table has too (and
// rowid): a column only PostgreSQL has (the outbox's lease) takes its
// default. A SQLite column PostgreSQL lacks is an error.
func sharedColumns(ctx context.Context, src *sql.Tx, table string, cols []pgColumn) ([]pgColumn, error) {
	names, err := queryRows(ctx, src, scanValue[string], "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("table %s is missing from the SQLite database", table)
	}
	have := map[string]bool{"rowid": true}
	for _, n := range names {
		have[n] = true
	}
	var out []pgColumn
	pg := map[string]bool{}
	for _, c := range cols {
		pg[c.name] = true
		if have[c.name] {
			out = append(out, c)
		}
	}
	for _, n := range names {
		if !pg[n] {
			return nil, fmt.Errorf("column %s.%s has no counterpart in PostgreSQL", table, n)
		}
	}
	return out, nil
}

// pgEmpty refuses a database holding anything beyond what its migrations
// put there.
func pgEmpty(ctx context.Context, pg *pgx.Conn, tables []string) error {
	var full []string
	for _, t := range tables {
		if pgSeeded[t] {
			continue
		}
		var any bool
		if err := pg.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&any); err != nil {
			return fmt.Errorf("table %s: %w", t, err)
		}
		if any {
			full = append(full, t)
		}
	}
	var named int
	if err := pg.QueryRow(ctx, "SELECT COUNT(*) FROM community WHERE id != 1 OR name != ''").Scan(&named); err != nil {
		return err
	}
	if named > 0 {
		full = append(full, "community")
	}
	if len(full) > 0 {
		sort.Strings(full)
		return fmt.Errorf("the PostgreSQL database is not empty (rows in %s): copy only into a new database (createdb)", strings.Join(full, ", "))
	}
	return nil
}

// pgCopyOrder orders tables so that each comes after the tables its
// foreign keys reference (a table referencing itself is copied in id order).
func pgCopyOrder(ctx context.Context, pg *pgx.Conn, tables []string) ([]string, error) {
	rows, err := pg.Query(ctx, `SELECT DISTINCT cl.relname, ref.relname FROM pg_constraint co
		JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class ref ON ref.oid = co.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE co.contype = 'f' AND n.nspname = current_schema() AND cl.relname != ref.relname`)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	deps := map[string][]string{}
	for rows.Next() {
		var t, ref string
		if err := rows.Scan(&t, &ref); err != nil {
			rows.Close()
			return nil, err
		}
		deps[t] = append(deps[t], ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(t string, path []string) error
	visit = func(t string, path []string) error {
		switch state[t] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("foreign keys form a cycle: %s", strings.Join(append(path, t), " → "))
		}
		state[t] = 1
		for _, d := range deps[t] {
			if err := visit(d, append(path, t)); err != nil {
				return err
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyKey is the column a table's rows are ordered and sampled by: rowid
// where PostgreSQL has one (SQLite's implicit rowid), else id.
func copyKey(cols []pgColumn) string {
	for _, c := range cols {
		if c.name == "rowid" {
			return "rowid"
		}
	}
	for _, c := range cols {
		if c.name == "id" {
			return "id"
		}
	}
	return ""
}

// quoteCol quotes a column name PostgreSQL reserves.
func quoteCol(name string) string {
	if name == "end" || name == "order" || name == "user" {
		return `"` + name + `"`
	}
	return name
}

// selectCols is the column list of a SELECT on either database.
func selectCols(cols []pgColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteCol(c.name)
	}
	return strings.Join(names, ", ")
}

// copyTable copies one table's rows with COPY, converting each value to its
// PostgreSQL column's type.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, table string, cols []pgColumn) (int, error) {
	q := "SELECT " + selectCols(cols) + " FROM " + table
	if k := copyKey(cols); k != "" {
		q += " ORDER BY " + k
	}
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{table}, names, &sqliteSource{rows: rows, cols: cols})
	if err != nil {
		return 0, err
	}
	return int(n), rows.Err()
}

// sqliteSource feeds COPY from SQLite rows.
type sqliteSource struct {
	rows *sql.Rows
	cols []pgColumn
	vals []any
	err  error
}

func (s *sqliteSource) Next() bool { return s.err == nil && s.rows.Next() }

func (s *sqliteSource) Values() ([]any, error) {
	raw := make([]any, len(s.cols))
	ptrs := make([]any, len(s.cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range s.cols {
		v, err := pgValue(raw[i], c.typ)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		raw[i] = v
	}
	return raw, nil
}

func (s *sqliteSource) Err() error { return errors.Join(s.err, s.rows.Err()) }

// pgValue converts a value SQLite returned to what a PostgreSQL column of
// type typ takes.
func pgValue(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == float64(int64(x)) {
				return int64(x), nil
			}
		case string:
			return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		case []byte:
			return strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
		}
	case "double precision", "real", "numeric":
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	default: // text
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) does not fit a %s column", v, v, typ)
}

// checkCopy counts each table's rows on both sides and compares a sample of
// rows (the first, the last and some in between) column by column.
func checkCopy(ctx context.Context, src *sql.Tx, dst pgx.Tx, order []string, cols map[string][]pgColumn, rep *CopyReport) error {
	for _, t := range order {
		var ns, nd int
		if err := src.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&ns); err != nil {
			return err
		}
		if err := dst.QueryRow(ctx, "SELECT COUNT(*) FROM "+t).Scan(&nd); err != nil {
			return err
		}
		if ns != nd || nd != rep.Rows[t] {
			return fmt.Errorf("check: table %s has %d rows in SQLite, %d in PostgreSQL", t, ns, nd)
		}
		key := copyKey(cols[t])
		if key == "" || ns == 0 {
			continue
		}
		keys, err := queryRows(ctx, src, scanValue[int64], fmt.Sprintf(`SELECT %[1]s FROM %[2]s WHERE %[1]s IN (SELECT MIN(%[1]s) FROM %[2]s UNION SELECT MAX(%[1]s) FROM %[2]s)
			UNION SELECT %[1]s FROM (SELECT %[1]s FROM %[2]s ORDER BY random() LIMIT %[3]d)`, key, t, copySample-2))
		if err != nil {
			return fmt.Errorf("check %s: %w", t, err)
		}
		sel := "SELECT " + selectCols(cols[t]) + " FROM " + t + " WHERE " + key + " = "
		for _, k := range keys {
			a, err := rowStrings(src.QueryContext(ctx, sel+"?", k))
			if err != nil {
				return fmt.Errorf("check %s: %w", t, err)
			}
			pr, err := dst.Query(ctx, sel+"$1", k)
			if err != nil {
				return fmt.Errorf("check %s: %w", t, err)
			}
			var b []string
			if pr.Next() {
				vals, err := pr.Values()
				if err != nil {
					pr.Close()
					return err
				}
				b = make([]string, len(vals))
				for i, v := range vals {
					b[i] = normValue(v)
				}
			}
			pr.Close()
			if !slices.Equal(a, b) {
				return fmt.Errorf("check: table %s row %s=%d differs: SQLite %v, PostgreSQL %v", t, key, k, a, b)
			}
			rep.Sampled++
		}
	}
	return nil
}

// rowStrings reads the one row of rows as normalised strings.
func rowStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	cols, _ := rows.Columns()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i] = normValue(v)
	}
	return out, rows.Err()
}

// normValue writes a value from either database the same way.
func normValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	default:
		return fmt.Sprint(x)
	}
}

// pgScan reads one column of rows.
func pgScan[T any](ctx context.Context, pg *pgx.Conn, q string) ([]T, error) {
	rows, err := pg.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}

func last(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
