package sms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// Limits of a push from the provider (HTTP batch push of SmsReport and
// SmsUp). Alibaba's batch size is not documented; these bound memory, not
// normal traffic.
const (
	// MaxPushBytes bounds a push body: about 4,000 receipts of ~250 bytes.
	MaxPushBytes = 1 << 20
	// MaxPushItems bounds the items of one push.
	MaxPushItems = 5000
	// maxUpContentRunes bounds the stored text of one reply: a long SMS is
	// at most a few hundred characters.
	maxUpContentRunes = 1000
	// maxIDLen bounds biz_id, sequence_id and similar ids.
	maxIDLen = 64
	// pushTimeLayout is how the provider writes times, in China time.
	pushTimeLayout = "2006-01-02 15:04:05"
)

// PushOK is the answer the provider expects to a push it may stop
// repeating. Any other answer (or none within its timeout) makes it push
// the batch again after 1, 5 and 10 minutes.
var PushOK = []byte(`{"code":0,"msg":"接收成功"}`)

// Report is one delivery receipt (SmsReport).
type Report struct {
	Phone      string    // normalised, 13812345678
	SendTime   time.Time // zero when missing or unreadable
	ReportTime time.Time // zero when missing or unreadable
	Success    bool
	ErrCode    string // DELIVERED, or the carrier's code
	ErrMsg     string
	SMSSize    int    // billed parts; 0 when missing
	BizID      string // the provider's id from SendSms
	OutID      int64  // our message id; 0 when missing
}

// Receipt returns r as the domain's receipt.
func (r Report) Receipt() chorus.Receipt {
	return chorus.Receipt{Phone: r.Phone, OutID: r.OutID, BizID: r.BizID, Success: r.Success,
		ErrCode: r.ErrCode, ErrMsg: r.ErrMsg, ReportedAt: r.ReportTime}
}

// Up is one SMS received from a phone (SmsUp).
type Up struct {
	Phone      string    // normalised, 13812345678
	Content    string    // what was typed, cut to 1,000 characters
	SendTime   time.Time // zero when missing or unreadable
	DestCode   string    // the extension the reply went to
	SequenceID string    // the provider's id of the reply, string or number in the push
	SignName   string    // present in older pushes only
}

// Inbound returns u as the domain's inbound SMS with its intent parsed by
// ParseReply. ReceivedAt is left for the caller.
func (u Up) Inbound() chorus.Inbound {
	r := ParseReply(u.Content)
	return chorus.Inbound{Phone: u.Phone, Content: u.Content, SequenceID: u.SequenceID, DestCode: u.DestCode,
		SentAt: u.SendTime, Intent: r.Kind, Order: r.Order}
}

// ItemError describes one item of a push that was left out.
type ItemError struct {
	Index  int // position in the pushed array
	Reason string
}

// ItemsError lists the items of a push that were left out. The items that
// were valid are still returned with it.
type ItemsError struct {
	Kind  string // "report" or "up"
	Items []ItemError
}

// Error implements the error interface.
func (e *ItemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sms push: %d invalid %s item(s)", len(e.Items), e.Kind)
	for i, it := range e.Items {
		if i == 3 {
			b.WriteString("; …")
			break
		}
		fmt.Fprintf(&b, "; #%d: %s", it.Index, it.Reason)
	}
	return b.String()
}

// flexString reads a JSON string or number as text (sequence_id and
// sms_size come either way) and null as "".
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
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
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.20s", b)
		}
		*f = flexString(n)
	}
	return nil
}

type rawReport struct {
	Phone      flexString `json:"phone_number"`
	SendTime   flexString `json:"send_time"`
	ReportTime flexString `json:"report_time"`
	Success    *bool      `json:"success"`
	ErrCode    flexString `json:"err_code"`
	ErrMsg     flexString `json:"err_msg"`
	SMSSize    flexString `json:"sms_size"`
	BizID      flexString `json:"biz_id"`
	OutID      flexString `json:"out_id"`
}

type rawUp struct {
	Phone      flexString `json:"phone_number"`
	Content    *string    `json:"content"`
	SendTime   flexString `json:"send_time"`
	DestCode   flexString `json:"dest_code"`
	SequenceID flexString `json:"sequence_id"`
	SignName   flexString `json:"sign_name"`
}

