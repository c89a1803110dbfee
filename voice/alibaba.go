package voice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyvmsapi"

	"github.com/chorus-community/chorus/internal/aliyun"
	"github.com/chorus-community/chorus/sms"
)

// DefaultEndpoint is Dyvmsapi's host.
const DefaultEndpoint = "dyvmsapi.aliyuncs.com"

// Product ids of QueryCallDetailByCallId (docs/aliyun-voice.md §3).
const (
	prodTTS = 11000000300006
	prodIVR = 11000000300005
)

// Limits of the API (docs/aliyun-voice.md §1–2).
const (
	maxOutID    = 15 // bytes
	maxMenuKeys = 15
	maxParams   = 250 // characters of all variables together
)

// AlibabaConfig configures the Alibaba Cloud caller.
type AlibabaConfig struct {
	AccessKeyID     string
	AccessKeySecret string
	// ShowNumber is the purchased number calls come from (专属模式); it
	// is required for IVR calls. Empty: 公共模式 (a number from the
	// provider's pool), TTS notifications only.
	ShowNumber string
	Region     string        // default cn-hangzhou
	Endpoint   string        // host[:port]; default DefaultEndpoint
	Scheme     string        // "https" or "http"; default https
	Timeout    time.Duration // one API call; default 10 s
	// PlayTimes is how often the message is played (1–3; 0: 2).
	PlayTimes int
	// KeyWait is how long an IVR call waits for a key (0: 8 s: older
	// listeners need time after the question).
	KeyWait time.Duration
}

// Alibaba is the Caller on Alibaba Cloud Dyvmsapi. The SDK's own retries
// are off: placing a call is not idempotent, so the outbox owns retries
// and looks a call up before placing it again.
type Alibaba struct {
	cfg  AlibabaConfig
	pool *aliyun.Pool[*dyvmsapi.Client]
}

// NewAlibaba returns a Caller for cfg, filling in defaults.
func NewAlibaba(cfg AlibabaConfig) (*Alibaba, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.PlayTimes == 0 {
		cfg.PlayTimes = 2
	}
	if cfg.KeyWait == 0 {
		cfg.KeyWait = 8 * time.Second
	}
	if cfg.PlayTimes < 1 || cfg.PlayTimes > 3 {
		return nil, fmt.Errorf("alibaba voice: play times %d: want 1 to 3", cfg.PlayTimes)
	}
	pool, err := aliyun.NewPool("alibaba voice", aliyun.Config{
		AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret,
		Region: cfg.Region, Endpoint: cfg.Endpoint, Scheme: cfg.Scheme, Timeout: cfg.Timeout,
	}, dyvmsapi.NewClientWithOptions)
	if err != nil {
		return nil, err
	}
	return &Alibaba{cfg: cfg, pool: pool}, nil
}

// Close releases idle connections.
func (a *Alibaba) Close() error { return a.pool.Close() }

// Place starts c: an IvrCall when it has a menu, else a SingleCallByTts.
// See Caller.
func (a *Alibaba) Place(ctx context.Context, c Call) (string, error) {
	params, err := paramJSON(c.Params)
	if err != nil {
		return "", err
	}
	outID := ""
	if c.ID != 0 {
		outID = strconv.FormatInt(c.ID, 10)
		if len(outID) > maxOutID {
			return "", &sms.SendError{Code: sms.CodeInvalidParams, Class: sms.ClassPermanent, Message: "out id longer than 15 digits"}
		}
	}
	var (
		resCode, resMsg, callID string
		status                  int
	)
	if len(c.Menu) == 0 {
		req := dyvmsapi.CreateSingleCallByTtsRequest()
		a.pool.Prepare(req.RpcRequest)
		req.CalledNumber = c.Phone
		req.CalledShowNumber = a.cfg.ShowNumber
		req.TtsCode = c.Code
		req.TtsParam = params
		req.PlayTimes = requests.NewInteger(a.cfg.PlayTimes)
		req.OutId = outID
		var resp *dyvmsapi.SingleCallByTtsResponse
		if err := a.call(ctx, "SingleCallByTts", func(cl *dyvmsapi.Client) (err error) {
			resp, err = cl.SingleCallByTts(req)
			return err
		}); err != nil {
			return "", err
		}
		resCode, resMsg, callID, status = resp.Code, resp.Message, resp.CallId, resp.GetHttpStatus()
	} else {
		if a.cfg.ShowNumber == "" {
			return "", &sms.SendError{Code: sms.CodeInvalidParams, Class: sms.ClassPermanent,
				Message: "an IVR call needs a purchased show number (-voice-show-number)"}
		}
		if len(c.Menu) > maxMenuKeys {
			return "", &sms.SendError{Code: sms.CodeInvalidParams, Class: sms.ClassPermanent, Message: "more than 15 menu keys"}
		}
		menu := make([]dyvmsapi.IvrCallMenuKeyMap, 0, len(c.Menu))
		for _, k := range c.Menu {
			kp, err := paramJSON(k.Params)
			if err != nil {
				return "", err
			}
			menu = append(menu, dyvmsapi.IvrCallMenuKeyMap{Key: k.Key, Code: k.Code, TtsParams: kp})
		}
		req := dyvmsapi.CreateIvrCallRequest()
		a.pool.Prepare(req.RpcRequest)
		req.CalledNumber = c.Phone
		req.CalledShowNumber = a.cfg.ShowNumber
		req.StartCode = c.Code
		req.StartTtsParams = params
		req.MenuKeyMap = &menu
		req.ByeCode = c.ByeCode
		req.PlayTimes = requests.NewInteger(a.cfg.PlayTimes)
		req.Timeout = requests.NewInteger(int(a.cfg.KeyWait / time.Millisecond))
		req.OutId = outID
		var resp *dyvmsapi.IvrCallResponse
		if err := a.call(ctx, "IvrCall", func(cl *dyvmsapi.Client) (err error) {
			resp, err = cl.IvrCall(req)
			return err
		}); err != nil {
			return "", err
		}
		resCode, resMsg, callID, status = resp.Code, resp.Message, resp.CallId, resp.GetHttpStatus()
	}
	if resCode != "OK" {
		return "", refusal(resCode, resMsg, status)
	}
	if callID == "" {
		return "", &sms.SendError{Code: sms.CodeBadResponse, Class: sms.ClassUnknown, Message: "OK without a CallId", HTTPStatus: status}
	}
	return callID, nil
}

