package kiosk_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
)

func TestParseMessage(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want kiosk.Message // zero: refused
	}{
		{`{"v":1,"type":"hello","app_version":"1.4.2","screen":"welcome"}`,
			kiosk.Message{V: 1, Type: "hello", AppVersion: "1.4.2", Screen: "welcome"}},
		{`{"v":1,"type":"heartbeat","app_version":"1.4.2+git","screen":"clinic/slots"}`,
			kiosk.Message{V: 1, Type: "heartbeat", AppVersion: "1.4.2+git", Screen: "clinic/slots"}},
		{`{"v":1,"type":"screen","screen":"done"}`, kiosk.Message{V: 1, Type: "screen", Screen: "done"}},
		{`{"v":1,"type":"resync"}`, kiosk.Message{V: 1, Type: "resync"}},
		{`{"v":1,"type":"resync","since":12}`, kiosk.Message{V: 1, Type: "resync"}}, // unknown fields ignored
		{`{"type":"hello"}`, kiosk.Message{}},                                       // no version
		{`{"v":2,"type":"hello"}`, kiosk.Message{}},
		{`{"v":"1","type":"hello"}`, kiosk.Message{}},
		{`{"v":1,"type":"snapshot"}`, kiosk.Message{}}, // a server message
		{`{"v":1,"type":"Hello"}`, kiosk.Message{}},
		{`{"v":1,"type":"screen"}`, kiosk.Message{}},
		{`{"v":1,"type":"screen","screen":"我的预约"}`, kiosk.Message{}},
		{`{"v":1,"type":"hello","app_version":"` + strings.Repeat("9", 65) + `"}`, kiosk.Message{}},
		{`{"v":1,"type":"hello","screen":"a b"}`, kiosk.Message{}},
		{`{"v":1,"type":"hello"} {"v":1}`, kiosk.Message{}},
		{`[]`, kiosk.Message{}},
		{`null`, kiosk.Message{}},
		{``, kiosk.Message{}},
	} {
		got, err := kiosk.ParseMessage([]byte(tt.in))
		if tt.want == (kiosk.Message{}) {
			if err == nil || chorus.ErrorCode(err) != chorus.EINVALID || !utf8.ValidString(chorus.ErrorMessage(err)) {
				t.Errorf("%s: got %+v, %v; want EINVALID", tt.in, got, err)
			}
			continue
		}
		if err != nil || *got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzKioskMessage feeds arbitrary frames to the parser: it never panics,
// and what it accepts is a known kiosk message with short ASCII labels.
func FuzzKioskMessage(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"hello","app_version":"1.4.2","screen":"welcome"}`,
		`{"v":1,"type":"heartbeat"}`, `{"v":1,"type":"screen","screen":"x"}`, `{"v":1,"type":"resync"}`,
		`{"v":1e0,"type":"resync"}`, `{"v":1,"type":"hello","app_version":"\u0000"}`, `{"v":1,"type":null}`,
		`{"v":1,"v":2,"type":"hello"}`, `{`, `"`, `0`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := kiosk.ParseMessage(data)
		if err != nil {
			if m != nil || chorus.ErrorCode(err) != chorus.EINVALID {
				t.Fatalf("%q: %+v, %v", data, m, err)
			}
			return
		}
		switch m.Type {
		case kiosk.TypeHello, kiosk.TypeHeartbeat, kiosk.TypeScreen, kiosk.TypeResync:
		default:
			t.Fatalf("%q: accepted type %q", data, m.Type)
		}
		if m.V != kiosk.Version || len(m.AppVersion) > 64 || len(m.Screen) > 64 {
			t.Fatalf("%q: accepted %+v", data, m)
		}
		for _, s := range []string{m.AppVersion, m.Screen} {
			for _, r := range s {
				if r <= ' ' || r > '~' {
					t.Fatalf("%q: accepted label %q", data, s)
				}
			}
		}
	})
}
