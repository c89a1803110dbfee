package sms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dysmsapi"

	"github.com/chorus-community/chorus/internal/aliyun"
)

// Defaults of AlibabaConfig.
const (
	DefaultRegion   = aliyun.DefaultRegion
	DefaultEndpoint = "dysmsapi.aliyuncs.com"
	DefaultScheme   = aliyun.DefaultScheme
	// DefaultTimeout bounds one API call: the provider normally answers in
	// well under a second; past 10 s the Worker treats the outcome as
	// unknown and checks before sending again.
	DefaultTimeout = aliyun.DefaultTimeout
)

const (
	// lookupPageSize is QuerySendDetails's largest page.
	lookupPageSize = 50
	// lookupMaxPages bounds one Lookup: a phone gets at most a handful of
	// Chorus messages a day, so 10 pages of 50 are plenty.
	lookupMaxPages = 10
	// lookupMargin widens the days Lookup searches around the attempt, so
	// an attempt just before midnight is found under either date.
	lookupMargin = 5 * time.Minute
)

// chinaTime is the provider's time zone (no daylight saving), in which
// QuerySendDetails's SendDate and the push timestamps are written.
var chinaTime = aliyun.ChinaTime

// AlibabaConfig configures the Alibaba Cloud sender.
type AlibabaConfig struct {
	AccessKeyID     string
	AccessKeySecret string
	SignName        string        // the registered signature, 光华街社区, without 【】
	Region          string        // default DefaultRegion
	Endpoint        string        // host[:port]; default DefaultEndpoint
	Scheme          string        // "https" or "http"; default DefaultScheme
	Timeout         time.Duration // one API call; default DefaultTimeout
	// Now, when set, is the clock Lookup searches up to for an old
	// attempt (a message restored from a backup); nil: only the days
	// around the attempt are searched.
	Now func() time.Time
}

// Alibaba is the Sender on Alibaba Cloud Dysmsapi (SendSms and
// QuerySendDetails). The SDK's own retries are off: the outbox Worker owns
// retries, because SendSms is not idempotent. It is safe for concurrent use.
type Alibaba struct {
	cfg  AlibabaConfig
	pool *aliyun.Pool[*dysmsapi.Client]
}

// NewAlibaba returns a Sender for cfg, filling in defaults. It returns an
// error when the key, secret or signature is missing or a setting is
// malformed.
func NewAlibaba(cfg AlibabaConfig) (*Alibaba, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	pool, err := aliyun.NewPool("alibaba sms", aliyun.Config{
		AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret,
		Region: cfg.Region, Endpoint: cfg.Endpoint, Scheme: cfg.Scheme, Timeout: cfg.Timeout,
	}, dysmsapi.NewClientWithOptions)
	if err != nil {
		return nil, err
	}
	if cfg.SignName == "" {
		return nil, fmt.Errorf("alibaba sms: sign name is required")
	}
	pc := pool.Config()
	cfg.Region, cfg.Scheme, cfg.Timeout = pc.Region, pc.Scheme, pc.Timeout
	return &Alibaba{cfg: cfg, pool: pool}, nil
}

// call runs fn with a pooled client under ctx bounded by the Timeout, and
// turns its error into a *SendError.
func (a *Alibaba) call(ctx context.Context, action string, fn func(*dysmsapi.Client) error) error {
	return CallError(a.pool.Call(ctx, action, fn), Classify)
}

// CallError turns a failed call to an Alibaba Cloud product (an
// *aliyun.Error) into a *SendError, a refusal classified by classify;
// voice/ uses it with its own table. Other errors are returned as they
// are.
func CallError(err error, classify func(code string, httpStatus int) Class) error {
	var ae *aliyun.Error
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	switch ae.Kind {
	case aliyun.Refused:
		return &SendError{Code: ae.Code, Message: ae.Message, HTTPStatus: ae.HTTPStatus,
			Class: classify(ae.Code, ae.HTTPStatus), Err: ae.Err}
	case aliyun.NotSent:
		return &SendError{Code: CodeNetwork, Message: ae.Message, Class: ClassRetry, Err: ae.Err}
	}
	code := ae.Code
	switch code {
	case aliyun.CodeTimeout:
		code = CodeTimeout
	case aliyun.CodeLost:
		code = CodeConnectionLost
	}
	return &SendError{Code: code, Message: ae.Message, Class: ClassUnknown, Err: ae.Err}
}

