package consoletest_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_LeaveCommunity: the district admin, in 和泽苑, takes 王刚
// out of 和泽苑 alone from the 工作人员 page; he keeps 光华街. The district
// admin has no such button for themself.
func TestConsole_LeaveCommunity(t *testing.T) {
	t.Parallel()
	s := mustDistrictStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(districtUser)
	p.wait(`!document.querySelector('#switch').hidden`)
	p.set("#community-switch", "2")
	p.waitText("#status", "已切换到和泽苑社区。")
	p.route("#/staff", "工作人员")
	p.waitText("main table", staffUser)
	if eval[bool](p, `!!document.querySelector('button[aria-label="把刘洋移出本社区"]')`) {
		t.Errorf("the district admin is offered to take themself out")
	}
	p.click("把王刚移出本社区", "main")
	p.waitText("dialog[open]", "在别的社区的工作不受影响")
	p.click("移出", "dialog[open]")
	p.waitText("#status", "已把 王刚 移出和泽苑社区。")
	p.wait(`!document.querySelector('button[aria-label="把王刚移出本社区"]')`)

	list, err := s.DB.StaffList(chorus.WithScope(context.Background(), chorus.Scope{Community: 1, District: true}))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Username == staffUser && (len(m.Communities) != 1 || m.Communities[0].Community != 1) {
			t.Errorf("王刚 works for %+v; want 光华街 only", m.Communities)
		}
	}
}
