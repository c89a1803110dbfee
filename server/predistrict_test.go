package server_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
)

// TestServer_PreDistrictDatabase: the whole app started on a database made
// by the code before districts (sqlite/testdata/pre-district.db, see
// TestPreDistrictUpgrade) serves it: the old admin logs in with the old
// password and the console's lists show every record of the community,
// its kiosks, its orders, its messages. The old database has no district
// admin: its admin is refused the district figures; a district admin
// created after the upgrade (as chorus user add -district does) sees them
// counted as community 1's.
func TestServer_PreDistrictDatabase(t *testing.T) {
	src, err := os.ReadFile("../sqlite/testdata/pre-district.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chorus.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(time.Date(2026, 12, 1, 11, 0, 0, 0, shanghai))
	st := stacktest.Start(t, stacktest.Options{Now: clk.Now, Location: shanghai, DBPath: path})
	e := &env{DB: st.DB, URL: st.URL, Clock: clk, Server: st.Server, Hub: st.Hub}
	admin := loginStaff(t, e, "admin", "guanghua-demo")
	c := http.DefaultClient
	for _, want := range []struct {
		path  string
		holds []string
	}{
		{"/api/community", []string{"光华街社区"}},
		{"/api/estates", []string{"光华街16号院", "邮电宿舍"}},
		{"/api/events", []string{"免费义诊", "冬季健康讲座", "公益瑜伽课"}},
		{"/api/admin/events", []string{"免费义诊", "冬季健康讲座", "公益瑜伽课"}},
		{"/api/admin/programmes", []string{"寒假托管班"}},
		{"/api/admin/orders", []string{"厨房水管漏水", "accepted"}},
		{"/api/admin/partners", []string{"宏建建筑公司", "山涤星光幼儿园"}},
		{"/api/admin/messages", []string{"isv.MOBILE_NUMBER_ILLEGAL", "submitted"}},
		{"/api/admin/kiosks", []string{"服务中心一楼", "小礼堂门口"}},
		{"/api/admin/staff", []string{"李婷", "王刚"}},
		{"/api/admin/residents/13912345678", []string{"李大爷", "李萌"}},
		{"/api/district/figures?period=year", []string{`"bookings":4`, `"attended":1`, `"no_shows":1`, `"orders_accepted":1`, `"sms_failed":1`}},
	} {
		who := admin
		if strings.HasPrefix(want.path, "/api/district/") {
			if got := do(t, c, "GET", e.URL+want.path, nil, admin); got.Status != 403 {
				t.Errorf("the old admin's GET %s = %d %s, want 403", want.path, got.Status, got.Raw)
			}
			who = e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
		}
		got := do(t, c, "GET", e.URL+want.path, nil, who)
		if got.Status != 200 {
			t.Errorf("GET %s = %d %s", want.path, got.Status, got.Raw)
			continue
		}
		for _, s := range want.holds {
			if !strings.Contains(string(got.Raw), s) {
				t.Errorf("GET %s does not hold %q: %.400s", want.path, s, got.Raw)
			}
		}
	}
	// The database answers and takes writes.
	res, err := c.Get(e.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("readyz = %d", res.StatusCode)
	}
}
