package chorus

import (
	"fmt"
	"time"
)

// Login throttling: each failed password makes the next try of the same
// username, address or known device wait longer, doubling each time,
// instead of refusing even the right password for a fixed time. Tries made
// while waiting are refused unchecked and do not lengthen the wait, so
// guessing gains nothing by hurrying and the owner gets in once the wait
// is over.
const (
	// LoginFailureWindow is how long a failure counts.
	LoginFailureWindow = 24 * time.Hour
	// FreeUserFailures, FreeAddrFailures and FreeDeviceFailures are the
	// failures allowed before any wait: a few typos for one account, more
	// for an address that a whole office may share behind one router.
	FreeUserFailures   = 3
	FreeAddrFailures   = 10
	FreeDeviceFailures = 5
	// loginFirstWait is the first wait; it doubles with each failure.
	loginFirstWait = 2 * time.Second
	// MaxLoginWait caps the wait: an attacker gets at most one guess this
	// often per username, and the owner never waits longer.
	MaxLoginWait = 15 * time.Minute
)

// LoginCounts are the recent failures of one key (a username, an address
// or a device) and when the last one was.
type LoginCounts struct {
	Failures int
	Last     time.Time
}

// LoginWait returns how long from now a login with these recent failures
// must still wait; 0 means it may be checked now.
func LoginWait(c LoginCounts, free int, now time.Time) time.Duration {
	if c.Failures < free {
		return 0
	}
	wait := loginFirstWait
	for i := free; i < c.Failures && wait < MaxLoginWait; i++ {
		wait *= 2
	}
	wait = min(wait, MaxLoginWait)
	left := c.Last.Add(wait).Sub(now)
	return max(left, 0)
}

// LoginWaitError is the error for a login that must wait.
func LoginWaitError(wait time.Duration) error {
	if wait < time.Minute {
		return Errorf(EFORBIDDEN, "尝试太频繁了,请%d秒后再试。", int((wait+time.Second-1)/time.Second))
	}
	return Errorf(EFORBIDDEN, "尝试太频繁了,请%d分钟后再试。", int((wait+time.Minute-1)/time.Minute))
}

// LoginResult is what a successful login gives the browser: the session
// token (cookie), the CSRF token, and the device token that marks this
// browser as one the staff member has logged in from before.
type LoginResult struct {
	Staff  *Staff
	Token  string
	CSRF   string
	Device string
}

// LoginThrottle is a username or an address that must wait before its
// next login, as admins see it in 工作人员.
type LoginThrottle struct {
	Username string    `json:"username,omitempty"`
	Addr     string    `json:"addr,omitempty"`
	Failures int       `json:"failures"`
	Until    time.Time `json:"until"`
}

// String describes the throttle for the audit log.
func (t LoginThrottle) String() string {
	if t.Username != "" {
		return fmt.Sprintf("用户名 %s", t.Username)
	}
	return fmt.Sprintf("地址 %s", t.Addr)
}
