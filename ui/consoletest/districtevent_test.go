package consoletest_test

import (
	"context"
	"fmt"
	"testing"
)

// TestConsole_DistrictOpenEvent: staff open an event to the district
// (向街道开放) on its form; the list says so and the store keeps it.
func TestConsole_DistrictOpenEvent(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route(fmt.Sprintf("#/events/%d", s.Yoga.ID), "修改活动")
	p.wait(`!!document.querySelector('input[name=district_open]')`)
	if eval[bool](p, `document.querySelector('input[name=district_open]').checked`) {
		t.Fatal("the yoga class is open to the district before staff open it")
	}
	eval[bool](p, `(document.querySelector('input[name=district_open]').click(), true)`)
	p.click("保存修改", "main")
	p.waitText("#status", "已保存")
	p.waitText("main table", "向街道开放")
	ev, err := s.DB.Event(context.Background(), s.Yoga.ID)
	if err != nil || !ev.DistrictOpen {
		t.Fatalf("stored event = %+v, %v", ev, err)
	}
}
