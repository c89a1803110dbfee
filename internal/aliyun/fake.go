package aliyun

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// ReadRPC is the envelope check of a local fake of an RPC-style product:
// it reads the request's parameters (query and form, at most 1 MiB),
// checks the access key, the signature and the API version, and answers
// the product's gateway error when one fails (host names the product in
// that answer). ok is false when it has answered.
func ReadRPC(w http.ResponseWriter, r *http.Request, keyID, secret, version, host string) (params url.Values, ok bool) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		WriteError(w, http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "This http method is not supported.", host)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		WriteError(w, http.StatusBadRequest, "InvalidParameter", "The request body cannot be read.", host)
		return nil, false
	}
	params = url.Values{}
	for k, v := range r.URL.Query() {
		params[k] = v
	}
	for k, v := range r.PostForm {
		params[k] = append(params[k], v...)
	}
	if params.Get("AccessKeyId") != keyID {
		WriteError(w, http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.", host)
		return nil, false
	}
	if sts, ok := Verify(r.Method, params, secret); !ok {
		WriteError(w, http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+sts, host)
		return nil, false
	}
	if params.Get("Version") != version {
		WriteError(w, http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.", host)
		return nil, false
	}
	return params, true
}

// WriteError answers a gateway error in the SDK's error JSON shape.
func WriteError(w http.ResponseWriter, status int, code, msg, host string) {
	product := map[string]string{"dysmsapi.aliyuncs.com": "Dysmsapi", "dyvmsapi.aliyuncs.com": "Dyvmsapi"}[host]
	WriteJSON(w, status, map[string]string{
		"RequestId": "C0F1E5A7-0000-4C0D-9E2A-000000000000", "HostId": host,
		"Code": code, "Message": msg,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=" + product,
	})
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
