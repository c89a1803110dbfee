// Package app builds Chorus once: the store, the kiosk hub, the HTTP
// server, the SMS worker and scheduler, the backups and the metrics, and
// the fan-out of every commit to them. cmd/chorus and the test fixtures
// (internal/stacktest) both build the app here, so a change to the wiring
// is tested.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/metrics"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/voice"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 10 * time.Second

// Options are what the program around the app chooses rather than the
// operator: the log, the clock, the pages, the version and the hooks.
type Options struct {
	// Logger is the log; nil: slog.Default.
	Logger *slog.Logger
	// Now is the clock of the store, the hub, the server and the SMS
	// jobs; nil: time.Now.
	Now func() time.Time
	// Location is the community's time zone; nil: Config.TimeZone.
	Location *time.Location
	// Pages are the pages' routes (ui.Routes), in the server's one route
	// table.
	Pages []server.Route
	// Version and Revision are shown on /healthz and in the metrics.
	Version, Revision string
	// PasswordCost is bcrypt's work factor for new passwords; 0: the
	// store's default (tests lower it).
	PasswordCost int
	// Configure, when set, changes the app after it is wired and before
	// the first write and the hub's start.
	Configure func(*App)
	// Speech, when set, speaks for the kiosk pages (speech.New: espeak-ng,
	// so that 小声/大声 change what is heard); nil: the browser's voice.
	Speech server.Speaker
	// Seed, when set and Config.Demo is true, writes the demo data once
	// the app is wired (commits reach the hub and the server).
	Seed func(ctx context.Context, db *sqlite.DB, now time.Time, loc *time.Location) error
}

// App is Chorus wired together.
type App struct {
	Config   *Config
	DB       *sqlite.DB
	Server   *server.Server
	Logger   *slog.Logger
	Now      func() time.Time
	Location *time.Location
	// Hub drives the kiosks; it runs from New until StopHub or Close.
	Hub *kiosk.Hub
	// Worker drains the SMS outbox; Scheduler runs reminders, deadlines
	// and dispatch waves. Both run only while Serve runs.
	Worker    *sms.Worker
	Scheduler *sms.Scheduler
	// Calls places the outbox's voice calls while Serve runs.
	Calls *voice.Worker
	// Wake, when set (before the first write), is called after every
	// commit too: the SMS worker's doorbell.
	Wake func()
	// Metrics is served on Config.MetricsAddr; Backups runs with
	// Config.BackupDir.
	Metrics *metrics.Metrics
	Backups *sqlite.BackupSchedule

	stopHub     func()
	stopHubOnce sync.Once
	unlock      func() // the lock that says Chorus runs on the database
	// metricsAddr is where /metrics listens, once ServeMetrics started.
	metricsAddr string
	// kioskMu makes kiosksChanged run one at a time.
	kioskMu sync.Mutex
}

