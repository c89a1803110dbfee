package consoletest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/ui"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// mustOpsStack is mustStack with the server's version set and a backup
// schedule whose last attempt failed.
// The server's clock runs shift ahead of the page's.
func mustOpsStack(tb testing.TB, shift *atomic.Int64) *stack {
	tb.Helper()
	s := &stack{tb: tb, Clock: clocktest.Running(testStart)}
	now := func() time.Time { return s.Clock.Now().Add(time.Duration(shift.Load())) }
	st := stacktest.Start(tb, stacktest.Options{Now: now, Location: shanghai,
		Pages: append(ui.KioskRoutes(), ui.ConsoleRoutes()...),
		Configure: func(_ *sqlite.DB, srv *server.Server, _ *kiosk.Hub) {
			srv.Version = "v1.4.0"
			srv.Backups = func() chorus.BackupStatus {
				return chorus.BackupStatus{Dir: "/var/lib/chorus/backups", Problem: "数据备份失败了(磁盘已满),请联系管理员检查备份目录和磁盘空间。"}
			}
		}})
	s.DB, s.Hub, s.URL = st.DB, st.Hub, st.URL
	s.seed()
	return s
}

// TestConsole_Operations: 今日 says when backups fail; the footer names
// the version; 工作人员 lists a throttled username, an admin lifts it, and
// the audit log shows what the change sent.
func TestConsole_Operations(t *testing.T) {
	browsertest.Require(t)
	var shift atomic.Int64
	s := mustOpsStack(t, &shift)
	ctx := context.Background()
	for i := 0; i < chorus.FreeUserFailures+8; i++ { // each guess after the wait: then a wait of minutes
		s.DB.Login(ctx, staffUser, "wrong-guess", "198.51.100.7", "")
		shift.Add(int64(chorus.MaxLoginWait))
	}
	shift.Add(-int64(chorus.MaxLoginWait))
	p := openBrowser(t, s, 1280, 900)
	p.login(adminUser)
	p.waitText(".backup-problem", "数据备份失败了")
	p.waitText("#footer", "v1.4.0")
	p.route("#/staff", "工作人员")
	p.waitText("main", "密码错了几次以后")
	p.click("解除"+staffUser+"的登录限制", "main")
	p.waitText("main", "现在没有被限制的用户名或地址")
	p.waitText("main", "解除登录限制")
	p.mustSee("main", "改后", `"username":"`+staffUser+`"`)
	if _, err := s.DB.Login(ctx, staffUser, password, "198.51.100.7", ""); err != nil {
		t.Fatalf("login after the lift: %v", err)
	}
}
