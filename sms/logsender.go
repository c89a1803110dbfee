package sms

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/chorus-community/chorus"
)

// LogSender is the Sender used without Alibaba Cloud credentials (demo,
// development): it writes each message to the log and reports it
// accepted. The log shows the kind, the masked phone and the template,
// never the text, which carries check-in codes and home addresses; with
// FullText (an explicit flag, for development) the text is logged too, at
// debug level. It is safe for concurrent use.
type LogSender struct {
	Logger   *slog.Logger // nil: slog.Default()
	SignName string       // shown as 【SignName】 before the text; empty: none
	FullText bool         // also log the full text, at debug level
	seq      atomic.Int64
}

// Send logs m and returns a made-up biz id, log-<n>.
func (s *LogSender) Send(ctx context.Context, m Outgoing) (string, error) {
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	n := s.seq.Add(1)
	logger.InfoContext(ctx, "sms (log only)", "id", m.ID, "phone", chorus.MaskPhone(m.Phone), "kind", m.Kind,
		"template", m.TemplateCode)
	if s.FullText {
		text, sign := m.Text, s.SignName
		if m.SignName != "" {
			sign = m.SignName
		}
		if sign != "" {
			text = "\u3010" + sign + "\u3011" + text
		}
		logger.DebugContext(ctx, "sms text (log only)", "id", m.ID, "text", text)
	}
	return fmt.Sprintf("log-%d", n), nil
}

// Lookup reports nothing found: the log keeps no record to ask. A message
// left in status sending by a crash is therefore logged again.
func (s *LogSender) Lookup(ctx context.Context, phone string, outID int64, sent time.Time) (bool, error) {
	return false, nil
}
