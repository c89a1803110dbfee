package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	files := map[string]string{"/run/secrets/sms": "  s3cret\n"}
	readFile := func(p string) ([]byte, error) {
		if v, ok := files[p]; ok {
			return []byte(v), nil
		}
		return nil, os.ErrNotExist
	}
	t.Run("Defaults", func(t *testing.T) {
		c, err := parseConfig(nil, env(nil), readFile, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":8080" || c.DBPath != "./chorus.db" || c.TimeZone != "Asia/Shanghai" || !c.RequireConfirm ||
			c.PerPhoneDaily != 5 || c.SMS.ReminderHour != 18 || c.DispatchWait != 30*time.Minute || c.SMS.AccessKeyID != "" {
			t.Fatalf("defaults = %+v", c)
		}
	})
	t.Run("FlagOverEnvOverDefault", func(t *testing.T) {
		c, err := parseConfig([]string{"-addr", ":9090"}, env(map[string]string{"CHORUS_ADDR": ":7070",
			"CHORUS_DB": "/var/lib/chorus/chorus.db", "CHORUS_SMS_ACCESS_KEY_SECRET_FILE": "/run/secrets/sms",
			"CHORUS_STAFF_PHONE": "+86 138-1234-5678", "CHORUS_PUBLIC_URL": "https://chorus.guanghua.example/"}), readFile, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":9090" || c.DBPath != "/var/lib/chorus/chorus.db" || c.SMS.AccessKeySecret != "s3cret" || c.StaffPhone != "13812345678" ||
			c.PublicURL != "https://chorus.guanghua.example" {
			t.Fatalf("config = %+v", c)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tt := range []struct {
			env  map[string]string
			args []string
			want string
		}{
			{map[string]string{"CHORUS_OFFER_TTL": "two hours"}, nil, "CHORUS_OFFER_TTL"},
			{map[string]string{"CHORUS_SMS_PER_PHONE_DAILY": "many"}, nil, "CHORUS_SMS_PER_PHONE_DAILY"},
			{map[string]string{"CHORUS_DEMO": "yes please"}, nil, "CHORUS_DEMO"},
			{map[string]string{"CHORUS_SMS_PUSH_SECRET_FILE": "/missing"}, nil, "CHORUS_SMS_PUSH_SECRET_FILE"},
			{map[string]string{"CHORUS_TIMEZONE": "Mars/Olympus"}, nil, "timezone"},
			{map[string]string{"CHORUS_STAFF_PHONE": "12345"}, nil, "CHORUS_STAFF_PHONE"},
			{nil, []string{"-sms-reminder-hour", "25"}, "REMINDER_HOUR"},
			{nil, []string{"serve"}, "unexpected argument"},
			{map[string]string{"CHORUS_PUBLIC_URL": "chorus.example"}, nil, "CHORUS_PUBLIC_URL"},
			{map[string]string{"CHORUS_PUBLIC_URL": "https://chorus.example/staff"}, nil, "CHORUS_PUBLIC_URL"},
			// Scheduled backups copy a SQLite file; PostgreSQL has its own tools.
			{map[string]string{"CHORUS_DB": "postgres://chorus@db/chorus", "CHORUS_BACKUP_DIR": "/var/backups/chorus"}, nil, "pg_dump"},
		} {
			_, err := parseConfig(tt.args, env(tt.env), readFile, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v %v: err = %v, want it to mention %s", tt.env, tt.args, err, tt.want)
			}
		}
	})
	t.Run("Help", func(t *testing.T) {
		var out strings.Builder
		_, err := parseConfig([]string{"-h"}, env(nil), readFile, &out)
		if !errors.Is(err, errHelp()) || !strings.Contains(out.String(), "CHORUS_SMS_ACCESS_KEY_ID") {
			t.Fatalf("help = %v\n%s", err, out.String())
		}
	})
}

func errHelp() error { return flag.ErrHelp }
