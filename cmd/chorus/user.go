package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// userAdd runs `chorus user add`: it creates a staff account, the first
// admin included, working for -community (an id or a name; default 1)
// with -role, and a district admin (街道管理员, every community) with
// -district. The password comes from $CHORUS_PASSWORD or the first line
// of stdin, never from the command line (it would show in ps).
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus user add", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	username := fs.String("username", "", "login name: lower-case letters, digits, _ . -")
	name := fs.String("name", "", "the person's name, 李婷")
	role := fs.String("role", string(chorus.RoleAdmin), "admin or staff")
	community := fs.String("community", "1", "the community the account works for: its id or name (chorus community list)")
	district := fs.Bool("district", false, "a district admin (街道管理员): works for every community, sees the district page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password, err := readPassword(stdin, stdout, false)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	cid, err := communityFlag(ctx, db, *community)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	s := &chorus.Staff{Username: *username, Name: *name, Role: chorus.Role(*role), District: *district}
	if err := db.CreateStaff(chorus.WithScope(ctx, chorus.Scope{Community: cid}), s, password); err != nil {
		return fmt.Errorf("user add: %s", chorus.ErrorMessage(err))
	}
	what := string(s.Role) + " of community " + strconv.FormatInt(cid, 10)
	if s.District {
		what += ", district admin"
	}
	fmt.Fprintf(stdout, "\nstaff account %s (%s, %s) created in %s\n", s.Username, s.Name, what, *dbPath)
	return nil
}

// userPasswd runs `chorus user passwd -username NAME`: it sets a staff
// account's password (a forgotten one, the first admin's) and ends the
// account's sessions and login throttle. The password comes from
// $CHORUS_PASSWORD, or is typed twice on the terminal without echo, or is
// the first line of stdin.
func userPasswd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus user passwd", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	username := fs.String("username", "", "the account's login name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" && fs.NArg() == 1 {
		*username = fs.Arg(0)
	}
	if *username == "" {
		return fmt.Errorf("usage: chorus user passwd [-db FILE] -username NAME")
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	password, err := readPassword(stdin, stdout, true)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetPassword(ctx, *username, password); err != nil {
		return fmt.Errorf("user passwd: %s", chorus.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "\npassword of %s changed in %s; its sessions have ended\n", *username, *dbPath)
	return nil
}

// readPassword reads a password: from $CHORUS_PASSWORD, or typed on the
// terminal without echo (twice when confirm), or the first line of stdin.
// Never from the command line, where ps would show it.
func readPassword(stdin io.Reader, stdout io.Writer, confirm bool) (string, error) {
	if p := os.Getenv("CHORUS_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "password: ")
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if confirm {
			fmt.Fprint(stdout, "again: ")
			again, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stdout)
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if string(again) != string(p) {
				return "", fmt.Errorf("the two passwords differ")
			}
		}
		return string(p), nil
	}
	fmt.Fprint(stdout, "password: ")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
