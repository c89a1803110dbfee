// Package voicefake is a local fake of Alibaba Cloud's voice API
// (Dyvmsapi 2017-05-25) for tests: the real SDK talks to it over HTTP. It
// checks what the real service checks (the RPC signature, the version,
// required fields, OutId of at most 15 bytes, play times, the IVR menu,
// approved templates and their variables, a purchased caller number for
// IVR, and the per-number limits of 1 a minute, 5 an hour and 20 a day),
// places calls whose outcome each test scripts per phone, answers
// QueryCallDetailByCallId, and plays the provider's pushes (VoiceCallReport
// steps, then VoiceReport) to the app's push URLs, as
// docs/aliyun-voice.md describes.
package voicefake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chorus-community/chorus/internal/aliyun"
)

// Credentials the fake accepts unless Options says otherwise.
const (
	DefaultAccessKeyID     = "LTAI5tChorusFakeVoice"
	DefaultAccessKeySecret = "chorus-fake-voice-secret"
)

// host names the product in gateway errors.
const host = "dyvmsapi.aliyuncs.com"

// Product ids of QueryCallDetailByCallId.
const (
	ProdTTS = "11000000300006"
	ProdIVR = "11000000300005"
)

// Options configures a Server. The zero value accepts the default
// credentials and any template, and has no purchased number (so no IVR).
type Options struct {
	AccessKeyID     string
	AccessKeySecret string
	// Templates, when set, lists the approved TTS codes with their
	// variables: an unknown code is isv.TTS_TEMPLATE_ILLEGAL, a missing
	// variable isv.TEMPLATE_MISSING_PARAMETERS.
	Templates map[string][]string
	// ShowNumbers are the purchased numbers: IvrCall needs one of them
	// (isv.DISPLAY_NUMBER_ILLEGAL otherwise).
	ShowNumbers []string
	// Now stamps calls and decides the per-number limits; default time.Now.
	Now func() time.Time
}

// Script is what becomes of calls to one phone.
type Script struct {
	// Status is the call's final status code: 200000 heard (the default),
	// 200003 no answer, 200002 busy, 200004 a bad number, 200008 no key…
	Status string
	// Key is the key pressed in an IVR call ("1", "2"), or none.
	Key      string
	Duration int // seconds; default 12 when answered
}

// MenuKey is one key of an IvrCall's menu, as received.
type MenuKey struct{ Key, Code, TtsParams string }

// Call is one call the fake accepted.
type Call struct {
	CallID     string
	Action     string // SingleCallByTts or IvrCall
	Phone      string
	ShowNumber string
	Code       string // TtsCode or StartCode
	Params     map[string]string
	Menu       []MenuKey
	ByeCode    string
	OutID      string
	PlayTimes  int
	Timeout    int // IVR key wait, ms
	At         time.Time
	Script     Script // what the fake will report for it
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	URL      string // http://127.0.0.1:port
	Endpoint string // 127.0.0.1:port, for the SDK's Domain

	opts    Options
	srv     *httptest.Server
	mu      sync.Mutex
	calls   []Call
	scripts map[string]Script
	faults  []string // codes to answer the next calls with
	seq     int
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
	s := &Server{opts: opts, scripts: map[string]Script{}}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	s.Endpoint = strings.TrimPrefix(s.srv.URL, "http://")
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Script sets what becomes of the next calls to phone.
func (s *Server) Script(phone string, sc Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[phone] = sc
}

// FailNext answers the next n placing calls with the business code (HTTP
// 200 with Code, as the provider does for isv.* codes).
func (s *Server) FailNext(code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, code)
	}
}

// Calls returns the calls accepted so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ServeHTTP implements http.Handler: the Dyvmsapi RPC endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := aliyun.ReadRPC(w, r, s.opts.AccessKeyID, s.opts.AccessKeySecret, "2017-05-25", host)
	if !ok {
		return
	}
	switch a := p.Get("Action"); a {
	case "SingleCallByTts", "IvrCall":
		s.place(w, a, p)
	case "QueryCallDetailByCallId":
		s.detail(w, p)
	default:
		aliyun.WriteError(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.", host)
	}
}

