package ui_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestKiosk_DistrictOpenEvent: a kiosk of 光华街 lists the lecture 和泽苑
// opened to the district, labelled "和泽苑社区主办" (its own events carry
// no label), and not 和泽苑's events kept to itself.
func TestKiosk_DistrictOpenEvent(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	raw, err := sql.Open("sqlite3", "file:"+s.path+"?_busy_timeout=5000")
	s.must(err)
	defer raw.Close()
	_, err = raw.Exec(`INSERT INTO community (id, name, sign_name) VALUES (2, '和泽苑社区', '和泽苑社区');
		INSERT INTO places (name, address, community_id) VALUES ('和泽苑小礼堂', '和泽苑1号', 2)`)
	s.must(err)
	var hall int64
	s.must(raw.QueryRow("SELECT id FROM places WHERE community_id = 2").Scan(&hall))
	hezeyuan := chorus.WithScope(context.Background(), chorus.Scope{Community: 2})
	day := time.Date(2026, 12, 6, 9, 0, 0, 0, shanghai)
	open := &chorus.Event{Kind: chorus.ServiceLecture, Title: "靓丽星期五讲座", PlaceID: hall, CutoffMinutes: 60, DistrictOpen: true,
		Slots: []chorus.Slot{{Start: day, End: day.Add(time.Hour), Capacity: 50}}}
	inside := &chorus.Event{Kind: chorus.ServiceLecture, Title: "和泽苑内部活动", PlaceID: hall, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: day, End: day.Add(time.Hour), Capacity: 50}}}
	s.must(s.DB.CreateEvent(hezeyuan, open))
	s.must(s.DB.CreateEvent(hezeyuan, inside))

	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.waitScreen("menu")
	p.tap("#go-events")
	p.waitScreen("event/list")
	card := func(id int64) string {
		return eval[string](p, fmt.Sprintf(`(() => { const c = document.querySelector(".card[data-event='%d']"); return c ? c.innerText : ''; })()`, id))
	}
	if got := card(s.Clinic.ID); !strings.Contains(got, "免费义诊") || strings.Contains(got, "主办") {
		t.Errorf("光华街's own clinic's card: %q", got)
	}
	// Three cards a page: the lecture, the latest, is on the second.
	p.tap("下一页")
	p.mustSee("第 2 页,共 2 页")
	if got := card(open.ID); !strings.Contains(got, "靓丽星期五讲座") || !strings.Contains(got, "和泽苑社区主办") {
		t.Errorf("the district-open lecture's card: %q", got)
	}
	p.mustNotSee("和泽苑内部活动")
	p.check("district-event-list")
}
