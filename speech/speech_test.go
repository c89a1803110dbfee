package speech_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/speech"
)

// mustEspeak returns espeak-ng, skipping without it (failing under CI).
func mustEspeak(t *testing.T) *speech.Espeak {
	t.Helper()
	e := speech.New()
	if e == nil {
		if os.Getenv("CI") != "" {
			t.Fatal("espeak-ng (Debian espeak-ng) is needed under CI")
		}
		t.Skip("espeak-ng not installed")
	}
	return e
}

func TestEspeak_Say(t *testing.T) {
	e := mustEspeak(t)
	wav, err := e.Say(context.Background(), "九点到九点一刻,社区活动室")
	if err != nil {
		t.Fatal(err)
	}
	if string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		t.Fatalf("not a WAV file: % x", wav[:12])
	}
	// The samples (16-bit, after the 44-byte header) are not silence.
	var sum float64
	n := (len(wav) - 44) / 2
	for i := 0; i < n; i++ {
		v := float64(int16(binary.LittleEndian.Uint16(wav[44+2*i:]))) / 32768
		sum += v * v
	}
	if rms := math.Sqrt(sum / float64(n)); n < 8000 || rms < 0.01 {
		t.Errorf("%d samples of RMS %.4f: no speech", n, rms)
	}
	// Text starting like an option is text, never an option.
	if _, err := e.Say(context.Background(), "--version"); err != nil {
		t.Errorf("a text starting with --: %v", err)
	}
	for _, bad := range []string{"", "  ", strings.Repeat("字", speech.MaxText+1)} {
		if _, err := e.Say(context.Background(), bad); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("Say(%d chars) = %v, want EINVALID", len(bad), err)
		}
	}
}

// TestEspeak_Bounded: at most Max syntheses run at once and at most
// MaxWaiting wait; the rest are refused with ELIMIT at once, and a
// waiting request ends with ELIMIT when its caller gives up.
func TestEspeak_Bounded(t *testing.T) {
	real := mustEspeak(t)
	dir := t.TempDir()
	started, release := dir+"/started", dir+"/release"
	for _, f := range []string{started, release} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The program says it started, waits to be released, then speaks.
	script := dir + "/espeak"
	body := "#!/bin/sh\necho >" + started + "\nread x <" + release + "\nexec " + real.Path + " \"$@\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	e := &speech.Espeak{Path: script, Voice: real.Voice, Speed: real.Speed, Max: 1, MaxWaiting: 1}
	first := make(chan error, 1)
	go func() {
		_, err := e.Say(context.Background(), "一")
		first <- err
	}()
	// Wait until the first synthesis holds the one slot.
	if _, err := os.ReadFile(started); err != nil {
		t.Fatal(err)
	}
	// A second waits; give up on it: ELIMIT.
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := e.Say(ctx, "二")
		second <- err
	}()
	// While it waits the queue is full: a third is refused at once. The
	// second may not be queued yet: retry until the refusal comes, which
	// needs no clock (each try is answered at once or queues).
	for {
		tctx, tcancel := context.WithCancel(context.Background())
		tcancel() // a queued third gives up at once, so nothing blocks
		_, err := e.Say(tctx, "三")
		if chorus.ErrorCode(err) != chorus.ELIMIT {
			t.Fatalf("third = %v, want ELIMIT", err)
		}
		if chorus.ErrorMessage(err) == "" {
			t.Fatal("no message")
		}
		select {
		case err := <-second:
			t.Fatalf("second ended before its caller gave up: %v", err)
		default:
		}
		if e.Waiting() == 1 {
			break
		}
	}
	// Now the queue is full: one more is refused at once, though its
	// caller would wait.
	if _, err := e.Say(context.Background(), "四"); chorus.ErrorCode(err) != chorus.ELIMIT {
		t.Errorf("with the queue full = %v, want ELIMIT", err)
	}
	cancel()
	if err := <-second; chorus.ErrorCode(err) != chorus.ELIMIT {
		t.Errorf("second, given up = %v, want ELIMIT", err)
	}
	f, err := os.OpenFile(release, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("go\n")
	f.Close()
	if err := <-first; err != nil {
		t.Errorf("first = %v", err)
	}
}
