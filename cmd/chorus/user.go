package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// userAdd runs `chorus user add`: it creates a staff account, the first
// admin included. The password comes from $CHORUS_PASSWORD or the first
// line of stdin, never from the command line (it would show in ps).
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus user add", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	username := fs.String("username", "", "login name: lower-case letters, digits, _ . -")
	name := fs.String("name", "", "the person's name, 李婷")
	role := fs.String("role", string(chorus.RoleAdmin), "admin or staff")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := os.Getenv("CHORUS_PASSWORD")
	if password == "" {
		fmt.Fprint(stdout, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user add: no password on stdin")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	s := &chorus.Staff{Username: *username, Name: *name, Role: chorus.Role(*role)}
	if err := db.CreateStaff(ctx, s, password); err != nil {
		return fmt.Errorf("user add: %s", chorus.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "\nstaff account %s (%s, %s) created in %s\n", s.Username, s.Name, s.Role, *dbPath)
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
