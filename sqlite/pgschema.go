package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PostgreSQL's schema follows SQLite's, migration by migration:
//
//   - pgmigrations/0024_baseline.sql is SQLite's schema after its
//     migration 24, translated (TestPGBaseline makes and checks it): a new
//     PostgreSQL database starts there, and SQLite's migrations 1 to 24 are
//     recorded as applied;
//   - each later SQLite migration NNNN_name.sql runs on PostgreSQL as
//     pgmigrations/NNNN_name.sql when that file exists, else as
//     translateDDL makes it of the SQLite file (CREATE TABLE/INDEX, ALTER
//     TABLE ADD COLUMN, DROP INDEX, simple INSERTs, one-statement
//     triggers); a migration the translation cannot take (a table
//     rebuilt, DROP TABLE, RENAME) fails
//     Open and TestPGSchema with its name, and needs its PostgreSQL file.
//
// A table without an id INTEGER PRIMARY KEY gets a rowid identity column,
// as every SQLite table has one (some statements order by it). The SQLite
// functions the statements use (json_extract, json_each, …) are defined in
// pgmigrations/compat.sql, run at every Open. TestPGSchema checks that both
// databases end with the same tables, columns and indexes.

//go:embed pgmigrations/*.sql
var pgMigrationFS embed.FS

// pgBaseline is the last SQLite migration the baseline contains.
const pgBaseline = 24

// pgMigrationLock is the advisory lock key that makes instances opening
// one database at once migrate it one after the other.
const pgMigrationLock = 0x63686f72 // "chor"

// pgMigration is one migration as PostgreSQL runs it.
type pgMigration struct {
	version int
	name    string // SQLite's file name, recorded in schema_migrations
	body    string
}

// pgMigrations returns the migrations PostgreSQL runs, in order: the
// baseline (version pgBaseline) and every later SQLite migration.
func pgMigrations() ([]pgMigration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	base, err := pgMigrationFS.ReadFile(fmt.Sprintf("pgmigrations/%04d_baseline.sql", pgBaseline))
	if err != nil {
		return nil, err
	}
	out := []pgMigration{{version: pgBaseline, name: "baseline", body: string(base)}}
	for _, name := range names {
		file := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(file, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", file)
		}
		if v <= pgBaseline {
			continue
		}
		if own, err := pgMigrationFS.ReadFile("pgmigrations/" + file); err == nil {
			out = append(out, pgMigration{version: v, name: file, body: string(own)})
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		pg, err := translateDDL(string(body))
		if err != nil {
			return nil, fmt.Errorf("migration %s has no PostgreSQL version (sqlite/pgmigrations/%s) and cannot be translated: %w", file, file, err)
		}
		out = append(out, pgMigration{version: v, name: file, body: pg})
	}
	return out, nil
}

// pgMigrate brings a PostgreSQL database up to date, holding an advisory
// lock so that two instances starting together do not both migrate.
func (db *DB) pgMigrate(ctx context.Context) error {
	migs, err := pgMigrations()
	if err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", pgMigrationLock); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", pgMigrationLock)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var have sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	for _, m := range migs {
		if have.Valid && int64(m.version) <= have.Int64 {
			continue
		}
		if err := pgApply(ctx, conn, m); err != nil {
			return err
		}
	}
	compat, err := pgMigrationFS.ReadFile("pgmigrations/compat.sql")
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, string(compat)); err != nil {
		return fmt.Errorf("compat functions: %w", err)
	}
	return nil
}

