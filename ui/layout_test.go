package ui_test

import (
	"context"
	"fmt"
	"testing"
)

// TestKiosk_EnrolManyChildren (issue 13, point 1): on the 托管 confirm
// screen 确认报名 stays whole on the screen with 1 to 6 children, at every
// text size, landscape and portrait (the audit checks the primary action
// of every screen); with 6 children at 特大 in portrait it is tapped and
// enrols all six.
func TestKiosk_EnrolManyChildren(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	for _, portrait := range []bool{false, true} {
		p := openKiosk(t, s, pageOpts{portrait: portrait})
		phone := phoneNew
		if portrait {
			phone = phoneOther
		}
		p.tap("开始")
		p.tap("#go-enrol")
		p.tap(".card") // 寒假托管班, the first
		p.typeDigits(phone)
		p.tap("确定")
		p.tap("7岁")
		p.waitScreen("enrol/confirm")
		for n := 1; n <= 6; n++ {
			eval[bool](p, fmt.Sprintf(`(K.session.d.children = Array.from({length: %d}, (_, i) => ({name: '', age: 4 + i})), K.render(), true)`, n))
			for size := 0; size <= 2; size++ {
				eval[bool](p, fmt.Sprintf(`(K.setSize(%d, false), true)`, size))
				p.audit(fmt.Sprintf("enrol/confirm with %d children at text size %d", n, size))
			}
		}
		name := "35-enrol-confirm-6-children"
		if portrait {
			name += "-portrait"
		}
		p.shot(name)
		p.tap("确认报名")
		p.waitScreen("enrol/done")
		list, err := s.DB.Enrolments(context.Background(), s.Care.ID, phone)
		if err != nil || len(list) != 1 || len(list[0].Children) != 6 {
			t.Errorf("enrolments of %s: %+v, %v; want one of 6 children", phone, list, err)
		}
	}
}
