package sms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/aliyun"
)

// Limits of a push from the provider (HTTP batch push of SmsReport and
// SmsUp), shared with voice/.
const (
	// MaxPushBytes bounds a push body.
	MaxPushBytes = aliyun.MaxPushBytes
	// MaxPushItems bounds the items of one push.
	MaxPushItems = aliyun.MaxPushItems
	// maxUpContentRunes bounds the stored text of one reply: a long SMS is
	// at most a few hundred characters.
	maxUpContentRunes = 1000
	// maxIDLen bounds biz_id, sequence_id and similar ids.
	maxIDLen = aliyun.MaxIDLen
)

// PushOK is the answer the provider expects to a push it may stop
// repeating. Any other answer (or none within its timeout) makes it push
// the batch again after 1, 5 and 10 minutes.
var PushOK = aliyun.PushOK

// ItemError describes one item of a push that was left out.
type ItemError = aliyun.ItemError

// ItemsError lists the items of a push that were left out. The items that
// were valid are still returned with it.
type ItemsError = aliyun.ItemsError

// flexString reads a JSON string or number as text.
type flexString = aliyun.FlexString

// Helpers shared with voice/.
var (
	checkID   = aliyun.CheckID
	cleanText = aliyun.CleanText
	pushTime  = aliyun.PushTime
)

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
		SentAt: u.SendTime, Intent: r.Kind, Order: r.Order, Minutes: r.Minutes, SignName: u.SignName}
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
	return aliyun.ParsePush(body, "sms", "report", rawReport.report)
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
	return aliyun.ParsePush(body, "sms", "up", rawUp.up)
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
