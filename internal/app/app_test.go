package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
)

func testConfig(t *testing.T) *app.Config {
	t.Helper()
	return &app.Config{DBPath: filepath.Join(t.TempDir(), "chorus.db"), TimeZone: "Asia/Shanghai",
		RequireConfirm: true, ConfirmWindow: 24 * time.Hour, OfferTTL: 2 * time.Hour}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestNew_CommitRingsWorker: a commit that queues a message reaches the
// SMS worker's doorbell through the one onCommit fan-out, and the
// catalogue checks messages' parameters.
func TestNew_CommitRingsWorker(t *testing.T) {
	rung := make(chan struct{}, 1)
	a, err := app.New(testConfig(t), app.Options{Logger: quiet(), Configure: func(a *app.App) {
		wake := a.Wake
		a.Wake = func() {
			wake()
			select {
			case rung <- struct{}{}:
			default:
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Location.String() != "Asia/Shanghai" {
		t.Errorf("location = %v", a.Location)
	}
	ctx := context.Background()
	if a.DB.ValidateMessage == nil || a.DB.ValidateMessage(chorus.MsgHelp, map[string]string{"x": "1"}) == nil {
		t.Error("messages are not checked against the catalogue")
	}
	if err := a.DB.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rung:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker was not woken by the commit")
	}
}

// TestNew_OneBroker: the kiosk hub follows the console's broker, so that a
// commit's one publication reaches both, and it does not count as an open
// console.
func TestNew_OneBroker(t *testing.T) {
	a, err := app.New(testConfig(t), app.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Hub.Changes != a.Server.Feed() {
		t.Fatal("the hub does not follow the console's broker")
	}
	if n := a.Server.LiveSubscribers(); n != 0 {
		t.Fatalf("live subscribers = %d with no console open, want 0", n)
	}
}

// TestNew_Errors: a second app on the same database, or bad template
// codes, is refused with a reason and leaves the database unlocked.
func TestNew_Errors(t *testing.T) {
	cfg := testConfig(t)
	a, err := app.New(cfg, app.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.New(cfg, app.Options{Logger: quiet()}); err == nil || !strings.Contains(err.Error(), "Chorus is running") {
		t.Errorf("second app = %v", err)
	}
	a.Close()
	bad := *cfg
	bad.SMS.Templates = "nosuchkind=SMS_1"
	if _, err := app.New(&bad, app.Options{Logger: quiet()}); err == nil || !strings.Contains(err.Error(), "CHORUS_SMS_TEMPLATES") {
		t.Errorf("bad templates = %v", err)
	}
	a, err = app.New(cfg, app.Options{Logger: quiet()})
	if err != nil {
		t.Fatalf("after a refused start the database stays locked: %v", err)
	}
	a.Close()
}