// business answers a refusal as the provider does: HTTP 200 with Code.
func (s *Server) business(w http.ResponseWriter, code, msg string) {
	aliyun.WriteJSON(w, http.StatusOK, map[string]string{"RequestId": s.requestID(), "Code": code, "Message": msg})
}

func (s *Server) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("V0F1E5A7-0000-4C0D-9E2A-%012X", s.seq)
}

// place checks and records a SingleCallByTts or an IvrCall.
func (s *Server) place(w http.ResponseWriter, action string, p url.Values) {
	c := Call{Action: action, Phone: p.Get("CalledNumber"), ShowNumber: p.Get("CalledShowNumber"),
		OutID: p.Get("OutId"), ByeCode: p.Get("ByeCode"), At: s.opts.Now()}
	paramsField := "TtsParam"
	c.Code = p.Get("TtsCode")
	if action == "IvrCall" {
		c.Code, paramsField = p.Get("StartCode"), "StartTtsParams"
	}
	if c.Phone == "" || c.Code == "" {
		s.business(w, "isv.INVALID_PARAMETERS", "CalledNumber and the template code are required")
		return
	}
	if !mobile(c.Phone) {
		s.business(w, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式不正确")
		return
	}
	if len(c.OutID) > 15 {
		s.business(w, "isv.INVALID_PARAMETERS", "OutId is longer than 15 bytes")
		return
	}
	var err error
	if c.PlayTimes, err = intParam(p, "PlayTimes", 3); err != nil || c.PlayTimes < 1 || c.PlayTimes > 3 {
		s.business(w, "isv.INVALID_PARAMETERS", "PlayTimes must be 1 to 3")
		return
	}
	if c.Params, err = decodeParams(p.Get(paramsField)); err != nil {
		s.business(w, "isv.TEMPLATE_PARAMS_ILLEGAL", err.Error())
		return
	}
	if code, msg := s.checkTemplate(c.Code, c.Params); code != "" {
		s.business(w, code, msg)
		return
	}
	if action == "IvrCall" {
		if !s.purchased(c.ShowNumber) {
			s.business(w, "isv.DISPLAY_NUMBER_ILLEGAL", "主叫号码不合法")
			return
		}
		if c.Timeout, err = intParam(p, "Timeout", 3000); err != nil || c.Timeout <= 0 {
			s.business(w, "isv.INVALID_PARAMETERS", "Timeout must be a positive number of ms")
			return
		}
		for i := 1; ; i++ {
			k := p.Get(fmt.Sprintf("MenuKeyMap.%d.Key", i))
			if k == "" {
				break
			}
			if i > 15 {
				s.business(w, "isv.INVALID_PARAMETERS", "MenuKeyMap holds more than 15 keys")
				return
			}
			m := MenuKey{Key: k, Code: p.Get(fmt.Sprintf("MenuKeyMap.%d.Code", i)), TtsParams: p.Get(fmt.Sprintf("MenuKeyMap.%d.TtsParams", i))}
			if m.Code == "" {
				s.business(w, "isv.INVALID_PARAMETERS", "a MenuKeyMap key without Code")
				return
			}
			c.Menu = append(c.Menu, m)
		}
	} else if c.ShowNumber != "" && !s.purchased(c.ShowNumber) {
		s.business(w, "isv.DISPLAY_NUMBER_ILLEGAL", "主叫号码不合法")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) > 0 {
		code := s.faults[0]
		s.faults = s.faults[1:]
		aliyun.WriteJSON(w, http.StatusOK, map[string]string{"RequestId": "F", "Code": code, "Message": "injected"})
		return
	}
	if !s.allowedLocked(c.Phone, c.At) {
		aliyun.WriteJSON(w, http.StatusOK, map[string]string{"RequestId": "L", "Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"})
		return
	}
	s.seq++
	c.CallID = fmt.Sprintf("1160%08d^1028%06d", s.seq, s.seq)
	c.Script = s.scripts[c.Phone]
	if c.Script.Status == "" {
		c.Script.Status = "200000"
	}
	if c.Script.Duration == 0 && answered(c.Script.Status) {
		c.Script.Duration = 12
	}
	s.calls = append(s.calls, c)
	aliyun.WriteJSON(w, http.StatusOK, map[string]string{"RequestId": fmt.Sprintf("R-%d", s.seq), "Code": "OK", "Message": "OK", "CallId": c.CallID})
}

// allowedLocked applies the per-number limits: 1 a minute, 5 an hour, 20
// in 24 hours, answered or not.
func (s *Server) allowedLocked(phone string, now time.Time) bool {
	for _, l := range []struct {
		n   int
		per time.Duration
	}{{1, time.Minute}, {5, time.Hour}, {20, 24 * time.Hour}} {
		n := 0
		for _, c := range s.calls {
			if c.Phone == phone && c.At.After(now.Add(-l.per)) {
				n++
			}
		}
		if n >= l.n {
			return false
		}
	}
	return true
}

// checkTemplate applies Options.Templates.
func (s *Server) checkTemplate(code string, params map[string]string) (string, string) {
	if s.opts.Templates == nil {
		return "", ""
	}
	vars, ok := s.opts.Templates[code]
	if !ok {
		return "isv.TTS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)"
	}
	for _, v := range vars {
		if _, ok := params[v]; !ok {
			return "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量 " + v
		}
	}
	n := 0
	for _, v := range params {
		n += len([]rune(v))
		if strings.Contains(v, "http") {
			return "isv.PARAM_NOT_SUPPORT_URL", "变量不支持传入URL"
		}
	}
	if n >= 250 {
		return "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"
	}
	return "", ""
}

func (s *Server) purchased(n string) bool {
	for _, x := range s.opts.ShowNumbers {
		if x == n {
			return true
		}
	}
	return false
}

// detail answers QueryCallDetailByCallId for a call the fake placed.
func (s *Server) detail(w http.ResponseWriter, p url.Values) {
	id, prod := p.Get("CallId"), p.Get("ProdId")
	date, err := strconv.ParseInt(p.Get("QueryDate"), 10, 64)
	if id == "" || prod == "" || err != nil {
		s.business(w, "isv.INVALID_PARAMETERS", "CallId, ProdId and QueryDate are required")
		return
	}
	s.mu.Lock()
	var found *Call
	for i := range s.calls {
		if s.calls[i].CallID == id {
			found = &s.calls[i]
		}
	}
	s.mu.Unlock()
	data := ""
	from := time.UnixMilli(date)
	if found != nil && (prod == ProdIVR) == (found.Action == "IvrCall") &&
		!found.At.Before(from) && found.At.Before(from.Add(24*time.Hour)) {
		start, end := found.At.Add(5*time.Second), found.At.Add(time.Duration(5+found.Script.Duration)*time.Second)
		b, _ := json.Marshal(map[string]any{
			"caller": "0571****5678", "callee": found.Phone, "state": found.Script.Status, "duration": found.Script.Duration,
			"startDate": start.In(aliyun.ChinaTime).Format(time.DateTime), "endDate": end.In(aliyun.ChinaTime).Format(time.DateTime),
		})
		data = string(b)
	}
	aliyun.WriteJSON(w, http.StatusOK, map[string]string{"RequestId": s.requestID(), "Code": "OK", "Message": "OK", "Data": data})
}

// Pushes are the app's push URLs.
type Pushes struct {
	Events  string // VoiceCallReport
	Reports string // VoiceReport
}

// Play pushes what became of the call callID, as the provider would: the
// VoiceCallReport steps (ringing, answered, the key, hung up), then the
// VoiceReport. Each push must be answered 200 with a numeric code, as the
// provider requires; Play returns the first push that was not. twice
// pushes every item a second time (the provider's repeats).
func (s *Server) Play(ctx context.Context, callID string, to Pushes, twice bool) error {
	var c *Call
	s.mu.Lock()
	for i := range s.calls {
		if s.calls[i].CallID == callID {
			c = &s.calls[i]
		}
	}
	s.mu.Unlock()
	if c == nil {
		return fmt.Errorf("voicefake: no call %s", callID)
	}
	events, report := c.pushes()
	times := 1
	if twice {
		times = 2
	}
	for range times {
		for _, e := range events {
			if err := push(ctx, to.Events, []any{e}); err != nil {
				return err
			}
		}
		if err := push(ctx, to.Reports, []any{report}); err != nil {
			return err
		}
	}
	return nil
}

// pushes returns the call's VoiceCallReport items and its VoiceReport.
func (c *Call) pushes() ([]map[string]string, map[string]string) {
	t := c.At
	stamp := func(d int) string {
		return t.Add(time.Duration(d) * time.Second).In(aliyun.ChinaTime).Format(time.DateTime)
	}
	ev := func(status string, d int) map[string]string {
		return map[string]string{"call_id": c.CallID, "out_id": c.OutID, "status_code": status, "status_time": stamp(d),
			"smart_status_code": "ANSWERED"}
	}
	events := []map[string]string{ev("200101", 0), ev("200201", 1)}
	sc := c.Script
	if answered(sc.Status) {
		events = append(events, ev("200102", 5))
		if c.Action == "IvrCall" && sc.Key != "" {
			k := ev("300000", 5+sc.Duration/2)
			k["dtmf"] = sc.Key
			events = append(events, k)
		}
	}
	events = append(events, ev("200100", 5+sc.Duration))
	report := map[string]string{
		"call_id": c.CallID, "out_id": c.OutID, "caller": "0571****5678", "callee": c.Phone,
		"status_code": sc.Status, "status_msg": statusMsg[sc.Status], "hangup_direction": "用户",
		"originate_time": stamp(0), "end_time": stamp(5 + sc.Duration), "duration": strconv.Itoa(sc.Duration),
	}
	if answered(sc.Status) {
		report["start_time"] = stamp(5)
	}
	return events, report
}

// push posts items as the provider does and checks the answer.
func push(ctx context.Context, to string, items []any) error {
	b, _ := json.Marshal(items)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("voicefake push: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var ans struct {
		Code *json.Number `json:"code"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ans) != nil || ans.Code == nil {
		return fmt.Errorf("voicefake push to %s: HTTP %d %q: the provider would push again", to, resp.StatusCode, body)
	}
	return nil
}

var statusMsg = map[string]string{
	"200000": "用户听完语音", "200001": "用户未听完语音(提前挂机)", "200002": "用户忙(占线)", "200003": "用户未接听",
	"200004": "号码不合法", "200005": "用户无法接通", "200007": "不在服务区", "200008": "获取按键超时", "200010": "关机",
	"200011": "停机",
}

func answered(status string) bool {
	return status == "200000" || status == "200001" || status == "200008"
}

// mobile accepts a mainland mobile (11 digits from 1) or a landline with
// its area code (0 and 10–11 more digits).
func mobile(n string) bool {
	if strings.Trim(n, "0123456789") != "" {
		return false
	}
	return (len(n) == 11 && n[0] == '1') || (n[0] == '0' && len(n) >= 10 && len(n) <= 12)
}

func intParam(p url.Values, name string, def int) (int, error) {
	s := p.Get(name)
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

// decodeParams reads a template's variables: a JSON object of strings (or
// numbers, which the provider accepts), "" for none.
func decodeParams(raw string) (map[string]string, error) {
	out := map[string]string{}
	if raw == "" {
		return out, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("参数不是JSON对象: %v", err)
	}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("变量 %s 不是字符串", k)
		}
	}
	return out, nil
}