// New locks and opens the database, wires the hub, the SMS jobs, the
// server, the backups and the metrics, seeds the demo data when asked and
// starts the kiosk hub.
func New(cfg *Config, o Options) (*App, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	loc := o.Location
	if loc == nil {
		l, err := time.LoadLocation(cfg.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("timezone %q: %w", cfg.TimeZone, err)
		}
		loc = l
	}
	unlock, err := sqlite.Lock(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(cfg.DBPath)
	if err != nil {
		unlock()
		return nil, err
	}
	db.Now, db.Location, db.Logger = now, loc, logger
	db.RequireConfirm, db.ConfirmWindow, db.OfferTTL = cfg.RequireConfirm, cfg.ConfirmWindow, cfg.OfferTTL
	db.PerPhoneDaily, db.ResendDaily = cfg.PerPhoneDaily, cfg.ResendDaily
	db.PartnerDaily, db.StaffDaily = cfg.SMS.PartnerDaily, cfg.SMS.StaffDaily
	db.Limits = cfg.Limits
	db.DispatchWait, db.UrgentWait, db.StaffPhone = cfg.DispatchWait, cfg.UrgentWait, cfg.StaffPhone
	if o.PasswordCost != 0 {
		db.PasswordCost = o.PasswordCost
	}
	a := &App{Config: cfg, DB: db, Logger: logger, Now: now, Location: loc, unlock: unlock}
	fail := func(err error) (*App, error) {
		db.Close()
		unlock()
		return nil, err
	}
	// The writer reads OnCommit after each commit: set it before any write.
	a.Hub = kiosk.NewHub(db)
	a.Hub.Now, a.Hub.Location, a.Hub.Logger = now, loc, logger
	if err := a.setupSMS(); err != nil {
		return fail(err)
	}
	if err := a.setupVoice(); err != nil {
		return fail(err)
	}
	// The server exists before the first write: onCommit feeds its
	// attendance streams.
	a.Server = &server.Server{Store: db, Staff: db, Logger: logger, Now: now, Location: loc,
		Kiosks: db, Hub: a.Hub, SMS: db, Voice: db, Venues: db, Volunteers: db, CallBudget: cfg.Voice.BudgetDay, PushSecret: cfg.SMS.PushSecret, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies,
		Limits: cfg.RateLimits, Pages: o.Pages}
	a.Server.Version = o.Version
	a.Server.Bank = db // the time bank (issue 20)
	if o.Speech != nil {
		a.Server.Speech = o.Speech
	}
	if cfg.BackupDir != "" && sqlite.IsPostgres(cfg.DBPath) {
		logger.Warn("scheduled backups skipped: "+sqlite.ErrPostgresBackup.Error(), "backup_dir", cfg.BackupDir)
	} else if cfg.BackupDir != "" {
		a.Backups = &sqlite.BackupSchedule{DB: db, Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep,
			Now: now, Logger: logger}
		a.Server.Backups = a.Backups.Status
	}
	if cfg.MetricsAddr != "" {
		a.setupMetrics(o.Version, o.Revision)
	}
	db.OnCommit = a.onCommit
	db.Listen() // PostgreSQL: other instances' commits too
	a.Hub.EventView = a.Server.EventView
	// One broker for every live channel: the commits' topics reach the
	// consoles and the kiosk hub from the same publication.
	a.Hub.Changes = a.Server.Feed()
	// Several instances on PostgreSQL: each writes which kiosks it serves,
	// and answers the console with every instance's (presence.go).
	shared := sqlite.IsPostgres(cfg.DBPath)
	poke := make(chan struct{}, 1)
	if shared {
		a.Server.Hub = sharedHub{Hub: a.Hub, db: db, now: now, loc: loc}
	}
	a.Hub.OnPresence = func() {
		a.Server.NotifyTopics(server.TopicKiosks)
		select {
		case poke <- struct{}{}:
		default:
		}
	}
	if o.Configure != nil {
		o.Configure(a)
	}
	if cfg.Demo && o.Seed != nil {
		if err := o.Seed(context.Background(), db, now(), loc); err != nil {
			return fail(fmt.Errorf("demo data: %w", err))
		}
	}
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { a.Hub.Run(hubCtx); close(hubDone) }()
	presenceDone := make(chan struct{})
	go func() {
		if shared {
			a.sharePresence(hubCtx, poke)
		}
		close(presenceDone)
	}()
	a.stopHub = func() { stopHub(); <-hubDone; <-presenceDone }
	return a, nil
}

// setupSMS makes the template catalogue, the sender (Alibaba Cloud with an
// access key, else the log), the outbox worker and the scheduler.
func (a *App) setupSMS() error {
	cfg := a.Config
	codes, err := sms.ParseCodes(cfg.SMS.Templates)
	if err != nil {
		return fmt.Errorf("CHORUS_SMS_TEMPLATES: %w", err)
	}
	cat, err := sms.NewCatalogue(codes)
	if err != nil {
		return fmt.Errorf("CHORUS_SMS_TEMPLATES: %w", err)
	}
	a.DB.ValidateMessage = cat.Validate
	var sender sms.Sender
	if cfg.SMS.AccessKeyID == "" {
		sender = &sms.LogSender{Logger: a.Logger, SignName: cfg.SMS.SignName, FullText: cfg.LogSMSText}
		a.Logger.Warn("no CHORUS_SMS_ACCESS_KEY_ID: SMS are printed to this log, not sent")
	} else {
		ali, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: cfg.SMS.AccessKeyID, AccessKeySecret: cfg.SMS.AccessKeySecret,
			SignName: cfg.SMS.SignName, Region: cfg.SMS.Region, Endpoint: cfg.SMS.Endpoint, Scheme: cfg.SMS.Scheme,
			Timeout: cfg.SMS.Timeout, Now: a.Now})
		if err != nil {
			return fmt.Errorf("sms: %w", err)
		}
		sender = ali
		a.Logger.Info("SMS go through Alibaba Cloud", "endpoint", cfg.SMS.Endpoint, "sign", cfg.SMS.SignName)
	}
	a.Worker = &sms.Worker{Outbox: a.DB, Sender: sender, Catalogue: cat, Now: a.Now, Logger: a.Logger, Rate: cfg.SMS.RatePerSecond,
		Concurrency: cfg.SMS.Concurrency, ProviderLag: cfg.SMS.ProviderLag, MaxLookups: cfg.SMS.MaxLookups}
	a.Wake = a.Worker.Wake
	a.Scheduler = &sms.Scheduler{Store: a.DB, Leads: a.DB.Leads, Now: a.Now, Every: cfg.ExpireEvery, ReminderHour: cfg.SMS.ReminderHour,
		Logger: a.Logger, Wake: a.Worker.Wake}
	if cfg.SMS.PushSecret == "" {
		a.Logger.Info("no CHORUS_SMS_PUSH_SECRET: replies and receipts from Alibaba Cloud are not received")
	}
	return nil
}

