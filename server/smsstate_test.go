package server_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestSMS_RequestState: GET /api/sms follows a booking's SMS from queued
// to submitted once the worker hands it to the provider; another phone
// learns nothing; a request named wrongly is refused in words.
func TestSMS_RequestState(t *testing.T) {
	e := mustServeSMS(t)
	ev := e.MustEvent(t, 1, 6, true)
	id := e.book(t, ev, 0, "13812345678")
	state := func(query string) response {
		t.Helper()
		return do(t, http.DefaultClient, "GET", e.URL+"/api/sms?"+query, nil, e.Kiosk)
	}
	own := fmt.Sprintf("booking=%d&phone=13812345678", id)
	if got := state(own); got.Status != 200 || got.Body["sms"] != "queued" {
		t.Fatalf("before the worker: %d %s, want queued", got.Status, got.Raw)
	}
	e.drain(t)
	if got := state(own); got.Status != 200 || got.Body["sms"] != "submitted" {
		t.Errorf("after the worker: %d %s, want submitted", got.Status, got.Raw)
	}
	if got := state(fmt.Sprintf("booking=%d&phone=13912345678", id)); got.Status != 200 || got.Body["sms"] != "" {
		t.Errorf("another phone: %d %s, want nothing", got.Status, got.Raw)
	}
	if got := state("phone=13812345678"); got.ErrorCode() != "invalid" {
		t.Errorf("no request named: %d %s", got.Status, got.Raw)
	}
	if got := do(t, http.DefaultClient, "GET", e.URL+"/api/sms?"+own, nil, nil); got.Status != 401 {
		t.Errorf("without a kiosk's token: %d %s", got.Status, got.Raw)
	}
}
