package sqlite_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestKioskService_KioskByTokenRemembered checks that the kiosks
// KioskByToken remembers (it answers every kiosk request) never outlive a
// change: a revocation, a new pairing, a rename, a new mode, the place's
// new name all show on the very next lookup.
func TestKioskService_KioskByTokenRemembered(t *testing.T) {
	ctx := context.Background()
	pair := func(t *testing.T, s *kioskStore, name string) (*chorus.Kiosk, string) {
		t.Helper()
		k, code := s.mustCreate(t, name)
		_, token, err := s.db.Pair(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second lookup is answered from memory
			if got, err := s.db.KioskByToken(ctx, token); err != nil || got.ID != k.ID {
				t.Fatalf("kiosk by token = %+v, %v", got, err)
			}
		}
		return k, token
	}

	t.Run("Revoked", func(t *testing.T) {
		s := mustKioskStore(t)
		k, token := pair(t, s, "东墙")
		_, other := pair(t, s, "西墙")
		if _, err := s.db.RevokeKiosk(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.db.KioskByToken(ctx, token)
		wantKioskCode(t, err, chorus.EFORBIDDEN)
		if _, err := s.db.KioskByToken(ctx, other); err != nil {
			t.Fatalf("the other kiosk: %v", err)
		}
	})

	t.Run("PairedAgain", func(t *testing.T) {
		s := mustKioskStore(t)
		k, token := pair(t, s, "东墙")
		code, err := s.db.NewPairingCode(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.db.Pair(ctx, code); err != nil {
			t.Fatal(err)
		}
		_, err = s.db.KioskByToken(ctx, token)
		wantKioskCode(t, err, chorus.ENOTFOUND)
	})

	t.Run("Changed", func(t *testing.T) {
		s := mustKioskStore(t)
		k, token := pair(t, s, "东墙")
		if _, err := s.db.RenameKiosk(ctx, k.ID, "南墙", 0); err != nil {
			t.Fatal(err)
		}
		if got, err := s.db.KioskByToken(ctx, token); err != nil || got.Name != "南墙" {
			t.Fatalf("after rename: %+v, %v", got, err)
		}
		if _, err := s.db.SetKioskMode(ctx, k.ID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: s.event}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.db.KioskByToken(ctx, token); err != nil || got.Mode.Kind != chorus.KioskCheckin || got.Mode.EventTitle != "免费义诊" {
			t.Fatalf("after mode: %+v, %v", got, err)
		}
		if err := s.db.SavePlace(ctx, &chorus.Place{ID: s.place, Name: "二楼活动室"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.db.KioskByToken(ctx, token); err != nil || got.Place != "二楼活动室" {
			t.Fatalf("after the place's rename: %+v, %v", got, err)
		}
	})

	// Lookups racing the revocation may pass while it is being written;
	// none may pass once RevokeKiosk has returned.
	t.Run("RevokedDuringLookups", func(t *testing.T) {
		s := mustKioskStore(t)
		k, token := pair(t, s, "东墙")
		var revoked atomic.Bool
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					after := revoked.Load() // read before the lookup starts
					_, err := s.db.KioskByToken(ctx, token)
					if after && err == nil {
						t.Error("a lookup started after the revocation returned let the kiosk in")
						return
					}
				}
			}()
		}
		for i := range 20 { // writes in between, so lookups race commits
			if _, err := s.db.RenameKiosk(ctx, k.ID, "东墙"+string(rune('A'+i)), 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.db.RevokeKiosk(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		revoked.Store(true)
		for range 50 {
			if _, err := s.db.KioskByToken(ctx, token); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
				t.Fatalf("after revocation: %v", err)
			}
		}
		close(stop)
		wg.Wait()
	})
}