// Detail asks QueryCallDetailByCallId, under the TTS and then the IVR
// product id. See Caller.
func (a *Alibaba) Detail(ctx context.Context, callID string, placed time.Time) (Detail, bool, error) {
	// QueryDate covers the China-time day of the call.
	lp := placed.In(aliyun.ChinaTime)
	day := time.Date(lp.Year(), lp.Month(), lp.Day(), 0, 0, 0, 0, aliyun.ChinaTime)
	for _, prod := range []int64{prodTTS, prodIVR} {
		req := dyvmsapi.CreateQueryCallDetailByCallIdRequest()
		a.pool.Prepare(req.RpcRequest)
		req.CallId = callID
		req.ProdId = requests.NewInteger64(prod)
		req.QueryDate = requests.NewInteger64(day.UnixMilli())
		var resp *dyvmsapi.QueryCallDetailByCallIdResponse
		if err := a.call(ctx, "QueryCallDetailByCallId", func(cl *dyvmsapi.Client) (err error) {
			resp, err = cl.QueryCallDetailByCallId(req)
			return err
		}); err != nil {
			return Detail{}, false, err
		}
		if resp.Code != "OK" {
			return Detail{}, false, refusal(resp.Code, resp.Message, resp.GetHttpStatus())
		}
		if strings.TrimSpace(resp.Data) == "" {
			continue
		}
		d, err := parseDetail(resp.Data)
		if err != nil {
			return Detail{}, false, &sms.SendError{Code: sms.CodeBadResponse, Class: sms.ClassUnknown, Message: err.Error()}
		}
		return d, true, nil
	}
	return Detail{}, false, nil
}

// parseDetail reads QueryCallDetailByCallId's Data, a string of JSON.
func parseDetail(data string) (Detail, error) {
	var raw struct {
		State     string      `json:"state"`
		Duration  json.Number `json:"duration"`
		StartDate string      `json:"startDate"`
		EndDate   string      `json:"endDate"`
	}
	if len(data) > 64<<10 {
		return Detail{}, errors.New("call detail too long")
	}
	if err := json.Unmarshal([]byte(data), &raw); err != nil {
		return Detail{}, fmt.Errorf("call detail: %w", err)
	}
	d := Detail{State: raw.State}
	if raw.Duration != "" {
		n, err := strconv.Atoi(raw.Duration.String())
		if err != nil || n < 0 {
			return Detail{}, fmt.Errorf("call detail: duration %q", raw.Duration)
		}
		d.Duration = n
	}
	d.Start, _ = parseTime(raw.StartDate)
	d.End, _ = parseTime(raw.EndDate)
	return d, nil
}

// parseTime reads the provider's "2006-01-02 15:04:05" in China time.
func parseTime(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", strings.TrimSpace(s), aliyun.ChinaTime)
	return t, err == nil
}

// paramJSON encodes template variables as a JSON object of strings (""
// for none), within the provider's 250 characters.
func paramJSON(p map[string]string) (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	n := 0
	for _, v := range p {
		n += len([]rune(v))
	}
	if n > maxParams {
		return "", &sms.SendError{Code: sms.CodeInvalidParams, Class: sms.ClassPermanent,
			Message: fmt.Sprintf("template variables of %d characters (at most %d)", n, maxParams)}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", &sms.SendError{Code: sms.CodeInvalidParams, Class: sms.ClassPermanent, Message: err.Error()}
	}
	return string(b), nil
}

// call runs fn and turns a failure into an *sms.SendError classified by
// the voice table.
func (a *Alibaba) call(ctx context.Context, action string, fn func(*dyvmsapi.Client) error) error {
	return sms.CallError(a.pool.Call(ctx, action, fn), Classify)
}

// refusal is a refusal in a 2xx answer (Code != "OK").
func refusal(code, msg string, status int) *sms.SendError {
	if code == "" {
		return &sms.SendError{Code: sms.CodeBadResponse, Class: sms.ClassUnknown, Message: "answer without a code", HTTPStatus: status}
	}
	return &sms.SendError{Code: code, Message: msg, HTTPStatus: status, Class: Classify(code, status)}
}
