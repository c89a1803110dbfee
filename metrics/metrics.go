// Package metrics exposes Chorus's health to Prometheus on its own listen
// address (-metrics-addr): HTTP requests, the group commit, bookings, SMS
// and the outbox, kiosks and live feeds, backups and the build. The other
// packages only call small hooks (Server.Observe, DB.OnBatch,
// BackupSchedule.OnResult); figures kept in the database are read from it
// at each scrape.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/sqlite"
)

// scrapeTimeout bounds the store queries of one scrape.
const scrapeTimeout = 5 * time.Second

// Sources are what the metrics read at each scrape; nil ones are left out.
type Sources struct {
	// Stats reads the store's figures (sqlite.DB.Stats).
	Stats func(ctx context.Context) (*sqlite.Stats, error)
	// CallBudget is the community's voice calls a day (0: no limit).
	CallBudget int
	// Kiosks reads the hub's figures (kiosk.Hub.Counts).
	Kiosks func() kiosk.Counts
	// LiveSubscribers counts the consoles on the live feed.
	LiveSubscribers func() int
	// Now is the clock for ages; nil: time.Now.
	Now func() time.Time
}

// Metrics holds Chorus's collectors in their own registry.
type Metrics struct {
	Registry *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	batchSize    prometheus.Histogram
	commit       prometheus.Histogram
	fanout       prometheus.Histogram
	backupOK     prometheus.Gauge
	backupFails  prometheus.Counter
	backupLast   prometheus.Gauge
}

// New registers every collector. version and revision label build info.
func New(version, revision string, src Sources) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chorus_http_requests_total", Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chorus_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "chorus_db_group_commit_size", Help: "Write transactions committed together in one group commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
	})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "chorus_db_commit_duration_seconds", Help: "Time of one group commit (the disk's fsync).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	})
	m.fanout = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "chorus_kiosk_fanout_seconds",
		Help:    "Time from the kiosk hub hearing of a commit to its change written to the last connected kiosk's socket.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .075, .1, .15, .25, .5, 1, 2.5},
	})
	m.backupOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "chorus_backup_last_success_timestamp_seconds", Help: "When the last scheduled backup succeeded (Unix time); 0: never.",
	})
	m.backupLast = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "chorus_backup_last_ok", Help: "1 when the last scheduled backup succeeded, 0 when it failed.",
	})
	m.backupFails = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "chorus_backup_failures_total", Help: "Scheduled backups that failed.",
	})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "chorus_build_info", Help: "Chorus's version; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()},
	})
	build.Set(1)
	m.Registry.MustRegister(m.httpRequests, m.httpDuration, m.batchSize, m.commit, m.fanout, m.backupOK, m.backupLast, m.backupFails, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.Stats != nil {
		m.Registry.MustRegister(&storeCollector{src: src})
	}
	if src.Kiosks != nil {
		m.Registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chorus_kiosks_online", Help: "Kiosks connected and heard from within 30 s."},
				func() float64 { return float64(src.Kiosks().Online) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chorus_websocket_clients", Help: "Open kiosk websocket connections."},
				func() float64 { return float64(src.Kiosks().Clients) }))
	}
	if src.LiveSubscribers != nil {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chorus_live_feed_subscribers", Help: "Staff consoles holding the live feed open."},
			func() float64 { return float64(src.LiveSubscribers()) }))
	}
	return m
}

// ObserveHTTP is server.Server.Observe. Requests that matched no route are
// counted under "unmatched", so that scanners cannot blow up the labels.
func (m *Metrics) ObserveHTTP(pattern string, status int, d time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	m.httpRequests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(pattern).Observe(d.Seconds())
}

// ObserveBatch is sqlite.DB.OnBatch.
func (m *Metrics) ObserveBatch(size int, commit time.Duration) {
	m.batchSize.Observe(float64(size))
	m.commit.Observe(commit.Seconds())
}

// ObserveFanout is kiosk.Hub.ObserveFanout.
func (m *Metrics) ObserveFanout(_ int, d time.Duration) {
	m.fanout.Observe(d.Seconds())
}

// ObserveBackup is sqlite.BackupSchedule.OnResult.
func (m *Metrics) ObserveBackup(ok bool, at time.Time) {
	if ok {
		m.backupOK.Set(float64(at.Unix()))
		m.backupLast.Set(1)
		return
	}
	m.backupLast.Set(0)
	m.backupFails.Inc()
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return mux
}

// storeCollector reads bookings, SMS and the outbox from the store at
// each scrape.
type storeCollector struct{ src Sources }

var (
	bookingsDesc = prometheus.NewDesc("chorus_bookings", "Bookings by status (their outcome so far).", []string{"status"}, nil)
	smsDesc      = prometheus.NewDesc("chorus_sms_messages", "SMS by community, kind, status and provider error code.",
		[]string{"community", "kind", "status", "code"}, nil)
	outboxDesc    = prometheus.NewDesc("chorus_outbox_depth", "SMS queued or being sent.", nil, nil)
	outboxAgeDesc = prometheus.NewDesc("chorus_outbox_oldest_age_seconds", "Age of the oldest SMS queued or being sent; 0: none.", nil, nil)
	callsDesc     = prometheus.NewDesc("chorus_voice_calls_today", "Voice calls placed today (the community's zone).", nil, nil)
	budgetDesc    = prometheus.NewDesc("chorus_voice_call_budget", "Voice calls the community may place a day; 0: no limit.", nil, nil)
	scrapeErrDesc = prometheus.NewDesc("chorus_store_scrape_error", "1 when the store could not be read for this scrape.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bookingsDesc
	ch <- smsDesc
	ch <- outboxDesc
	ch <- outboxAgeDesc
	ch <- callsDesc
	ch <- budgetDesc
	ch <- scrapeErrDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 0)
	for status, n := range st.Bookings {
		ch <- prometheus.MustNewConstMetric(bookingsDesc, prometheus.GaugeValue, float64(n), status)
	}
	for _, mc := range st.Messages {
		ch <- prometheus.MustNewConstMetric(smsDesc, prometheus.GaugeValue, float64(mc.N),
			strconv.FormatInt(mc.Community, 10), mc.Kind, mc.Status, mc.Code)
	}
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(st.OutboxDepth))
	age := 0.0
	if !st.OldestQueued.IsZero() {
		now := time.Now
		if c.src.Now != nil {
			now = c.src.Now
		}
		age = max(now().Sub(st.OldestQueued).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(callsDesc, prometheus.GaugeValue, float64(st.CallsToday))
	ch <- prometheus.MustNewConstMetric(budgetDesc, prometheus.GaugeValue, float64(c.src.CallBudget))
}
