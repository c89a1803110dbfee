package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// communityAdd runs `chorus community add -name 和泽苑社区 -sign 和泽苑社区
// [-timezone Asia/Shanghai] [-staff-phone 139...]`: it adds a community to
// the deployment (a district's next 社区). Its staff are then created with
// `chorus user add -community N`, or by the district admin's console.
func communityAdd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus community add", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	name := fs.String("name", "", "the community's name, 和泽苑社区")
	sign := fs.String("sign", "", "its SMS signature as Alibaba approved it, without 【】 (default: the name)")
	zone := fs.String("timezone", "", "its IANA time zone when not the deployment's (CHORUS_TIMEZONE)")
	phone := fs.String("staff-phone", "", "its on-duty mobile when not the deployment's (CHORUS_STAFF_PHONE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: chorus community add [-db FILE] -name NAME [-sign SIGNATURE] [-timezone ZONE] [-staff-phone PHONE]")
	}
	if *sign == "" {
		*sign = *name
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	c := &chorus.Community{Name: *name, SignName: *sign, TimeZone: *zone, StaffPhone: *phone}
	if err := db.AddCommunity(ctx, c); err != nil {
		return fmt.Errorf("community add: %s", chorus.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "community %d %s (signature 【%s】) added to %s\n", c.ID, c.Name, c.SignName, *dbPath)
	return nil
}

// communityList runs `chorus community list`: the deployment's
// communities, one a line: id, name, signature, time zone, staff phone.
func communityList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus community list", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("community list: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Communities(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		fmt.Fprintf(stdout, "%d\t%s\t【%s】\t%s\t%s\n", c.ID, c.Name, c.SignName, or(c.TimeZone, "-"), or(c.StaffPhone, "-"))
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// communityFlag finds the community a -community flag names: its id or
// its name. Errors: plain, naming what was asked.
func communityFlag(ctx context.Context, db *sqlite.DB, v string) (int64, error) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if _, err := db.CommunityByID(ctx, id); err != nil {
			return 0, fmt.Errorf("没有编号为 %d 的社区(chorus community list 列出所有社区)", id)
		}
		return id, nil
	}
	list, err := db.Communities(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range list {
		if c.Name == v {
			return c.ID, nil
		}
	}
	return 0, fmt.Errorf("没有叫“%s”的社区(chorus community list 列出所有社区)", v)
}

// templateFlags collects -template kind=CODE flags.
type templateFlags map[string]string

func (t templateFlags) String() string { return fmt.Sprint(map[string]string(t)) }

func (t templateFlags) Set(v string) error {
	kind, code, ok := strings.Cut(v, "=")
	if !ok || kind == "" {
		return fmt.Errorf("-template takes kind=CODE, e.g. booked=SMS_123456789 (kind= removes it)")
	}
	t[kind] = code
	return nil
}

// communitySet runs `chorus community set -id N [-name ..] [-sign ..]
// [-timezone ..] [-staff-phone ..] [-template kind=CODE ...]
// [-push-secret-from-env]`: it changes the settings given and keeps the
// others. "" in -timezone or -staff-phone falls back to the deployment's;
// -template kind= drops the community's own code for that kind. The push
// secret, a secret, comes from $CHORUS_COMMUNITY_PUSH_SECRET, never the
// command line (ps would show it).
func communitySet(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus community set", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	id := fs.String("id", "", "the community: its id or name (chorus community list)")
	name := fs.String("name", "", "its new name")
	sign := fs.String("sign", "", "its SMS signature, without 【】")
	zone := fs.String("timezone", "", "its IANA time zone (\"\": the deployment's)")
	phone := fs.String("staff-phone", "", "its on-duty mobile (\"\": the deployment's)")
	templates := templateFlags{}
	fs.Var(templates, "template", "an SMS template code of its own, kind=CODE (repeatable; kind= drops it)")
	secret := fs.Bool("push-secret-from-env", false, "set its own push secret from $CHORUS_COMMUNITY_PUSH_SECRET")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: chorus community set [-db FILE] -id N [-name ..] [-sign ..] [-timezone ..] [-staff-phone ..] [-template kind=CODE] [-push-secret-from-env]")
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("community set: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	cid, err := communityFlag(ctx, db, *id)
	if err != nil {
		return fmt.Errorf("community set: %w", err)
	}
	c, err := db.CommunityByID(ctx, cid)
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			c.Name = *name
		case "sign":
			c.SignName = *sign
		case "timezone":
			c.TimeZone = *zone
		case "staff-phone":
			c.StaffPhone = *phone
		}
	})
	if len(templates) > 0 && c.Templates == nil {
		c.Templates = map[string]string{}
	}
	for kind, code := range templates {
		if code == "" {
			delete(c.Templates, kind)
		} else {
			c.Templates[kind] = code
		}
	}
	c.PushSecret = ""
	if *secret {
		if c.PushSecret = os.Getenv("CHORUS_COMMUNITY_PUSH_SECRET"); len(c.PushSecret) < 16 {
			return fmt.Errorf("community set: $CHORUS_COMMUNITY_PUSH_SECRET must hold a secret of at least 16 characters")
		}
	}
	ctx = chorus.WithScope(ctx, chorus.Scope{Community: cid})
	if err := db.SetCommunity(ctx, c); err != nil {
		return fmt.Errorf("community set: %s", chorus.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "community %d %s (signature 【%s】) changed in %s\n", c.ID, c.Name, c.SignName, *dbPath)
	return nil
}

// userJoin runs `chorus user join -username NAME -community N [-role
// staff]`: an existing account also works for another community (or
// changes its role there).
func userJoin(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chorus user join", flag.ContinueOnError)
	dbPath := fs.String("db", envOr("CHORUS_DB", DefaultDBPath), "SQLite database file ($CHORUS_DB)")
	username := fs.String("username", "", "the account's login name")
	community := fs.String("community", "", "the community: its id or name (chorus community list)")
	role := fs.String("role", string(chorus.RoleStaff), "admin or staff")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" || *community == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: chorus user join [-db FILE] -username NAME -community N [-role admin|staff]")
	}
	if err := sqlite.MustExist(*dbPath); err != nil {
		return fmt.Errorf("user join: %w", err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	cid, err := communityFlag(ctx, db, *community)
	if err != nil {
		return fmt.Errorf("user join: %w", err)
	}
	// As the district admin would, from that community.
	ctx = chorus.WithScope(ctx, chorus.Scope{Community: cid, District: true})
	list, err := db.StaffList(ctx)
	if err != nil {
		return err
	}
	for _, s := range list {
		if s.Username == *username {
			s.Role = chorus.Role(*role)
			if err := db.SetStaff(ctx, &s, ""); err != nil {
				return fmt.Errorf("user join: %s", chorus.ErrorMessage(err))
			}
			fmt.Fprintf(stdout, "%s (%s) works for community %d as %s\n", s.Username, s.Name, cid, s.Role)
			return nil
		}
	}
	return fmt.Errorf("user join: 没有用户名为 %s 的工作人员", *username)
}
