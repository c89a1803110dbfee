package chorus_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

var testKey = bytes.Repeat([]byte{7}, chorus.TokenKeyBytes)

func TestCheckinToken(t *testing.T) {
	nonce, token, err := chorus.NewCheckinToken(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != chorus.TokenLen {
		t.Fatalf("len = %d, want %d", len(token), chorus.TokenLen)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := chorus.ParseCheckinToken(testKey, token)
		if err != nil || got != nonce {
			t.Fatalf("parse = %q, %v; want %q", got, err, nonce)
		}
		again, err := chorus.CheckinToken(testKey, nonce)
		if err != nil || again != token {
			t.Fatalf("CheckinToken = %q, %v", again, err)
		}
	})
	t.Run("ErrAltered", func(t *testing.T) {
		for i := 0; i < len(token); i++ {
			b := []byte(token)
			b[i] = "AB"[0] + (b[i]+1-'A')%26 // change one character
			if _, err := chorus.ParseCheckinToken(testKey, string(b)); err == nil && string(b) != token {
				t.Fatalf("altered token %q accepted", b)
			}
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		other := bytes.Repeat([]byte{8}, chorus.TokenKeyBytes)
		if _, err := chorus.ParseCheckinToken(other, token); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Fatalf("token under another key: %v", err)
		}
	})
	t.Run("Unguessable", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 1000; i++ {
			_, tok, _ := chorus.NewCheckinToken(testKey)
			if seen[tok] {
				t.Fatal("repeated token")
			}
			seen[tok] = true
		}
	})
	t.Run("NoBookingID", func(t *testing.T) {
		if strings.ContainsAny(token, "/+=") {
			t.Fatalf("token %q is not URL-safe", token)
		}
	})
}

// FuzzParseCheckinToken: no input panics, and only a correctly signed
// token is accepted.
func FuzzParseCheckinToken(f *testing.F) {
	_, token, _ := chorus.NewCheckinToken(testKey)
	for _, s := range []string{token, "", "x", strings.Repeat("A", chorus.TokenLen), token[:10], token + "="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nonce, err := chorus.ParseCheckinToken(testKey, s)
		if err != nil {
			if chorus.ErrorCode(err) != chorus.EINVALID {
				t.Fatalf("error code %q", chorus.ErrorCode(err))
			}
			return
		}
		if again, _ := chorus.CheckinToken(testKey, nonce); again != s {
			t.Fatalf("accepted %q, which is not the token of its nonce (%q)", s, again)
		}
	})
}
