package server

import "strings"

// redact hides the secrets that travel in paths (the SMS push secret of
// /sms/push/{secret}/…) from a path before it is logged or audited.
func (s *Server) redact(path string) string {
	if s.PushSecret == "" {
		return path
	}
	return strings.ReplaceAll(path, s.PushSecret, "[secret]")
}
