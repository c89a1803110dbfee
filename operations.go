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

// Why the database takes no writes, as the store classifies a failed write
// check (/readyz).
const (
	WriteDiskFull = "disk_full"
	WriteReadOnly = "read_only"
	WriteIOError  = "io_error"
	WriteTimeout  = "timeout"
	WriteFailed   = "failed"
)

// WriteProblemMessage says in plain Chinese why the database takes no
// writes.
func WriteProblemMessage(kind string) string {
	switch kind {
	case WriteDiskFull:
		return "磁盘已满,数据写不进去。"
	case WriteReadOnly:
		return "数据库是只读的,数据写不进去。"
	case WriteIOError:
		return "磁盘读写出错,数据写不进去。"
	case WriteTimeout:
		return "数据库写入太慢,没有按时完成。"
	}
	return "数据库暂时写不进去。"
}
