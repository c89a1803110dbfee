package aliyun

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strings"
)

// Verify recomputes the RPC v1 signature of a request's parameters (query
// and form, Signature among them): Base64(HMAC-SHA1(secret+"&",
// METHOD&%2F&escape(canonical query))). It returns the string it signed,
// for a fake's error message, and whether the signature matches. The
// local fakes of Dysmsapi and Dyvmsapi check every request with it.
func Verify(method string, params url.Values, secret string) (string, bool) {
	got := params.Get("Signature")
	sts := StringToSign(method, params)
	return sts, got != "" && hmac.Equal([]byte(got), []byte(Sign(sts, secret)))
}

// StringToSign is the canonical string of params (all but Signature).
func StringToSign(method string, params url.Values) string {
	rest := url.Values{}
	for k, v := range params {
		if k != "Signature" {
			rest[k] = v
		}
	}
	canon := rest.Encode()
	canon = strings.ReplaceAll(canon, "+", "%20")
	canon = strings.ReplaceAll(canon, "*", "%2A")
	canon = strings.ReplaceAll(canon, "%7E", "~")
	return method + "&%2F&" + url.QueryEscape(canon)
}

// Sign returns the signature of a string to sign.
func Sign(stringToSign, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
