package aliyun_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyvmsapi"

	"github.com/chorus-community/chorus/internal/aliyun"
)

const secret = "test-secret"

// newPool returns a Dyvmsapi pool pointed at addr over HTTP.
func newPool(t *testing.T, addr string) *aliyun.Pool[*dyvmsapi.Client] {
	t.Helper()
	p, err := aliyun.NewPool("voice", aliyun.Config{AccessKeyID: "id", AccessKeySecret: secret, Endpoint: addr, Scheme: "http"},
		dyvmsapi.NewClientWithOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func call(p *aliyun.Pool[*dyvmsapi.Client], ctx context.Context) error {
	req := dyvmsapi.CreateSingleCallByTtsRequest()
	p.Prepare(req.RpcRequest)
	req.CalledNumber = "13800001111"
	req.TtsCode = "TTS_1"
	return p.Call(ctx, "SingleCallByTts", func(c *dyvmsapi.Client) error {
		_, err := c.SingleCallByTts(req)
		return err
	})
}

// TestVerify: the real SDK's signature verifies; a changed parameter or
// another secret does not.
func TestVerify(t *testing.T) {
	got := make(chan bool, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		_, ok := aliyun.Verify(r.Method, r.Form, secret)
		_, other := aliyun.Verify(r.Method, r.Form, "other")
		r.Form.Set("CalledNumber", "13800002222")
		_, changed := aliyun.Verify(r.Method, r.Form, secret)
		got <- ok && !other && !changed
		w.Write([]byte(`{"Code":"OK","CallId":"1^2"}`))
	}))
	defer srv.Close()
	if err := call(newPool(t, strings.TrimPrefix(srv.URL, "http://")), context.Background()); err != nil {
		t.Fatal(err)
	}
	if !<-got {
		t.Error("the SDK's signature did not verify, or a wrong one did")
	}
}

// TestCall_Errors: a refusal keeps the provider's code; a closed port was
// never sent; a caller giving up may have been accepted.
func TestCall_Errors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("CalledNumber") == "13800001111" && r.Header.Get("X-Hang") == "" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"号码不合法"}`))
			return
		}
	}))
	defer srv.Close()
	var ae *aliyun.Error
	err := call(newPool(t, strings.TrimPrefix(srv.URL, "http://")), context.Background())
	if !errors.As(err, &ae) || ae.Kind != aliyun.Refused || ae.Code != "isv.MOBILE_NUMBER_ILLEGAL" || ae.HTTPStatus != 400 {
		t.Errorf("refusal = %#v", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	err = call(newPool(t, closed), context.Background())
	if !errors.As(err, &ae) || ae.Kind != aliyun.NotSent {
		t.Errorf("closed port = %#v", err)
	}

	// A server that never answers, and a caller that gives up.
	hang := make(chan struct{})
	defer close(hang)
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- call(newPool(t, strings.TrimPrefix(stuck.URL, "http://")), ctx) }()
	cancel()
	err = <-done
	if !errors.As(err, &ae) || ae.Kind != aliyun.Maybe || ae.Code != aliyun.CodeTimeout {
		t.Errorf("gave up = %#v", err)
	}
}

func TestNewPool_Config(t *testing.T) {
	for name, cfg := range map[string]aliyun.Config{
		"no key":       {AccessKeySecret: "s", Endpoint: "x"},
		"no endpoint":  {AccessKeyID: "k", AccessKeySecret: "s"},
		"url endpoint": {AccessKeyID: "k", AccessKeySecret: "s", Endpoint: "https://x/"},
		"bad scheme":   {AccessKeyID: "k", AccessKeySecret: "s", Endpoint: "x", Scheme: "ftp"},
	} {
		if _, err := aliyun.NewPool("voice", cfg, dyvmsapi.NewClientWithOptions); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
