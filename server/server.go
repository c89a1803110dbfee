// Package server is Chorus's HTTP layer: the JSON API under /api/, health
// checks, and (from other packages) the kiosk websocket and the embedded
// pages, all on one port. Handlers return errors; one function writes them.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// MaxBodyBytes bounds every request body: the largest legitimate one, an
// event with 200 slots, is well under it.
const MaxBodyBytes = 64 << 10

// Store is what the server needs of storage.
type Store interface {
	chorus.BookingService
	chorus.EventService
	chorus.ProgrammeService
	chorus.ClassService
	chorus.HolidayService
	chorus.OrderService
	chorus.DirectoryService
	chorus.CommunityService
	// EventBookings returns every booking of an event.
	EventBookings(ctx context.Context, eventID int64) ([]chorus.Booking, error)
	// Messages returns the newest SMS, optionally to one phone.
	Messages(ctx context.Context, phone string, limit int) ([]chorus.Message, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// CheckIn checks a booking in at an event's door.
	CheckIn(ctx context.Context, req chorus.CheckinRequest) (*chorus.CheckinResult, error)
	// Attendance counts an event's bookings at the door.
	Attendance(ctx context.Context, eventID int64) (*chorus.Attendance, error)
	// SearchBookings finds an event's bookings by phone digits or name.
	SearchBookings(ctx context.Context, eventID int64, q string) ([]chorus.Booking, error)
	// ParseToken checks a check-in token's signature.
	ParseToken(ctx context.Context, token string) error
	// OwnBooking returns a phone's own booking in the scope's reach (its
	// community's events and those open to the district).
	OwnBooking(ctx context.Context, id int64, phone string) (*chorus.Booking, error)
	// MoveOwnBooking moves a resident's booking to another open slot.
	MoveOwnBooking(ctx context.Context, id int64, phone string, slotID int64) (*chorus.Booking, error)
	// RequestSMS returns where the SMS of a resident's booking,
	// enrolment or order is now.
	RequestSMS(ctx context.Context, what string, id int64, phone string) (chorus.MessageStatus, error)
	// ChangeOrderDay moves a resident's open order to another day.
	ChangeOrderDay(ctx context.Context, id int64, phone, day string, half chorus.HalfDay) (*chorus.Order, error)
	// CreateOrder stores and dispatches an order staff made.
	CreateOrder(ctx context.Context, req chorus.OrderRequest) (*chorus.Order, error)
	// PartnerStats returns each partner's dispatch figures.
	PartnerStats(ctx context.Context) ([]chorus.PartnerStats, error)
	// PartnerFigures returns each partner's figures per community and in
	// total between two times.
	PartnerFigures(ctx context.Context, from, to time.Time) ([]chorus.PartnerFigures, error)
	// LinkPartner links an existing partner (by id, or by phone) to the
	// scope's community with its services and estates there.
	LinkPartner(ctx context.Context, id int64, phone string, services []chorus.ServiceKind, estates []int64) (*chorus.Partner, error)
	// OrdersOf returns the orders for a resident's phone, newest first.
	OrdersOf(ctx context.Context, phone string) ([]chorus.Order, error)
	// ConfirmOrder dispatches a kiosk order that staff confirmed with the
	// resident by telephone.
	ConfirmOrder(ctx context.Context, id int64, actor chorus.Actor) (*chorus.Order, error)
	// PartnerAnswer records a partner's 接, 完成 or 退 given by telephone.
	PartnerAnswer(ctx context.Context, orderID, partnerID int64, intent chorus.Intent, actor chorus.Actor) (*chorus.Order, error)
	// ResendMessage queues a copy of an SMS to the same phone.
	ResendMessage(ctx context.Context, id int64) (*chorus.Message, error)
	// PatchResident changes only the fields sent of a resident and returns
	// it before (nil when new) and after.
	PatchResident(ctx context.Context, phone string, p chorus.ResidentPatch) (before, after *chorus.Resident, err error)
	// SendVerification texts a verification code to a phone; false when
	// the SMS rules refused it.
	SendVerification(ctx context.Context, phone string, kioskID int64) (bool, error)
	// CheckVerification checks a code typed for a phone. Errors: EINVALID
	// (wrong), ECONFLICT (none, used, expired, locked).
	CheckVerification(ctx context.Context, phone, code string) error
	// SetOptOut stops (out) or resumes SMS to a phone; changed is false
	// when it already was so.
	SetOptOut(ctx context.Context, phone string, out bool) (changed bool, err error)
	// TicketStore keeps the kiosks' websocket tickets and verification
	// proofs (tickets.go).
	TicketStore
}

// Server serves Chorus over HTTP. Set the fields, then call Handler.
type Server struct {
	Store Store
	// Staff authenticates staff: sessions, CSRF tokens, roles, audit log.
	Staff    StaffStore
	Logger   *slog.Logger
	Now      func() time.Time
	Location *time.Location
	// Kiosks and Hub serve the kiosk fleet (kiosks.go); without both its
	// routes are left out.
	Kiosks chorus.KioskService
	Hub    KioskHub
	// SMS receives Alibaba's pushes and keeps the reply inbox; nil leaves
	// those routes out.
	SMS SMSStore
	// Voice receives the voice service's pushes and lists the calls staff
	// should follow up; nil leaves those routes out.
	Voice VoiceStore
	// Venues keeps partners' venues and the requests to use them; nil
	// leaves those routes out.
	Venues VenueStore
	// Volunteers keeps volunteers, their activities, shifts and hours;
	// nil leaves those routes out.
	Volunteers VolunteerStore
	// Bank keeps the time bank (时间银行); nil leaves its routes out.
	Bank BankStore
	// CallBudget is the community's calls a day (0: no limit), shown on 今日.
	CallBudget int
	// PushSecret is the secret path segment of /sms/push/{secret}/report
	// and /up, and of /voice/push/{secret}/…; empty disables them.
	PushSecret string
	// PublicURL is the base of the URLs in QR codes (https://chorus.example);
	// empty uses the address the request came to.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (clientaddr.go); empty: none.
	TrustedProxies []netip.Prefix
	// Speech speaks for the kiosk pages (speech.Espeak); nil: the pages
	// use the browser's voices.
	Speech Speaker
	qr     qrCache
	live   push.Broker // attendance streams (attendance.go)
	feed   push.Broker // the console's live feed (live.go)
	// Pages are the routes of the pages (ui: the kiosk page, the console,
	// the door page and their assets, PageRoute's), in the one route table.
	Pages []Route

	// Version is Chorus's version, shown by /healthz and the console.
	Version string
	// Backups, when set, reports the scheduled backups (今日, /api/admin/status).
	Backups func() chorus.BackupStatus
	// Observe, when set, hears every request's route pattern, status and
	// duration (the metrics).
	Observe func(pattern string, status int, d time.Duration)
	// Limits are the per-kiosk, per-phone and per-address rate limits.
	Limits  RateLimits
	limOnce sync.Once
	lim     *limiters
}

// handlerFunc is a handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the server's HTTP handler with every route of the route
// table (Routes, the pages included) whose part is configured.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		if s.has(rt.Part) {
			mux.Handle(rt.Pattern, s.handler(rt))
		}
	}
	return s.logRequests(mux)
}

