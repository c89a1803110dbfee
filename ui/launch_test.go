package ui_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// launchScript is the kiosk's launch script (docs/operations.md).
const launchScript = "../deploy/chorus-kiosk.sh"

// TestLaunchScript (issue 13, point 9): the script passes the flags a
// kiosk needs, sound without a first touch among them, and really starts
// Chromium on the kiosk page.
func TestLaunchScript(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sh", launchScript, "http://chorus.lan:8080/")
	cmd.Env = append(cmd.Environ(), "CHROMIUM=echo", "CHORUS_KIOSK_PROFILE=/tmp/kiosk-profile")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", launchScript, err)
	}
	args := strings.Fields(string(out))
	for _, want := range []string{"--kiosk", "--kiosk-printing", "--autoplay-policy=no-user-gesture-required",
		"--enable-speech-dispatcher", "--noerrdialogs", "--overscroll-history-navigation=0",
		"--unsafely-treat-insecure-origin-as-secure=http://chorus.lan:8080", "--user-data-dir=/tmp/kiosk-profile"} {
		if !strings.Contains(" "+strings.Join(args, " ")+" ", " "+want+" ") {
			t.Errorf("the launch script does not pass %s: %s", want, out)
		}
	}
	if last := args[len(args)-1]; last != "http://chorus.lan:8080/kiosk" {
		t.Errorf("the script opens %q", last)
	}
	if err := exec.Command("sh", launchScript).Run(); err == nil {
		t.Errorf("the script ran without the server's address")
	}

	// Debian's Chromium with the script's flags (and headless, printing
	// the page) loads the kiosk page of a running server.
	browsertest.Require(t)
	s := mustStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, "sh", launchScript, s.URL)
	run.Env = append(run.Environ(), "CHROMIUM="+browsertest.ChromiumPath, "CHORUS_KIOSK_PROFILE="+t.TempDir(),
		"CHORUS_KIOSK_EXTRA=--headless --no-sandbox --disable-gpu --dump-dom")
	dom, err := run.Output()
	if err != nil || !strings.Contains(string(dom), `lang="zh-CN"`) || !strings.Contains(string(dom), "社区自助服务") {
		t.Errorf("chromium started by the script: %v\n%.400s", err, dom)
	}
}