// prepare points an SDK request at the configured endpoint.
func (a *Alibaba) prepare(r *requests.RpcRequest) { a.pool.Prepare(r) }

// Send submits m with SendSms. See Sender.
func (a *Alibaba) Send(ctx context.Context, m Outgoing) (string, error) {
	req := dysmsapi.CreateSendSmsRequest()
	a.prepare(req.RpcRequest)
	req.PhoneNumbers = m.Phone
	req.SignName = a.cfg.SignName
	if m.SignName != "" {
		req.SignName = m.SignName
	}
	req.TemplateCode = m.TemplateCode
	req.TemplateParam = m.ParamJSON
	if m.ID != 0 {
		req.OutId = strconv.FormatInt(m.ID, 10)
	}
	req.SmsUpExtendCode = m.ExtendCode
	var resp *dysmsapi.SendSmsResponse
	if err := a.call(ctx, "SendSms", func(c *dysmsapi.Client) (err error) {
		resp, err = c.SendSms(req)
		return err
	}); err != nil {
		return "", err
	}
	if resp.Code != "OK" {
		return "", businessError(resp.Code, resp.Message, resp.GetHttpStatus())
	}
	return resp.BizId, nil
}

// Lookup asks QuerySendDetails whether the provider has a message to phone
// with OutId outID, searching the China-time days around sent (a zero
// sent means now). The provider does not return the BizId there; a
// delivery receipt later brings it, matched by OutId. See Sender.
func (a *Alibaba) Lookup(ctx context.Context, phone string, outID int64, sent time.Time) (bool, error) {
	if sent.IsZero() {
		sent = time.Now()
	}
	want := strconv.FormatInt(outID, 10)
	now := sent
	if a.cfg.Now != nil {
		now = a.cfg.Now()
	}
	for _, day := range lookupDays(sent, now) {
		for page := 1; page <= lookupMaxPages; page++ {
			req := dysmsapi.CreateQuerySendDetailsRequest()
			a.prepare(req.RpcRequest)
			req.PhoneNumber = phone
			req.SendDate = day
			req.PageSize = requests.NewInteger(lookupPageSize)
			req.CurrentPage = requests.NewInteger(page)
			var resp *dysmsapi.QuerySendDetailsResponse
			if err := a.call(ctx, "QuerySendDetails", func(c *dysmsapi.Client) (err error) {
				resp, err = c.QuerySendDetails(req)
				return err
			}); err != nil {
				return false, err
			}
			if resp.Code != "OK" {
				return false, businessError(resp.Code, resp.Message, resp.GetHttpStatus())
			}
			list := resp.SmsSendDetailDTOs.SmsSendDetailDTO
			for _, d := range list {
				if d.OutId == want {
					return true, nil
				}
			}
			total, _ := strconv.Atoi(resp.TotalCount)
			if len(list) == 0 || page*lookupPageSize >= total {
				break
			}
		}
	}
	return false, nil
}

// lookupMaxDays bounds the days one Lookup searches: the provider keeps
// 30 days of records.
const lookupMaxDays = 30

// lookupDays returns the yyyyMMdd China-time dates an attempt at t may be
// filed under: the day of t, and every day up to now when t is older (a
// message restored from a backup may have gone out any time since).
func lookupDays(t, now time.Time) []string {
	end := t.Add(lookupMargin)
	if now.After(end) {
		end = now.Add(lookupMargin)
	}
	var out []string
	for d := t.Add(-lookupMargin).In(chinaTime); len(out) < lookupMaxDays; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("20060102"))
		if d.Format("20060102") >= end.In(chinaTime).Format("20060102") {
			break
		}
	}
	return out
}

// Close releases idle connections.
func (a *Alibaba) Close() error { return a.pool.Close() }

// businessError is a refusal in a 2xx answer (Code != "OK").
func businessError(code, msg string, status int) *SendError {
	if code == "" {
		return newSendError(CodeBadResponse, "answer without a code", status, nil)
	}
	return newSendError(code, msg, status, nil)
}
