package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// asCommunity returns ctx acting in community c (a community's staff or kiosk).
func asCommunity(c int64) context.Context {
	return chorus.WithScope(context.Background(), chorus.Scope{Community: c})
}

// asDistrict returns ctx of a district admin acting in community c.
func asDistrict(c int64) context.Context {
	return chorus.WithScope(context.Background(), chorus.Scope{Community: c, District: true})
}

// mustTwoCommunities names community 1 光华街社区 and adds 和泽苑社区 (2).
func mustTwoCommunities(tb testing.TB, db *sqlite.DB) {
	tb.Helper()
	ctx := context.Background()
	if err := db.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区"}); err != nil {
		tb.Fatal(err)
	}
	c := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi", StaffPhone: "139 0000 0001"}
	if err := db.AddCommunity(ctx, c); err != nil {
		tb.Fatal(err)
	}
	if c.ID != 2 {
		tb.Fatalf("second community id = %d", c.ID)
	}
}

func wantErr(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if chorus.ErrorCode(err) != code {
		tb.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestDB_Communities: communities are added with their settings, each
// scope reads its own, and only a scope that sees a community changes it.
func TestDB_Communities(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	if c, err := db.Community(ctx); err != nil || c.ID != 1 || c.Name != "社区" {
		t.Fatalf("unnamed community 1 = %+v, %v", c, err)
	}
	mustTwoCommunities(t, db)
	c2, err := db.Community(asCommunity(2))
	if err != nil || c2.ID != 2 || c2.Name != "和泽苑社区" || c2.TimeZone != "Asia/Urumqi" || c2.StaffPhone != "13900000001" {
		t.Fatalf("community 2 = %+v, %v", c2, err)
	}
	if c1, err := db.Community(ctx); err != nil || c1.Name != "光华街社区" || c1.TimeZone != "" {
		t.Fatalf("community 1 = %+v, %v", c1, err)
	}
	list, err := db.Communities(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "光华街社区" || list[1].Name != "和泽苑社区" {
		t.Fatalf("communities = %+v, %v", list, err)
	}
	_, err = db.CommunityByID(ctx, 3)
	wantErr(t, "community 3", err, chorus.ENOTFOUND)

	wantErr(t, "same name", db.AddCommunity(ctx, &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑"}), chorus.ECONFLICT)
	for _, bad := range []chorus.Community{
		{Name: "", SignName: "新社区"},
		{Name: "新社区", SignName: "【新社区】"},
		{Name: "新社区", SignName: "新"},
		{Name: "新社区", SignName: "新社区", TimeZone: "Mars/Olympus"},
		{Name: "新社区", SignName: "新社区", StaffPhone: "12345"},
	} {
		err := db.AddCommunity(ctx, &bad)
		wantErr(t, "add "+bad.Name+"/"+bad.SignName, err, chorus.EINVALID)
		if msg := chorus.ErrorMessage(err); !strings.ContainsAny(msg, "请签区时号") {
			t.Errorf("message %q is not plain Chinese", msg)
		}
	}

	// Community 2's staff may not rename community 1; the district may.
	err = db.SetCommunity(asCommunity(2), &chorus.Community{ID: 1, Name: "改名社区", SignName: "改名社区"})
	wantErr(t, "scope 2 sets community 1", err, chorus.ENOTFOUND)
	if err := db.SetCommunity(asCommunity(2), &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑", TimeZone: ""}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Community(asCommunity(2)); c.SignName != "和泽苑" || c.TimeZone != "" {
		t.Errorf("community 2 after set = %+v", c)
	}
	if err := db.SetCommunity(asDistrict(2), &chorus.Community{ID: 1, Name: "光华街社区", SignName: "光华街"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Community(ctx); c.SignName != "光华街" {
		t.Errorf("community 1 after the district's set = %+v", c)
	}
}

// TestDB_DirectoryScoped: places and estates are their community's; a
// scope lists its own and gets ENOTFOUND for another's.
func TestDB_DirectoryScoped(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	p1 := &chorus.Place{Name: "社区活动室"}
	if err := db.SavePlace(asCommunity(1), p1); err != nil {
		t.Fatal(err)
	}
	// One name in two communities is two places.
	p2 := &chorus.Place{Name: "社区活动室", Address: "和泽苑1号"}
	if err := db.SavePlace(asCommunity(2), p2); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "same name in one community", db.SavePlace(asCommunity(2), &chorus.Place{Name: "社区活动室"}), chorus.ECONFLICT)
	e1 := &chorus.Estate{Name: "光华里"}
	if err := db.SaveEstate(asCommunity(1), e1); err != nil {
		t.Fatal(err)
	}
	e2 := &chorus.Estate{Name: "和泽苑小区"}
	if err := db.SaveEstate(asCommunity(2), e2); err != nil {
		t.Fatal(err)
	}
	for c, want := range map[int64][2]int64{1: {p1.ID, e1.ID}, 2: {p2.ID, e2.ID}} {
		places, err := db.Places(asCommunity(c))
		if err != nil || len(places) != 1 || places[0].ID != want[0] {
			t.Errorf("community %d places = %+v, %v", c, places, err)
		}
		estates, err := db.Estates(asCommunity(c))
		if err != nil || len(estates) != 1 || estates[0].ID != want[1] {
			t.Errorf("community %d estates = %+v, %v", c, estates, err)
		}
	}
	// Community 2 cannot change community 1's place or estate.
	wantErr(t, "scope 2 saves place 1", db.SavePlace(asCommunity(2), &chorus.Place{ID: p1.ID, Name: "改掉"}), chorus.ENOTFOUND)
	wantErr(t, "scope 2 saves estate 1", db.SaveEstate(asCommunity(2), &chorus.Estate{ID: e1.ID, Name: "改掉"}), chorus.ENOTFOUND)
	if places, _ := db.Places(asCommunity(1)); places[0].Name != "社区活动室" {
		t.Errorf("place 1 changed: %+v", places)
	}
	// The district admin may, and the place stays its community's.
	if err := db.SavePlace(asDistrict(2), &chorus.Place{ID: p1.ID, Name: "光华街活动室"}); err != nil {
		t.Fatal(err)
	}
	if places, _ := db.Places(asCommunity(1)); len(places) != 1 || places[0].Name != "光华街活动室" {
		t.Errorf("place 1 after the district's change: %+v", places)
	}
	// Lists show the current community only, even to the district.
	if places, _ := db.Places(asDistrict(2)); len(places) != 1 || places[0].ID != p2.ID {
		t.Errorf("district in 2 lists %+v", places)
	}
}

// TestDB_ResidentsScoped: a phone is one resident's in the deployment,
// of their estate's community; another community neither reads them nor
// registers the phone again, and learns nothing of them from the refusal.
func TestDB_ResidentsScoped(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	e1 := &chorus.Estate{Name: "光华里", Buildings: 3}
	e2 := &chorus.Estate{Name: "和泽苑小区"}
	if err := db.SaveEstate(asCommunity(1), e1); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEstate(asCommunity(2), e2); err != nil {
		t.Fatal(err)
	}
	phone := Phone(1)
	r := &chorus.Resident{Phone: phone, Name: "王秀兰", Address: chorus.Address{EstateID: e1.ID, Building: "2", Room: "301"},
		Family: []chorus.FamilyContact{{Name: "王军", Phone: Phone(2), Relation: "儿子"}}}
	if err := db.SaveResident(asCommunity(1), r); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Resident(asCommunity(1), phone); err != nil || got.Name != "王秀兰" {
		t.Fatalf("community 1 reads %+v, %v", got, err)
	}
	_, err := db.Resident(asCommunity(2), phone)
	wantErr(t, "scope 2 reads", err, chorus.ENOTFOUND)

	err = db.SaveResident(asCommunity(2), &chorus.Resident{Phone: phone, Name: "冒名", Address: chorus.Address{EstateID: e2.ID}})
	wantErr(t, "scope 2 saves the phone", err, chorus.ECONFLICT)
	name := "冒名"
	_, _, perr := db.PatchResident(asCommunity(2), phone, chorus.ResidentPatch{Name: &name})
	wantErr(t, "scope 2 patches the phone", perr, chorus.ECONFLICT)
	for _, e := range []error{err, perr} {
		msg := chorus.ErrorMessage(e)
		for _, secret := range []string{"王秀兰", "光华", "301", "王军"} {
			if strings.Contains(msg, secret) {
				t.Errorf("refusal %q reveals %q", msg, secret)
			}
		}
	}
	// An estate of another community is not one to register at.
	err = db.SaveResident(asCommunity(1), &chorus.Resident{Phone: Phone(3), Name: "李", Address: chorus.Address{EstateID: e2.ID}})
	wantErr(t, "scope 1 uses estate 2", err, chorus.EINVALID)

	got, err := db.Resident(asCommunity(1), phone)
	if err != nil || got.Name != "王秀兰" || got.Address.Room != "301" || len(got.Family) != 1 {
		t.Fatalf("community 1's resident after the refusals: %+v, %v", got, err)
	}
	// The district admin moves the resident to an estate of community 2:
	// the resident is community 2's from then on.
	got.Address = chorus.Address{EstateID: e2.ID, Room: "101"}
	if err := db.SaveResident(asDistrict(1), got); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Resident(asCommunity(1), phone); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("community 1 still reads the moved resident: %v", err)
	}
	if got, err := db.Resident(asCommunity(2), phone); err != nil || got.Address.Estate != "和泽苑小区" {
		t.Errorf("community 2 reads %+v, %v", got, err)
	}
}

// mustStaffIn creates an account working for community c with role.
func mustStaffIn(tb testing.TB, db *sqlite.DB, c int64, username string, role chorus.Role, district bool) *chorus.Staff {
	tb.Helper()
	s := &chorus.Staff{Username: username, Name: "李婷", Role: role, District: district}
	if err := db.CreateStaff(asCommunity(c), s, "guanghua-2026"); err != nil {
		tb.Fatal(err)
	}
	return s
}

func usernames(list []chorus.Staff) string {
	var out []string
	for _, s := range list {
		out = append(out, s.Username+":"+string(s.Role))
	}
	return strings.Join(out, ",")
}

// TestDB_StaffCommunities: a staff member works for the communities they
// are a member of, with a role in each; a session acts in one of them
// and switches only to another of theirs; the district admin works
// everywhere. Staff lists and the audit log are the community's.
func TestDB_StaffCommunities(t *testing.T) {
	db, _ := MustOpenDB(t)
	db.PasswordCost = 4
	mustTwoCommunities(t, db)
	li := mustStaffIn(t, db, 1, "liting", chorus.RoleAdmin, false)
	mustStaffIn(t, db, 2, "zhaomin", chorus.RoleAdmin, false)
	mustStaffIn(t, db, 1, "jiedao", chorus.RoleAdmin, true)
	// Li Ting also works for community 2, as staff.
	li.Role = chorus.RoleStaff
	if err := db.SetStaff(asDistrict(2), li, ""); err != nil {
		t.Fatal(err)
	}
	// Community 2's admin cannot change an account of community 1 only.
	wantErr(t, "scope 2 sets jiedao's", db.SetStaff(asCommunity(2), &chorus.Staff{ID: 3, Username: "jiedao", Name: "x", Role: chorus.RoleStaff}, ""), chorus.ENOTFOUND)

	if got, _ := db.StaffList(asCommunity(1)); usernames(got) != "liting:admin,jiedao:admin" {
		t.Errorf("community 1 staff = %s", usernames(got))
	}
	if got, _ := db.StaffList(asCommunity(2)); usernames(got) != "liting:staff,zhaomin:admin,jiedao:admin" {
		t.Errorf("community 2 staff = %s", usernames(got))
	}

	ctx := context.Background()
	res, err := db.Login(ctx, "liting", "guanghua-2026", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Staff.Community != 1 || res.Staff.Role != chorus.RoleAdmin || len(res.Staff.Communities) != 2 {
		t.Fatalf("login = %+v", res.Staff)
	}
	st, err := db.SwitchCommunity(ctx, res.Token, 2)
	if err != nil || st.Community != 2 || st.Role != chorus.RoleStaff || st.Can(chorus.RoleAdmin) {
		t.Fatalf("switch to 2 = %+v, %v", st, err)
	}
	if st, _, err := db.Session(ctx, res.Token); err != nil || st.Community != 2 || st.Communities[1].Name != "和泽苑社区" {
		t.Fatalf("session after the switch = %+v, %v", st, err)
	}
	_, err = db.SwitchCommunity(ctx, res.Token, 3)
	wantErr(t, "switch to a community not hers", err, chorus.EFORBIDDEN)

	zm, err := db.Login(ctx, "zhaomin", "guanghua-2026", "10.0.0.1", "")
	if err != nil || zm.Staff.Community != 2 {
		t.Fatalf("zhaomin's login = %+v, %v", zm, err)
	}
	_, err = db.SwitchCommunity(ctx, zm.Token, 1)
	wantErr(t, "zhaomin switches to 1", err, chorus.EFORBIDDEN)
	if st, _, _ := db.Session(ctx, zm.Token); st.Community != 2 {
		t.Errorf("a refused switch moved the session to %d", st.Community)
	}

	jd, err := db.Login(ctx, "jiedao", "guanghua-2026", "10.0.0.1", "")
	if err != nil || !jd.Staff.District || len(jd.Staff.Communities) != 2 {
		t.Fatalf("district admin's login = %+v, %v", jd, err)
	}
	if st, err := db.SwitchCommunity(ctx, jd.Token, 2); err != nil || st.Community != 2 || st.Role != chorus.RoleAdmin {
		t.Fatalf("district admin switches to 2: %+v, %v", st, err)
	}
	_, err = db.SwitchCommunity(ctx, jd.Token, 9)
	wantErr(t, "district admin switches to no community", err, chorus.ENOTFOUND)

	// Each community's audit log holds its own changes.
	if err := db.Audit(asCommunity(2), zm.Staff, "PUT /api/admin/estates/{id}", "和泽苑的改动"); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.AuditLog(asCommunity(1), 50); len(list) != 0 {
		t.Errorf("community 1's audit log = %+v", list)
	}
	if list, _ := db.AuditLog(asCommunity(2), 50); len(list) != 1 || list[0].Detail != "和泽苑的改动" {
		t.Errorf("community 2's audit log = %+v", list)
	}
}

// TestDB_KiosksScoped: a kiosk is its community's: its token says which,
// remembered or not; another community neither lists, reads nor changes
// it; announcements are shown to their community's kiosks.
func TestDB_KiosksScoped(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	p1, p2 := &chorus.Place{Name: "光华街活动室"}, &chorus.Place{Name: "和泽苑活动室"}
	if err := db.SavePlace(asCommunity(1), p1); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePlace(asCommunity(2), p2); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.CreateKiosk(asCommunity(2), "门口", p1.ID)
	wantErr(t, "kiosk at another community's place", err, chorus.EINVALID)
	k, code, err := db.CreateKiosk(asCommunity(2), "门口", p2.ID)
	if err != nil || k.Community != 2 {
		t.Fatalf("create = %+v, %v", k, err)
	}
	_, token, err := db.Pair(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // read, then remembered
		got, err := db.KioskByToken(context.Background(), token)
		if err != nil || got.Community != 2 {
			t.Fatalf("by token (%d) = %+v, %v", i, got, err)
		}
	}
	if list, _ := db.Kiosks(asCommunity(1)); len(list) != 0 {
		t.Errorf("community 1 lists %+v", list)
	}
	if list, _ := db.Kiosks(asCommunity(2)); len(list) != 1 {
		t.Errorf("community 2 lists %+v", list)
	}
	ctx1 := asCommunity(1)
	_, err = db.Kiosk(ctx1, k.ID)
	wantErr(t, "read", err, chorus.ENOTFOUND)
	_, err = db.RenameKiosk(ctx1, k.ID, "改名", 0)
	wantErr(t, "rename", err, chorus.ENOTFOUND)
	_, err = db.SetKioskMode(ctx1, k.ID, chorus.KioskMode{Kind: chorus.KioskClosed, Message: "关"})
	wantErr(t, "mode", err, chorus.ENOTFOUND)
	_, err = db.SetKioskSettings(ctx1, k.ID, chorus.DefaultKioskSettings())
	wantErr(t, "settings", err, chorus.ENOTFOUND)
	_, err = db.NewPairingCode(ctx1, k.ID)
	wantErr(t, "pairing code", err, chorus.ENOTFOUND)
	_, err = db.RevokeKiosk(ctx1, k.ID)
	wantErr(t, "revoke", err, chorus.ENOTFOUND)
	_, err = db.RenameKiosk(asCommunity(2), k.ID, "改名", p1.ID)
	wantErr(t, "move to another community's place", err, chorus.EINVALID)
	if got, err := db.KioskByToken(context.Background(), token); err != nil || got.Name != "门口" || got.Revoked {
		t.Fatalf("kiosk after the refusals: %+v, %v", got, err)
	}
	if _, err := db.RenameKiosk(asDistrict(1), k.ID, "大门口", 0); err != nil {
		t.Errorf("the district renames: %v", err)
	}

	err = db.CreateAnnouncement(ctx1, &chorus.Announcement{Text: "停水通知", KioskID: k.ID})
	wantErr(t, "announce on another community's kiosk", err, chorus.EINVALID)
	if err := db.CreateAnnouncement(ctx1, &chorus.Announcement{Text: "光华街停水"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAnnouncement(asCommunity(2), &chorus.Announcement{Text: "和泽苑义诊", KioskID: k.ID}); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	if list, _ := db.Announcements(ctx1, now); len(list) != 1 || list[0].Text != "光华街停水" || list[0].Community != 1 {
		t.Errorf("community 1's announcements = %+v", list)
	}
	if list, _ := db.Announcements(asCommunity(2), now); len(list) != 1 || list[0].Text != "和泽苑义诊" {
		t.Errorf("community 2's announcements = %+v", list)
	}
	if list, _ := db.LiveAnnouncements(context.Background(), now); len(list) != 2 || list[0].Community != 2 {
		t.Errorf("every announcement = %+v", list)
	}
}

// TestDB_ZoneOf: a community's own time zone, else the deployment's.
func TestDB_ZoneOf(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	ctx := context.Background()
	if z := db.ZoneOf(ctx, 1); z != shanghai {
		t.Errorf("community 1's zone = %v, want the deployment's", z)
	}
	if z := db.ZoneOf(ctx, 2); z.String() != "Asia/Urumqi" {
		t.Errorf("community 2's zone = %v", z)
	}
	if z := db.ZoneOf(ctx, 9); z != shanghai {
		t.Errorf("no community's zone = %v", z)
	}
}

// TestDB_ResidentOpenToTake: a phone known only from a booking (no
// address, no family) is nobody's yet: the community that registers the
// resident's address takes them. Once registered, it is refused.
func TestDB_ResidentOpenToTake(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	e2 := &chorus.Estate{Name: "和泽苑小区"}
	if err := db.SaveEstate(asCommunity(2), e2); err != nil {
		t.Fatal(err)
	}
	phone := Phone(5)
	// A bare record, as a booking or an opt-out leaves (community 1's by default).
	if _, err := db.SetOptOut(context.Background(), phone, true); err != nil {
		t.Fatal(err)
	}
	name := "刘阿姨"
	// Without an address it stays refused: nothing to say it is theirs.
	_, _, err := db.PatchResident(asCommunity(2), phone, chorus.ResidentPatch{Name: &name})
	wantErr(t, "take without an address", err, chorus.ECONFLICT)
	_, after, err := db.PatchResident(asCommunity(2), phone, chorus.ResidentPatch{Name: &name, Address: &chorus.Address{EstateID: e2.ID, Room: "202"}})
	if err != nil || after.Address.Estate != "和泽苑小区" || !after.OptedOut {
		t.Fatalf("community 2 takes the bare record: %+v, %v", after, err)
	}
	_, err = db.Resident(asCommunity(1), phone)
	wantErr(t, "community 1 reads the taken resident", err, chorus.ENOTFOUND)
	err = db.SaveResident(asCommunity(1), &chorus.Resident{Phone: phone, Name: "别人"})
	wantErr(t, "community 1 saves it back", err, chorus.ECONFLICT)
}

// TestDB_EstateNamesPerCommunity: two communities may each have an estate
// of one name; one community may not have two. Migration 0019, which
// rebuilt the estates table for it, keeps every estate and every
// resident's and order's reference (run here again over data, with the
// foreign keys on as when the store opens).
func TestDB_EstateNamesPerCommunity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, _ := MustOpenDBAt(t, path)
	mustTwoCommunities(t, db)
	e1, e2 := &chorus.Estate{Name: "1号院", Buildings: 4}, &chorus.Estate{Name: "1号院", Units: 3}
	if err := db.SaveEstate(asCommunity(1), e1); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEstate(asCommunity(2), e2); err != nil {
		t.Fatalf("the same name in another community: %v", err)
	}
	wantErr(t, "the same name twice in one community", db.SaveEstate(asCommunity(2), &chorus.Estate{Name: "1号院"}), chorus.ECONFLICT)
	if err := db.SaveResident(asCommunity(1), &chorus.Resident{Phone: Phone(1), Name: "王", Address: chorus.Address{EstateID: e1.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveResident(asCommunity(2), &chorus.Resident{Phone: Phone(2), Name: "赵", Address: chorus.Address{EstateID: e2.ID}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO orders (kind, phone, estate_id, status, created_ms, updated_ms)
		VALUES ('repair', ?, ?, 'requested', 0, 0)`, Phone(2), e2.ID); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("migrations/0019_estates_per_community.sql")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(string(body)); err != nil {
		t.Fatalf("migration 0019 over data: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit migration 0019: %v", err)
	}
	var order int64
	if err := raw.QueryRow("SELECT estate_id FROM orders WHERE phone = ?", Phone(2)).Scan(&order); err != nil || order != e2.ID {
		t.Errorf("the order's estate = %d, %v", order, err)
	}
	if rows, err := raw.Query("PRAGMA foreign_key_check"); err != nil || rows.Next() {
		t.Errorf("foreign keys dangle after the migration (%v)", err)
	} else {
		rows.Close()
	}
	raw.Close()

	again, _ := MustOpenDBAt(t, path)
	for c, want := range map[int64]chorus.Estate{1: *e1, 2: *e2} {
		list, err := again.Estates(asCommunity(c))
		if err != nil || len(list) != 1 || list[0] != want {
			t.Errorf("community %d's estates = %+v, %v", c, list, err)
		}
	}
	if r, err := again.Resident(asCommunity(2), Phone(2)); err != nil || r.Address.EstateID != e2.ID || r.Address.Estate != "1号院" {
		t.Errorf("community 2's resident = %+v, %v", r, err)
	}
	wantErr(t, "the same name twice after", again.SaveEstate(asCommunity(1), &chorus.Estate{Name: "1号院"}), chorus.ECONFLICT)
}

// TestDB_OptOutScoped: staff opt out a phone of their own community or one
// known only from bookings; another community's registered resident is
// not found and keeps receiving SMS.
func TestDB_OptOutScoped(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	e1 := &chorus.Estate{Name: "光华里"}
	if err := db.SaveEstate(asCommunity(1), e1); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveResident(asCommunity(1), &chorus.Resident{Phone: Phone(1), Name: "王", Address: chorus.Address{EstateID: e1.ID}}); err != nil {
		t.Fatal(err)
	}
	_, err := db.SetOptOut(asCommunity(2), Phone(1), true)
	wantErr(t, "community 2 opts out community 1's resident", err, chorus.ENOTFOUND)
	if r, _ := db.Resident(asCommunity(1), Phone(1)); r.OptedOut {
		t.Error("the refused opt-out was recorded")
	}
	if changed, err := db.SetOptOut(asCommunity(1), Phone(1), true); err != nil || !changed {
		t.Errorf("community 1 opts out its resident: %v, %v", changed, err)
	}
	if changed, err := db.SetOptOut(asCommunity(2), Phone(7), true); err != nil || !changed {
		t.Errorf("community 2 opts out an unknown phone: %v, %v", changed, err)
	}
}

// TestDB_KnownNamesScoped: the names a phone used are told in the
// community where it used them only.
func TestDB_KnownNamesScoped(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	if err := db.SaveResident(asCommunity(1), &chorus.Resident{Phone: Phone(1), Name: "王秀兰"}); err != nil {
		t.Fatal(err)
	}
	e := MustEvent(t, db)
	MustBook(t, db, Req(e, 0, Phone(1)))
	if names, err := db.KnownNames(asCommunity(1), Phone(1)); err != nil || len(names) == 0 {
		t.Errorf("community 1's names = %v, %v", names, err)
	}
	if names, err := db.KnownNames(asCommunity(2), Phone(1)); err != nil || len(names) != 0 {
		t.Errorf("community 2 learns the names %v, %v", names, err)
	}
}

// TestDB_CommunityPushSecret: a community's own push secret is kept when
// a change leaves it empty, and no two communities share one.
func TestDB_CommunityPushSecret(t *testing.T) {
	db, _ := MustOpenDB(t)
	mustTwoCommunities(t, db)
	if err := db.SetCommunity(asCommunity(2), &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", PushSecret: "hezeyuan-secret-0001"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCommunity(asCommunity(2), &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.CommunityByID(context.Background(), 2); c.PushSecret != "hezeyuan-secret-0001" || c.SignName != "和泽苑" {
		t.Errorf("community 2 = %+v", c)
	}
	err := db.SetCommunity(asCommunity(1), &chorus.Community{Name: "光华街社区", SignName: "光华街社区", PushSecret: "hezeyuan-secret-0001"})
	wantErr(t, "a shared push secret", err, chorus.ECONFLICT)
	if msg := chorus.ErrorMessage(err); !strings.Contains(msg, "推送密钥") || strings.Contains(msg, "hezeyuan") {
		t.Errorf("message %q", msg)
	}
}
