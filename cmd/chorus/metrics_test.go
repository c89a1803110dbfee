package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chorus-community/chorus"
)

// TestMetrics_Scrape: /metrics on its own address, scraped and parsed with
// the Prometheus text parser, has every family the dashboard and the
// alerts use, with figures from real traffic.
func TestMetrics_Scrape(t *testing.T) {
	dir := t.TempDir()
	cfg, err := parseConfig([]string{"-db", filepath.Join(dir, "chorus.db"), "-demo", "-log-level", "error",
		"-metrics-addr", "127.0.0.1:0", "-backup-dir", filepath.Join(dir, "backups")},
		func(string) string { return "" }, os.ReadFile, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(cfg, devNull(t))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	stop, err := app.ServeMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := app.Backups.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(app.Server.Handler())
	defer ts.Close()
	for _, p := range []string{"/healthz", "/api/events", "/api/events", "/no/such/page/at/all"} {
		res, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if err := app.DB.Queue(context.Background(), chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}

	res, err := http.Get("http://" + app.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, raw)
	}
	for _, name := range []string{"chorus_http_requests_total", "chorus_http_request_duration_seconds", "chorus_bookings",
		"chorus_sms_messages", "chorus_outbox_depth", "chorus_outbox_oldest_age_seconds", "chorus_db_group_commit_size",
		"chorus_db_commit_duration_seconds", "chorus_kiosks_online", "chorus_websocket_clients", "chorus_live_feed_subscribers",
		"chorus_backup_last_success_timestamp_seconds", "chorus_backup_failures_total", "chorus_build_info",
		"chorus_voice_calls_today", "chorus_voice_call_budget"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	label := func(name, key, value string) float64 {
		for _, m := range fams[name].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == key && l.GetValue() == value {
					if m.Counter != nil {
						return m.GetCounter().GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
		return -1
	}
	if n := label("chorus_http_requests_total", "route", "GET /api/events"); n != 2 {
		t.Errorf("GET /api/events counted %v times, want 2", n)
	}
	if strings.Contains(string(raw), "/no/such") {
		t.Errorf("a path, not a route pattern, became a label")
	}
	if n := label("chorus_sms_messages", "kind", string(chorus.MsgHelp)); n < 1 {
		t.Errorf("help SMS = %v", n)
	}
	if b := fams["chorus_voice_call_budget"].GetMetric()[0].GetGauge().GetValue(); b != 200 {
		t.Errorf("call budget = %v, want the default 200", b)
	}
	if d := fams["chorus_outbox_depth"].GetMetric()[0].GetGauge().GetValue(); d < 1 {
		t.Errorf("outbox depth = %v", d)
	}
	if ts := fams["chorus_backup_last_success_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue(); ts <= 0 {
		t.Errorf("last backup = %v", ts)
	}
	if n := fams["chorus_db_group_commit_size"].GetMetric()[0].GetHistogram().GetSampleCount(); n == 0 {
		t.Error("no group commits observed")
	}
	// Every metric the dashboard and the alert rules use exists.
	for _, doc := range []string{"../../docs/grafana-dashboard.json", "../../docs/alerts.yml"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`chorus_[a-z_]+`).FindAllString(string(b), -1) {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if fams[base] == nil {
				t.Errorf("%s uses %s, which Chorus does not export", doc, name)
			}
		}
	}
	ver, _ := buildVersion()
	if label("chorus_build_info", "version", ver) != 1 {
		t.Errorf("build info without version %s", ver)
	}
}

// TestVersion: chorus version prints the version set at build time.
func TestVersion(t *testing.T) {
	version = "v9.8.7"
	defer func() { version = "" }()
	var b strings.Builder
	printVersion(&b)
	if !strings.HasPrefix(b.String(), "chorus v9.8.7") {
		t.Fatalf("version = %q", b.String())
	}
}
