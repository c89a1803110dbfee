package ui_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/speech"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// playWithin bounds synthesising and playing one line (about 3 s of
// speech): generous, for a machine under load.
const playWithin = 40 * time.Second

// soundServer is a PulseAudio of the test's own: a null sink named kiosk,
// its monitor recorded with parec.
type soundServer struct {
	t   *testing.T
	dir string // XDG_RUNTIME_DIR
}

// mustSoundServer starts PulseAudio (as root it needs its own runtime
// directory), or skips without it (fails under CI).
func mustSoundServer(t *testing.T) *soundServer {
	t.Helper()
	for _, prog := range []string{"pulseaudio", "parec", "pactl", "espeak-ng"} {
		if _, err := exec.LookPath(prog); err != nil {
			if browsertest.InCI() {
				t.Fatalf("the real-voice test needs %s (Debian pulseaudio, pulseaudio-utils, espeak-ng) under CI", prog)
			}
			t.Skipf("skipping the real-voice test: %s not installed", prog)
		}
	}
	// A short path: a socket's path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "pa")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ss := &soundServer{t: t, dir: dir}
	// -n: no default script, so no module-suspend-on-idle: the monitor
	// keeps time while nothing plays.
	pa := exec.Command("pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
		"--log-target=stderr", "-L", "module-native-protocol-unix", "-L", "module-null-sink sink_name=kiosk")
	pa.Env = ss.env()
	var log bytes.Buffer
	pa.Stderr = &log
	if err := pa.Start(); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	t.Cleanup(func() {
		pa.Process.Kill()
		pa.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		set := exec.Command("pactl", "set-default-sink", "kiosk")
		set.Env = ss.env()
		if set.Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pulseaudio did not start: %s", log.String())
		}
		time.Sleep(100 * time.Millisecond) // the daemon's socket appears
	}
	return ss
}

func (ss *soundServer) env() []string {
	return append(os.Environ(), "XDG_RUNTIME_DIR="+ss.dir, "PULSE_SERVER=unix:"+filepath.Join(ss.dir, "pulse", "native"))
}

// record records the sink while during runs, and returns the loudness of
// what played: the RMS of the loudest 50 ms windows (the 90th percentile),
// 0 for silence.
func (ss *soundServer) record(during func()) float64 {
	ss.t.Helper()
	rec := exec.Command("parec", "-d", "kiosk.monitor", "--format=s16le", "--rate=16000", "--channels=1", "--raw")
	rec.Env = ss.env()
	var out bytes.Buffer
	rec.Stdout = &out
	if err := rec.Start(); err != nil {
		ss.t.Fatalf("parec: %v", err)
	}
	during()
	rec.Process.Kill()
	rec.Wait()
	raw := out.Bytes()
	const window = 800 // samples: 50 ms
	var rms []float64
	for i := 0; i+2*window <= len(raw); i += 2 * window {
		var sum float64
		for j := 0; j < window; j++ {
			v := float64(int16(binary.LittleEndian.Uint16(raw[i+2*j:]))) / 32768
			sum += v * v
		}
		rms = append(rms, math.Sqrt(sum/window))
	}
	if len(rms) == 0 {
		return 0
	}
	sort.Float64s(rms)
	return rms[len(rms)*9/10]
}

// TestKiosk_RealVoice (issue 13, point 9): the server speaks with
// espeak-ng, the page plays it into a real sound server at its own
// volume: loudness at 小声 levels 1, 3 and 5 differs as the levels do; and
// after a reload, with no touch, an announcement marked 朗读 is heard (the
// launch flag --autoplay-policy=no-user-gesture-required).
func TestKiosk_RealVoice(t *testing.T) {
	t.Parallel()
	ss := mustSoundServer(t)
	sp := speech.New()
	if sp == nil {
		t.Skip("espeak-ng not installed")
	}
	s := mustStackWith(t, stackOpts{speaker: sp})
	p := openKiosk(t, s, pageOpts{env: ss.env(), flags: map[string]any{"autoplay-policy": "no-user-gesture-required"}})
	p.wait(`K.speech.server`)
	p.mustSee("朗读")
	p.mustNotSee("朗读不可用")

	// say speaks the line at level and waits until it has played.
	say := func(level int) float64 {
		return ss.record(func() {
			eval[bool](p, fmt.Sprintf(`(K.speech.playing = 0, K.speech.setLevel(%d), K.speech.say('九点到九点一刻,社区活动室'), true)`, level))
			p.waitUpTo(`K.speech.playing && !K.speech.audio`, playWithin)
		})
	}
	loud := map[int]float64{}
	for _, level := range []int{1, 3, 5} {
		loud[level] = say(level)
		t.Logf("level %d: loudness (RMS) %.4f", level, loud[level])
	}
	if !(loud[1] > 0.001 && loud[3] > 2*loud[1] && loud[5] > 1.3*loud[3]) {
		t.Errorf("loudness at levels 1, 3, 5 = %.4f, %.4f, %.4f: the volume does not change what is heard", loud[1], loud[3], loud[5])
	}

	// A reload (as staff push one), then an announcement to be spoken, and
	// no touch at all.
	eval[bool](p, `(location.reload(), true)`)
	p.waitScreen("welcome")
	p.wait(`K.speech.server && K.atRest()`)
	heard := ss.record(func() {
		a := &chorus.Announcement{Text: "下午两点停电检修。", Speak: true}
		s.must(s.DB.CreateAnnouncement(t.Context(), a))
		s.Hub.Announce(*a)
		p.waitUpTo(`K.speech.playing && !K.speech.audio`, playWithin)
	})
	t.Logf("announcement after a reload: loudness %.4f, blocked %q", heard, eval[string](p, `K.speech.blocked || ''`))
	if heard < 0.001 {
		t.Errorf("the announcement after a reload was not heard (loudness %.4f)", heard)
	}
}
