package chorus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestKiosk_Validate: a kiosk's name, place, mode and settings; each mode
// keeps only the fields it uses.
func TestKiosk_Validate(t *testing.T) {
	ok := func() chorus.Kiosk { return chorus.Kiosk{Name: " 活动室一号机 ", PlaceID: 1} }
	k := ok()
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	if k.Name != "活动室一号机" || k.Mode.Kind != chorus.KioskBooking || k.Settings.IdleSeconds != chorus.DefaultIdleSeconds {
		t.Errorf("not normalised: %+v", k)
	}
	if chorus.DefaultKioskSettings() != k.Settings {
		t.Errorf("defaults %+v, validated %+v", chorus.DefaultKioskSettings(), k.Settings)
	}
	checkin := ok()
	checkin.Mode = chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: 7, Message: "x", EventTitle: "免费义诊"}
	if err := checkin.Validate(); err != nil || checkin.Mode.Message != "" || checkin.Mode.EventTitle != "" || checkin.Mode.EventID != 7 {
		t.Errorf("check-in mode = %+v, %v", checkin.Mode, err)
	}
	class := ok()
	class.Mode = chorus.KioskMode{Kind: chorus.KioskCheckin, ClassID: 3, EventTitle: "书法班"}
	if err := class.Validate(); err != nil || class.Mode.ClassID != 3 || class.Mode.EventID != 0 || class.Mode.EventTitle != "" {
		t.Errorf("check-in mode for a class = %+v, %v", class.Mode, err)
	}
	closed := ok()
	closed.Mode = chorus.KioskMode{Kind: chorus.KioskClosed, EventID: 7, Message: " 今天下午休息 "}
	if err := closed.Validate(); err != nil || closed.Mode.Message != "今天下午休息" || closed.Mode.EventID != 0 {
		t.Errorf("closed mode = %+v, %v", closed.Mode, err)
	}
	booking := ok()
	booking.Mode = chorus.KioskMode{Kind: chorus.KioskBooking, EventID: 7, Message: "x"}
	if err := booking.Validate(); err != nil || booking.Mode.EventID != 0 || booking.Mode.Message != "" {
		t.Errorf("booking mode = %+v, %v", booking.Mode, err)
	}
	for _, tt := range []struct {
		name   string
		change func(*chorus.Kiosk)
		msg    string
	}{
		{"Name", func(k *chorus.Kiosk) { k.Name = " " }, "自助机名称"},
		{"Place", func(k *chorus.Kiosk) { k.PlaceID = 0 }, "请选择自助机所在的地点。"},
		{"Mode", func(k *chorus.Kiosk) { k.Mode.Kind = "party" }, "自助机模式只能是"},
		{"CheckinEvent", func(k *chorus.Kiosk) { k.Mode.Kind = chorus.KioskCheckin }, "签到模式要选一个活动或一门课程。"},
		{"CheckinBoth", func(k *chorus.Kiosk) { k.Mode = chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: 7, ClassID: 3} }, "签到模式要选一个活动或一门课程。"},
		{"ClosedMessage", func(k *chorus.Kiosk) {
			k.Mode = chorus.KioskMode{Kind: chorus.KioskClosed, Message: strings.Repeat("休", chorus.MaxKioskMessage+1)}
		}, "暂停服务的提示"},
		{"IdleShort", func(k *chorus.Kiosk) { k.Settings.IdleSeconds = chorus.MinIdleSeconds - 1 }, "无人操作返回首页的时间"},
		{"IdleLong", func(k *chorus.Kiosk) { k.Settings.IdleSeconds = chorus.MaxIdleSeconds + 1 }, "无人操作返回首页的时间"},
		{"TextSize", func(k *chorus.Kiosk) { k.Settings.TextSize = chorus.MaxTextSize + 1 }, "字号只有"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := ok()
			tt.change(&k)
			invalid(t, k.Validate(), tt.msg)
		})
	}
}

// TestAnnouncement: who an announcement is for, and its checks.
func TestAnnouncement(t *testing.T) {
	k := &chorus.Kiosk{ID: 3, PlaceID: 2}
	for _, tt := range []struct {
		a    chorus.Announcement
		want bool
	}{
		{chorus.Announcement{}, true},
		{chorus.Announcement{KioskID: 3}, true},
		{chorus.Announcement{KioskID: 4}, false},
		{chorus.Announcement{PlaceID: 2}, true},
		{chorus.Announcement{PlaceID: 1}, false},
		// A community's announcements are its own kiosks' (0 is community 1).
		{chorus.Announcement{Community: 1}, true},
		{chorus.Announcement{Community: 2}, false},
	} {
		if got := tt.a.For(k); got != tt.want {
			t.Errorf("%+v For kiosk 3 at place 2 = %v", tt.a, got)
		}
	}
	k2 := &chorus.Kiosk{ID: 5, PlaceID: 7, Community: 2}
	for a, want := range map[chorus.Announcement]bool{{}: false, {Community: 1}: false, {Community: 2}: true, {Community: 2, KioskID: 5}: true} {
		if got := a.For(k2); got != want {
			t.Errorf("%+v For kiosk 5 of community 2 = %v", a, got)
		}
	}
	a := chorus.Announcement{Text: " 明天停水 "}
	if err := a.Validate(); err != nil || a.Text != "明天停水" {
		t.Errorf("Validate = %v, text %q", err, a.Text)
	}
	invalid(t, (&chorus.Announcement{Text: "明天停水", KioskID: 1, PlaceID: 1}).Validate(), "通知只能发给")
	invalid(t, (&chorus.Announcement{Text: "明天停水", KioskID: -1}).Validate(), "通知只能发给")
	invalid(t, (&chorus.Announcement{Text: ""}).Validate(), "通知内容")
}

