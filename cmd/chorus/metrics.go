package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/chorus-community/chorus/metrics"
)

// setupMetrics makes the collectors and hooks them in: the server's
// requests, the writer's group commits, the backups. Call it before the
// first write.
func (a *App) setupMetrics(ver, rev string) {
	m := metrics.New(ver, rev, metrics.Sources{Stats: a.DB.Stats, Kiosks: a.Hub.Counts,
		LiveSubscribers: a.Server.LiveSubscribers, Now: a.Now})
	a.Server.Observe = m.ObserveHTTP
	a.DB.OnBatch = m.ObserveBatch
	if a.Backups != nil {
		a.Backups.OnResult = m.ObserveBackup
	}
	a.Metrics = m
}

// serveMetrics serves /metrics on -metrics-addr until the returned stop is
// called.
func (a *App) serveMetrics() (stop func(), err error) {
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
