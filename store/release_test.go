package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestReleaseSlotsOfAMonthEnd: 10,000 households of one estate reminded
// by SMS at one local minute, asked by four workers at once, draw the
// numbers 0..9,999, each once; a retried key draws its number again;
// another channel counts on its own. At the default 50 SMS/s they are
// released over 199.98 s, none twice.
func TestReleaseSlotsOfAMonthEnd(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loc, _ := time.LoadLocation("Asia/Shanghai")
		batch := time.Date(2026, 3, 31, 18, 0, 0, 0, loc)
		const households, workers = 10000, 4
		slots := make([]int64, households)
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		start := time.Now()
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < households; i += workers {
					n, err := s.ReleaseSlot(ctx, 1, models.ChannelSMS, batch, fmt.Sprintf("collection-%d/reminder-2026-03/sms", i))
					if err != nil {
						errs <- err
						return
					}
					slots[i] = n
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		took := time.Since(start)
		seen := make([]bool, households)
		rate := models.DefaultReleasePolicy().Rate(models.ChannelSMS)
		quiet := models.DefaultPolicy().QuietHours
		var last time.Time
		for i, n := range slots {
			if n < 0 || n >= households || seen[n] {
				t.Fatalf("household %d drew %d: out of 0..%d or drawn twice", i, n, households-1)
			}
			seen[n] = true
			if at := models.ReleaseAt(batch, n, rate, quiet, loc); at.After(last) {
				last = at
			}
		}
		if span := last.Sub(batch); span != 199980*time.Millisecond {
			t.Errorf("10,000 at %d/s: released over %v, want 199.98s", rate, span)
		}
		again, err := s.ReleaseSlot(ctx, 1, models.ChannelSMS, batch, "collection-7/reminder-2026-03/sms")
		if err != nil || again != slots[7] {
			t.Errorf("retried key: got %d (%v), want its number %d", again, err, slots[7])
		}
		if n, err := s.ReleaseSlot(ctx, 1, models.ChannelWeChat, batch, "collection-7/reminder-2026-03/wechat"); err != nil || n != 0 {
			t.Errorf("first WeChat message: got %d (%v), want 0", n, err)
		}
		t.Logf("10,000 slots drawn by %d workers in %v; released over %v at %d SMS/s", workers, took, last.Sub(batch), rate)
	})
}
