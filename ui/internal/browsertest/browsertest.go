// Package browsertest starts Debian's Chromium for tests that drive real
// pages through chromedp, records the requests a page makes, and drives a
// page (Page: navigate, act, evaluate, wait, screenshots). Any package's
// browser tests use it, so that every one of them runs the same browser
// with the same flags and the same driver.
package browsertest

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium (package chromium).
const ChromiumPath = "/usr/bin/chromium"

// InCI reports whether the tests run under CI (CI set to anything but
// "false" or "0"), where a missing browser is a failure, not a skip.
func InCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "false" && v != "0"
}

// Require skips tb when Chromium is missing, or fails it under CI.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if InCI() {
			tb.Fatalf("browser tests need %s (Debian package chromium) and CI is set: %v", ChromiumPath, err)
		}
		tb.Skipf("skipping browser test: %s not found (install the Debian package chromium; under CI=true this fails)", ChromiumPath)
	}
}

// Flags are the only command-line flags the browser gets, besides its own
// --user-data-dir and the DevTools pipe chromedp needs to drive it.
var Flags = []string{
	"headless", "no-sandbox", "disable-gpu", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
}

// New starts a fresh headless Chromium with its own profile in a temporary
// directory and returns the context of its first tab. The browser stops
// when tb ends.
func New(tb testing.TB) context.Context {
	tb.Helper()
	return NewWithFlags(tb, nil)
}

// FakeCamera returns the flags that give the browser a camera filming the
// video in file (Y4M, 4:2:0, looped) and grant pages the use of it, as a
// kiosk's webcam and its browser policy would.
func FakeCamera(file string) map[string]any {
	return map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": true,
		"use-file-for-fake-video-capture":  file,
	}
}

// NewWithFlags is New with flags added to Flags: name → true for a switch,
// or its value.
func NewWithFlags(tb testing.TB, extra map[string]any) context.Context {
	tb.Helper()
	return NewWithEnv(tb, extra, nil)
}

// NewWithEnv is NewWithFlags with env ("NAME=value") added to the
// browser's environment (PULSE_SERVER for a sound server of the test's
// own).
func NewWithEnv(tb testing.TB, extra map[string]any, env []string) context.Context {
	tb.Helper()
	Require(tb)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(ChromiumPath), chromedp.UserDataDir(tb.TempDir())}
	if len(env) > 0 {
		opts = append(opts, chromedp.Env(env...))
	}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	for f, v := range extra {
		opts = append(opts, chromedp.Flag(f, v))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start %s: %v", ChromiumPath, err)
	}
	return ctx
}

// Requests records the URL of every request a tab makes.
type Requests struct {
	mu   sync.Mutex
	urls []string
}

// Record starts recording the requests of ctx's tab, the network domain
// enabled.
func Record(tb testing.TB, ctx context.Context) *Requests {
	tb.Helper()
	r := &Requests{}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.urls = append(r.urls, e.Request.URL)
			r.mu.Unlock()
		}
	})
	if err != nil {
		tb.Fatalf("listen to requests: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		tb.Fatalf("enable the network domain: %v", err)
	}
	return r
}

// URLs returns the URLs requested so far.
func (r *Requests) URLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

// Foreign returns the requests to an origin other than origin
// ("http://127.0.0.1:1234"); data: and blob: URLs are the page's own.
func (r *Requests) Foreign(origin string) []string {
	var out []string
	for _, u := range r.URLs() {
		p, err := url.Parse(u)
		if err != nil {
			out = append(out, u)
			continue
		}
		switch p.Scheme {
		case "data", "blob", "about":
			continue
		case "ws", "wss":
			p.Scheme = strings.Replace(p.Scheme, "ws", "http", 1)
		}
		if p.Scheme+"://"+p.Host != origin {
			out = append(out, u)
		}
	}
	return out
}
