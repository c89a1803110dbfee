package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
	"github.com/chorus-community/chorus/sqlite"
)

// childEnv, set in a test binary's environment, makes it run as chorus
// (TestMain calls main) with the arguments and CHORUS_* variables given.
const childEnv = "CHORUS_TEST_CHILD"

// instanceProcess starts a real Chorus process (this test binary running
// main) with env, its log in a buffer shown if the test fails.
func instanceProcess(t *testing.T, name string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	log, err := os.Create(t.TempDir() + "/" + name + ".log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("%s's log:\n%s", name, b)
		}
		log.Close()
	})
	return cmd
}

// TestPostgresKillInstanceMidOutbox: two Chorus processes on one
// PostgreSQL database drain one outbox through the Alibaba SDK to the SMS
// fake. A's first sends reach the provider but their answers never come
// back (lost), and A is killed (SIGKILL) while B sends too. Once A's claims
// have run out, B finishes every message: the fake counts each OutId once,
// the lost ones found by lookup rather than sent again.
func TestPostgresKillInstanceMidOutbox(t *testing.T) {
	dsn := pgtest.DSN(t)
	const n = 120
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string][]string{}
	for _, tp := range cat.Templates() {
		vars[tp.Code] = tp.Params
	}
	fake := smsfake.New(smsfake.Options{SignName: "光华街社区", Templates: vars})
	defer fake.Close()

	db, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i := range n {
		if err := db.Queue(ctx, chorus.Message{Phone: fmt.Sprintf("138%08d", i), Kind: chorus.MsgHelp}); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	env := []string{"CHORUS_DB=" + dsn, "CHORUS_ADDR=127.0.0.1:0", "CHORUS_LOG_LEVEL=info",
		"CHORUS_SMS_ACCESS_KEY_ID=" + smsfake.DefaultAccessKeyID, "CHORUS_SMS_ACCESS_KEY_SECRET=" + smsfake.DefaultAccessKeySecret,
		"CHORUS_SMS_ENDPOINT=" + fake.Endpoint, "CHORUS_SMS_SCHEME=http", "CHORUS_SMS_TIMEOUT=2s",
		"CHORUS_SMS_PROVIDER_LAG=1s", "CHORUS_SMS_RATE=15", "CHORUS_SMS_CONCURRENCY=4"}
	// A's first three sends are recorded by the provider and never answered.
	fake.LoseNext(3)
	a := instanceProcess(t, "A", env)
	wait(t, "A's lost sends", func() bool { return fake.Hanging() == 3 })
	instanceProcess(t, "B", env)
	wait(t, "both instances sending", func() bool {
		var owners int
		raw.QueryRow("SELECT COUNT(DISTINCT lease_owner) FROM messages WHERE lease_owner != ''").Scan(&owners)
		return owners >= 2 && fake.Count() >= 20
	})
	if err := a.Process.Kill(); err != nil { // kill -9
		t.Fatal(err)
	}
	a.Wait()
	fake.Release() // A's connections are gone
	sentAtKill := fake.Count()
	if sentAtKill >= n {
		t.Fatalf("all %d sent before A was killed: not mid-outbox", sentAtKill)
	}
	// A's claims run out after sqlite's lease (2 minutes); this stands for
	// that wait: every lease ends now (B renews its own at its next poll).
	if _, err := raw.Exec("UPDATE messages SET lease_until_ms = 0 WHERE status IN ('queued', 'sending')"); err != nil {
		t.Fatal(err)
	}
	wait(t, "B to finish the outbox", func() bool {
		var left int
		raw.QueryRow("SELECT COUNT(*) FROM messages WHERE status IN ('queued', 'sending')").Scan(&left)
		return left == 0
	})
	statuses := map[string]int{}
	rows, err := raw.Query("SELECT status, COUNT(*) FROM messages GROUP BY status")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var c int
		rows.Scan(&s, &c)
		statuses[s] = c
	}
	rows.Close()
	if statuses["submitted"]+statuses["delivered"] != n {
		t.Errorf("statuses = %v, want all %d submitted", statuses, n)
	}
	byOut := fake.SendsByOutID()
	var twice []string
	for id, s := range byOut {
		if len(s) > 1 {
			twice = append(twice, id)
		}
	}
	if len(twice) > 0 {
		t.Errorf("OutIds sent more than once: %s", strings.Join(twice, ", "))
	}
	if fake.Calls("QuerySendDetails") == 0 {
		t.Error("no lookup: A's lost sends were not looked up before being settled")
	}
	if len(byOut) != n {
		t.Errorf("%d OutIds at the provider, want %d (sent %d before the kill)", len(byOut), n, sentAtKill)
	}
}

// wait polls cond (another process's progress, which no fake clock drives)
// every 50 ms for up to 60 s.
func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
