package main

import (
	"context"
	"fmt"
	"io"

	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
)

// restore runs `chorus restore [-db FILE] BACKUP`: it refuses while Chorus
// runs on the database, checks the backup, keeps the current database
// aside, and marks the messages that were on their way when the backup was
// taken to be looked up at the provider before any resend (docs/operations.md
// has the drill).
func restore(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: chorus restore [-db FILE] BACKUP")
	}
	cfg, err := osConfig(withoutLast(args))
	if err != nil {
		return err
	}
	res, err := sqlite.Restore(ctx, cfg.DBPath, args[len(args)-1], sms.CodeUnverified)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (taken %s)\n", cfg.DBPath, args[len(args)-1], res.Taken.Format("2006-01-02 15:04:05 MST"))
	if res.Aside != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", res.Aside)
	}
	fmt.Fprintf(stdout, "%d messages that were on their way at backup time will be looked up at the provider before any resend\n", res.Marked)
	return nil
}
