package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// auditNote is where a handler leaves the values before and after its
// change for the audit log (requireStaff writes it).
type auditNote struct {
	before, after any
	set           bool
	body          bytes.Buffer // what the request sent, for handlers that say nothing
}

type auditKey struct{}

// withAuditNote gives r a note and keeps a copy of its body.
func withAuditNote(r *http.Request) (*http.Request, *auditNote) {
	n := &auditNote{}
	if r.Body != nil {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(io.LimitReader(r.Body, MaxBodyBytes+1), &n.body), r.Body}
	}
	return r.WithContext(context.WithValue(r.Context(), auditKey{}, n)), n
}

// auditChange records what the record a handler changed looked like
// before (nil: it is new) and after.
func auditChange(r *http.Request, before, after any) {
	if n, _ := r.Context().Value(auditKey{}).(*auditNote); n != nil {
		n.before, n.after, n.set = before, after, true
	}
}

// values returns the note's before and after as JSON: what the handler
// said, or else what the request sent, passwords left out.
func (n *auditNote) values() (string, string) {
	if n.set {
		return auditJSON(n.before), auditJSON(n.after)
	}
	var sent map[string]any
	if json.Unmarshal(n.body.Bytes(), &sent) != nil || len(sent) == 0 {
		return "", ""
	}
	for _, k := range []string{"password", "token", "secret"} {
		if _, ok := sent[k]; ok {
			sent[k] = "***"
		}
	}
	return "", auditJSON(sent)
}

func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return ""
	}
	return string(b)
}
