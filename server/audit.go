package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/chorus-community/chorus"
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

// decodeOver reads a change of a stored record: the JSON object sent is
// laid over the record's JSON (a key sent replaces that field, a key left
// out keeps it), then decoded into out with decode's rules. So PUT {}
// changes nothing, and a form that sends only some fields cannot erase the
// others. The record before and out after go to the audit log.
func decodeOver(w http.ResponseWriter, r *http.Request, current, out any) error {
	var sent map[string]json.RawMessage
	if err := decode(w, r, &sent); err != nil {
		return err
	}
	base, err := json.Marshal(current)
	if err != nil {
		return err
	}
	merged := map[string]json.RawMessage{}
	if err := json.Unmarshal(base, &merged); err != nil {
		return err
	}
	for k, v := range sent {
		merged[k] = v
	}
	body, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.Header.Set("Content-Type", "application/json")
	if err := decode(w, r2, out); err != nil {
		return err
	}
	auditChange(r, current, out)
	return nil
}

// decodeSaved decodes a new record (POST) as sent, or a change (PUT of
// id) laid over the stored record found in list (decodeOver).
func decodeSaved[T any](w http.ResponseWriter, r *http.Request, list func(context.Context) ([]T, error), idOf func(*T) int64, out *T) error {
	if r.Method != http.MethodPut {
		return decode(w, r, out)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	all, err := list(r.Context())
	if err != nil {
		return err
	}
	for i := range all {
		if idOf(&all[i]) == id {
			return decodeOver(w, r, all[i], out)
		}
	}
	return chorus.Errorf(chorus.ENOTFOUND, "没有找到要修改的记录。")
}
