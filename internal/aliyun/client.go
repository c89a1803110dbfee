// Package aliyun holds what Chorus's two Alibaba Cloud products, SMS
// (Dysmsapi) and voice (Dyvmsapi), share: a pool of SDK clients over one
// connection pool whose calls take a context, the classification of a
// call's transport failure, and the RPC signature a local fake checks.
// It knows nothing of either product's actions or codes.
package aliyun

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// Defaults of Config.
const (
	DefaultRegion = "cn-hangzhou"
	DefaultScheme = "https"
	// DefaultTimeout bounds one API call: the provider normally answers
	// in well under a second; past 10 s the outcome is unknown and the
	// caller checks before trying again.
	DefaultTimeout = 10 * time.Second
)

const (
	// connectTimeout bounds opening a connection (at most the call's
	// Timeout): a refused or unreachable endpoint is a plain retry.
	connectTimeout = 5 * time.Second
	// maxIdleConns keeps connections to the one endpoint warm for
	// parallel calls.
	maxIdleConns = 64
)

// Config is how to reach one product.
type Config struct {
	AccessKeyID     string
	AccessKeySecret string
	Region          string        // default DefaultRegion
	Endpoint        string        // host[:port]; required (each product has its own)
	Scheme          string        // "https" or "http"; default DefaultScheme
	Timeout         time.Duration // one API call; default DefaultTimeout
}

// Pool calls one product's API with SDK clients of type C. The SDK's own
// retries are off: the callers own retries, because sending a message or
// placing a call is not idempotent. It is safe for concurrent use.
type Pool[C any] struct {
	cfg       Config
	newSDK    func(region string, conf *sdk.Config, cred auth.Credential) (C, error)
	transport *http.Transport
	clients   sync.Pool // of *client[C]
}

// client is one SDK client with the transport shim that gives its calls
// a context. An SDK client rewrites its http.Client's timeout on every
// call, so each client serves one call at a time; the pool shares the
// connections through one http.Transport.
type client[C any] struct {
	sdk C
	rt  *ctxTransport
}

// ctxTransport runs each request under ctx: the SDK builds requests
// without a context, so this is where a call's deadline and cancellation
// reach the connection.
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

// NewPool returns a pool for cfg, filling in defaults; newSDK is the
// product's NewClientWithOptions. product names the product in errors.
func NewPool[C any](product string, cfg Config, newSDK func(string, *sdk.Config, auth.Credential) (C, error)) (*Pool[C], error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
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
		return nil, fmt.Errorf("%s: access key id and secret are required", product)
	case cfg.Scheme != "http" && cfg.Scheme != "https":
		return nil, fmt.Errorf("%s: scheme %q: want http or https", product, cfg.Scheme)
	case cfg.Endpoint == "" || strings.ContainsAny(cfg.Endpoint, "/?# "):
		return nil, fmt.Errorf("%s: endpoint %q: want host[:port]", product, cfg.Endpoint)
	}
	dialer := &net.Dialer{Timeout: min(connectTimeout, cfg.Timeout), KeepAlive: 30 * time.Second}
	p := &Pool[C]{cfg: cfg, newSDK: newSDK, transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: min(connectTimeout, cfg.Timeout),
		MaxIdleConns:        maxIdleConns,
		MaxIdleConnsPerHost: maxIdleConns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	c, err := p.newClient()
	if err != nil {
		return nil, fmt.Errorf("%s client: %w", product, err)
	}
	p.clients.Put(c)
	return p, nil
}

// newClient makes one SDK client with auto-retry off.
func (p *Pool[C]) newClient() (*client[C], error) {
	rt := &ctxTransport{base: p.transport}
	conf := sdk.NewConfig().WithAutoRetry(false).WithTimeout(p.cfg.Timeout).WithScheme(strings.ToUpper(p.cfg.Scheme))
	// A Transport that is not an *http.Transport is left alone by the SDK
	// (it would otherwise rewrite its dialer on every call).
	conf.Transport = rt
	cred := credentials.NewAccessKeyCredential(p.cfg.AccessKeyID, p.cfg.AccessKeySecret)
	c, err := p.newSDK(p.cfg.Region, conf, cred)
	if err != nil {
		return nil, err
	}
	return &client[C]{sdk: c, rt: rt}, nil
}

