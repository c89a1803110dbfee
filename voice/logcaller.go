package voice

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/chorus-community/chorus"
)

// LogCaller is the Caller used without Alibaba Cloud credentials (demo,
// development): it writes each call to the log (kind, masked phone,
// template, keys; never the text) and reports it placed. No result comes
// back, so a call message stays submitted.
type LogCaller struct {
	Logger *slog.Logger // nil: slog.Default()
	seq    atomic.Int64
}

// Place logs c and returns a made-up call id, log-<n>.
func (l *LogCaller) Place(ctx context.Context, c Call) (string, error) {
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	keys := make([]string, len(c.Menu))
	for i, k := range c.Menu {
		keys[i] = k.Key
	}
	logger.InfoContext(ctx, "call (log only)", "id", c.ID, "phone", chorus.MaskPhone(c.Phone), "kind", c.Kind,
		"template", c.Code, "keys", keys)
	return fmt.Sprintf("log-%d", l.seq.Add(1)), nil
}

// Detail finds nothing: the log keeps no record to ask.
func (l *LogCaller) Detail(ctx context.Context, callID string, placed time.Time) (Detail, bool, error) {
	return Detail{}, false, nil
}
