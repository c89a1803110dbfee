package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// onTime is how soon after its time a slot closing or an announcement
// leaving must reach the screens (issue 13, point 7).
const onTime = time.Second

// realTime returns when, by the wall clock, the stack's clock reads t.
func (s *stack) realTime(t time.Time) time.Time { return time.Now().Add(t.Sub(s.Clock.Now())) }

// TestKiosk_OnTime: a slot shown on the screen turns 已停止预约 within a
// second of its cut-off, and an announcement on an idle screen leaves
// within a second of its expiry, with no touch and no staff action.
func TestKiosk_OnTime(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openKiosk(t, s, pageOpts{})

	// An announcement that expires in 3 s, on the idle welcome screen.
	gone := s.Clock.Now().Add(3 * time.Second)
	a := &chorus.Announcement{Text: "三秒钟的通知", ExpiresAt: gone}
	s.must(s.DB.CreateAnnouncement(ctx, a))
	s.Hub.Announce(*a)
	p.wait(`document.querySelector('#main').textContent.includes('三秒钟的通知')`)
	eval[bool](p, `(() => {
  window.__goneAt = 0;
  new MutationObserver(() => {
    if (!window.__goneAt && !document.querySelector('#main').textContent.includes('三秒钟的通知')) window.__goneAt = Date.now();
  }).observe(document.querySelector('#main'), { childList: true, subtree: true, characterData: true });
  return true;
})()`)
	p.waitUpTo(`window.__goneAt`, 10*time.Second)
	late := time.UnixMilli(int64(eval[float64](p, `window.__goneAt`))).Sub(s.realTime(gone))
	t.Logf("the announcement left the screen %v after it expired", late.Round(time.Millisecond))
	if late > onTime {
		t.Errorf("the announcement left %v after it expired; want within %v", late, onTime)
	}

	// A slot whose booking closes in 4 s (its start 60 min and 4 s away,
	// the cut-off 60 min), on the slot screen.
	closes := s.Clock.Now().Add(4 * time.Second)
	start := closes.Add(60 * time.Minute)
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "快截止的讲座", PlaceID: s.Room, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: start, End: start.Add(time.Hour), Capacity: 10}}}
	s.must(s.DB.CreateEvent(ctx, ev))
	p.wait(fmt.Sprintf(`K.event(%d)`, ev.ID))
	p.tap("开始")
	p.tap("#go-events")
	p.tap(fmt.Sprintf(".card[data-event='%d']", ev.ID))
	p.waitScreen("event/slot")
	slot := fmt.Sprintf(`document.querySelector("[data-slot='%d']")`, ev.Slots[0].ID)
	p.mustSee("还剩 10 个")
	eval[bool](p, `(() => {
  window.__closedAt = 0;
  const b = `+slot+`;
  new MutationObserver(() => {
    if (!window.__closedAt && b.textContent.includes('已停止预约')) window.__closedAt = Date.now();
  }).observe(b, { childList: true, subtree: true, characterData: true });
  return true;
})()`)
	p.waitUpTo(`window.__closedAt`, 10*time.Second)
	late = time.UnixMilli(int64(eval[float64](p, `window.__closedAt`))).Sub(s.realTime(closes))
	t.Logf("the slot showed 已停止预约 %v after its cut-off", late.Round(time.Millisecond))
	if late > onTime || late < 0 {
		t.Errorf("the slot closed on the screen %v after its cut-off; want within %v", late, onTime)
	}
	if !eval[bool](p, slot+`.disabled`) {
		t.Errorf("the closed slot can still be tapped")
	}
}
