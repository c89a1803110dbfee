package smsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Provider limits the fake enforces.
const (
	maxPhones      = 1000 // numbers in one SendSms
	maxOutIDLen    = 256  // OutId characters
	maxParamRunes  = 35   // characters of one variable (Alibaba's usual limit; unverified)
	maxPageSize    = 50   // QuerySendDetails PageSize
	queryDays      = 30   // QuerySendDetails looks back this many days
	sendDateLayout = "20060102"
)

var (
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	extendRE   = regexp.MustCompile(`^[0-9]{0,7}$`) // SmsUpExtendCode: at most 7 digits
	chinaTime  = time.FixedZone("CST", 8*60*60)
	recordTime = "2006-01-02 15:04:05"
)

// normalize strips the +86, 0086 or 86 prefix the provider accepts and
// reports whether a mainland mobile number remains.
func normalize(p string) (string, bool) {
	p = strings.TrimSpace(p)
	switch {
	case strings.HasPrefix(p, "+86"):
		p = p[3:]
	case strings.HasPrefix(p, "0086") && len(p) == 15:
		p = p[4:]
	case strings.HasPrefix(p, "86") && len(p) == 13:
		p = p[2:]
	}
	return p, mobileRE.MatchString(p)
}

// business answers a refusal the way the provider does: HTTP 200 with a
// Code other than OK.
func (s *Server) business(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusOK, map[string]string{"Code": code, "Message": msg, "RequestId": s.requestID()})
}

// sendSms checks and records a SendSms call; with hangAfter it then hangs
// instead of answering.
func (s *Server) sendSms(w http.ResponseWriter, r *http.Request, p url.Values, hangAfter bool) {
	list := strings.Split(p.Get("PhoneNumbers"), ",")
	if len(list) > maxPhones {
		s.business(w, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
		return
	}
	phones := make([]string, 0, len(list))
	for _, raw := range list {
		ph, ok := normalize(raw)
		if !ok {
			s.business(w, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
			return
		}
		phones = append(phones, ph)
	}
	sign := p.Get("SignName")
	if sign == "" || (s.opts.SignName != "" && sign != s.opts.SignName && !slices.Contains(s.opts.SignNames, sign)) {
		s.business(w, "isv.SMS_SIGN_ILLEGAL", "签名不合法(不存在或被拉黑)")
		return
	}
	code := p.Get("TemplateCode")
	vars, known := s.opts.Templates[code]
	if code == "" || (s.opts.Templates != nil && !known) {
		s.business(w, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
		return
	}
	params := map[string]string{}
	if raw := p.Get("TemplateParam"); raw != "" {
		if err := decodeParams(raw, params); err != nil {
			s.business(w, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值: "+err.Error())
			return
		}
	}
	for _, v := range vars {
		if _, ok := params[v]; !ok {
			s.business(w, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量: "+v)
			return
		}
	}
	for k, v := range params {
		if utf8.RuneCountInString(v) > maxParamRunes {
			s.business(w, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制: "+k)
			return
		}
	}
	outID := p.Get("OutId")
	if utf8.RuneCountInString(outID) > maxOutIDLen {
		s.business(w, "isv.INVALID_PARAMETERS", "OutId超出长度限制")
		return
	}
	ext := p.Get("SmsUpExtendCode")
	if !extendRE.MatchString(ext) {
		s.business(w, "isv.INVALID_PARAMETERS", "SmsUpExtendCode不合法")
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	s.seq++
	bizID := fmt.Sprintf("%d^0", 900000000000000+s.seq)
	for _, ph := range phones {
		s.sends = append(s.sends, Send{Phone: ph, SignName: sign, TemplateCode: code, Params: params,
			ParamJSON: p.Get("TemplateParam"), OutID: outID, ExtendCode: ext, BizID: bizID, At: now})
	}
	s.mu.Unlock()
	if hangAfter {
		s.hang(r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"Code": "OK", "Message": "OK", "BizId": bizID, "RequestId": s.requestID()})
}

// decodeParams reads TemplateParam: a JSON object whose values are all
// strings.
func decodeParams(raw string, into map[string]string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return fmt.Errorf("not a JSON object")
	}
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("%s is not a string", k)
		}
		into[k] = s
	}
	return nil
}

// detail is one SmsSendDetailDTO.
type detail struct {
	PhoneNum     string `json:"PhoneNum"`
	SendStatus   int    `json:"SendStatus"` // 1 waiting, 2 failed, 3 delivered
	ErrCode      string `json:"ErrCode"`
	TemplateCode string `json:"TemplateCode"`
	Content      string `json:"Content"`
	SendDate     string `json:"SendDate"`
	ReceiveDate  string `json:"ReceiveDate"`
	OutId        string `json:"OutId"`
}

// querySendDetails answers QuerySendDetails from the recorded sends older
// than Options.Lag: every one is reported delivered (SendStatus 3). The content is the sign name,
// template code and parameters, as the fake knows no template texts.
func (s *Server) querySendDetails(w http.ResponseWriter, p url.Values) {
	phone, ok := normalize(p.Get("PhoneNumber"))
	if !ok {
		s.business(w, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
		return
	}
	day, err := time.ParseInLocation(sendDateLayout, p.Get("SendDate"), chinaTime)
	now := s.opts.Now()
	if err != nil || day.Before(now.AddDate(0, 0, -queryDays-1)) {
		s.business(w, "isv.INVALID_PARAMETERS", "SendDate不合法")
		return
	}
	size, err1 := strconv.Atoi(p.Get("PageSize"))
	page, err2 := strconv.Atoi(p.Get("CurrentPage"))
	if err1 != nil || err2 != nil || size < 1 || size > maxPageSize || page < 1 {
		s.business(w, "isv.INVALID_PARAMETERS", "PageSize或CurrentPage不合法")
		return
	}
	bizID := p.Get("BizId")
	all := []detail{}
	s.mu.Lock()
	for _, x := range s.sends {
		at := x.At.In(chinaTime)
		if x.Phone != phone || at.Format(sendDateLayout) != day.Format(sendDateLayout) || (bizID != "" && x.BizID != bizID) ||
			now.Sub(x.At) < s.opts.Lag {
			continue
		}
		all = append(all, detail{PhoneNum: x.Phone, SendStatus: 3, ErrCode: "DELIVERED", TemplateCode: x.TemplateCode,
			Content:  "\u3010" + x.SignName + "\u3011" + x.TemplateCode + " " + x.ParamJSON,
			SendDate: at.Format(recordTime), ReceiveDate: at.Add(time.Second).Format(recordTime), OutId: x.OutID})
	}
	s.mu.Unlock()
	from := min((page-1)*size, len(all))
	to := min(from+size, len(all))
	writeJSON(w, http.StatusOK, map[string]any{
		"Code": "OK", "Message": "OK", "RequestId": s.requestID(), "TotalCount": len(all),
		"SmsSendDetailDTOs": map[string]any{"SmsSendDetailDTO": all[from:to]},
	})
}
