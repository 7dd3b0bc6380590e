package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestSignInFailures(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		acct, addr := models.AccountKey("Zhang"), models.AddressKey("10.0.0.1")
		locked := func(at time.Time, want time.Time) {
			t.Helper()
			got, err := s.SignInLockedUntil(ctx, at, acct, addr)
			must(t, err)
			if !got.Equal(want) {
				t.Errorf("locked at %s: got until %v, want %v", at.Format(time.TimeOnly), got, want)
			}
		}
		fail := func(at time.Time, wantFailures int, wantLock time.Duration) {
			t.Helper()
			f, err := s.RecordSignInFailure(ctx, acct, at)
			must(t, err)
			var gotLock time.Duration
			if f.LockedUntil != nil {
				gotLock = f.LockedUntil.Sub(at)
			}
			if f.Failures != wantFailures || gotLock != wantLock {
				t.Errorf("failure at %s: got %d failures, lock %v, want %d, %v", at.Format(time.TimeOnly), f.Failures, gotLock, wantFailures, wantLock)
			}
		}
		for i := 1; i <= 4; i++ {
			fail(now, i, 0)
		}
		locked(now, time.Time{})
		fail(now, 5, time.Second)
		locked(now, now.Add(time.Second))
		locked(now.Add(time.Second), time.Time{})
		fail(now.Add(time.Second), 6, 2*time.Second)
		locked(now.Add(2*time.Second), now.Add(3*time.Second))
		must(t, s.ClearSignInFailures(ctx, acct))
		locked(now.Add(2*time.Second), time.Time{})
		fail(now.Add(2*time.Second), 1, 0)
		// An hour without a failure forgets them.
		for i := 2; i <= 4; i++ {
			fail(now.Add(3*time.Second), i, 0)
		}
		fail(now.Add(3*time.Second), 5, time.Second)
		fail(now.Add(2*time.Hour), 1, 0)
		// The address counts apart from the account, with its own throttle.
		for i := 1; i <= 20; i++ {
			if _, err := s.RecordSignInFailure(ctx, addr, now.Add(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		locked(now.Add(3*time.Hour), now.Add(3*time.Hour+time.Second))
	})
}

// TestSignInFailuresConcurrently: failures recorded at once all count.
func TestSignInFailuresConcurrently(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		key := models.AccountKey("li")
		const n = 12
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				_, err := s.RecordSignInFailure(ctx, key, now)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		f, err := s.RecordSignInFailure(ctx, key, now)
		must(t, err)
		if f.Failures != n+1 {
			t.Errorf("after %d concurrent failures and one more: got %d, want %d", n, f.Failures, n+1)
		}
	})
}
