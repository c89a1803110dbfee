package chorus

import (
	"fmt"
	"time"
)

// BackupStatus is how the scheduled backups are doing, for 今日 and the
// metrics.
type BackupStatus struct {
	Dir       string        `json:"dir,omitempty"` // empty: scheduled backups are off
	Every     time.Duration `json:"-"`
	LastOK    time.Time     `json:"last_ok,omitzero"`
	LastFile  string        `json:"last_file,omitempty"`
	LastError string        `json:"last_error,omitempty"`
	ErrorAt   time.Time     `json:"error_at,omitzero"`
	// Problem is what staff should know, in plain Chinese; empty when
	// all is well (see BackupProblem).
	Problem string `json:"problem,omitempty"`
}

// BackupProblem says what is wrong with the backups at now, or "": the
// last attempt failed, or none has succeeded for two intervals since
// started (when backups have been running that long).
func BackupProblem(s BackupStatus, started, now time.Time) string {
	if s.Dir == "" || s.Every <= 0 {
		return ""
	}
	if !s.ErrorAt.IsZero() && s.ErrorAt.After(s.LastOK) {
		return fmt.Sprintf("数据备份失败了(%s),请联系管理员检查备份目录和磁盘空间。", s.LastError)
	}
	since := s.LastOK
	if since.IsZero() {
		since = started
	}
	if now.Sub(since) > 2*s.Every {
		return "已经很久没有成功备份数据了,请联系管理员检查。"
	}
	return ""
}
