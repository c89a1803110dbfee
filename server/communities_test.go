package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// withSecond names community 1 光华街社区 and adds 和泽苑社区 (2) with a
// place and an estate of its own.
func (e *env) withSecond(tb testing.TB) (place2, estate2 int64) {
	tb.Helper()
	ctx := context.Background()
	if err := e.DB.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}); err != nil {
		tb.Fatal(err)
	}
	c := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi"}
	if err := e.DB.AddCommunity(ctx, c); err != nil || c.ID != 2 {
		tb.Fatalf("add community = %d, %v", c.ID, err)
	}
	ctx2 := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	p := &chorus.Place{Name: "和泽苑活动室"}
	if err := e.DB.SavePlace(ctx2, p); err != nil {
		tb.Fatal(err)
	}
	es := &chorus.Estate{Name: "和泽苑小区"}
	if err := e.DB.SaveEstate(ctx2, es); err != nil {
		tb.Fatal(err)
	}
	return p.ID, es.ID
}

// loginIn creates an account working for community c (a district admin
// when district) and logs it in, returning its session headers.
func (e *env) loginIn(tb testing.TB, c int64, username string, role chorus.Role, district bool) map[string]string {
	tb.Helper()
	st := &chorus.Staff{Username: username, Name: "赵敏", Role: role, District: district}
	if err := e.DB.CreateStaff(chorus.WithScope(context.Background(), chorus.Scope{Community: c}), st, "heze-2026-pw"); err != nil {
		tb.Fatal(err)
	}
	res, err := http.Post(e.URL+"/api/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"heze-2026-pw"}`))
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		tb.Fatalf("login %s = %d, %v", username, res.StatusCode, err)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == server.SessionCookie {
			return map[string]string{"Cookie": ck.Name + "=" + ck.Value, server.CSRFHeader: body.CSRF}
		}
	}
	tb.Fatal("login set no session cookie")
	return nil
}

// staffOf decodes the "staff" object of a /api/me-like answer.
func staffOf(tb testing.TB, got response) chorus.Staff {
	tb.Helper()
	var body struct {
		Staff chorus.Staff `json:"staff"`
	}
	if err := json.Unmarshal(got.Raw, &body); err != nil {
		tb.Fatal(err)
	}
	return body.Staff
}

func names(tb testing.TB, got response, key string) string {
	tb.Helper()
	var out []string
	list, _ := got.Body[key].([]any)
	for _, v := range list {
		out = append(out, v.(map[string]any)["name"].(string))
	}
	return strings.Join(out, ",")
}

