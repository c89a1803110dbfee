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
// development): it writes each message to the log, the phone masked, and
// reports it accepted. It is safe for concurrent use.
type LogSender struct {
	Logger   *slog.Logger // nil: slog.Default()
	SignName string       // shown as 【SignName】 before the text; empty: none
	seq      atomic.Int64
}

// Send logs m and returns a made-up biz id, log-<n>.
func (s *LogSender) Send(ctx context.Context, m Outgoing) (string, error) {
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	text := m.Text
	if s.SignName != "" {
		text = "\u3010" + s.SignName + "\u3011" + text
	}
	n := s.seq.Add(1)
	logger.InfoContext(ctx, "sms (log only)", "id", m.ID, "phone", chorus.MaskPhone(m.Phone), "kind", m.Kind,
		"template", m.TemplateCode, "text", text)
	return fmt.Sprintf("log-%d", n), nil
}

// Lookup reports nothing found: the log keeps no record to ask. A message
// left in status sending by a crash is therefore logged again.
func (s *LogSender) Lookup(ctx context.Context, phone string, outID int64, sent time.Time) (bool, error) {
	return false, nil
}
