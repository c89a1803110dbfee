package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of CIDRs or single
// addresses (127.0.0.1/32, ::1, 10.0.0.0/8): the reverse proxies whose
// X-Forwarded-For header is believed.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// peerAddr is the address of the TCP peer of a request.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// isTrustedProxy reports whether a is one of the configured proxies.
func (s *Server) isTrustedProxy(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the caller's address, for rate limits and login
// throttling. Behind a reverse proxy listed in TrustedProxies it is the
// rightmost address of X-Forwarded-For that is not itself a trusted proxy;
// from any other peer the header is ignored, so a caller cannot pick an
// address to dodge a limit or to lock someone else out.
func (s *Server) clientAddr(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !s.isTrustedProxy(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(h)
		if err != nil {
			// A malformed hop: nothing left of it can be believed.
			break
		}
		a = a.Unmap().WithZone("")
		if !s.isTrustedProxy(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

// secureRequest reports whether the client reached Chorus over HTTPS:
// directly, or through a trusted proxy that says so, or because the
// public URL is https.
func (s *Server) secureRequest(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(s.PublicURL, "https://") {
		return true
	}
	if peer, ok := peerAddr(r); ok && s.isTrustedProxy(peer) {
		return strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	}
	return false
}