// TestMe_SwitchCommunity: GET /api/me shows the session's community,
// the staff member's communities and the district flag; POST
// /api/me/community moves the session to another of theirs (what the
// console then lists is that community's), and is refused with 403 for a
// community they do not work for.
func TestMe_SwitchCommunity(t *testing.T) {
	e := MustServe(t)
	place2, _ := e.withSecond(t)
	c := http.DefaultClient
	li := e.loginIn(t, 1, "lixia", chorus.RoleAdmin, false)
	// Li Xia also works for 和泽苑, as staff (the district admin adds her).
	jd := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	if got := do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 2}, jd); got.Status != 200 {
		t.Fatalf("district admin switches = %d %s", got.Status, got.Raw)
	}
	list := do(t, c, "GET", e.URL+"/api/admin/staff", nil, jd)
	var lixia map[string]any
	for _, v := range list.Body["staff"].([]any) {
		if m := v.(map[string]any); m["username"] == "lixia" {
			lixia = m
		}
	}
	if lixia == nil {
		t.Fatalf("the district admin does not see lixia in 2: %s", list.Raw)
	}
	lixia["role"] = "staff"
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/"+jsonID(lixia["id"]), map[string]any{"role": "staff"}, jd); got.Status != 200 {
		t.Fatalf("add lixia to 2 = %d %s", got.Status, got.Raw)
	}

	me := staffOf(t, do(t, c, "GET", e.URL+"/api/me", nil, li))
	if me.Community != 1 || me.Role != chorus.RoleAdmin || me.District || len(me.Communities) != 2 ||
		me.Communities[1] != (chorus.Membership{Community: 2, Name: "和泽苑社区", Role: chorus.RoleStaff}) {
		t.Fatalf("me = %+v", me)
	}
	if got := do(t, c, "GET", e.URL+"/api/places", nil, li); names(t, got, "places") != "社区活动室" {
		t.Errorf("places in 1 = %s", got.Raw)
	}

	// Without the CSRF token the switch is refused.
	if got := do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 2}, map[string]string{"Cookie": li["Cookie"]}); got.Status != 403 {
		t.Errorf("switch without CSRF = %d", got.Status)
	}
	got := do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 2}, li)
	if got.Status != 200 || got.Body["community"] != float64(2) || staffOf(t, got).Community != 2 || staffOf(t, got).Role != chorus.RoleStaff {
		t.Fatalf("switch to 2 = %d %s", got.Status, got.Raw)
	}
	if staffOf(t, do(t, c, "GET", e.URL+"/api/me", nil, li)).Community != 2 {
		t.Error("GET /api/me after the switch is not in 2")
	}
	if got := do(t, c, "GET", e.URL+"/api/places", nil, li); names(t, got, "places") != "和泽苑活动室" {
		t.Errorf("places in 2 = %s", got.Raw)
	}
	// In 和泽苑 she is staff: an admin's route is refused.
	if got := do(t, c, "POST", e.URL+"/api/admin/places", map[string]any{"name": "新活动室"}, li); got.Status != 403 {
		t.Errorf("staff in 2 adds a place = %d %s", got.Status, got.Raw)
	}

	zm := e.loginIn(t, 2, "zhaomin", chorus.RoleAdmin, false)
	got = do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 1}, zm)
	if got.Status != 403 || got.ErrorCode() != chorus.EFORBIDDEN || !strings.Contains(got.ErrorMessage(), "社区") {
		t.Errorf("switch to a community not hers = %d %s", got.Status, got.Raw)
	}
	if me := staffOf(t, do(t, c, "GET", e.URL+"/api/me", nil, zm)); me.Community != 2 {
		t.Errorf("after the refusal zhaomin is in %d", me.Community)
	}
	// Her kiosks are 和泽苑's only: the kiosk of community 1 is not hers.
	if got := do(t, c, "GET", e.URL+"/api/admin/kiosks", nil, zm); got.Status != 200 || len(got.Body["kiosks"].([]any)) != 0 {
		t.Errorf("zhaomin's kiosks = %s", got.Raw)
	}
	k, _, err := e.DB.CreateKiosk(chorus.WithScope(context.Background(), chorus.Scope{Community: 2}), "门口", place2)
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "POST", e.URL+"/api/admin/kiosks/"+jsonID(float64(k.ID))+"/revoke", nil, e.Admin); got.Status != 404 {
		t.Errorf("community 1's admin revokes 和泽苑's kiosk = %d %s", got.Status, got.Raw)
	}
}