// TestResident: a resident's checks, and a patch that changes only the
// fields sent.
func TestResident(t *testing.T) {
	r := chorus.Resident{Phone: "138 1234 5678", Name: "王秀英", Address: chorus.Address{EstateID: 1, Building: "3", Room: "502"},
		Family: []chorus.FamilyContact{{Name: "王强", Phone: "+86 139 0000 0001", Relation: "儿子"}}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Phone != "13812345678" || r.Family[0].Phone != "13900000001" {
		t.Errorf("not normalised: %+v", r)
	}
	for _, tt := range []struct {
		name   string
		change func(*chorus.Resident)
		msg    string
	}{
		{"Phone", func(r *chorus.Resident) { r.Phone = "123" }, "手机号"},
		{"Address", func(r *chorus.Resident) { r.Address.EstateID = 0 }, "请选择小区。"},
		{"RoomTooLong", func(r *chorus.Resident) {
			r.Address.Building, r.Address.Unit, r.Address.Room = "一二三四五六七八九十", "一二三四五", "一二三四五"
		}, "合起来太长了"},
		{"Family", func(r *chorus.Resident) { r.Family = make([]chorus.FamilyContact, 6) }, "家属联系人最多5位。"},
		{"FamilyPhone", func(r *chorus.Resident) { r.Family[0].Phone = "1" }, "手机号"},
		{"Relation", func(r *chorus.Resident) { r.Family[0].Relation = strings.Repeat("亲", 11) }, "关系"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := r
			r.Family = append([]chorus.FamilyContact{}, r.Family...)
			tt.change(&r)
			invalid(t, r.Validate(), tt.msg)
		})
	}
	name := "王秀英(大)"
	got := chorus.ResidentPatch{Name: &name}.Apply(r)
	if got.Name != name || got.Address != r.Address || len(got.Family) != 1 {
		t.Errorf("a name-only patch changed more: %+v", got)
	}
	family := []chorus.FamilyContact{}
	addr := chorus.Address{}
	got = chorus.ResidentPatch{Address: &addr, Family: &family}.Apply(r)
	if got.Name != r.Name || !got.Address.IsZero() || len(got.Family) != 0 {
		t.Errorf("clearing patch = %+v", got)
	}
}

// TestBackupProblem: what staff are told about the scheduled backups.
func TestBackupProblem(t *testing.T) {
	started := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	on := chorus.BackupStatus{Dir: "/var/backups/chorus", Every: 6 * time.Hour}
	failed := on
	failed.LastOK, failed.ErrorAt, failed.LastError = started.Add(6*time.Hour), started.Add(12*time.Hour), "no space left on device"
	recovered := failed
	recovered.LastOK = started.Add(13 * time.Hour)
	for _, tt := range []struct {
		name string
		s    chorus.BackupStatus
		now  time.Time
		want string
	}{
		{"Off", chorus.BackupStatus{}, started.Add(100 * time.Hour), ""},
		{"JustStarted", on, started.Add(11 * time.Hour), ""},
		{"NeverSucceeded", on, started.Add(13 * time.Hour), "已经很久没有成功备份数据了,请联系管理员检查。"},
		{"Failed", failed, started.Add(12 * time.Hour), "数据备份失败了(no space left on device),请联系管理员检查备份目录和磁盘空间。"},
		{"Recovered", recovered, started.Add(14 * time.Hour), ""},
		{"Stale", recovered, started.Add(26 * time.Hour), "已经很久没有成功备份数据了,请联系管理员检查。"},
	} {
		if got := chorus.BackupProblem(tt.s, started, tt.now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	for kind, want := range map[string]string{chorus.WriteDiskFull: "磁盘已满", chorus.WriteReadOnly: "只读",
		chorus.WriteIOError: "磁盘读写出错", chorus.WriteTimeout: "太慢", chorus.WriteFailed: "暂时写不进去", "": "暂时写不进去"} {
		if got := chorus.WriteProblemMessage(kind); !strings.Contains(got, want) {
			t.Errorf("WriteProblemMessage(%q) = %q, want it to say %q", kind, got, want)
		}
	}
}

// TestShorten: a parameter cut by characters, never inside one.
func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{{"免费义诊", 10, "免费义诊"}, {"冬季健康讲座", 4, "冬季健康"}, {"", 3, ""}} {
		if got := chorus.Shorten(tt.s, tt.n); got != tt.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
