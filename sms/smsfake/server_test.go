package smsfake_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// sign adds the SDK's common parameters and the signature to p, as
// docs/aliyun-sms.md describes, and returns the query string.
func sign(method string, p url.Values, secret string) string {
	p.Set("Version", "2017-05-25")
	p.Set("Format", "JSON")
	p.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureType", "")
	p.Set("SignatureNonce", "nonce-"+time.Now().Format("150405.000000000"))
	p.Set("RegionId", "cn-hangzhou")
	if p.Get("AccessKeyId") == "" {
		p.Set("AccessKeyId", smsfake.DefaultAccessKeyID)
	}
	canon := strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(p.Encode())
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(method + "&%2F&" + url.QueryEscape(canon)))
	p.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return p.Encode()
}

// call posts a signed request and returns the status and decoded body.
func call(t *testing.T, s *smsfake.Server, query string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.URL+"/?"+query, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func sendParams(phone, outID string) url.Values {
	return url.Values{"Action": {"SendSms"}, "PhoneNumbers": {phone}, "SignName": {"光华街社区"},
		"TemplateCode": {"SMS_1"}, "TemplateParam": {`{"code":"123456","note":"a+b * ~c"}`}, "OutId": {outID}}
}

func TestServer_Signature(t *testing.T) {
	s := smsfake.New(smsfake.Options{})
	defer s.Close()

	t.Run("OK", func(t *testing.T) {
		status, body := call(t, s, sign("POST", sendParams("+8613812345678", "1"), smsfake.DefaultAccessKeySecret))
		if status != 200 || body["Code"] != "OK" || body["BizId"] == "" {
			t.Fatalf("status %d body %v", status, body)
		}
		if got := s.Sends(); len(got) != 1 || got[0].Phone != "13812345678" || got[0].Params["note"] != "a+b * ~c" {
			t.Errorf("sends = %+v", got)
		}
	})
	t.Run("ErrWrongSecret", func(t *testing.T) {
		status, body := call(t, s, sign("POST", sendParams("13812345678", "2"), "wrong"))
		if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
			t.Errorf("status %d body %v", status, body)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		q, _ := url.ParseQuery(sign("POST", sendParams("13812345678", "3"), smsfake.DefaultAccessKeySecret))
		q.Set("PhoneNumbers", "13900000000") // changed after signing
		status, body := call(t, s, q.Encode())
		if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
			t.Errorf("status %d body %v", status, body)
		}
	})
	t.Run("ErrWrongMethod", func(t *testing.T) {
		status, body := call(t, s, sign("GET", sendParams("13812345678", "4"), smsfake.DefaultAccessKeySecret))
		if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
			t.Errorf("status %d body %v", status, body)
		}
	})
	t.Run("ErrUnsigned", func(t *testing.T) {
		q, _ := url.ParseQuery(sign("POST", sendParams("13812345678", "5"), smsfake.DefaultAccessKeySecret))
		q.Del("Signature")
		if status, _ := call(t, s, q.Encode()); status != 400 {
			t.Errorf("status %d, want 400", status)
		}
	})
	if n := s.Count(); n != 1 {
		t.Errorf("fake recorded %d sends, want only the signed one", n)
	}
}

