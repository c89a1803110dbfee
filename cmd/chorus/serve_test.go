package main

import (
	"context"
	"github.com/chorus-community/chorus/server"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestServe_GracefulShutdown: when the process is told to stop (SIGTERM
// cancels the context), a request in flight finishes before Serve returns.
func TestServe_GracefulShutdown(t *testing.T) {
	cfg, err := parseConfig([]string{"-db", filepath.Join(t.TempDir(), "chorus.db"), "-log-level", "error"},
		func(string) string { return "" }, os.ReadFile, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	app, err := newApp(cfg, devnull)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	started, release := make(chan struct{}), make(chan struct{})
	app.Server.Pages = append(app.Server.Pages, server.PageRoute("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/test/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- string(b)
	}()
	<-started
	stop() // SIGTERM
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request = %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if res, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		res.Body.Close()
		t.Fatal("still serving after shutdown")
	}
}