// Config returns the pool's configuration, defaults filled in.
func (p *Pool[C]) Config() Config { return p.cfg }

// Prepare points an SDK request at the configured endpoint.
func (p *Pool[C]) Prepare(r *requests.RpcRequest) {
	r.Domain = p.cfg.Endpoint // host[:port]: the SDK writes scheme://Domain/?query
	r.Scheme = p.cfg.Scheme
}

// Call runs fn with a pooled client under ctx bounded by the Timeout. A
// failure is an *Error.
func (p *Pool[C]) Call(ctx context.Context, action string, fn func(C) error) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	c, _ := p.clients.Get().(*client[C])
	if c == nil {
		var err error
		if c, err = p.newClient(); err != nil {
			return &Error{Kind: NotSent, Message: err.Error(), Err: err}
		}
	}
	c.rt.ctx = ctx
	err := fn(c.sdk)
	c.rt.ctx = nil
	p.clients.Put(c)
	if err != nil {
		return callError(action, err, ctx.Err())
	}
	return nil
}

// Close releases idle connections.
func (p *Pool[C]) Close() error {
	p.transport.CloseIdleConnections()
	return nil
}

// Kind says what a failed call tells about the request.
type Kind int

const (
	// Refused: the provider answered with an error code (Code, HTTPStatus).
	Refused Kind = iota
	// NotSent: the request never left (DNS, dialling, TLS): safe to retry.
	NotSent
	// Maybe: no readable answer; the provider may have accepted the
	// request, so check before repeating it. Code is Timeout, Lost or the
	// SDK's code.
	Maybe
)

// The codes of failures without a provider code.
const (
	CodeTimeout = "Chorus.Timeout"        // no answer in time
	CodeLost    = "Chorus.ConnectionLost" // the connection broke after sending
	CodeNetwork = "Chorus.Network"        // never sent
)

// Error is a failed call.
type Error struct {
	Kind       Kind
	Code       string // the provider's code, the SDK's, or a Code* constant
	Message    string
	HTTPStatus int   // 0 when no HTTP answer arrived
	Err        error // the underlying error
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// callError turns an SDK call's error into an *Error. ctxErr is the call
// context's error: set when the Timeout passed or the caller gave up, in
// which case the request may have been accepted.
func callError(action string, err, ctxErr error) *Error {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code == "" {
			code = fmt.Sprintf("HTTP%d", se.HttpStatus())
		}
		return &Error{Kind: Refused, Code: code, Message: se.Message(), HTTPStatus: se.HttpStatus(), Err: err}
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		// The SDK got an answer it could not read, or failed before
		// sending; either way it cannot be told whether it was accepted.
		return &Error{Kind: Maybe, Code: ce.ErrorCode(), Message: ce.Message(), Err: err}
	}
	var ne net.Error
	switch {
	case ctxErr != nil:
		return &Error{Kind: Maybe, Code: CodeTimeout, Err: err, Message: fmt.Sprintf("%s: no answer: %v", action, ctxErr)}
	case errors.As(err, &ne) && ne.Timeout():
		return &Error{Kind: Maybe, Code: CodeTimeout, Err: err, Message: fmt.Sprintf("%s: no answer: %v", action, err)}
	case notSent(err):
		return &Error{Kind: NotSent, Code: CodeNetwork, Err: err, Message: fmt.Sprintf("%s: cannot connect: %v", action, err)}
	}
	return &Error{Kind: Maybe, Code: CodeLost, Err: err, Message: fmt.Sprintf("%s: %v", action, err)}
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