func TestServer_SendSms(t *testing.T) {
	s := smsfake.New(smsfake.Options{SignName: "光华街社区", Templates: map[string][]string{"SMS_1": {"code"}}})
	defer s.Close()
	for _, tt := range []struct {
		name string
		edit func(url.Values)
		code string
	}{
		{"OK", func(url.Values) {}, "OK"},
		{"TwoPhones", func(p url.Values) { p.Set("PhoneNumbers", "13812345678,008613912345678") }, "OK"},
		{"ErrPhone", func(p url.Values) { p.Set("PhoneNumbers", "1381234567") }, "isv.MOBILE_NUMBER_ILLEGAL"},
		{"ErrOnePhoneOfTwo", func(p url.Values) { p.Set("PhoneNumbers", "13812345678,23812345678") }, "isv.MOBILE_NUMBER_ILLEGAL"},
		{"ErrSign", func(p url.Values) { p.Set("SignName", "别的社区") }, "isv.SMS_SIGN_ILLEGAL"},
		{"ErrNoSign", func(p url.Values) { p.Del("SignName") }, "isv.SMS_SIGN_ILLEGAL"},
		{"ErrTemplate", func(p url.Values) { p.Set("TemplateCode", "SMS_2") }, "isv.SMS_TEMPLATE_ILLEGAL"},
		{"ErrNumberValue", func(p url.Values) { p.Set("TemplateParam", `{"code":123456}`) }, "isv.INVALID_JSON_PARAM"},
		{"ErrNotJSON", func(p url.Values) { p.Set("TemplateParam", `code=1`) }, "isv.INVALID_JSON_PARAM"},
		{"ErrMissingVar", func(p url.Values) { p.Set("TemplateParam", `{"other":"1"}`) }, "isv.TEMPLATE_MISSING_PARAMETERS"},
		{"ErrLongVar", func(p url.Values) {
			p.Set("TemplateParam", `{"code":"`+strings.Repeat("长", 36)+`"}`)
		}, "isv.PARAM_LENGTH_LIMIT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := sendParams("13812345678", "7")
			tt.edit(p)
			status, body := call(t, s, sign("POST", p, smsfake.DefaultAccessKeySecret))
			if status != 200 || body["Code"] != tt.code {
				t.Errorf("status %d body %v, want code %s", status, body, tt.code)
			}
		})
	}
	if got := s.Count(); got != 3 {
		t.Errorf("Count = %d, want 3 (one, then two numbers)", got)
	}
}

func TestServer_QuerySendDetails(t *testing.T) {
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // 10:00 in China
	s := smsfake.New(smsfake.Options{Now: func() time.Time { return now }})
	defer s.Close()
	var biz string
	for i, ph := range []string{"13812345678", "13812345678", "13912345678"} {
		_, body := call(t, s, sign("POST", sendParams(ph, string(rune('a'+i))), smsfake.DefaultAccessKeySecret))
		if i == 1 {
			biz, _ = body["BizId"].(string)
		}
	}
	query := func(phone, date, bizID, size, page string) (int, map[string]any) {
		p := url.Values{"Action": {"QuerySendDetails"}, "PhoneNumber": {phone}, "SendDate": {date},
			"PageSize": {size}, "CurrentPage": {page}}
		if bizID != "" {
			p.Set("BizId", bizID)
		}
		return call(t, s, sign("POST", p, smsfake.DefaultAccessKeySecret))
	}
	outIDs := func(body map[string]any) []string {
		var out []string
		dtos, _ := body["SmsSendDetailDTOs"].(map[string]any)
		list, _ := dtos["SmsSendDetailDTO"].([]any)
		for _, d := range list {
			m := d.(map[string]any)
			if m["SendStatus"] != float64(3) {
				t.Errorf("SendStatus = %v, want 3", m["SendStatus"])
			}
			out = append(out, m["OutId"].(string))
		}
		return out
	}
	for _, tt := range []struct {
		name, phone, date, biz, size, page string
		total                              float64
		want                               string
	}{
		{"All", "13812345678", "20261205", "", "50", "1", 2, "a,b"},
		{"Page2", "13812345678", "20261205", "", "1", "2", 2, "b"},
		{"PastEnd", "13812345678", "20261205", "", "50", "2", 2, ""},
		{"ByBizId", "13812345678", "20261205", biz, "50", "1", 1, "b"},
		{"OtherDay", "13812345678", "20261204", "", "50", "1", 0, ""},
		{"OtherPhone", "13912345678", "20261205", "", "50", "1", 1, "c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := query(tt.phone, tt.date, tt.biz, tt.size, tt.page)
			if status != 200 || body["Code"] != "OK" || body["TotalCount"] != tt.total {
				t.Fatalf("status %d body %v", status, body)
			}
			if got := strings.Join(outIDs(body), ","); got != tt.want {
				t.Errorf("out ids = %q, want %q", got, tt.want)
			}
		})
	}
	for _, tt := range []struct{ name, phone, date, size string }{
		{"ErrPageSize", "13812345678", "20261205", "51"},
		{"ErrDate", "13812345678", "2026-12-05", "10"},
		{"ErrTooOld", "13812345678", "20261001", "10"},
		{"ErrPhone", "138", "20261205", "10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, body := query(tt.phone, tt.date, "", tt.size, "1"); body["Code"] == "OK" {
				t.Errorf("body %v, want a refusal", body)
			}
		})
	}
}

