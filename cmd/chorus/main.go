// Command chorus runs Chorus (社区合唱): one binary serving the kiosks, the
// staff API, SMS replies and receipts on one port, with an embedded SQLite
// database.
//
//	chorus [flags]          run the server (chorus -h lists the flags)
//	chorus backup PATH      write a consistent, checked copy of the database while it runs
//	chorus restore BACKUP   replace the database with a backup (Chorus stopped)
//	chorus migrate --from ./chorus.db --to postgres://…
//	                        copy a SQLite database into a new PostgreSQL one
//	chorus version          print the version
//	chorus user passwd -username NAME
//	                        set a staff account's password (typed without echo)
//	chorus user add -username NAME -name 姓名 [-role admin|staff]
//	                        create a staff account (password from $CHORUS_PASSWORD or stdin)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the community's zone, even on a machine without tzdata

	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/speech"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "chorus:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "backup" {
		return backup(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "restore" {
		return restore(ctx, args[1:], os.Stdout)
	}
	if len(args) > 0 && args[0] == "migrate" {
		return migrateDB(ctx, args[1:], os.Stdout)
	}
	if len(args) > 0 && args[0] == "version" {
		printVersion(os.Stdout)
		return nil
	}
	if len(args) > 1 && args[0] == "user" && args[1] == "add" {
		return userAdd(ctx, args[2:], os.Stdin, os.Stdout)
	}
	if len(args) > 1 && args[0] == "user" && args[1] == "passwd" {
		return userPasswd(ctx, args[2:], os.Stdin, os.Stdout)
	}
	if len(args) > 1 && args[0] == "user" && args[1] == "join" {
		return userJoin(ctx, args[2:], os.Stdout)
	}
	if len(args) > 1 && args[0] == "community" && args[1] == "add" {
		return communityAdd(ctx, args[2:], os.Stdout)
	}
	if len(args) > 1 && args[0] == "community" && args[1] == "set" {
		return communitySet(ctx, args[2:], os.Stdout)
	}
	if len(args) > 1 && args[0] == "community" && args[1] == "list" {
		return communityList(ctx, args[2:], os.Stdout)
	}
	if len(args) > 1 && args[0] == "holidays" && args[1] == "import" {
		return holidaysImport(ctx, args[2:], os.Stdout)
	}
	if len(args) > 1 && args[0] == "holidays" && args[1] == "list" {
		return holidaysList(ctx, args[2:], os.Stdout)
	}
	cfg, err := osConfig(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	app, err := newApp(cfg, os.Stderr)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return app.Serve(ctx, ln)
}

// backup runs `chorus backup [-db FILE] PATH`.
func backup(ctx context.Context, args []string) error {
	cfg, err := osConfig(withoutLast(args))
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return fmt.Errorf("usage: chorus backup [-db FILE] PATH")
	}
	dest := args[len(args)-1]
	if err := sqlite.Backup(ctx, cfg.DBPath, dest); err != nil {
		return err
	}
	fmt.Printf("backup of %s written to %s\n", cfg.DBPath, dest)
	return nil
}

func withoutLast(args []string) []string {
	if len(args) == 0 {
		return args
	}
	return args[:len(args)-1]
}

// newApp builds the app from cfg (internal/app) with the log at cfg's
// level on logOut, the pages, the build's version and the demo seed.
func newApp(cfg *Config, logOut io.Writer) (*app.App, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", cfg.LogLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	ver, rev := buildVersion()
	o := app.Options{Logger: logger, Pages: ui.Routes(), Version: ver, Revision: rev, Seed: seedDemo}
	if sp := speech.New(); sp != nil { // espeak-ng installed: 小声/大声 change what is heard
		o.Speech = sp
	}
	return app.New(cfg, o)
}
