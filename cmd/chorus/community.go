package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

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
