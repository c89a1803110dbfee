package speech_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"strings"
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
