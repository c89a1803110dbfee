// Command chorus runs Chorus (社区合唱): one binary serving the kiosks, the
// staff API, SMS replies and receipts on one port, with an embedded SQLite
// database.
//
//	chorus [flags]          run the server (chorus -h lists the flags)
//	chorus backup PATH      write a consistent, checked copy of the database while it runs
//	chorus restore BACKUP   replace the database with a backup (Chorus stopped)
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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // the community's zone, even on a machine without tzdata

	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/metrics"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/speech"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 10 * time.Second

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

// App is Chorus wired together.
type App struct {
	Config *Config
	DB     *sqlite.DB
	Server *server.Server
	Logger *slog.Logger
	Now    func() time.Time
	loc    *time.Location
	// Hub drives the kiosks; it runs from newApp until Close.
	Hub     *kiosk.Hub
	stopHub func()
	// Worker drains the SMS outbox; Scheduler runs reminders, deadlines
	// and dispatch waves.
	Worker    *sms.Worker
	Scheduler *sms.Scheduler
	// wake, when set (before the first write), is called after every
	// commit too: the SMS worker's doorbell.
	wake func()
	// Metrics is served on -metrics-addr; Backups runs with -backup-dir.
	Metrics *metrics.Metrics
	Backups *sqlite.BackupSchedule
	unlock  func() // the lock that says Chorus runs on the database
	// metricsAddr is where /metrics listens, once serveMetrics started.
	metricsAddr string
}

// newApp opens the database, seeds demo data when asked, and wires the
// HTTP server.
func newApp(cfg *Config, logOut *os.File) (*App, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", cfg.LogLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	loc, _ := time.LoadLocation(cfg.TimeZone)
	unlock, err := sqlite.Lock(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(cfg.DBPath)
	if err != nil {
		unlock()
		return nil, err
	}
	db.Location, db.Logger = loc, logger
	db.RequireConfirm, db.ConfirmWindow, db.OfferTTL = cfg.RequireConfirm, cfg.ConfirmWindow, cfg.OfferTTL
	db.PerPhoneDaily, db.ResendDaily = cfg.PerPhoneDaily, cfg.ResendDaily
	db.PartnerDaily, db.StaffDaily = cfg.SMS.PartnerDaily, cfg.SMS.StaffDaily
	db.Limits = cfg.Limits
	db.DispatchWait, db.UrgentWait, db.StaffPhone = cfg.DispatchWait, cfg.UrgentWait, cfg.StaffPhone
	app := &App{Config: cfg, DB: db, Logger: logger, Now: time.Now, loc: loc, unlock: unlock}
	ver, rev := buildVersion()
	// The writer reads OnCommit after each commit: set it before any write.
	app.Hub = kiosk.NewHub(db)
	app.Hub.Now, app.Hub.Location, app.Hub.Logger = app.Now, loc, logger
	if err := app.setupSMS(); err != nil {
		db.Close()
		unlock()
		return nil, err
	}
	// The server exists before the first write: onCommit feeds its
	// attendance streams.
	app.Server = &server.Server{Store: db, Staff: db, Logger: logger, Now: app.Now, Location: loc,
		Kiosks: db, Hub: app.Hub, SMS: db, PushSecret: cfg.SMS.PushSecret, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies,
		Limits: cfg.RateLimits, Mount: mountUI}
	app.Server.Version = ver
	if cfg.BackupDir != "" {
		app.Backups = &sqlite.BackupSchedule{DB: db, Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep,
			Now: app.Now, Logger: logger}
		app.Server.Backups = app.Backups.Status
	}
	if cfg.MetricsAddr != "" {
		app.setupMetrics(ver, rev)
	}
	if sp := speech.New(); sp != nil { // espeak-ng installed: 小声/大声 change what is heard
		app.Server.Speech = sp
	}
	db.OnCommit = app.onCommit
	if cfg.Demo {
		if err := seedDemo(context.Background(), db, app.Now(), loc); err != nil {
			db.Close()
			unlock()
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	app.Hub.EventView = app.Server.EventView
	app.Hub.OnPresence = func() { app.Server.NotifyTopics(server.TopicKiosks) }
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { app.Hub.Run(hubCtx); close(hubDone) }()
	app.stopHub = func() { stopHub(); <-hubDone }
	return app, nil
}

// mountUI serves the pages: the kiosk, the staff console and the door
// check-in page.
func mountUI(m *http.ServeMux) {
	ui.Mount(m)
	ui.MountConsole(m)
	ui.MountCheckin(m)
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
	a.wake = a.Worker.Wake
	a.Scheduler = &sms.Scheduler{Store: a.DB, Now: a.Now, Every: cfg.ExpireEvery, ReminderHour: cfg.SMS.ReminderHour,
		Logger: a.Logger, Wake: a.Worker.Wake}
	if cfg.SMS.PushSecret == "" {
		a.Logger.Info("no CHORUS_SMS_PUSH_SECRET: replies and receipts from Alibaba Cloud are not received")
	}
	return nil
}

// onCommit fans a committed change out: to the kiosk hub, which must hear
// of it within a second and never holds the writer up, and to wake.
func (a *App) onCommit(c sqlite.Change) {
	a.Hub.Notify(kiosk.Change{Slots: c.Slots, Events: c.Events, Programmes: c.Programmes})
	if len(c.Events) > 0 {
		a.Server.NotifyEvents(c.Events)
	}
	a.Server.NotifyTopics(c.Topics()...)
	if a.wake != nil {
		a.wake()
	}
}

// Close disconnects the kiosks and closes the database.
func (a *App) Close() error {
	a.stopHub()
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
		stopMetrics, err := a.serveMetrics()
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
