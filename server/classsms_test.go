package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestClasses_SMS, end to end through the real Alibaba SDK and smsfake: a
// kiosk enrolment in a class sends the enrolling phone its class_enrolled
// SMS with the class, 每星期四19:00, the venue and the check-in code; the
// resident's family contact gets nothing with the code. A make-up session
// texts the resident its time and place.
func TestClasses_SMS(t *testing.T) {
	e := mustServeSMS(t)
	c := http.DefaultClient
	partner := classPartner(t, e.env)
	const phone, son = "13800000001", "13900000009"
	if err := e.DB.SaveResident(t.Context(), &chorus.Resident{Phone: phone, Name: "王大爷",
		Family: []chorus.FamilyContact{{Name: "王小明", Phone: son, Relation: "儿子"}}}); err != nil {
		t.Fatal(err)
	}
	created := do(t, c, "POST", e.URL+"/api/admin/classes", classJSON(e.env, partner), e.Admin)
	if created.Status != 201 {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	id := int64(created.Body["id"].(float64))
	enrol := do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s","name":"王大爷"}`, id, phone), e.Kiosk)
	code, _ := enrol.Body["code"].(string)
	if enrol.Status != 201 || !chorus.IsCode(code) {
		t.Fatalf("enrol = %d %s", enrol.Status, enrol.Raw)
	}
	e.drain(t)
	tpl, _ := e.Cat.Template(chorus.MsgClassEnrolled)
	sends := e.sendsOf(phone, tpl.Code)
	if len(sends) != 1 {
		t.Fatalf("class_enrolled sends to the resident: %+v (all: %+v)", sends, e.Fake.Sends())
	}
	text, err := e.Cat.Render(chorus.MsgClassEnrolled, sends[0].Params)
	if want := "您已报名书法班,每星期四19:00上课,地点社区活动室,签到码" + code + ",每次上课出示或输入。"; err != nil || text != want {
		t.Fatalf("text %q, %v; want %q", text, err, want)
	}
	for _, s := range e.Fake.Sends() {
		if s.Phone == son {
			t.Errorf("the son got %s %v: a code checks anyone in", s.TemplateCode, s.Params)
		}
	}

	got := do(t, c, "POST", fmt.Sprintf("%s/api/admin/classes/%d/sessions", e.URL, id), map[string]any{"date": "2026-12-05"}, e.Admin)
	if got.Status != 201 {
		t.Fatalf("make-up = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	tpl, _ = e.Cat.Template(chorus.MsgSessionMakeup)
	if sends := e.sendsOf(phone, tpl.Code); len(sends) != 1 || sends[0].Params["time"] != "12月5日周六19:00" || sends[0].Params["place"] != "社区活动室" {
		t.Fatalf("session_makeup sends: %+v", sends)
	}

	// PUT 修改课程 (issue 19): a new title texts nobody; a new weekday and
	// time texts the resident what changed, from which date.
	tpl, _ = e.Cat.Template(chorus.MsgClassChanged)
	if got := do(t, c, "PUT", fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id), map[string]any{"title": "周四书法班"}, e.Admin); got.Status != 200 {
		t.Fatalf("rename = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	if sends := e.sendsOf(phone, tpl.Code); len(sends) != 0 {
		t.Fatalf("a new title texted %+v", sends)
	}
	if got := do(t, c, "PUT", fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id), map[string]any{"weekday": 6, "start_time": "09:30", "end_time": "11:00"}, e.Admin); got.Status != 200 {
		t.Fatalf("move = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	sends = e.sendsOf(phone, tpl.Code)
	if len(sends) != 1 {
		t.Fatalf("class_changed sends: %+v", sends)
	}
	text, err = e.Cat.Render(chorus.MsgClassChanged, sends[0].Params)
	if want := "周四书法班上课安排有变:自12月5日起每星期六09:30上课,地点社区活动室。"; err != nil || text != want {
		t.Fatalf("class_changed text %q, %v; want %q", text, err, want)
	}
}
