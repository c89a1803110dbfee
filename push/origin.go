package push

import (
	"net/http"
	"net/url"
	"strings"
)

// SameOrigin admits a request without an Origin (not a browser), from the
// host it came to, or from one of allowed (scheme://host[:port], a
// trailing slash ignored): a page of another site cannot open a stream on
// a visitor's cookie or kiosk token.
func SameOrigin(r *http.Request, allowed ...string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range allowed {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}
