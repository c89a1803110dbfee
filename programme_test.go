package chorus_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// invalid fails the test unless err is EINVALID with msg in its message.
func invalid(t *testing.T, err error, msg string) {
	t.Helper()
	if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), msg) {
		t.Errorf("err = %v, want EINVALID with %q", err, msg)
	}
}

// TestProgramme_Validate: a childcare programme's fields.
func TestProgramme_Validate(t *testing.T) {
	ok := func() chorus.Programme {
		return chorus.Programme{Title: "寒假托管班", Description: "每天上午\r\n写作业", PlaceID: 1, StartDate: "2027-01-18",
			EndDate: "2027-02-05", MinAge: 6, MaxAge: 12, Capacity: 20}
	}
	p := ok()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Status != chorus.EventOpen || p.Description != "每天上午\n写作业" {
		t.Errorf("not normalised: status %q description %q", p.Status, p.Description)
	}
	for _, tt := range []struct {
		name   string
		change func(*chorus.Programme)
		msg    string
	}{
		{"Title", func(p *chorus.Programme) { p.Title = "" }, "项目名称"},
		{"Place", func(p *chorus.Programme) { p.PlaceID = 0 }, "请选择地点。"},
		{"Date", func(p *chorus.Programme) { p.StartDate = "2027-1-18" }, "日期格式"},
		{"EndFirst", func(p *chorus.Programme) { p.EndDate = "2027-01-17" }, "结束日期不能早于开始日期。"},
		{"Ages", func(p *chorus.Programme) { p.MinAge, p.MaxAge = 12, 6 }, "年龄范围"},
		{"Capacity", func(p *chorus.Programme) { p.Capacity = 0 }, "名额应在1到"},
		{"Status", func(p *chorus.Programme) { p.Status = "paused" }, "状态只能是"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.change(&p)
			invalid(t, p.Validate(), tt.msg)
		})
	}
	if got := (chorus.Programme{Capacity: 5, Taken: 7}).PlacesLeft(); got != 0 {
		t.Errorf("PlacesLeft of an overfull programme = %d", got)
	}
	if got := (chorus.Programme{Capacity: 5, Taken: 2}).PlacesLeft(); got != 3 {
		t.Errorf("PlacesLeft = %d, want 3", got)
	}
}

// TestEnrolmentRequest_Validate: the children fit the programme's ages.
func TestEnrolmentRequest_Validate(t *testing.T) {
	p := &chorus.Programme{MinAge: 6, MaxAge: 12}
	ok := func() chorus.EnrolmentRequest {
		return chorus.EnrolmentRequest{Phone: "+86 138-1234-5678", Name: " 王女士 ", Children: []chorus.Child{{Name: " 小明 ", Age: 8}}}
	}
	r := ok()
	if err := r.Validate(p); err != nil {
		t.Fatal(err)
	}
	if r.Phone != "13812345678" || r.Name != "王女士" || r.Children[0].Name != "小明" {
		t.Errorf("not normalised: %+v", r)
	}
	for _, tt := range []struct {
		name   string
		change func(*chorus.EnrolmentRequest)
		msg    string
	}{
		{"NoChild", func(r *chorus.EnrolmentRequest) { r.Children = nil }, "请至少添加一个孩子。"},
		{"TooMany", func(r *chorus.EnrolmentRequest) { r.Children = make([]chorus.Child, chorus.MaxChildren+1) },
			fmt.Sprintf("一次最多报名%d个孩子。", chorus.MaxChildren)},
		{"TooYoung", func(r *chorus.EnrolmentRequest) { r.Children[0].Age = 5 }, "这个项目只收6到12岁的孩子。"},
		{"Phone", func(r *chorus.EnrolmentRequest) { r.Phone = "110" }, "手机号"},
		{"Key", func(r *chorus.EnrolmentRequest) { r.IdempotencyKey = strings.Repeat("k", 101) }, "请求编号"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok()
			tt.change(&r)
			invalid(t, r.Validate(p), tt.msg)
		})
	}
}

// TestPartner_Validate: a partner's name, kind, phones, services and hours.
func TestPartner_Validate(t *testing.T) {
	ok := func() chorus.Partner {
		return chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"139 0351 0002"},
			Services: []chorus.ServiceKind{chorus.ServiceHaircut}}
	}
	p := ok()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Phones[0] != "13903510002" || p.OpensAt != "00:00" || p.ClosesAt != "00:00" {
		t.Errorf("not normalised: %+v", p)
	}
	for _, tt := range []struct {
		name   string
		change func(*chorus.Partner)
		msg    string
	}{
		{"Name", func(p *chorus.Partner) { p.Name = "" }, "单位名称"},
		{"Kind", func(p *chorus.Partner) { p.Kind = "bank" }, "单位类型不正确。"},
		{"NoPhone", func(p *chorus.Partner) { p.Phones = nil }, "请填写1到10个联系电话。"},
		{"BadPhone", func(p *chorus.Partner) { p.Phones = []string{"12"} }, "手机号"},
		{"Service", func(p *chorus.Partner) { p.Services = []chorus.ServiceKind{"massage"} }, "服务类型不正确。"},
		{"Opens", func(p *chorus.Partner) { p.OpensAt, p.ClosesAt = "9点", "18:00" }, "营业时间格式应为 09:00。"},
		{"Closes", func(p *chorus.Partner) { p.OpensAt, p.ClosesAt = "09:00", "25:00" }, "营业时间格式应为 18:00。"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.change(&p)
			invalid(t, p.Validate(), tt.msg)
		})
	}
}
