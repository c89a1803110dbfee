package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/chorus-community/chorus/sqlite"
)

// migrateDB runs `chorus migrate --from ./chorus.db --to postgres://…`:
// it copies a SQLite database into a new PostgreSQL database
// (sqlite.CopyToPostgres) and says what it copied and checked.
func migrateDB(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(out)
	from := fs.String("from", "", "the SQLite database file to copy (Chorus stopped)")
	to := fs.String("to", "", "the new, empty PostgreSQL database (postgres://user:password@host/db)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: chorus migrate --from ./chorus.db --to postgres://user:password@host/db")
	}
	rep, err := sqlite.CopyToPostgres(ctx, *from, *to, out)
	if err != nil {
		return fmt.Errorf("migrate: %w (no rows were written to PostgreSQL)", err)
	}
	rows := 0
	for _, n := range rep.Rows {
		rows += n
	}
	fmt.Fprintf(out, "copied %d tables, %d rows from %s; counts match, %d sampled rows identical\n",
		len(rep.Tables), rows, *from, rep.Sampled)
	return nil
}
