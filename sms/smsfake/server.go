// Package smsfake is a local fake of Alibaba Cloud's Dysmsapi HTTP API
// (SendSms and QuerySendDetails) for tests, served by net/http/httptest.
// It checks requests as the provider does: the HMAC-SHA1 signature of the
// RPC style (recomputed from the query and form parameters with secret+"&"),
// the access key, the phone numbers, sign name, template code and the
// template parameters (a JSON object of strings), the SmsUpExtendCode (at
// most 7 digits). It records every accepted send and answers
// QuerySendDetails only from those records, each visible once Options.Lag
// has passed since it was accepted (the provider's records lag behind
// SendSms). It injects faults on demand: provider error codes, HTTP
// errors, calls that hang until the client gives up before the send is
// recorded, and lost replies (LoseNext: the send is accepted and recorded,
// and no answer ever comes).
//
// Point the real SDK at it with the request's Domain set to Endpoint and
// scheme http.
package smsfake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chorus-community/chorus/internal/aliyun"
)

// Credentials the fake accepts unless Options says otherwise.
const (
	DefaultAccessKeyID     = "LTAI5tChorusFakeKey"
	DefaultAccessKeySecret = "chorus-fake-secret"
)

// Options configures a Server. The zero value accepts the default
// credentials, any sign name and any template.
type Options struct {
	AccessKeyID     string // default DefaultAccessKeyID
	AccessKeySecret string // default DefaultAccessKeySecret
	// SignName, when set, is the only signature accepted
	// (isv.SMS_SIGN_ILLEGAL otherwise).
	SignName string
	// SignNames are more registered signatures accepted besides SignName
	// (one account sending for several communities).
	SignNames []string
	// Templates, when set, lists the approved template codes with their
	// variables: an unknown code is isv.SMS_TEMPLATE_ILLEGAL, a missing
	// variable isv.TEMPLATE_MISSING_PARAMETERS.
	Templates map[string][]string
	// Now stamps the sends and decides their SendDate; default time.Now.
	Now func() time.Time
	// Lag is how long an accepted send stays out of QuerySendDetails's
	// answers, by Now; 0 shows it at once.
	Lag time.Duration
	// HangEvery, when set, makes every HangEvery-th SendSms call hang
	// until the client gives up, before the send is recorded (a provider
	// that now and then never answers), besides injected faults.
	HangEvery int
}

// Send is one accepted message to one phone.
type Send struct {
	Phone        string // bare, 13812345678
	SignName     string
	TemplateCode string
	Params       map[string]string
	ParamJSON    string
	OutID        string
	ExtendCode   string // SmsUpExtendCode; "" when none was given
	BizID        string
	At           time.Time
}

// Fault is an injected failure of one call.
type Fault struct {
	// Action is the API the fault applies to: "SendSms" (default) or
	// "QuerySendDetails".
	Action string
	// Code is the provider's error code; empty with Status answers a
	// plain-text HTTP error without a JSON body.
	Code    string
	Message string // default: a realistic message for Code
	// Status is the HTTP status; 0 picks the provider's usual one: 200 for
	// business codes (isv.*, isp.*), 500 without a code, 400 or the like
	// for gateway codes (Throttling.User, SignatureDoesNotMatch).
	Status int
	// Hang makes the call answer nothing until the client gives up or
	// Release is called; a released call's connection is cut.
	Hang bool
	// AfterRecord, with Hang on SendSms, accepts and records the send
	// first: the provider has the message but the client never learns it.
	AfterRecord bool
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	URL      string // http://127.0.0.1:port
	Endpoint string // 127.0.0.1:port, for the SDK's Domain

	opts    Options
	srv     *httptest.Server
	mu      sync.Mutex
	sends   []Send
	faults  []Fault
	calls   map[string]int
	hanging int
	changed chan struct{} // closed and replaced when hanging changes
	release chan struct{} // closed and replaced by Release
	seq     int64
}

// New starts a fake on a local port. Close it when done.
func New(opts Options) *Server {
	if opts.AccessKeyID == "" {
		opts.AccessKeyID = DefaultAccessKeyID
	}
	if opts.AccessKeySecret == "" {
		opts.AccessKeySecret = DefaultAccessKeySecret
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, calls: map[string]int{}, changed: make(chan struct{}), release: make(chan struct{})}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	s.Endpoint = strings.TrimPrefix(s.srv.URL, "http://")
	return s
}

// Close releases hanging calls and stops the server.
func (s *Server) Close() {
	s.Release()
	s.srv.Close()
}

// Sends returns a copy of every accepted send, in order.
func (s *Server) Sends() []Send {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sends)
}

// SendsByOutID returns the accepted sends grouped by OutId.
func (s *Server) SendsByOutID() map[string][]Send {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]Send, len(s.sends))
	for _, x := range s.sends {
		out[x.OutID] = append(out[x.OutID], x)
	}
	return out
}

// Count returns how many sends were accepted.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sends)
}