// wrap turns a handlerFunc into an http.Handler that writes its error and
// survives its panic.
func (s *Server) wrap(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "path", s.redact(r.URL.Path), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// BearerToken returns the token of an "Authorization: Bearer" header (the
// scheme in any case, as RFC 9110 allows).
func BearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// errorStatus maps error codes to HTTP status codes.
var errorStatus = map[string]int{
	chorus.EINVALID:      http.StatusBadRequest,
	chorus.ENOTFOUND:     http.StatusNotFound,
	chorus.ECONFLICT:     http.StatusConflict,
	chorus.EFULL:         http.StatusConflict,
	chorus.EUNAUTHORIZED: http.StatusUnauthorized,
	chorus.EFORBIDDEN:    http.StatusForbidden,
	chorus.ELIMIT:        http.StatusTooManyRequests,
	chorus.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for err's code.
func ErrorStatus(err error) int {
	if st, ok := errorStatus[chorus.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// writeError answers {"error":{"code","message"}}; internal errors are
// logged and the resident sees only an apology.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := chorus.ErrorCode(err), chorus.ErrorMessage(err)
	if code == chorus.EINTERNAL {
		s.Logger.Error("internal error", "method", r.Method, "path", s.redact(r.URL.Path), "err", err)
	}
	if code == chorus.ELIMIT {
		w.Header().Set("Retry-After", "60")
	}
	WriteJSON(w, ErrorStatus(err), map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads one JSON object from the body into v: at most MaxBodyBytes,
// no unknown fields, nothing after it.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return chorus.Errorf(chorus.EINVALID, "请求格式不正确:请用 JSON。")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return chorus.Errorf(chorus.EINVALID, "请求内容太大了。")
		case errors.Is(err, io.EOF):
			return chorus.Errorf(chorus.EINVALID, "请求内容是空的。")
		case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
			return chorus.Errorf(chorus.EINVALID, "请求格式不正确:JSON 有误。")
		case errors.As(err, &typ):
			return chorus.Errorf(chorus.EINVALID, "请求格式不正确:字段 %s 的类型不对。", typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return chorus.Errorf(chorus.EINVALID, "请求格式不正确:不认识的字段 %s。", strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return chorus.Errorf(chorus.EINVALID, "请求格式不正确。")
		}
	}
	if dec.More() {
		return chorus.Errorf(chorus.EINVALID, "请求格式不正确:只能有一个 JSON 对象。")
	}
	return nil
}

// decodeReason reads a body {"reason": "…"} (calling an event or a
// programme off, cancelling an enrolment), the reason cut to 100
// characters for the history.
func decodeReason(w http.ResponseWriter, r *http.Request) (string, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return "", err
	}
	return chorus.Shorten(body.Reason, 100), nil
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (websockets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a websocket: gorilla/websocket asks for
// an http.Hijacker rather than using http.ResponseController.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// logRequests logs each request's method, path, status and duration; query
// strings are left out since they may carry phone numbers.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := s.Now().Sub(start)
		s.Logger.Debug("http", "method", r.Method, "path", s.redact(r.URL.Path), "status", sw.status, "dur", d)
		if s.Observe != nil {
			s.Observe(r.Pattern, sw.status, d)
		}
	})
}
