package sqlite

import (
	"context"
	"database/sql/driver"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL store runs the same statements as SQLite's: a thin
// database/sql driver around pgx's (github.com/jackc/pgx/v5/stdlib)
// rewrites each statement once into PostgreSQL's dialect (pgRewrite) and
// hands it on. The SQLite path never goes through it.

// pgConnector makes pgx connections whose statements are rewritten.
type pgConnector struct{ driver.Connector }

// Connect opens one connection.
func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection that rewrites what it is asked to run. It
// keeps the writes a transaction need not wait for (pending, pgpipe.go)
// and sends them before, and with, its next statement.
type pgConn struct {
	*stdlib.Conn
	pending []pgLater
	owner   int           // the batch's transaction running
	late    map[int]error // transactions undone after they ended (pgpipe.go)
}

// Prepare rewrites query and prepares it.
func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext rewrites query and prepares it, after sending the
// statements kept for the next round trip.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, pgRewrite(query))
}

// ExecContext rewrites query and runs it. An INSERT into a table with an
// id column gets RETURNING id, so that its result's LastInsertId is the
// (last) new row's id as on SQLite: pgx's results have none.
func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	st := pgStatement(query)
	if st.into == "" || !pgIDTables()[st.into] {
		return c.Conn.ExecContext(ctx, st.q, args)
	}
	rows, err := c.Conn.QueryContext(ctx, st.q+" RETURNING id", args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var res pgInsertResult
	dest := make([]driver.Value, 1)
	for rows.Next(dest) == nil {
		if id, ok := dest[0].(int64); ok {
			res.id = id
		}
		res.n++
	}
	return res, nil
}

// pgInsertResult is an INSERT's result on PostgreSQL.
type pgInsertResult struct{ id, n int64 }

// LastInsertId is the last new row's id (0 when none was inserted).
func (r pgInsertResult) LastInsertId() (int64, error) { return r.id, nil }

// RowsAffected is the number of rows inserted.
func (r pgInsertResult) RowsAffected() (int64, error) { return r.n, nil }

var insertInto = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+"?(\w+)"?`)

// idTables holds the tables with an id column (set at Open from the
// database's catalogue): map[string]bool.
var idTables atomic.Value

func pgIDTables() map[string]bool {
	m, _ := idTables.Load().(map[string]bool)
	return m
}

// QueryContext rewrites query and runs it, after the statements kept for
// the next round trip and in the same one.
func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(c.pending) > 0 {
		return c.queryAfterPending(ctx, pgRewrite(query), args)
	}
	return c.Conn.QueryContext(ctx, pgRewrite(query), args)
}

// CheckNamedValue passes a bool as the integer 1 or 0: the store keeps
// booleans in integer columns, as SQLite does.
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		if b {
			v.Value = int64(1)
		} else {
			v.Value = int64(0)
		}
	}
	return c.Conn.CheckNamedValue(v)
}

// rewritten remembers each statement's PostgreSQL text: the store's
// statements are a fixed set (some with a varying number of placeholders).
var rewritten sync.Map // string -> *pgStmt

// pgStmt is a statement as PostgreSQL runs it.
type pgStmt struct {
	q    string // in PostgreSQL's dialect
	into string // the table of an INSERT without RETURNING, lower case; else ""
}

// pgStatement returns query rewritten (pgRewrite) with what ExecContext
// needs to know of it, worked out once per statement.
func pgStatement(query string) *pgStmt {
	if v, ok := rewritten.Load(query); ok {
		return v.(*pgStmt)
	}
	st := &pgStmt{q: rewriteSQL(query)}
	if m := insertInto.FindStringSubmatch(st.q); m != nil && !returningKw.MatchString(st.q) {
		st.into = strings.ToLower(m[1])
	}
	rewritten.Store(query, st)
	return st
}

// pgRewrite returns query in PostgreSQL's dialect: `?` placeholders become
// $1, $2, …; INSERT OR IGNORE becomes INSERT … ON CONFLICT DO NOTHING;
// SQLite's scalar MAX(a, b) and MIN(a, b) become GREATEST and LEAST;
// IFNULL becomes COALESCE, last_insert_rowid() lastval() and INTEGER
// BIGINT. Text inside
// quotes and comments is left alone.
func pgRewrite(query string) string { return pgStatement(query).q }

var (
	insertOrIgnore = regexp.MustCompile(`(?i)\bINSERT\s+OR\s+IGNORE\s+INTO\b`)
	returningKw    = regexp.MustCompile(`(?i)\bRETURNING\b`)
)

func rewriteSQL(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := closeQuote(q, i)
			b.WriteString(q[i:j])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
		case isWordStart(c) && (i == 0 || !isWordChar(q[i-1])):
			j := i
			for j < len(q) && isWordChar(q[j]) {
				j++
			}
			w := q[i:j]
			switch strings.ToUpper(w) {
			case "MAX", "MIN":
				if k := skipSpace(q, j); k < len(q) && q[k] == '(' && topLevelComma(q, k) {
					if strings.EqualFold(w, "MAX") {
						w = "GREATEST"
					} else {
						w = "LEAST"
					}
				}
			case "IFNULL":
				w = "COALESCE"
			case "LAST_INSERT_ROWID":
				w = "lastval"
			case "INTEGER": // CAST(x AS INTEGER): SQLite's are 64 bits
				w = "BIGINT"
			}
			b.WriteString(w)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	out := b.String()
	if loc := insertOrIgnore.FindStringIndex(out); loc != nil {
		out = out[:loc[0]] + "INSERT INTO" + out[loc[1]:]
		tail := strings.TrimRight(out, " \t\n;")
		if r := returningKw.FindStringIndex(tail); r != nil {
			out = tail[:r[0]] + "ON CONFLICT DO NOTHING " + tail[r[0]:]
		} else {
			out = tail + " ON CONFLICT DO NOTHING"
		}
	}
	return out
}

// closeQuote returns the index just past the quoted text starting at i
// (a doubled quote stays inside).
func closeQuote(q string, i int) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

func skipSpace(q string, i int) int {
	for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
		i++
	}
	return i
}

// topLevelComma reports whether the parenthesis opening at i holds a comma
// of its own (not of a nested call or subquery).
func topLevelComma(q string, i int) bool {
	depth := 0
	for j := i; j < len(q); j++ {
		switch q[j] {
		case '\'', '"':
			j = closeQuote(q, j) - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return false
			}
		case ',':
			if depth == 1 {
				return true
			}
		}
	}
	return false
}

func isWordStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isWordChar(c byte) bool { return isWordStart(c) || (c >= '0' && c <= '9') }
