package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestLoginWait(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		failures int
		ago      time.Duration
		want     time.Duration
	}{
		{0, 0, 0},
		{2, 0, 0},
		{3, 0, 2 * time.Second},
		{3, time.Second, time.Second},
		{3, 5 * time.Second, 0},
		{4, 0, 4 * time.Second},
		{8, 0, 64 * time.Second},
		{40, 0, chorus.MaxLoginWait},
		{40, chorus.MaxLoginWait, 0},
	} {
		got := chorus.LoginWait(chorus.LoginCounts{Failures: tt.failures, Last: now.Add(-tt.ago)}, chorus.FreeUserFailures, now)
		if got != tt.want {
			t.Errorf("LoginWait(%d failures, %v ago) = %v, want %v", tt.failures, tt.ago, got, tt.want)
		}
	}
}

func TestLoginWaitError(t *testing.T) {
	if got := chorus.ErrorMessage(chorus.LoginWaitError(1500 * time.Millisecond)); got != "尝试太频繁了,请2秒后再试。" {
		t.Errorf("seconds = %q", got)
	}
	if got := chorus.ErrorMessage(chorus.LoginWaitError(90 * time.Second)); got != "尝试太频繁了,请2分钟后再试。" {
		t.Errorf("minutes = %q", got)
	}
}
