package chorus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestOrderStatus_CanTransition: the order state machine, edge by edge.
func TestOrderStatus_CanTransition(t *testing.T) {
	all := []chorus.OrderStatus{chorus.OrderRequested, chorus.OrderDispatched, chorus.OrderAccepted, chorus.OrderDone, chorus.OrderCancelled}
	allowed := map[[2]chorus.OrderStatus]bool{
		{chorus.OrderRequested, chorus.OrderDispatched}: true, {chorus.OrderRequested, chorus.OrderAccepted}: true,
		{chorus.OrderRequested, chorus.OrderCancelled}: true, {chorus.OrderDispatched, chorus.OrderAccepted}: true,
		{chorus.OrderDispatched, chorus.OrderCancelled}: true, {chorus.OrderDispatched, chorus.OrderDispatched}: true,
		{chorus.OrderAccepted, chorus.OrderDone}: true, {chorus.OrderAccepted, chorus.OrderDispatched}: true,
		{chorus.OrderAccepted, chorus.OrderCancelled}: true,
	}
	for _, from := range all {
		if from.Label() == "" {
			t.Errorf("%s has no label", from)
		}
		for _, to := range all {
			if got, want := from.CanTransition(to), allowed[[2]chorus.OrderStatus{from, to}]; got != want {
				t.Errorf("%s → %s = %v, want %v", from, to, got, want)
			}
		}
	}
}

// TestOrder_Window: an order's time as residents and partners read it.
func TestOrder_Window(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		day  string
		half chorus.HalfDay
		want string
	}{
		{"2026-12-02", chorus.Afternoon, "12月2日周三下午"},
		{"2026-12-05", chorus.Morning, "12月5日周六上午"},
		{"not a day", chorus.Morning, "not a day"},
	}
	for _, tt := range tests {
		o := chorus.Order{Day: tt.day, HalfDay: tt.half}
		if got := o.Window(shanghai); got != tt.want {
			t.Errorf("Window(%s %s) = %q, want %q", tt.day, tt.half, got, tt.want)
		}
	}
}

// TestOrderRequest_Validate: what a home-visit request must carry.
func TestOrderRequest_Validate(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	ok := func() chorus.OrderRequest {
		return chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
			Phone: "138 1234 5678", Name: " 李大爷 ", Day: "2026-12-02", HalfDay: chorus.Morning,
			Address: chorus.Address{EstateID: 1, Building: "3", Unit: "2", Room: "502"}}}
	}
	tests := []struct {
		name   string
		change func(*chorus.OrderRequest)
		msg    string // "" when valid
	}{
		{name: "OK", change: func(*chorus.OrderRequest) {}},
		{name: "Today", change: func(r *chorus.OrderRequest) { r.Day = "2026-12-01" }},
		{name: "LastDay", change: func(r *chorus.OrderRequest) { r.Day = "2026-12-31" }},
		{name: "Kind", change: func(r *chorus.OrderRequest) { r.Kind = chorus.ServiceClinic }, msg: "订单类型"},
		{name: "Phone", change: func(r *chorus.OrderRequest) { r.Phone = "12345" }, msg: "手机号"},
		{name: "HalfDay", change: func(r *chorus.OrderRequest) { r.HalfDay = "noon" }, msg: "请选择上午或下午。"},
		{name: "NoDay", change: func(r *chorus.OrderRequest) { r.Day = "" }, msg: "请选择日期。"},
		{name: "Past", change: func(r *chorus.OrderRequest) { r.Day = "2026-11-30" }, msg: "不能选择已经过去的日期。"},
		{name: "TooFar", change: func(r *chorus.OrderRequest) { r.Day = "2027-01-01" }, msg: "最多只能预约30天以内。"},
		{name: "NoEstate", change: func(r *chorus.OrderRequest) { r.Address.EstateID = 0 }, msg: "请选择小区。"},
		{name: "LongNotes", change: func(r *chorus.OrderRequest) { r.Notes = strings.Repeat("很", 101) }, msg: "备注"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok()
			tt.change(&r)
			err := r.Validate(today)
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if r.Phone != "13812345678" || r.Name != "李大爷" {
					t.Errorf("not normalised: %q %q", r.Phone, r.Name)
				}
				return
			}
			if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v, want EINVALID with %q", err, tt.msg)
			}
		})
	}
}

// TestStaff: roles, usernames and passwords.
func TestStaff(t *testing.T) {
	admin := &chorus.Staff{Role: chorus.RoleAdmin}
	staff := &chorus.Staff{Role: chorus.RoleStaff}
	off := &chorus.Staff{Role: chorus.RoleAdmin, Disabled: true}
	for _, tt := range []struct {
		s    *chorus.Staff
		r    chorus.Role
		want bool
	}{
		{admin, chorus.RoleAdmin, true}, {admin, chorus.RoleStaff, true},
		{staff, chorus.RoleAdmin, false}, {staff, chorus.RoleStaff, true},
		{off, chorus.RoleStaff, false}, {off, chorus.RoleAdmin, false},
	} {
		if got := tt.s.Can(tt.r); got != tt.want {
			t.Errorf("%+v Can(%s) = %v, want %v", tt.s, tt.r, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name     string
		s        chorus.Staff
		password string
		msg      string
	}{
		{name: "OK", s: chorus.Staff{Username: "liting", Name: "李婷", Role: chorus.RoleStaff}, password: "长城长城长城长城"},
		{name: "Username", s: chorus.Staff{Username: "Li", Name: "李婷", Role: chorus.RoleStaff}, password: "password1", msg: "用户名"},
		{name: "Name", s: chorus.Staff{Username: "liting", Role: chorus.RoleStaff}, password: "password1", msg: "姓名"},
		{name: "Role", s: chorus.Staff{Username: "liting", Name: "李婷", Role: "boss"}, password: "password1", msg: "角色"},
		{name: "Short", s: chorus.Staff{Username: "liting", Name: "李婷", Role: chorus.RoleAdmin}, password: "1234567", msg: "密码至少要8位。"},
		{name: "Long", s: chorus.Staff{Username: "liting", Name: "李婷", Role: chorus.RoleAdmin}, password: strings.Repeat("长", 25), msg: "最多72个字节"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := chorus.ValidateStaff(&tt.s, tt.password)
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v, want EINVALID with %q", err, tt.msg)
			}
		})
	}
}

// TestParsePeriod: the periods of staff lists; empty is upcoming.
func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]chorus.Period{"": chorus.PeriodUpcoming, "past": chorus.PeriodPast,
		"today": chorus.PeriodToday, "all": chorus.PeriodAll, "cancelled": chorus.PeriodCancelled, "upcoming": chorus.PeriodUpcoming} {
		if got, err := chorus.ParsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := chorus.ParsePeriod("yesterday"); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("ParsePeriod(yesterday) = %v, want EINVALID", err)
	}
}

// TestIsCode: a check-in code is six ASCII digits.
func TestIsCode(t *testing.T) {
	for in, want := range map[string]bool{"123456": true, "000000": true, "12345": false, "1234567": false,
		"12345a": false, "１２３４５６": false, "": false} {
		if got := chorus.IsCode(in); got != want {
			t.Errorf("IsCode(%q) = %v, want %v", in, got, want)
		}
	}
}
