package sms

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dysmsapi"
)

// Defaults of AlibabaConfig.
const (
	DefaultRegion   = "cn-hangzhou"
	DefaultEndpoint = "dysmsapi.aliyuncs.com"
	DefaultScheme   = "https"
	// DefaultTimeout bounds one API call: the provider normally answers in
	// well under a second; past 10 s the Worker treats the outcome as
	// unknown and checks before sending again.
	DefaultTimeout = 10 * time.Second
)

const (
	// connectTimeout bounds opening a connection (at most the call's
	// Timeout): a refused or unreachable endpoint is a plain retry.
	connectTimeout = 5 * time.Second
	// lookupPageSize is QuerySendDetails's largest page.
	lookupPageSize = 50
	// lookupMaxPages bounds one Lookup: a phone gets at most a handful of
	// Chorus messages a day, so 10 pages of 50 are plenty.
	lookupMaxPages = 10
	// lookupMargin widens the days Lookup searches around the attempt, so
	// an attempt just before midnight is found under either date.
	lookupMargin = 5 * time.Minute
	// maxIdleConns keeps connections to the one endpoint warm for the
	// Worker's parallel sends.
	maxIdleConns = 64
)

// chinaTime is the provider's time zone (no daylight saving), in which
// QuerySendDetails's SendDate and the push timestamps are written.
var chinaTime = time.FixedZone("CST", 8*60*60)

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
	cfg       AlibabaConfig
	transport *http.Transport
	clients   sync.Pool // of *aliClient
}

// aliClient is one SDK client with the transport shim that gives its calls
// a context. An SDK client rewrites its http.Client's timeout on every
// call, so each client serves one call at a time; the pool shares the
// connections through one http.Transport.
type aliClient struct {
	sdk *dysmsapi.Client
	rt  *ctxTransport
}

// ctxTransport runs each request under ctx: the SDK builds requests without
// a context, so this is where a call's deadline and cancellation reach the
// connection.
type ctxTransport struct {
	base http.RoundTripper
	ctx  context.Context // set for the duration of one call
}

// RoundTrip implements http.RoundTripper.
func (t *ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.ctx == nil {
		return t.base.RoundTrip(r)
	}
	return t.base.RoundTrip(r.WithContext(t.ctx))
}

