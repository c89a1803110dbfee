package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// TestVoice_OwnChannel: at a kiosk a resident switches to voice calls only
// with the phone's proof (calls ring at home); a stranger knowing the
// number cannot; a bad channel is refused in Chinese.
func TestVoice_OwnChannel(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	phone := "13812345678"
	url := e.URL + "/api/residents/channel"
	if got := do(t, c, "POST", url, map[string]any{"phone": phone, "channel": "voice"}, e.Kiosk); got.Status != http.StatusForbidden ||
		!strings.Contains(got.ErrorMessage(), "验证码") {
		t.Fatalf("without the code = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url, map[string]any{"phone": phone, "channel": "voice"}, nil); got.Status != http.StatusUnauthorized {
		t.Fatalf("without a kiosk = %d %s", got.Status, got.Raw)
	}
	if r, err := e.DB.Resident(context.Background(), phone); err == nil && r.Channel == chorus.ChannelVoice {
		t.Fatal("the channel changed without the code")
	}
	do(t, c, "POST", e.URL+"/api/verify", map[string]any{"phone": phone}, e.Kiosk)
	proof := do(t, c, "POST", e.URL+"/api/verify/check", map[string]any{"phone": phone, "code": e.lastCode(t, phone)}, e.Kiosk)
	h := map[string]string{server.ProofHeader: proof.Body["proof"].(string)}
	for k, v := range e.Kiosk {
		h[k] = v
	}
	if got := do(t, c, "POST", url, map[string]any{"phone": phone, "channel": "fax"}, h); got.Status != http.StatusBadRequest ||
		!strings.Contains(got.ErrorMessage(), "通知方式") {
		t.Fatalf("channel fax = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url, map[string]any{"phone": phone, "channel": "voice"}, h); got.Status != http.StatusOK ||
		got.Body["changed"] != true {
		t.Fatalf("with the code = %d %s", got.Status, got.Raw)
	}
	if r, err := e.DB.Resident(context.Background(), phone); err != nil || r.Channel != chorus.ChannelVoice {
		t.Fatalf("resident = %+v %v", r, err)
	}
}
