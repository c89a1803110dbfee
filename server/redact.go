package server

import "strings"

// tokenPaths are the path prefixes whose next segment is a secret: a
// booking's check-in token (a QR code, a link in an SMS).
var tokenPaths = []string{"/c/", "/qr/"}

// pushPaths are the path prefixes whose next segment is a push secret.
var pushPaths = []string{"/sms/push/", "/voice/push/"}

// redact hides the secrets that travel in paths before a path is logged
// or audited: the SMS push secret of /sms/push/{secret}/… and the check-in
// tokens of /c/{token} and /qr/{token}.png.
func (s *Server) redact(path string) string {
	if s.PushSecret != "" {
		path = strings.ReplaceAll(path, s.PushSecret, "[secret]")
	}
	for _, p := range pushPaths { // a community's own push secret
		if rest, ok := strings.CutPrefix(path, p); ok && rest != "" && !strings.HasPrefix(rest, "[secret]") {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return p + "[secret]" + rest[i:]
			}
			return p + "[secret]"
		}
	}
	for _, p := range tokenPaths {
		if rest, ok := strings.CutPrefix(path, p); ok && rest != "" {
			ext := ""
			if i := strings.LastIndexByte(rest, '.'); i >= 0 {
				ext = rest[i:]
			}
			return p + "[token]" + ext
		}
	}
	return path
}
