package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestLogin_ParallelGuesses: the failures are counted and checked in one
// transaction, so of 40 guesses at once only the free ones are checked.
func TestLogin_ParallelGuesses(t *testing.T) {
	db, _ := MustOpenDB(t)
	db.PasswordCost = 4
	ctx := context.Background()
	if err := db.CreateStaff(ctx, &chorus.Staff{Username: "admin", Name: "李婷", Role: chorus.RoleAdmin}, "guanghua-2026"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Login(ctx, "admin", "wrong-guess", "203.0.113.9", "")
			mu.Lock()
			codes[chorus.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[chorus.EUNAUTHORIZED] != chorus.FreeUserFailures || codes[chorus.EFORBIDDEN] != 40-chorus.FreeUserFailures {
		t.Fatalf("40 parallel guesses: %v", codes)
	}
	th, err := db.LoginThrottles(ctx)
	if err != nil || len(th) != 1 || th[0].Username != "admin" || th[0].Failures != chorus.FreeUserFailures {
		t.Fatalf("throttles = %+v, %v", th, err)
	}
}

// TestPatchResident: only the fields set change, in one transaction, and
// the resident before and after is returned.
func TestPatchResident(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	est := MustEstate(t, db, "光华小区")
	r := &chorus.Resident{Phone: Phone(1), Name: "王秀英", Address: chorus.Address{EstateID: est.ID, Building: "3", Room: "401"},
		Family: []chorus.FamilyContact{{Name: "王强", Phone: Phone(2), Relation: "儿子"}}}
	if err := db.SaveResident(ctx, r); err != nil {
		t.Fatal(err)
	}
	name := "王秀英2"
	before, after, err := db.PatchResident(ctx, Phone(1), chorus.ResidentPatch{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if before.Name != "王秀英" || after.Name != "王秀英2" || after.Address.Room != "401" || len(after.Family) != 1 {
		t.Fatalf("before %+v, after %+v", before, after)
	}
	before, after, err = db.PatchResident(ctx, Phone(3), chorus.ResidentPatch{})
	if err != nil || before != nil || after.Phone != Phone(3) {
		t.Fatalf("new resident: before %+v, after %+v, %v", before, after, err)
	}
}

// TestBackup_Checked: a backup is checked, stamped and 0600; a file that
// is not a Chorus database fails CheckFile; a missing source is refused
// and not created.
func TestBackup_Checked(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	MustEvent(t, db)
	dir := t.TempDir()
	dest := filepath.Join(dir, "b.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.CheckFile(dest); err != nil {
		t.Fatal(err)
	}
	var taken string
	if err := MustRawDB(t, dest).QueryRow("SELECT value FROM meta WHERE key = 'backup_taken_ms'").Scan(&taken); err != nil || taken == "" {
		t.Fatalf("stamp = %q, %v", taken, err)
	}
	if st, _ := os.Stat(dest); st.Mode().Perm() != sqlite.FileMode {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if err := db.Backup(ctx, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over a backup = %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 100)), 0o600)
	if err := sqlite.CheckFile(junk); err == nil {
		t.Error("junk passed the check")
	}
	missing := filepath.Join(dir, "missing.db")
	if err := sqlite.Backup(ctx, missing, filepath.Join(dir, "c.db")); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("backup of a missing file = %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the missing source was created")
	}
}

// TestMarkForLookup: messages queued or being sent are marked to be looked
// up; those already submitted are left alone.
func TestMarkForLookup(t *testing.T) {
	db, clk := MustOpenDB(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgHelp}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := MustMessages(t, db, Phone(1))
	if err := db.MarkSubmitted(ctx, msgs[0].ID, "biz-1", clk.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := db.MarkForLookup(ctx, "chorus.Unverified", clk.Now())
	if err != nil || n != 1 {
		t.Fatalf("marked %d, %v", n, err)
	}
	for _, m := range MustMessages(t, db, Phone(1)) {
		if (m.Status == chorus.MessageQueued) != (m.ErrCode == "chorus.Unverified") {
			t.Errorf("message %d: %s %q", m.ID, m.Status, m.ErrCode)
		}
	}
}