// pgApply runs one migration and records it (the baseline records SQLite's
// migrations it stands for) in one transaction.
func pgApply(ctx context.Context, conn *sql.Conn, m pgMigration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	names := []string{m.name}
	versions := []int{m.version}
	if m.name == "baseline" {
		names, versions = nil, nil
		files, _ := fs.Glob(migrationFS, "migrations/*.sql")
		for _, f := range files {
			f = strings.TrimPrefix(f, "migrations/")
			if v, err := strconv.Atoi(strings.SplitN(f, "_", 2)[0]); err == nil && v <= pgBaseline {
				names, versions = append(names, f), append(versions, v)
			}
		}
	}
	for i, name := range names {
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
			versions[i], name, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

var (
	ddlIDKey       = regexp.MustCompile(`(?im)^(\s*id\s+)INTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?`)
	ddlInteger     = regexp.MustCompile(`(?i)\bINTEGER\b`)
	ddlBlob        = regexp.MustCompile(`(?i)\bBLOB\b`)
	ddlReal        = regexp.MustCompile(`(?i)\bREAL\b`)
	ddlEndColumn   = regexp.MustCompile(`(?im)^(\s*)end(\s+TEXT)`)
	ddlCreateTable = regexp.MustCompile(`(?is)CREATE\s+TABLE\s[^;]*?\)\s*(?:;|$)`)
	ddlTrigger     = regexp.MustCompile(`(?is)CREATE\s+TRIGGER\s+(\w+)\s+(AFTER|BEFORE)\s+(INSERT|DELETE|UPDATE(?:\s+OF\s+[\w\s,]+?)?)\s+ON\s+(\w+)\s+BEGIN\s+(.*?;)\s*END\s*;`)
	ddlRefused     = regexp.MustCompile(`(?i)\b(DROP\s+(?:TABLE|TRIGGER|VIEW|COLUMN)|RENAME|PRAGMA|WITHOUT\s+ROWID|INSERT\s+OR\s+REPLACE|randomblob|strftime|julianday|json_\w+)\b`)
	ddlOrIgnore    = regexp.MustCompile(`(?is)INSERT\s+OR\s+IGNORE\s+(INTO\b[^;]*?)\s*;`)
	ddlStatementOK = regexp.MustCompile(`(?is)^\s*(CREATE\s+(UNIQUE\s+)?INDEX|CREATE\s+TABLE|ALTER\s+TABLE\s+\w+\s+ADD\s+COLUMN|INSERT\s+INTO|UPDATE|CREATE\s+TRIGGER|CREATE\s+FUNCTION|DROP\s+INDEX)`)
)

// translateDDL turns a SQLite migration into PostgreSQL's: id INTEGER
// PRIMARY KEY becomes an identity column, INTEGER BIGINT (times in
// milliseconds), BLOB BYTEA, INSERT OR IGNORE an INSERT … ON CONFLICT DO
// NOTHING, and a trigger of one statement a PL/pgSQL function with its
// trigger. It refuses what it cannot translate faithfully.
func translateDDL(src string) (string, error) {
	body := stripComments(src)
	if m := ddlRefused.FindString(body); m != "" {
		return "", fmt.Errorf("%s is not translated", m)
	}
	body = ddlTrigger.ReplaceAllStringFunc(body, func(t string) string {
		m := ddlTrigger.FindStringSubmatch(t)
		name, when, op, table, stmt := m[1], m[2], strings.Join(strings.Fields(m[3]), " "), m[4], m[5]
		return fmt.Sprintf("CREATE FUNCTION %s_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN %s RETURN NULL; END $fn$;\n"+
			"CREATE TRIGGER %s %s %s ON %s FOR EACH ROW EXECUTE FUNCTION %s_fn();", name, stmt, name, when, op, table, name)
	})
	body = ddlOrIgnore.ReplaceAllString(body, "INSERT $1 ON CONFLICT DO NOTHING;")
	for _, st := range splitStatements(body) {
		if !ddlStatementOK.MatchString(st) {
			return "", fmt.Errorf("statement not translated: %.60s", strings.TrimSpace(st))
		}
	}
	body = ddlCreateTable.ReplaceAllStringFunc(body, func(t string) string {
		if ddlIDKey.MatchString(t) {
			return t
		}
		end := ""
		if strings.HasSuffix(strings.TrimSpace(t), ";") {
			end = ";"
		}
		t = strings.TrimSuffix(strings.TrimRight(t, " \t\n;"), ")")
		return t + ",\n\trowid INTEGER GENERATED ALWAYS AS IDENTITY\n)" + end
	})
	body = ddlIDKey.ReplaceAllString(body, "${1}BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
	body = ddlInteger.ReplaceAllString(body, "BIGINT")
	body = ddlBlob.ReplaceAllString(body, "BYTEA")
	body = ddlReal.ReplaceAllString(body, "DOUBLE PRECISION")
	body = ddlEndColumn.ReplaceAllString(body, `$1"end"$2`)
	return body, nil
}

// stripComments removes -- comments (outside quotes).
func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\'' || s[i] == '"':
			j := closeQuote(s, i)
			b.WriteString(s[i:j])
			i = j
		case s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// splitStatements splits at the semicolons outside quotes and $fn$ bodies.
func splitStatements(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' || s[i] == '"':
			i = closeQuote(s, i) - 1
		case strings.HasPrefix(s[i:], "$fn$"):
			if j := strings.Index(s[i+4:], "$fn$"); j >= 0 {
				i += j + 7
			}
		case s[i] == ';':
			if st := strings.TrimSpace(s[start:i]); st != "" {
				out = append(out, st)
			}
			start = i + 1
		}
	}
	if st := strings.TrimSpace(s[start:]); st != "" {
		out = append(out, st)
	}
	return out
}