// onCommit fans a committed change out without ever holding the writer
// up: to the server's attendance streams, to the broker of the live feed
// that the consoles and the kiosk hub both follow, and to Wake.
func (a *App) onCommit(c sqlite.Change) {
	// The hub learns which events changed before the topics wake it, and
	// reads those again rather than every upcoming event.
	a.Hub.NoteChanged(c.Events, c.Slots)
	if len(c.Events) > 0 {
		a.Server.NotifyEvents(c.Events)
	}
	a.Server.NotifyTopics(c.Topics()...)
	if c.Remote && (len(c.Kiosks) > 0 || len(c.Announcements) > 0 || len(c.Reloads) > 0) {
		go a.kiosksChanged(c)
	}
	if a.Wake != nil {
		a.Wake()
	}
}

// kiosksChanged passes kiosks and announcements that another instance's
// commit changed (on PostgreSQL) to the screens this instance serves: a
// mode, settings, a new name, a revocation, an announcement or a reload
// asked by staff through any instance reaches the kiosk wherever its
// websocket is. This instance's own changes reach its hub from the
// handler that made them, at once and in order. One at a time, each
// reading the kiosk after taking its turn: the last to run applies the
// newest state, never an older one.
func (a *App) kiosksChanged(c sqlite.Change) {
	kiosks, announcements := c.Kiosks, c.Announcements
	a.kioskMu.Lock()
	defer a.kioskMu.Unlock()
	// Staff's changes are scoped; this reads any kiosk, as the hub serves
	// every community's.
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity, District: true})
	for _, id := range kiosks {
		k, err := a.DB.Kiosk(ctx, id)
		if err != nil {
			a.Logger.Debug("changed kiosk not read", "kiosk", id, "err", err)
			continue
		}
		a.Hub.KioskChanged(*k)
	}
	for _, id := range c.Reloads {
		a.Hub.Reload(id)
	}
	if len(announcements) == 0 {
		return
	}
	live, err := a.DB.LiveAnnouncements(ctx, a.Now())
	if err != nil {
		a.Logger.Debug("announcements not read", "err", err)
		return
	}
	for _, an := range live {
		if slices.Contains(announcements, an.ID) {
			a.Hub.Announce(an)
		}
	}
}

// StopHub disconnects the kiosks and stops the hub; Close does it too.
func (a *App) StopHub() { a.stopHubOnce.Do(a.stopHub) }

// Close disconnects the kiosks, closes the database and releases its lock.
func (a *App) Close() error {
	a.StopHub()
	err := a.DB.Close()
	a.unlock()
	return err
}

// Serve serves HTTP on ln and runs the background jobs until ctx ends, then
// shuts down gracefully: in-flight requests finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.Server.CloseStreams) // attendance streams end at once
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go a.Scheduler.Run(jobs)
	callsDone := make(chan struct{})
	go func() {
		defer close(callsDone)
		if err := a.Calls.Run(jobs); err != nil && jobs.Err() == nil {
			a.Logger.Error("voice worker stopped", "err", err)
		}
	}()
	defer func() { stopJobs(); <-callsDone }()
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		if err := a.Worker.Run(jobs); err != nil && jobs.Err() == nil {
			a.Logger.Error("sms worker stopped", "err", err)
		}
	}()
	defer func() { stopJobs(); <-workerDone }()
	if a.Backups != nil {
		go a.Backups.Run(jobs)
	}
	if a.Metrics != nil {
		stopMetrics, err := a.ServeMetrics()
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	base := "http://" + displayAddr(ln.Addr())
	a.Logger.Info("Chorus is running", "kiosk", base+"/kiosk", "staff", base+"/staff", "db", a.Config.DBPath)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down: finishing requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopJobs()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return a.String()
}

// setupMetrics makes the collectors and hooks them in: the server's
// requests, the writer's group commits, the backups. Call it before the
// first write.
func (a *App) setupMetrics(ver, rev string) {
	m := metrics.New(ver, rev, metrics.Sources{Stats: a.DB.Stats, Kiosks: a.Hub.Counts,
		LiveSubscribers: a.Server.LiveSubscribers, Now: a.Now, CallBudget: a.Config.Voice.BudgetDay})
	a.Server.Observe = m.ObserveHTTP
	a.DB.OnBatch = m.ObserveBatch
	a.Hub.ObserveFanout = m.ObserveFanout
	if a.Backups != nil {
		a.Backups.OnResult = m.ObserveBackup
	}
	a.Metrics = m
}

// ServeMetrics serves /metrics on Config.MetricsAddr until the returned
// stop is called; Serve calls it.
func (a *App) ServeMetrics() (stop func(), err error) {
	ln, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", a.Config.MetricsAddr, err)
	}
	srv := &http.Server{Handler: a.Metrics.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Logger.Error("metrics server stopped", "err", err)
		}
	}()
	a.metricsAddr = ln.Addr().String()
	a.Logger.Info("metrics", "url", "http://"+a.metricsAddr+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// MetricsAddr is the address /metrics listens on once ServeMetrics
// started; empty before.
func (a *App) MetricsAddr() string { return a.metricsAddr }