func TestServer_Hang(t *testing.T) {
	s := smsfake.New(smsfake.Options{})
	defer s.Close()
	s.HangNext(2, false)
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			resp, err := http.Post(s.URL+"/?"+sign("POST", sendParams("13812345678", string(rune('0'+i))), smsfake.DefaultAccessKeySecret),
				"application/x-www-form-urlencoded", nil)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitHanging(ctx, 2); err != nil {
		t.Fatal(err)
	}
	s.Release()
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("a released call got an answer; want the connection cut")
		}
	}
	if s.Hanging() != 0 || s.Count() != 0 || s.Calls("SendSms") != 2 {
		t.Errorf("hanging %d, count %d, calls %d", s.Hanging(), s.Count(), s.Calls("SendSms"))
	}
}

// TestServer_Lag: QuerySendDetails answers only from what the fake
// accepted, and each send only once Lag has passed, as the provider's
// records lag behind SendSms.
func TestServer_Lag(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC))
	s := smsfake.New(smsfake.Options{Now: clock.Now, Lag: time.Minute})
	defer s.Close()
	call(t, s, sign("POST", sendParams("13812345678", "7"), smsfake.DefaultAccessKeySecret))
	query := func() float64 {
		p := url.Values{"Action": {"QuerySendDetails"}, "PhoneNumber": {"13812345678"}, "SendDate": {"20261205"},
			"PageSize": {"50"}, "CurrentPage": {"1"}}
		_, body := call(t, s, sign("POST", p, smsfake.DefaultAccessKeySecret))
		n, _ := body["TotalCount"].(float64)
		return n
	}
	if n := query(); n != 0 {
		t.Errorf("right after the send: %v records, want none yet", n)
	}
	clock.Add(time.Minute)
	if n := query(); n != 1 {
		t.Errorf("a minute later: %v records, want 1", n)
	}
}

// TestServer_LostReply: LoseNext accepts and records a send and never
// answers; the extend code is recorded and checked (digits, at most 7).
func TestServer_LostReply(t *testing.T) {
	s := smsfake.New(smsfake.Options{})
	defer s.Close()
	s.LoseNext(1)
	p := sendParams("13812345678", "1")
	p.Set("SmsUpExtendCode", "0000001")
	client := &http.Client{Timeout: 200 * time.Millisecond}
	if resp, err := client.Post(s.URL+"/?"+sign("POST", p, smsfake.DefaultAccessKeySecret), "application/x-www-form-urlencoded", nil); err == nil {
		resp.Body.Close()
		t.Fatal("a lost reply answered")
	}
	if got := s.Sends(); len(got) != 1 || got[0].ExtendCode != "0000001" {
		t.Fatalf("sends = %+v, want the send recorded with its extend code", got)
	}
	for _, ext := range []string{"12345678", "12a"} {
		p := sendParams("13812345678", "2")
		p.Set("SmsUpExtendCode", ext)
		if _, body := call(t, s, sign("POST", p, smsfake.DefaultAccessKeySecret)); body["Code"] != "isv.INVALID_PARAMETERS" {
			t.Errorf("extend code %q: %v, want a refusal", ext, body)
		}
	}
}
