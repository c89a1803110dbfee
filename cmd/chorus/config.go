package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
)

// Config is everything Chorus can be told at start (internal/app builds
// the app from it).
type Config = app.Config

// SMSConfig configures Alibaba Cloud SMS.
type SMSConfig = app.SMSConfig

// Defaults that run out of the box.
const (
	DefaultAddr     = ":8080"
	DefaultDBPath   = "./chorus.db"
	DefaultTimeZone = "Asia/Shanghai"
	// DefaultKioskMaxPending: a busy morning's worth of residents who have
	// not replied 1 yet, far below an event's seats.
	DefaultKioskMaxPending = 30
	// DefaultPhoneMaxPending: a resident rarely books more than a few
	// events before replying.
	DefaultPhoneMaxPending = 3
)

// option binds one flag to one environment variable.
type option struct {
	name, env, usage string
	secret           bool // also read from $ENV_FILE
}

// parseConfig reads flags from args over environment variables over
// defaults. getenv and readFile are injected for tests.
func parseConfig(args []string, getenv func(string) string, readFile func(string) ([]byte, error), out io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet("chorus", flag.ContinueOnError)
	fs.SetOutput(out)
	var errs []string
	env := func(o option, def string) string {
		if o.secret {
			if p := getenv(o.env + "_FILE"); p != "" {
				b, err := readFile(p)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s_FILE: %v", o.env, err))
					return def
				}
				return strings.TrimSpace(string(b))
			}
		}
		if v := getenv(o.env); v != "" {
			return v
		}
		return def
	}
	str := func(p *string, o option, def string) {
		fs.StringVar(p, o.name, env(o, def), o.usage+" ($"+o.env+")")
	}
	boolean := func(p *bool, o option, def bool) {
		v, err := strconv.ParseBool(env(o, strconv.FormatBool(def)))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not true or false", o.env))
		}
		fs.BoolVar(p, o.name, v, o.usage+" ($"+o.env+")")
	}
	dur := func(p *time.Duration, o option, def time.Duration) {
		v, err := time.ParseDuration(env(o, def.String()))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not a duration like 2h or 30m", o.env))
		}
		fs.DurationVar(p, o.name, v, o.usage+" ($"+o.env+")")
	}
	integer := func(p *int, o option, def int) {
		v, err := strconv.Atoi(env(o, strconv.Itoa(def)))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not a whole number", o.env))
		}
		fs.IntVar(p, o.name, v, o.usage+" ($"+o.env+")")
	}
	float := func(p *float64, o option, def float64) {
		v, err := strconv.ParseFloat(env(o, strconv.FormatFloat(def, 'f', -1, 64)), 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not a number", o.env))
		}
		fs.Float64Var(p, o.name, v, o.usage+" ($"+o.env+")")
	}

	str(&c.Addr, option{"addr", "CHORUS_ADDR", "address to listen on", false}, DefaultAddr)
	str(&c.DBPath, option{"db", "CHORUS_DB", "SQLite database file, or postgres://… for PostgreSQL", false}, DefaultDBPath)
	boolean(&c.Demo, option{"demo", "CHORUS_DEMO", "seed demo data (光华街社区) once", false}, false)
	str(&c.TimeZone, option{"timezone", "CHORUS_TIMEZONE", "the community's time zone", false}, DefaultTimeZone)
	str(&c.LogLevel, option{"log-level", "CHORUS_LOG_LEVEL", "debug, info, warn or error", false}, "info")
	boolean(&c.RequireConfirm, option{"require-confirm", "CHORUS_REQUIRE_CONFIRM", "residents' bookings wait for the SMS reply 1", false}, true)
	dur(&c.ConfirmWindow, option{"confirm-window", "CHORUS_CONFIRM_WINDOW", "how long a pending booking waits for the reply 1", false}, 24*time.Hour)
	dur(&c.OfferTTL, option{"offer-ttl", "CHORUS_OFFER_TTL", "how long a freed seat is held for the first on the waitlist", false}, 2*time.Hour)
	integer(&c.PerPhoneDaily, option{"sms-per-phone-daily", "CHORUS_SMS_PER_PHONE_DAILY", "most SMS one phone gets a day", false}, 5)
	integer(&c.ResendDaily, option{"sms-resend-daily", "CHORUS_SMS_RESEND_DAILY", "most check-in code resends per phone a day", false}, 3)
	dur(&c.ExpireEvery, option{"expire-every", "CHORUS_EXPIRE_EVERY", "how often deadlines are applied", false}, 30*time.Second)
	dur(&c.DispatchWait, option{"dispatch-wait", "CHORUS_DISPATCH_WAIT", "how long a wave of partners has to accept an order", false}, 30*time.Minute)
	dur(&c.UrgentWait, option{"urgent-wait", "CHORUS_URGENT_WAIT", "the same for urgent orders", false}, 10*time.Minute)
	str(&c.PublicURL, option{"public-url", "CHORUS_PUBLIC_URL", "the address in QR codes (https://chorus.example behind a proxy); empty: the address each request came to", false}, "")
	var proxies string
	str(&proxies, option{"trusted-proxies", "CHORUS_TRUSTED_PROXIES", "reverse proxies whose X-Forwarded-For is believed, as CIDRs (127.0.0.1/32,::1); empty: none", false}, "")
	str(&c.MetricsAddr, option{"metrics-addr", "CHORUS_METRICS_ADDR", "address for Prometheus /metrics, e.g. 127.0.0.1:9090; empty: off", false}, "")
	str(&c.BackupDir, option{"backup-dir", "CHORUS_BACKUP_DIR", "directory for scheduled, checked backups; empty: off", false}, "")
	dur(&c.BackupEvery, option{"backup-every", "CHORUS_BACKUP_EVERY", "how often a scheduled backup is taken", false}, 6*time.Hour)
	integer(&c.BackupKeep, option{"backup-keep", "CHORUS_BACKUP_KEEP", "how many scheduled backups are kept (0: all)", false}, 28)
	boolean(&c.LogSMSText, option{"log-sms-text", "CHORUS_LOG_SMS_TEXT", "log-only SMS mode: also log each full text at debug level (development only)", false}, false)
	float(&c.RateLimits.KioskActionsPerMinute, option{"kiosk-actions-per-minute", "CHORUS_KIOSK_ACTIONS_PER_MINUTE", "most bookings, orders, cancels and codes one kiosk makes a minute; -1: no limit", false}, server.DefaultKioskActionsPerMinute)
	float(&c.RateLimits.KioskLookupsPerMinute, option{"kiosk-lookups-per-minute", "CHORUS_KIOSK_LOOKUPS_PER_MINUTE", "most look-ups of a phone's records one kiosk makes a minute; -1: no limit", false}, server.DefaultKioskLookupsPerMinute)
	float(&c.RateLimits.PhonePerDay, option{"phone-requests-per-day", "CHORUS_PHONE_REQUESTS_PER_DAY", "most bookings, orders, enrolments and codes kiosks start for one phone a day; -1: no limit", false}, server.DefaultPhonePerDay)
	float(&c.RateLimits.PairPerMinute, option{"pair-per-minute", "CHORUS_PAIR_PER_MINUTE", "most pairing attempts from one address a minute", false}, server.DefaultPairPerMinute)
	integer(&c.Limits.PendingPerKiosk, option{"kiosk-max-pending", "CHORUS_KIOSK_MAX_PENDING", "most unconfirmed bookings one kiosk may hold; 0: no limit", false}, DefaultKioskMaxPending)
	integer(&c.Limits.PendingPerPhone, option{"phone-max-pending", "CHORUS_PHONE_MAX_PENDING", "most unconfirmed bookings one phone may hold; 0: no limit", false}, DefaultPhoneMaxPending)
	str(&c.StaffPhone, option{"staff-phone", "CHORUS_STAFF_PHONE", "on-duty staff mobile, alerted when nobody accepts an order", false}, "")

	str(&c.SMS.AccessKeyID, option{"sms-access-key-id", "CHORUS_SMS_ACCESS_KEY_ID", "Alibaba Cloud AccessKey ID; empty: SMS go to the log", true}, "")
	str(&c.SMS.AccessKeySecret, option{"sms-access-key-secret", "CHORUS_SMS_ACCESS_KEY_SECRET", "Alibaba Cloud AccessKey secret", true}, "")
	str(&c.SMS.SignName, option{"sms-sign-name", "CHORUS_SMS_SIGN_NAME", "registered SMS signature", false}, "光华街社区")
	str(&c.SMS.Region, option{"sms-region", "CHORUS_SMS_REGION", "Alibaba Cloud region", false}, "cn-hangzhou")
	str(&c.SMS.Endpoint, option{"sms-endpoint", "CHORUS_SMS_ENDPOINT", "Dysmsapi host[:port]", false}, "dysmsapi.aliyuncs.com")
	str(&c.SMS.Scheme, option{"sms-scheme", "CHORUS_SMS_SCHEME", "https or http", false}, "https")
	dur(&c.SMS.Timeout, option{"sms-timeout", "CHORUS_SMS_TIMEOUT", "timeout of one call to the SMS API", false}, 10*time.Second)
	float(&c.SMS.RatePerSecond, option{"sms-rate", "CHORUS_SMS_RATE", "most SMS sent per second", false}, 100)
	str(&c.SMS.PushSecret, option{"sms-push-secret", "CHORUS_SMS_PUSH_SECRET", "secret path segment of the receipt and reply push URLs", true}, "")
	integer(&c.SMS.ReminderHour, option{"sms-reminder-hour", "CHORUS_SMS_REMINDER_HOUR", "hour of the day before an event when reminders go out", false}, 18)
	str(&c.SMS.Templates, option{"sms-templates", "CHORUS_SMS_TEMPLATES", "template codes, kind=SMS_123,kind=SMS_456", false}, "")
	integer(&c.SMS.PartnerDaily, option{"sms-partner-daily", "CHORUS_SMS_PARTNER_DAILY", "most SMS a partner's phone gets a day (派单, taken)", false}, sqlite.DefaultPartnerDaily)
	integer(&c.SMS.StaffDaily, option{"sms-staff-daily", "CHORUS_SMS_STAFF_DAILY", "most alerts the on-duty staff phone gets a day", false}, sqlite.DefaultStaffDaily)
	integer(&c.SMS.Concurrency, option{"sms-concurrency", "CHORUS_SMS_CONCURRENCY", "SMS API calls in flight at once", false}, sms.DefaultConcurrency)
	dur(&c.SMS.ProviderLag, option{"sms-provider-lag", "CHORUS_SMS_PROVIDER_LAG", "how long after an unanswered send the provider's records are trusted", false}, sms.DefaultProviderLag)
	integer(&c.SMS.MaxLookups, option{"sms-max-lookups", "CHORUS_SMS_MAX_LOOKUPS", "failed lookups before a message is shown to staff as unknown", false}, sms.DefaultMaxLookups)

	str(&c.Voice.AccessKeyID, option{"voice-access-key-id", "CHORUS_VOICE_ACCESS_KEY_ID", "Alibaba Cloud AccessKey ID for calls; empty: the SMS one (none: calls go to the log)", true}, "")
	str(&c.Voice.AccessKeySecret, option{"voice-access-key-secret", "CHORUS_VOICE_ACCESS_KEY_SECRET", "Alibaba Cloud AccessKey secret for calls", true}, "")
	str(&c.Voice.ShowNumber, option{"voice-show-number", "CHORUS_VOICE_SHOW_NUMBER", "the purchased number calls come from (needed for 按1/按2)", false}, "")
	str(&c.Voice.Endpoint, option{"voice-endpoint", "CHORUS_VOICE_ENDPOINT", "Dyvmsapi host[:port]", false}, "dyvmsapi.aliyuncs.com")
	str(&c.Voice.Scheme, option{"voice-scheme", "CHORUS_VOICE_SCHEME", "https or http", false}, "https")
	dur(&c.Voice.Timeout, option{"voice-timeout", "CHORUS_VOICE_TIMEOUT", "timeout of one call to the voice API", false}, 10*time.Second)
	str(&c.Voice.Templates, option{"voice-templates", "CHORUS_VOICE_TEMPLATES", "TTS template codes, kind=TTS_123,kind=TTS_456", false}, "")
	str(&c.Voice.Windows, option{"voice-windows", "CHORUS_VOICE_WINDOWS", "when calls may ring, in the community's zone", false}, "09:00-12:00,14:00-20:00")
	integer(&c.Voice.PerDay, option{"voice-per-day", "CHORUS_VOICE_PER_DAY", "most calls one resident gets a day", false}, 3)
	integer(&c.Voice.BudgetDay, option{"voice-budget-day", "CHORUS_VOICE_BUDGET_DAY", "most calls the community places a day; 0: no limit", false}, 200)

	err := fs.Parse(args)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (commands: backup PATH, restore BACKUP, version, user add, user passwd)", fs.Arg(0))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return nil, fmt.Errorf("timezone %q: %w", c.TimeZone, err)
	}
	if c.StaffPhone != "" {
		p, err := chorus.NormalizePhone(c.StaffPhone)
		if err != nil {
			return nil, fmt.Errorf("CHORUS_STAFF_PHONE: %s", chorus.ErrorMessage(err))
		}
		c.StaffPhone = p
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("CHORUS_PUBLIC_URL %q: give scheme and host only, like https://chorus.example", c.PublicURL)
		}
		c.PublicURL = u.Scheme + "://" + u.Host
	}
	if c.TrustedProxies, err = server.ParseTrustedProxies(proxies); err != nil {
		return nil, fmt.Errorf("CHORUS_TRUSTED_PROXIES: %w", err)
	}
	if c.BackupDir != "" && sqlite.IsPostgres(c.DBPath) {
		return nil, fmt.Errorf("CHORUS_BACKUP_DIR: %w; unset it", sqlite.ErrPostgresBackup)
	}
	if c.BackupDir != "" && c.BackupEvery < time.Minute {
		return nil, fmt.Errorf("CHORUS_BACKUP_EVERY must be at least 1m")
	}
	if c.SMS.ReminderHour < 0 || c.SMS.ReminderHour > 23 {
		return nil, fmt.Errorf("CHORUS_SMS_REMINDER_HOUR must be 0 to 23")
	}
	if _, err := chorus.ParseCallWindows(c.Voice.Windows); err != nil {
		return nil, fmt.Errorf("CHORUS_VOICE_WINDOWS %q: %s", c.Voice.Windows, chorus.ErrorMessage(err))
	}
	if c.Voice.PerDay < 1 || c.Voice.PerDay > 20 {
		return nil, fmt.Errorf("CHORUS_VOICE_PER_DAY must be 1 to 20 (the provider allows 20 a day per number)")
	}
	if c.Voice.BudgetDay < 0 {
		return nil, fmt.Errorf("CHORUS_VOICE_BUDGET_DAY must be 0 or more")
	}
	return c, nil
}

func osConfig(args []string) (*Config, error) {
	return parseConfig(args, os.Getenv, os.ReadFile, os.Stderr)
}