// ParseReports reads an SmsReport push: a JSON array of receipts. A body
// that is too large, not an array, or holds more than MaxPushItems items is
// an error and nothing is returned. An item with an unusable phone, biz_id
// or out_id, or without success, is left out: the valid items are returned
// together with an *ItemsError naming the others, so the caller can store
// what it can and log the rest.
func ParseReports(body []byte) ([]Report, error) {
	items, err := decodePush(body)
	if err != nil {
		return nil, fmt.Errorf("sms report push: %w", err)
	}
	out := make([]Report, 0, len(items))
	bad := &ItemsError{Kind: "report"}
	for i, item := range items {
		var raw rawReport
		err := decodeItem(item, &raw)
		var r Report
		if err == nil {
			r, err = raw.report()
		}
		if err != nil {
			bad.Items = append(bad.Items, ItemError{Index: i, Reason: err.Error()})
			continue
		}
		out = append(out, r)
	}
	if len(bad.Items) > 0 {
		return out, bad
	}
	return out, nil
}

func (raw rawReport) report() (Report, error) {
	phone, err := chorus.NormalizePhone(string(raw.Phone))
	if err != nil {
		return Report{}, fmt.Errorf("phone_number %q is not a mobile number", chorus.Shorten(string(raw.Phone), 20))
	}
	if raw.Success == nil {
		return Report{}, errors.New("success is missing")
	}
	if err := checkID("biz_id", string(raw.BizID)); err != nil {
		return Report{}, err
	}
	var out int64
	if s := strings.TrimSpace(string(raw.OutID)); s != "" {
		if out, err = strconv.ParseInt(s, 10, 64); err != nil || out < 0 {
			return Report{}, fmt.Errorf("out_id %q is not a message id", chorus.Shorten(s, 20))
		}
	}
	if out == 0 && raw.BizID == "" {
		return Report{}, errors.New("neither biz_id nor out_id: the receipt matches no message")
	}
	size, _ := strconv.Atoi(strings.TrimSpace(string(raw.SMSSize)))
	return Report{
		Phone: phone, SendTime: pushTime(raw.SendTime), ReportTime: pushTime(raw.ReportTime),
		Success: *raw.Success, ErrCode: cleanText(string(raw.ErrCode), maxIDLen), ErrMsg: cleanText(string(raw.ErrMsg), 200),
		SMSSize: max(size, 0), BizID: string(raw.BizID), OutID: out,
	}, nil
}

// ParseUps reads an SmsUp push: a JSON array of replies, with the same
// rules as ParseReports. An item needs a phone that normalises, content
// (which may be empty) and a sequence_id.
func ParseUps(body []byte) ([]Up, error) {
	items, err := decodePush(body)
	if err != nil {
		return nil, fmt.Errorf("sms up push: %w", err)
	}
	out := make([]Up, 0, len(items))
	bad := &ItemsError{Kind: "up"}
	for i, item := range items {
		var raw rawUp
		err := decodeItem(item, &raw)
		var u Up
		if err == nil {
			u, err = raw.up()
		}
		if err != nil {
			bad.Items = append(bad.Items, ItemError{Index: i, Reason: err.Error()})
			continue
		}
		out = append(out, u)
	}
	if len(bad.Items) > 0 {
		return out, bad
	}
	return out, nil
}

func (raw rawUp) up() (Up, error) {
	phone, err := chorus.NormalizePhone(string(raw.Phone))
	if err != nil {
		return Up{}, fmt.Errorf("phone_number %q is not a mobile number", chorus.Shorten(string(raw.Phone), 20))
	}
	if raw.Content == nil {
		return Up{}, errors.New("content is missing")
	}
	seq := strings.TrimSpace(string(raw.SequenceID))
	if seq == "" {
		return Up{}, errors.New("sequence_id is missing")
	}
	if err := checkID("sequence_id", seq); err != nil {
		return Up{}, err
	}
	content := strings.ToValidUTF8(*raw.Content, "\uFFFD")
	return Up{Phone: phone, Content: chorus.Shorten(content, maxUpContentRunes), SendTime: pushTime(raw.SendTime),
		DestCode: cleanText(string(raw.DestCode), maxIDLen), SequenceID: seq,
		SignName: cleanText(string(raw.SignName), maxIDLen)}, nil
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

// checkID accepts an id of printable ASCII within maxIDLen.
func checkID(name, s string) error {
	if len(s) > maxIDLen {
		return fmt.Errorf("%s is longer than %d characters", name, maxIDLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return fmt.Errorf("%s %q holds characters other than printable ASCII", name, chorus.Shorten(s, 20))
		}
	}
	return nil
}

// cleanText makes s valid UTF-8 within n characters.
func cleanText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return chorus.Shorten(s, n)
}

// pushTime reads a push timestamp in China time; zero when unreadable.
func pushTime(s flexString) time.Time {
	t, err := time.ParseInLocation(pushTimeLayout, strings.TrimSpace(string(s)), chinaTime)
	if err != nil {
		return time.Time{}
	}
	return t
}
