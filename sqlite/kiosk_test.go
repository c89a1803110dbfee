package sqlite_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sqlite"
)

// kioskStore is a store with one place, one clinic and its clock (Now,
// Add) at 2026-12-01 08:00 Shanghai that tests move.
type kioskStore struct {
	*Clock
	db    *sqlite.DB
	place int64
	event int64
}

func mustKioskStore(tb testing.TB) *kioskStore {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "kiosk.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s := &kioskStore{Clock: clocktest.New(time.Date(2026, 12, 1, 8, 0, 0, 0, loc)), db: db}
	db.Now, db.Location = s.Now, loc
	db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	p := &chorus.Place{Name: "社区活动室"}
	if err := db.SavePlace(ctx, p); err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, loc)
	e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID,
		Slots: []chorus.Slot{{Start: start, End: start.Add(15 * time.Minute), Capacity: 5}}}
	if err := db.CreateEvent(ctx, e); err != nil {
		tb.Fatal(err)
	}
	s.place, s.event = p.ID, e.ID
	return s
}

// mustCreate registers a kiosk and returns it with its pairing code.
func (s *kioskStore) mustCreate(tb testing.TB, name string) (*chorus.Kiosk, string) {
	tb.Helper()
	k, code, err := s.db.CreateKiosk(context.Background(), name, s.place)
	if err != nil {
		tb.Fatal(err)
	}
	return k, code
}

func wantKioskCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := chorus.ErrorCode(err); got != code {
		tb.Fatalf("error = %v, want code %s", err, code)
	}
}

