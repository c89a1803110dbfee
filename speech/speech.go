// Package speech speaks Mandarin offline with espeak-ng, into WAV audio the
// kiosk page plays with its own volume. Chromium on Linux passes an
// utterance's volume nowhere (speech-dispatcher plays every line at one
// loudness), so 小声/大声 only change what is heard when the page plays
// the audio itself.
package speech

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// Defaults of an Espeak.
const (
	// DefaultVoice is espeak-ng's Mandarin voice.
	DefaultVoice = "cmn"
	// DefaultSpeed is a little slower than espeak-ng's 175 words a minute,
	// for older listeners.
	DefaultSpeed = 140
	// MaxText bounds one request, in characters: a screen's summary is
	// about 60 syllables.
	MaxText = 300
	// timeout bounds one synthesis: espeak-ng takes well under a second
	// for MaxText characters.
	timeout = 10 * time.Second
)

// Espeak runs the espeak-ng program, at most Max at a time: a fleet of
// kiosks reading their screens at once must not take every core from the
// bookings.
type Espeak struct {
	// Path is the program; "espeak-ng" is looked up in PATH.
	Path  string
	Voice string
	Speed int // words a minute
	// Max is how many syntheses run at once (0: one per CPU); MaxWaiting
	// how many more may wait for one to end (0: 4 per running one).
	// Past that a request is refused with ELIMIT (429); the kiosk then
	// leaves that line unspoken, as it is on the screen anyway.
	Max, MaxWaiting int

	once    sync.Once
	slots   chan struct{}
	mu      sync.Mutex
	waiting int
}

// New returns an Espeak with the defaults, or nil when espeak-ng is not
// installed (Debian package espeak-ng): the page then uses the browser's
// voices.
func New() *Espeak {
	p, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil
	}
	return &Espeak{Path: p, Voice: DefaultVoice, Speed: DefaultSpeed}
}

// Say returns text spoken as a WAV file. The text goes to espeak-ng on its
// standard input, never as an argument. Errors: EINVALID (empty or too
// long), EINTERNAL.
func (e *Espeak) Say(ctx context.Context, text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if text == "" || !utf8.ValidString(text) {
		return nil, chorus.Errorf(chorus.EINVALID, "没有要朗读的内容。")
	}
	if utf8.RuneCountInString(text) > MaxText {
		return nil, chorus.Errorf(chorus.EINVALID, "要朗读的内容太长了。")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-e.slots }()
	cmd := exec.CommandContext(ctx, e.Path, "-v", e.Voice, "-s", fmt.Sprint(e.Speed), "--stdout")
	cmd.Stdin = strings.NewReader(text)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	if out.Len() < 44 || !bytes.HasPrefix(out.Bytes(), []byte("RIFF")) {
		return nil, fmt.Errorf("espeak-ng: no WAV audio (%d bytes)", out.Len())
	}
	return out.Bytes(), nil
}

// busy is the refusal when every slot is taken and the queue is full, or
// the wait outlasted the request.
var busy = chorus.Errorf(chorus.ELIMIT, "朗读的人太多了,请稍后再试。")

// acquire takes a synthesis slot, waiting in a bounded queue.
func (e *Espeak) acquire(ctx context.Context) error {
	e.once.Do(func() {
		n := e.Max
		if n <= 0 {
			n = runtime.NumCPU()
		}
		e.slots = make(chan struct{}, n)
	})
	select {
	case e.slots <- struct{}{}:
		return nil
	default:
	}
	limit := e.MaxWaiting
	if limit <= 0 {
		limit = 4 * cap(e.slots)
	}
	e.mu.Lock()
	if e.waiting >= limit {
		e.mu.Unlock()
		return busy
	}
	e.waiting++
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.waiting--
		e.mu.Unlock()
	}()
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return busy
	}
}

// Waiting returns how many requests wait for a slot.
func (e *Espeak) Waiting() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.waiting
}
