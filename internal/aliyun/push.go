package aliyun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// Limits of a push from the provider (HTTP batch push). Alibaba's batch
// size is not documented; these bound memory, not normal traffic.
const (
	// MaxPushBytes bounds a push body: about 4,000 receipts of ~250 bytes.
	MaxPushBytes = 1 << 20
	// MaxPushItems bounds the items of one push.
	MaxPushItems = 5000
	// MaxIDLen bounds biz_id, call_id, sequence_id and similar ids.
	MaxIDLen = 64
	// pushTimeLayout is how the provider writes times, in China time.
	pushTimeLayout = "2006-01-02 15:04:05"
)

// PushOK is the answer the provider expects to a push it may stop
// repeating. Any other answer (or none within its timeout) makes it push
// the batch again after 1, 5 and 10 minutes.
var PushOK = []byte(`{"code":0,"msg":"接收成功"}`)

// ChinaTime is the providers' zone (no daylight saving), in which their
// timestamps are written.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// ItemError describes one item of a push that was left out.
type ItemError struct {
	Index  int // position in the pushed array
	Reason string
}

// ItemsError lists the items of a push that were left out. The items that
// were valid are still returned with it.
type ItemsError struct {
	Product string // "sms" or "voice"
	Kind    string // "report", "up", "call"…
	Items   []ItemError
}

// Error implements the error interface.
func (e *ItemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s push: %d invalid %s item(s)", e.Product, len(e.Items), e.Kind)
	for i, it := range e.Items {
		if i == 3 {
			b.WriteString("; …")
			break
		}
		fmt.Fprintf(&b, "; #%d: %s", it.Index, it.Reason)
	}
	return b.String()
}

// ParsePush reads a push, a JSON array of objects, decoding each into R
// and converting it with conv. A body that is too large, not an array,
// or holds more than MaxPushItems items is an error and nothing is
// returned. An item that does not decode or convert is left out: the
// valid items are returned together with an *ItemsError naming the
// others, so the caller can store what it can and log the rest.
func ParsePush[R, T any](body []byte, product, kind string, conv func(R) (T, error)) ([]T, error) {
	items, err := decodePush(body)
	if err != nil {
		return nil, fmt.Errorf("%s %s push: %w", product, kind, err)
	}
	out := make([]T, 0, len(items))
	bad := &ItemsError{Product: product, Kind: kind}
	for i, item := range items {
		var raw R
		err := decodeItem(item, &raw)
		var t T
		if err == nil {
			t, err = conv(raw)
		}
		if err != nil {
			bad.Items = append(bad.Items, ItemError{Index: i, Reason: err.Error()})
			continue
		}
		out = append(out, t)
	}
	if len(bad.Items) > 0 {
		return out, bad
	}
	return out, nil
}

// FlexString reads a JSON string or number as text (ids, sizes and
// durations come either way) and null as "".
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("empty value")
	case string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.20s", b)
		}
		*f = FlexString(n)
	}
	return nil
}

// decodePush checks the envelope of a push and splits it into items.
func decodePush(body []byte) ([]json.RawMessage, error) {
	if len(body) > MaxPushBytes {
		return nil, fmt.Errorf("body of %d bytes is over the %d-byte limit", len(body), MaxPushBytes)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '[' {
		return nil, errors.New("body is not a JSON array")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(items) > MaxPushItems {
		return nil, fmt.Errorf("%d items, more than %d", len(items), MaxPushItems)
	}
	return items, nil
}

// decodeItem decodes one item, which must be a JSON object.
func decodeItem(item json.RawMessage, v any) error {
	if len(item) == 0 || item[0] != '{' {
		return errors.New("item is not a JSON object")
	}
	if err := json.Unmarshal(item, v); err != nil {
		return fmt.Errorf("item: %w", err)
	}
	return nil
}

// CheckID accepts an id of printable ASCII within MaxIDLen.
func CheckID(name, s string) error {
	if len(s) > MaxIDLen {
		return fmt.Errorf("%s is longer than %d characters", name, MaxIDLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return fmt.Errorf("%s %q holds characters other than printable ASCII", name, chorus.Shorten(s, 20))
		}
	}
	return nil
}

// CleanText makes s valid UTF-8 within n characters.
func CleanText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return chorus.Shorten(s, n)
}

// PushTime reads a push timestamp in China time; zero when unreadable.
func PushTime(s FlexString) time.Time {
	t, err := time.ParseInLocation(pushTimeLayout, strings.TrimSpace(string(s)), ChinaTime)
	if err != nil {
		return time.Time{}
	}
	return t
}