// Calls returns how many calls of action arrived with a valid signature,
// faults included.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Inject makes the next n calls of f.Action fail with f.
func (s *Server) Inject(f Fault, n int) {
	if f.Action == "" {
		f.Action = "SendSms"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// FailNext makes the next n SendSms calls fail with the provider's code.
func (s *Server) FailNext(code string, n int) { s.Inject(Fault{Code: code}, n) }

// HangNext makes the next n SendSms calls hang; with afterRecord the send
// is recorded first.
func (s *Server) HangNext(n int, afterRecord bool) {
	s.Inject(Fault{Hang: true, AfterRecord: afterRecord}, n)
}

// LoseNext makes the next n SendSms calls lost replies: each send is
// accepted and recorded (QuerySendDetails will show it), and the caller
// never hears back until it gives up.
func (s *Server) LoseNext(n int) { s.HangNext(n, true) }

// Release ends every call hanging now by cutting its connection.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.release)
	s.release = make(chan struct{})
}

// Hanging returns how many calls hang now.
func (s *Server) Hanging() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hanging
}

// WaitHanging blocks until at least n calls hang, or ctx ends.
func (s *Server) WaitHanging(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		h, ch := s.hanging, s.changed
		s.mu.Unlock()
		if h >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d hanging calls (have %d): %w", n, h, ctx.Err())
		}
	}
}

// ServeHTTP implements http.Handler: the Dysmsapi RPC endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	params, ok := aliyun.ReadRPC(w, r, s.opts.AccessKeyID, s.opts.AccessKeySecret, "2017-05-25", host)
	if !ok {
		return
	}
	action := params.Get("Action")
	s.mu.Lock()
	s.calls[action]++
	f, faulted := s.takeFault(action)
	if !faulted && action == "SendSms" && s.opts.HangEvery > 0 && s.calls[action]%s.opts.HangEvery == 0 {
		f, faulted = Fault{Action: action, Hang: true}, true
	}
	s.mu.Unlock()
	if faulted && !(f.Hang && f.AfterRecord && action == "SendSms") {
		s.fail(w, r, f)
		return
	}
	switch action {
	case "SendSms":
		s.sendSms(w, r, params, faulted)
	case "QuerySendDetails":
		s.querySendDetails(w, params)
	default:
		writeError(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
}

// takeFault removes and returns the first fault queued for action; s.mu
// must be held.
func (s *Server) takeFault(action string) (Fault, bool) {
	for i, f := range s.faults {
		if f.Action == action {
			s.faults = slices.Delete(s.faults, i, i+1)
			return f, true
		}
	}
	return Fault{}, false
}

// fail answers with an injected fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Hang {
		s.hang(r)
		return
	}
	status := f.Status
	if status == 0 {
		status = statusFor(f.Code)
	}
	msg := f.Message
	if msg == "" {
		msg = messages[f.Code]
	}
	switch {
	case f.Code == "":
		http.Error(w, http.StatusText(status), status)
	case status == http.StatusOK:
		writeJSON(w, http.StatusOK, map[string]string{"Code": f.Code, "Message": msg, "RequestId": s.requestID()})
	default:
		writeError(w, status, f.Code, msg)
	}
}

// hang holds the call until the client leaves or Release, then cuts the
// connection so no answer reaches the client.
func (s *Server) hang(r *http.Request) {
	s.mu.Lock()
	s.hanging++
	release := s.release
	s.notifyLocked()
	s.mu.Unlock()
	released := false
	select {
	case <-r.Context().Done():
	case <-release:
		released = true
	}
	s.mu.Lock()
	s.hanging--
	s.notifyLocked()
	s.mu.Unlock()
	if released {
		panic(http.ErrAbortHandler) // net/http closes the connection quietly
	}
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// requestID returns a RequestId-like id.
func (s *Server) requestID() string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return fmt.Sprintf("C0F1E5A7-%04X-4C0D-9E2A-%012X", n>>48&0xFFFF, n&0xFFFFFFFFFFFF)
}

// statusFor returns the HTTP status the provider uses with code.
func statusFor(code string) int {
	switch {
	case code == "":
		return http.StatusInternalServerError
	case strings.HasPrefix(code, "isv.") || strings.HasPrefix(code, "isp."):
		return http.StatusOK
	case code == "InternalError":
		return http.StatusInternalServerError
	case code == "ServiceUnavailable":
		return http.StatusServiceUnavailable
	case strings.HasSuffix(code, ".NotFound"):
		return http.StatusNotFound
	case strings.HasPrefix(code, "Forbidden"):
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// messages are the provider's usual messages for the codes tests inject.
var messages = map[string]string{
	"Throttling":                 "Request was denied due to request throttling.",
	"Throttling.User":            "Request was denied due to user flow control.",
	"InternalError":              "The request processing has failed due to some unknown error.",
	"ServiceUnavailable":         "The request has failed due to a temporary failure of the server.",
	"isp.SYSTEM_ERROR":           "系统错误",
	"isv.BUSINESS_LIMIT_CONTROL": "触发小时级流控Permits:5",
	"isv.DAY_LIMIT_CONTROL":      "触发日发送限额",
	"isv.MOBILE_NUMBER_ILLEGAL":  "非法手机号",
	"isv.AMOUNT_NOT_ENOUGH":      "账户余额不足",
	"isv.INVALID_JSON_PARAM":     "JSON参数不合法,只接受字符串值",
}

// host is the product's host, named in gateway errors.
const host = "dysmsapi.aliyuncs.com"

// writeError answers a gateway error in the SDK's error JSON shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	aliyun.WriteError(w, status, code, msg, host)
}

func writeJSON(w http.ResponseWriter, status int, v any) { aliyun.WriteJSON(w, status, v) }