// TestGuardDistrict: the district's routes answer a district admin's
// session only: 401 without one, 403 for a community's admin.
func TestGuardDistrict(t *testing.T) {
	e := MustServe(t)
	e.withSecond(t)
	c := http.DefaultClient
	url := e.URL + "/api/district/communities"
	if got := do(t, c, "GET", url, nil, nil); got.Status != 401 {
		t.Errorf("no session = %d", got.Status)
	}
	got := do(t, c, "GET", url, nil, e.Admin)
	if got.Status != 403 || got.ErrorCode() != chorus.EFORBIDDEN || !strings.Contains(got.ErrorMessage(), "街道管理员") {
		t.Errorf("community admin = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url, map[string]any{"name": "新社区", "sign_name": "新社区"}, e.Admin); got.Status != 403 {
		t.Errorf("community admin adds = %d %s", got.Status, got.Raw)
	}
	jd := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	got = do(t, c, "GET", url, nil, jd)
	var list []map[string]any
	if err := json.Unmarshal(got.Raw, &list); err != nil || got.Status != 200 || len(list) != 2 || list[1]["name"] != "和泽苑社区" ||
		list[1]["time_zone"] != "Asia/Urumqi" {
		t.Fatalf("district list = %d %s", got.Status, got.Raw)
	}
	if strings.Contains(string(got.Raw), "push_secret") {
		t.Errorf("the list shows push secrets: %s", got.Raw)
	}
	got = do(t, c, "POST", url, map[string]any{"name": "锦绣社区", "sign_name": "锦绣社区", "staff_phone": "139-0000-0009"}, jd)
	if got.Status != 201 || got.Body["id"] != float64(3) || got.Body["staff_phone"] != "13900000009" {
		t.Fatalf("add = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", url, map[string]any{"name": "锦绣社区", "sign_name": "锦绣"}, jd)
	if got.Status != 409 || !strings.Contains(got.ErrorMessage(), "锦绣社区") {
		t.Errorf("same name = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", url, map[string]any{"name": "新社区", "sign_name": "新社区", "time_zone": "Asia/Nowhere"}, jd)
	if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "时区") {
		t.Errorf("bad zone = %d %s", got.Status, got.Raw)
	}
	// The new community is the district admin's to switch to at once.
	if got := do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 3}, jd); got.Status != 200 {
		t.Errorf("switch to the new community = %d %s", got.Status, got.Raw)
	}
	// A community's admin cannot make a district admin.
	got = do(t, c, "POST", e.URL+"/api/admin/staff", map[string]any{"username": "sneaky", "name": "王五", "role": "admin",
		"password": "sneaky-2026", "district": true}, e.Admin)
	if got.Status != 201 || got.Body["district"] == true {
		t.Errorf("community admin creates a district admin = %d %s", got.Status, got.Raw)
	}
}

