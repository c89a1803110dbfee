package app

import (
	"net/netip"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// Config is everything Chorus can be told at start. Each field has a flag
// and a CHORUS_* environment variable; secrets also take *_FILE.
type Config struct {
	Addr           string
	DBPath         string
	Demo           bool
	TimeZone       string
	LogLevel       string
	RequireConfirm bool
	ConfirmWindow  time.Duration
	OfferTTL       time.Duration
	PerPhoneDaily  int
	ResendDaily    int
	ExpireEvery    time.Duration
	DispatchWait   time.Duration
	UrgentWait     time.Duration
	StaffPhone     string
	// PublicURL is the address residents' phones and staff reach Chorus at
	// (https://chorus.example behind a proxy); it goes in the QR codes.
	PublicURL string
	// TrustedProxies are the reverse proxies (CIDRs) whose
	// X-Forwarded-For gives the client's address for rate limits.
	TrustedProxies []netip.Prefix
	// MetricsAddr is where /metrics is served (its own port, never the
	// public one); empty: off.
	MetricsAddr string
	// BackupDir, BackupEvery and BackupKeep schedule checked backups;
	// an empty BackupDir turns them off.
	BackupDir   string
	BackupEvery time.Duration
	BackupKeep  int
	// LogSMSText logs the full text of each SMS in log-only mode, at debug
	// level (development only: the texts carry codes and addresses).
	LogSMSText bool
	// RateLimits are the per-kiosk, per-phone and per-address limits;
	// Limits bound unconfirmed bookings (docs/security.md).
	RateLimits server.RateLimits
	Limits     chorus.Limits

	SMS SMSConfig
	// Voice configures the calls to residents whose channel is voice.
	Voice VoiceConfig
}

// SMSConfig configures Alibaba Cloud SMS. Without an access key Chorus
// prints messages to the log instead of sending them.
type SMSConfig struct {
	AccessKeyID     string
	AccessKeySecret string
	SignName        string
	Region          string
	Endpoint        string
	Scheme          string
	Timeout         time.Duration
	RatePerSecond   float64
	PushSecret      string
	ReminderHour    int
	Templates       string // kind=CODE,kind=CODE
	// PartnerDaily and StaffDaily are the daily SMS budgets of a
	// partner's phone and of the on-duty staff phone (residents keep
	// PerPhoneDaily).
	PartnerDaily int
	StaffDaily   int
	Concurrency  int           // sends in flight at once, each with its own deadline
	ProviderLag  time.Duration // how long the provider's records lag behind a send
	MaxLookups   int           // failed lookups before a message is left unknown
}

// VoiceConfig configures Alibaba Cloud's voice service (Dyvmsapi). Without
// an access key (its own, or SMS's) calls are printed to the log.
type VoiceConfig struct {
	AccessKeyID     string // empty: SMSConfig's
	AccessKeySecret string
	ShowNumber      string // the purchased number calls come from; needed for 按1/按2
	Endpoint        string
	Scheme          string
	Timeout         time.Duration
	Templates       string // kind=TTS_CODE,kind=TTS_CODE
	Windows         string // when calls may ring: 09:00-12:00,14:00-20:00
	PerDay          int    // most calls one resident gets a day
	BudgetDay       int    // most calls the community places a day (0: no limit)
}
