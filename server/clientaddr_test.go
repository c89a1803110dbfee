package server

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.1.0.0/16,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, peer, xff, want string
	}{
		{"NoProxy", "192.0.2.7:5000", "", "192.0.2.7"},
		{"UntrustedPeerHeaderIgnored", "192.0.2.7:5000", "198.51.100.1", "192.0.2.7"},
		{"TrustedPeer", "127.0.0.1:5000", "198.51.100.1", "198.51.100.1"},
		{"TrustedPeerV6", "[::1]:5000", "198.51.100.1", "198.51.100.1"},
		{"SpoofedLeftHopIgnored", "127.0.0.1:5000", "203.0.113.9, 198.51.100.1", "198.51.100.1"},
		{"ChainOfProxies", "127.0.0.1:5000", "198.51.100.1, 10.1.2.3", "198.51.100.1"},
		{"TrustedPeerNoHeader", "127.0.0.1:5000", "", "127.0.0.1"},
		{"MalformedHop", "127.0.0.1:5000", "junk", "127.0.0.1"},
		{"MappedV4", "[::ffff:192.0.2.7]:5000", "", "192.0.2.7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{TrustedProxies: proxies}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := s.clientAddr(r); got != tt.want {
				t.Errorf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	if _, err := ParseTrustedProxies("not-a-cidr"); err == nil {
		t.Error("ParseTrustedProxies(not-a-cidr): no error")
	}
	got, err := ParseTrustedProxies("")
	if err != nil || len(got) != 0 {
		t.Errorf("ParseTrustedProxies(\"\") = %v, %v; want none", got, err)
	}
}

func TestSecureRequest(t *testing.T) {
	proxies, _ := ParseTrustedProxies("127.0.0.1")
	s := &Server{TrustedProxies: proxies}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.7:1"
	r.Header.Set("X-Forwarded-Proto", "https")
	if s.secureRequest(r) {
		t.Error("an untrusted peer's X-Forwarded-Proto made the request secure")
	}
	r.RemoteAddr = "127.0.0.1:1"
	if !s.secureRequest(r) {
		t.Error("a trusted proxy's X-Forwarded-Proto: https was ignored")
	}
	s2 := &Server{PublicURL: "https://chorus.example"}
	if !s2.secureRequest(httptest.NewRequest("GET", "/", nil)) {
		t.Error("an https public URL did not make cookies Secure")
	}
}