// TestPublicScope: public routes read ?community=N (a number of no
// community is a plain 404), else the caller's own community (a kiosk's,
// a session's), else community 1.
func TestPublicScope(t *testing.T) {
	e := MustServe(t)
	place2, _ := e.withSecond(t)
	c := http.DefaultClient
	if got := do(t, c, "GET", e.URL+"/api/community", nil, nil); got.Body["name"] != "光华街社区" || got.Body["time_zone"] != "Asia/Shanghai" {
		t.Errorf("default community = %s", got.Raw)
	}
	got := do(t, c, "GET", e.URL+"/api/community?community=2", nil, nil)
	if got.Body["name"] != "和泽苑社区" || got.Body["time_zone"] != "Asia/Urumqi" {
		t.Errorf("community 2 = %s", got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/estates?community=2", nil, nil); names(t, got, "estates") != "和泽苑小区" {
		t.Errorf("community 2's estates = %s", got.Raw)
	}
	for _, q := range []string{"9", "abc", "0", "-1"} {
		got := do(t, c, "GET", e.URL+"/api/places?community="+q, nil, nil)
		if got.Status != 404 || !strings.Contains(got.ErrorMessage(), "没有这个社区") {
			t.Errorf("?community=%s = %d %s", q, got.Status, got.Raw)
		}
	}
	// A kiosk of 和泽苑 reads its own community without asking.
	_, code, err := e.DB.CreateKiosk(chorus.WithScope(context.Background(), chorus.Scope{Community: 2}), "门口", place2)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := e.DB.Pair(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	k2 := map[string]string{"Authorization": "Bearer " + token}
	if got := do(t, c, "GET", e.URL+"/api/places", nil, k2); names(t, got, "places") != "和泽苑活动室" {
		t.Errorf("kiosk 2's places = %s", got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/kiosk/me", nil, k2); got.Body["kiosk"].(map[string]any)["community"] != float64(2) {
		t.Errorf("kiosk 2's me = %s", got.Raw)
	}
	// A resident of community 1 is unknown at 和泽苑's kiosk.
	ctx := context.Background()
	estates, _ := e.DB.Estates(ctx)
	if len(estates) == 0 {
		es := &chorus.Estate{Name: "光华里"}
		if err := e.DB.SaveEstate(ctx, es); err != nil {
			t.Fatal(err)
		}
		estates = append(estates, *es)
	}
	r := &chorus.Resident{Phone: "13800000077", Name: "王秀兰", Address: chorus.Address{EstateID: estates[0].ID, Room: "301"}}
	if err := e.DB.SaveResident(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "GET", e.URL+"/api/address?phone=13800000077", nil, e.Kiosk); got.Body["address"] == nil {
		t.Errorf("community 1's kiosk: %s", got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/address?phone=13800000077", nil, k2); got.Status != 200 || got.Body["address"] != nil {
		t.Errorf("和泽苑's kiosk reads community 1's resident: %s", got.Raw)
	}
}

// TestStaff_CommunityAdmin: a community's admin lists and changes their
// own community's accounts only, and cannot take over an account that
// also works elsewhere (its password, name, disabling) nor a district
// admin's; the district admin can.
func TestStaff_CommunityAdmin(t *testing.T) {
	e := MustServe(t)
	e.withSecond(t)
	c := http.DefaultClient
	ctx := context.Background()
	zm := e.loginIn(t, 2, "zhaomin", chorus.RoleAdmin, false)
	jd := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	both := &chorus.Staff{Username: "wangfang", Name: "王芳", Role: chorus.RoleStaff}
	if err := e.DB.CreateStaff(ctx, both, "wangfang-2026"); err != nil {
		t.Fatal(err)
	}
	both.Role = chorus.RoleStaff
	if err := e.DB.SetStaff(chorus.WithScope(ctx, chorus.Scope{Community: 2, District: true}), both, ""); err != nil {
		t.Fatal(err)
	}
	list := do(t, c, "GET", e.URL+"/api/admin/staff", nil, zm)
	var got []string
	for _, v := range list.Body["staff"].([]any) {
		got = append(got, v.(map[string]any)["username"].(string))
	}
	if strings.Join(got, ",") != "zhaomin,jiedao,wangfang" {
		t.Errorf("community 2's accounts = %v", got)
	}
	// liting (community 1's admin) is not community 2's to change.
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/1", map[string]any{"password": "taken-over-1"}, zm); got.Status != 404 {
		t.Errorf("zhaomin changes liting = %d %s", got.Status, got.Raw)
	}
	id := strconv.FormatInt(both.ID, 10)
	for _, body := range []map[string]any{{"password": "taken-over-1"}, {"disabled": true}, {"name": "别人"}} {
		got := do(t, c, "PUT", e.URL+"/api/admin/staff/"+id, body, zm)
		if got.Status != 403 || !strings.Contains(got.ErrorMessage(), "街道管理员") {
			t.Errorf("zhaomin changes wangfang %v = %d %s", body, got.Status, got.Raw)
		}
	}
	// Her role in community 2 is zhaomin's to set.
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/"+id, map[string]any{"role": "admin"}, zm); got.Status != 200 || got.Body["role"] != "admin" {
		t.Errorf("zhaomin makes wangfang admin in 2 = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/"+id, map[string]any{"district": true}, zm); got.Status != 403 {
		t.Errorf("zhaomin makes a district admin = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/3", map[string]any{"password": "taken-over-1"}, zm); got.Status != 403 {
		t.Errorf("zhaomin sets the district admin's password = %d %s", got.Status, got.Raw)
	}
	if _, err := e.DB.Login(ctx, "wangfang", "wangfang-2026", "10.0.0.9", ""); err != nil {
		t.Errorf("wangfang's password changed: %v", err)
	}
	// The district admin, in community 1, may.
	if got := do(t, c, "PUT", e.URL+"/api/admin/staff/"+id, map[string]any{"name": "王芳芳"}, jd); got.Status != 200 {
		t.Errorf("the district admin renames wangfang = %d %s", got.Status, got.Raw)
	}
	// Each community's audit log holds its own changes.
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, zm)
	if !strings.Contains(string(audit.Raw), "zhaomin") || strings.Contains(string(audit.Raw), "jiedao") {
		t.Errorf("community 2's audit log: %s", audit.Raw)
	}
}

// TestDistrict_SetCommunity: the district admin changes a community's
// settings, only the fields sent; mistakes change nothing.
func TestDistrict_SetCommunity(t *testing.T) {
	e := MustServe(t)
	e.withSecond(t)
	c := http.DefaultClient
	jd := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	url := e.URL + "/api/district/communities/2"
	if got := do(t, c, "PUT", url, map[string]any{"staff_phone": "139 0000 0002"}, e.Admin); got.Status != 403 {
		t.Errorf("community admin = %d %s", got.Status, got.Raw)
	}
	got := do(t, c, "PUT", url, map[string]any{"staff_phone": "139 0000 0002", "time_zone": ""}, jd)
	if got.Status != 200 || got.Body["staff_phone"] != "13900000002" || got.Body["time_zone"] != "" || got.Body["name"] != "和泽苑社区" {
		t.Fatalf("set = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", url, map[string]any{"sign_name": "【和泽苑】"}, jd); got.Status != 400 || !strings.Contains(got.ErrorMessage(), "签名") {
		t.Errorf("bad signature = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", url, map[string]any{"name": "光华街社区"}, jd); got.Status != 409 {
		t.Errorf("another community's name = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", e.URL+"/api/district/communities/9", map[string]any{"name": "九"}, jd); got.Status != 404 {
		t.Errorf("no such community = %d %s", got.Status, got.Raw)
	}
	cm, err := e.DB.CommunityByID(context.Background(), 2)
	if err != nil || cm.SignName != "和泽苑社区" || cm.StaffPhone != "13900000002" || cm.Name != "和泽苑社区" {
		t.Errorf("stored = %+v, %v", cm, err)
	}
}

// TestServer_CommunityZone: a community in another time zone (和泽苑 in
// Urumqi) has its events' and bookings' times shown in its zone (09:00
// +06:00), 光华街's in the deployment's (+08:00).
func TestServer_CommunityZone(t *testing.T) {
	e := MustServe(t)
	place2, _ := e.withSecond(t)
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	ctx2 := chorus.WithScope(context.Background(), chorus.Scope{Community: 2})
	start := time.Date(2026, 12, 4, 9, 0, 0, 0, urumqi)
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "硬笔书法公益课", PlaceID: place2, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: start, End: start.Add(time.Hour), Capacity: 10}}}
	if err := e.DB.CreateEvent(ctx2, ev); err != nil {
		t.Fatal(err)
	}
	b, err := e.DB.Book(ctx2, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812340001", Name: "孙大爷",
		Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	one := e.MustEvent(t, 1, 10, false)
	c := http.DefaultClient
	got := do(t, c, "GET", e.URL+"/api/events?community=2", nil, nil)
	if got.Status != 200 || !strings.Contains(string(got.Raw), `"start":"2026-12-04T09:00:00+06:00"`) {
		t.Errorf("和泽苑's events = %d %s", got.Status, got.Raw)
	}
	admin2 := e.loginIn(t, 2, "guona", chorus.RoleAdmin, false)
	got = do(t, c, "GET", e.URL+"/api/admin/bookings/"+strconv.FormatInt(b.ID, 10), nil, admin2)
	if bk, _ := got.Body["booking"].(map[string]any); got.Status != 200 || bk["slot_start"] != "2026-12-04T09:00:00+06:00" {
		t.Errorf("和泽苑's booking = %d %s", got.Status, got.Raw)
	}
	// The district admin moves 和泽苑 to Shanghai's zone: its times follow
	// at once.
	district := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	if got := do(t, c, "PUT", e.URL+"/api/district/communities/2", map[string]any{"time_zone": "Asia/Shanghai"}, district); got.Status != 200 {
		t.Fatalf("set 和泽苑's zone = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/events?community=2", nil, nil); !strings.Contains(string(got.Raw), `"start":"2026-12-04T11:00:00+08:00"`) {
		t.Errorf("和泽苑's events after its zone changed = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/events", nil, nil)
	want := one.Slots[0].Start.In(shanghai).Format(time.RFC3339)
	if got.Status != 200 || !strings.Contains(string(got.Raw), `"start":"`+want+`"`) || !strings.HasSuffix(want, "+08:00") {
		t.Errorf("光华街's events = %d %s, want start %s", got.Status, got.Raw, want)
	}
}