// NewAlibaba returns a Sender for cfg, filling in defaults. It returns an
// error when the key, secret or signature is missing or a setting is
// malformed.
func NewAlibaba(cfg AlibabaConfig) (*Alibaba, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.Scheme == "" {
		cfg.Scheme = DefaultScheme
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	cfg.Scheme = strings.ToLower(cfg.Scheme)
	switch {
	case cfg.AccessKeyID == "" || cfg.AccessKeySecret == "":
		return nil, fmt.Errorf("alibaba sms: access key id and secret are required")
	case cfg.SignName == "":
		return nil, fmt.Errorf("alibaba sms: sign name is required")
	case cfg.Scheme != "http" && cfg.Scheme != "https":
		return nil, fmt.Errorf("alibaba sms: scheme %q: want http or https", cfg.Scheme)
	case strings.ContainsAny(cfg.Endpoint, "/?# "):
		return nil, fmt.Errorf("alibaba sms: endpoint %q: want host[:port]", cfg.Endpoint)
	}
	dialer := &net.Dialer{Timeout: min(connectTimeout, cfg.Timeout), KeepAlive: 30 * time.Second}
	a := &Alibaba{cfg: cfg, transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: min(connectTimeout, cfg.Timeout),
		MaxIdleConns:        maxIdleConns,
		MaxIdleConnsPerHost: maxIdleConns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	c, err := a.newClient()
	if err != nil {
		return nil, err
	}
	a.clients.Put(c)
	return a, nil
}

// newClient makes one SDK client with auto-retry off.
func (a *Alibaba) newClient() (*aliClient, error) {
	rt := &ctxTransport{base: a.transport}
	conf := sdk.NewConfig().WithAutoRetry(false).WithTimeout(a.cfg.Timeout).WithScheme(strings.ToUpper(a.cfg.Scheme))
	// A Transport that is not an *http.Transport is left alone by the SDK
	// (it would otherwise rewrite its dialer on every call).
	conf.Transport = rt
	cred := credentials.NewAccessKeyCredential(a.cfg.AccessKeyID, a.cfg.AccessKeySecret)
	c, err := dysmsapi.NewClientWithOptions(a.cfg.Region, conf, cred)
	if err != nil {
		return nil, fmt.Errorf("alibaba sms client: %w", err)
	}
	return &aliClient{sdk: c, rt: rt}, nil
}

// call runs fn with a pooled client under ctx bounded by the Timeout, and
// turns its error into a *SendError.
func (a *Alibaba) call(ctx context.Context, action string, fn func(*dysmsapi.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	c, _ := a.clients.Get().(*aliClient)
	if c == nil {
		var err error
		if c, err = a.newClient(); err != nil {
			return &SendError{Code: CodeNetwork, Message: err.Error(), Class: ClassRetry, Err: err}
		}
	}
	c.rt.ctx = ctx
	err := fn(c.sdk)
	c.rt.ctx = nil
	a.clients.Put(c)
	if err != nil {
		return callError(action, err, ctx.Err())
	}
	return nil
}

// prepare points an SDK request at the configured endpoint.
func (a *Alibaba) prepare(r *requests.RpcRequest) {
	r.Domain = a.cfg.Endpoint // host[:port]: the SDK writes scheme://Domain/?query
	r.Scheme = a.cfg.Scheme
}

// Send submits m with SendSms. See Sender.
func (a *Alibaba) Send(ctx context.Context, m Outgoing) (string, error) {
	req := dysmsapi.CreateSendSmsRequest()
	a.prepare(req.RpcRequest)
	req.PhoneNumbers = m.Phone
	req.SignName = a.cfg.SignName
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
func (a *Alibaba) Close() error {
	a.transport.CloseIdleConnections()
	return nil
}

// businessError is a refusal in a 2xx answer (Code != "OK").
func businessError(code, msg string, status int) *SendError {
	if code == "" {
		return newSendError(CodeBadResponse, "answer without a code", status, nil)
	}
	return newSendError(code, msg, status, nil)
}

// callError turns an SDK call's error into a *SendError. ctxErr is the
// call context's error: set when the Timeout passed or the caller gave up,
// in which case the request may have been accepted.
func callError(action string, err, ctxErr error) *SendError {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code == "" {
			code = fmt.Sprintf("HTTP%d", se.HttpStatus())
		}
		return newSendError(code, se.Message(), se.HttpStatus(), err)
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		// The SDK got an answer it could not read, or failed before
		// sending; either way Chorus cannot tell whether it was accepted.
		return &SendError{Code: ce.ErrorCode(), Message: ce.Message(), Class: ClassUnknown, Err: err}
	}
	var ne net.Error
	switch {
	case ctxErr != nil:
		return &SendError{Code: CodeTimeout, Class: ClassUnknown, Err: err,
			Message: fmt.Sprintf("%s: no answer: %v", action, ctxErr)}
	case errors.As(err, &ne) && ne.Timeout():
		return &SendError{Code: CodeTimeout, Class: ClassUnknown, Err: err,
			Message: fmt.Sprintf("%s: no answer: %v", action, err)}
	case notSent(err):
		return &SendError{Code: CodeNetwork, Class: ClassRetry, Err: err,
			Message: fmt.Sprintf("%s: cannot connect: %v", action, err)}
	}
	return &SendError{Code: CodeConnectionLost, Class: ClassUnknown, Err: err,
		Message: fmt.Sprintf("%s: %v", action, err)}
}

// notSent reports whether err happened before the request could leave:
// DNS, dialling, or a TLS certificate refused.
func notSent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &dns), errors.As(err, &cert), errors.As(err, &unknownCA), errors.As(err, &hostname):
		return true
	case errors.As(err, &op):
		return op.Op == "dial"
	}
	return false
}