func TestKioskService_Pair(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s := mustKioskStore(t)
		k, code := s.mustCreate(t, "活动室东墙")
		if !regexp.MustCompile(`^[0-9]{8}$`).MatchString(code) {
			t.Fatalf("code = %q", code)
		}
		if k.Place != "社区活动室" || k.Mode.Kind != chorus.KioskBooking || k.Settings.IdleSeconds != 90 || !k.PairedAt.IsZero() {
			t.Fatalf("kiosk = %+v", k)
		}
		// Typed with a space, as it is printed in two groups.
		paired, token, err := s.db.Pair(ctx, code[:4]+" "+code[4:])
		if err != nil {
			t.Fatal(err)
		}
		if paired.ID != k.ID || paired.PairedAt.IsZero() || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(token) {
			t.Fatalf("paired = %+v, token %q", paired, token)
		}
		got, err := s.db.KioskByToken(ctx, token)
		if err != nil || got.ID != k.ID {
			t.Fatalf("by token = %+v, %v", got, err)
		}
	})
	t.Run("ErrUsedTwice", func(t *testing.T) {
		s := mustKioskStore(t)
		_, code := s.mustCreate(t, "活动室东墙")
		if _, _, err := s.db.Pair(ctx, code); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.db.Pair(ctx, code)
		wantKioskCode(t, err, chorus.EINVALID)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		s := mustKioskStore(t)
		_, code := s.mustCreate(t, "活动室东墙")
		s.Add(chorus.PairingCodeTTL)
		_, _, err := s.db.Pair(ctx, code)
		wantKioskCode(t, err, chorus.EINVALID)
	})
	t.Run("JustInTime", func(t *testing.T) {
		s := mustKioskStore(t)
		_, code := s.mustCreate(t, "活动室东墙")
		s.Add(chorus.PairingCodeTTL - time.Millisecond)
		if _, _, err := s.db.Pair(ctx, code); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		s := mustKioskStore(t)
		for _, code := range []string{"", "1234567", "123456789", "1234567a", "１２３４５６７８"} {
			_, _, err := s.db.Pair(ctx, code)
			wantKioskCode(t, err, chorus.EINVALID)
		}
	})
	t.Run("NewCode", func(t *testing.T) {
		s := mustKioskStore(t)
		k, first := s.mustCreate(t, "活动室东墙")
		_, oldToken, err := s.db.Pair(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.db.NewPairingCode(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, newToken, err := s.db.Pair(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		// The old screen's token stops working.
		_, err = s.db.KioskByToken(ctx, oldToken)
		wantKioskCode(t, err, chorus.ENOTFOUND)
		if _, err := s.db.KioskByToken(ctx, newToken); err != nil {
			t.Fatal(err)
		}
		_, err = s.db.NewPairingCode(ctx, k.ID+100)
		wantKioskCode(t, err, chorus.ENOTFOUND)
	})
	t.Run("Revoke", func(t *testing.T) {
		s := mustKioskStore(t)
		k, code := s.mustCreate(t, "活动室东墙")
		_, token, err := s.db.Pair(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		revoked, err := s.db.RevokeKiosk(ctx, k.ID)
		if err != nil || !revoked.Revoked {
			t.Fatalf("revoke = %+v, %v", revoked, err)
		}
		_, err = s.db.KioskByToken(ctx, token)
		wantKioskCode(t, err, chorus.EFORBIDDEN)
		_, err = s.db.KioskByToken(ctx, "")
		wantKioskCode(t, err, chorus.ENOTFOUND)
		// Pairing again lifts the revocation, with a new token.
		code, err = s.db.NewPairingCode(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		again, token2, err := s.db.Pair(ctx, code)
		if err != nil || again.Revoked || token2 == token {
			t.Fatalf("pair again = %+v, %v", again, err)
		}
		_, err = s.db.KioskByToken(ctx, token)
		wantKioskCode(t, err, chorus.ENOTFOUND)
	})
}

func TestKioskService_Change(t *testing.T) {
	ctx := context.Background()
	s := mustKioskStore(t)
	k, _ := s.mustCreate(t, "活动室东墙")

	t.Run("Rename", func(t *testing.T) {
		got, err := s.db.RenameKiosk(ctx, k.ID, " 活动室西墙 ", 0)
		if err != nil || got.Name != "活动室西墙" || got.PlaceID != s.place {
			t.Fatalf("rename = %+v, %v", got, err)
		}
		_, err = s.db.RenameKiosk(ctx, k.ID, "", 0)
		wantKioskCode(t, err, chorus.EINVALID)
		_, err = s.db.RenameKiosk(ctx, k.ID, "大厅", 999)
		wantKioskCode(t, err, chorus.EINVALID)
		_, err = s.db.RenameKiosk(ctx, 999, "大厅", 0)
		wantKioskCode(t, err, chorus.ENOTFOUND)
	})
	t.Run("Mode", func(t *testing.T) {
		// The title is the event's, whatever the request says.
		got, err := s.db.SetKioskMode(ctx, k.ID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: s.event, EventTitle: "假的", Message: "x"})
		if err != nil || got.Mode != (chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: s.event, EventTitle: "免费义诊"}) {
			t.Fatalf("mode = %+v, %v", got, err)
		}
		got, err = s.db.SetKioskMode(ctx, k.ID, chorus.KioskMode{Kind: chorus.KioskClosed, EventID: 3, Message: "今天休息"})
		if err != nil || got.Mode != (chorus.KioskMode{Kind: chorus.KioskClosed, Message: "今天休息"}) {
			t.Fatalf("mode = %+v, %v", got, err)
		}
		for _, m := range []chorus.KioskMode{{Kind: "party"}, {Kind: chorus.KioskCheckin}, {Kind: chorus.KioskCheckin, EventID: 999}} {
			_, err = s.db.SetKioskMode(ctx, k.ID, m)
			wantKioskCode(t, err, chorus.EINVALID)
		}
	})
	t.Run("Settings", func(t *testing.T) {
		got, err := s.db.SetKioskSettings(ctx, k.ID, chorus.KioskSettings{TextSize: 2, Printer: true})
		if err != nil || got.Settings != (chorus.KioskSettings{IdleSeconds: 90, TextSize: 2, Printer: true}) {
			t.Fatalf("settings = %+v, %v", got, err)
		}
		for _, set := range []chorus.KioskSettings{{IdleSeconds: 5}, {IdleSeconds: 3600}, {TextSize: 3}, {TextSize: -1}} {
			_, err = s.db.SetKioskSettings(ctx, k.ID, set)
			wantKioskCode(t, err, chorus.EINVALID)
		}
	})
	t.Run("List", func(t *testing.T) {
		s.mustCreate(t, "大厅")
		list, err := s.db.Kiosks(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "大厅" || list[1].Settings.TextSize != 2 {
			t.Fatalf("kiosks = %+v, %v", list, err)
		}
	})
	t.Run("ErrCreate", func(t *testing.T) {
		_, _, err := s.db.CreateKiosk(ctx, "大厅", 999)
		wantKioskCode(t, err, chorus.EINVALID)
		_, _, err = s.db.CreateKiosk(ctx, "  ", s.place)
		wantKioskCode(t, err, chorus.EINVALID)
	})
}

func TestKioskService_Announcements(t *testing.T) {
	ctx := context.Background()
	s := mustKioskStore(t)
	k, _ := s.mustCreate(t, "活动室东墙")

	all := &chorus.Announcement{Text: "明天义诊改到九点半", Speak: true}
	if err := s.db.CreateAnnouncement(ctx, all); err != nil {
		t.Fatal(err)
	}
	if want := s.Now().Add(chorus.DefaultAnnouncementTTL); !all.ExpiresAt.Equal(want) || all.ID == 0 {
		t.Fatalf("announcement = %+v", all)
	}
	one := &chorus.Announcement{Text: "请到隔壁排队", KioskID: k.ID, ExpiresAt: s.Now().Add(time.Hour)}
	if err := s.db.CreateAnnouncement(ctx, one); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []chorus.Announcement{
		{Text: ""},
		{Text: string(make([]rune, 101))},
		{Text: "一台和一个地点", KioskID: k.ID, PlaceID: s.place},
		{Text: "过期", ExpiresAt: s.Now().Add(-time.Minute)},
		{Text: "太久", ExpiresAt: s.Now().Add(chorus.MaxAnnouncementTTL + time.Hour)},
		{Text: "没有这台", KioskID: 999},
		{Text: "没有这里", PlaceID: 999},
	} {
		err := s.db.CreateAnnouncement(ctx, &bad)
		wantKioskCode(t, err, chorus.EINVALID)
	}
	list, err := s.db.Announcements(ctx, s.Now())
	if err != nil || len(list) != 2 || list[0].ID != one.ID || list[0].KioskID != k.ID || !list[1].Speak {
		t.Fatalf("announcements = %+v, %v", list, err)
	}
	list, err = s.db.Announcements(ctx, s.Now().Add(2*time.Hour))
	if err != nil || len(list) != 1 || list[0].ID != all.ID {
		t.Fatalf("after an hour, announcements = %+v, %v", list, err)
	}
}
