package store_test

import (
	"context"
	"testing"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestErrorsCountsOnlyDatabaseTrouble: not found, a duplicate and a request
// that went away are the callers' business; a database that no longer
// answers is counted.
func TestErrorsCountsOnlyDatabaseTrouble(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		seed(t, s, "A")
		if _, err := s.Ticket(ctx, all, 987654); err == nil {
			t.Fatal("ticket 987654: got one, want not found")
		}
		wantErr(t, "estate code twice", s.CreateEstate(ctx, &models.Estate{Code: "A", Name: "x", TimeZone: "UTC"}, models.DefaultPolicy(), nil), models.ErrConflict)
		gone, cancel := context.WithCancel(ctx)
		cancel()
		_, _ = s.Ticket(gone, all, 1)
		if got := s.Errors(); got != 0 {
			t.Errorf("after not found, a duplicate and a cancelled request: got %d errors, want 0", got)
		}

		db, err := s.SQL()
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := s.Ping(ctx); err == nil {
			t.Fatal("ping on a closed database: got nil, want an error")
		}
		if got := s.Errors(); got != 1 {
			t.Errorf("after a ping on a closed database: got %d errors, want 1", got)
		}
	})
}
