package activities_test

import (
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// TestBroadcastBatchIsIdempotentAndCapped: a batch sends once per
// resident whatever the retries, and an ordinary notice leaves out a
// resident already at the daily cap.
func TestBroadcastBatchIsIdempotentAndCapped(t *testing.T) {
	f := newNotifyFixture(t)
	b := &activities.Broadcasts{Store: f.store, Notifier: f.notifier}
	f.env.RegisterActivity(b)
	run := func(in activities.BatchInput) activities.BatchResult {
		t.Helper()
		val, err := f.env.ExecuteActivity(b.SendBatch, in)
		if err != nil {
			t.Fatal(err)
		}
		var res activities.BatchResult
		if err := val.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	in := activities.BatchInput{Key: "notice-4/publish", Ref: "notice:4", EstateID: f.estate.ID, Limit: 100,
		Template: notify.TemplateCommunityNotice, Params: map[string]string{"estate": "阳光花园", "title": "消防演练", "body": "周六上午"}}
	for i := range 2 {
		res := run(in)
		if res.Households != 1 || res.Residents != 1 || res.Sent != 1 || res.Failed != 0 || res.Last == 0 {
			t.Errorf("run %d: got %+v, want one household sent", i+1, res)
		}
	}
	if got := f.gateway.posts(); got != 1 {
		t.Errorf("gateway posts: got %d, want 1 (the retry sends nothing again)", got)
	}
	// The next batch, after the last household, is empty.
	next := in
	next.After = run(in).Last
	if res := run(next); res.Households != 0 || res.Last != 0 {
		t.Errorf("after the last household: got %+v, want nothing", res)
	}
	// A second ordinary notice the same day, with a cap of one: capped.
	second := in
	second.Key, second.Ref = "notice-5/publish", "notice:5"
	second.CapSince, second.Policy = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), models.NoticePolicy{DailyCap: 1}
	if res := run(second); res.Capped != 1 || res.Sent != 0 {
		t.Errorf("capped notice: got %+v, want the resident left out", res)
	}
	// An emergency one (no cap) goes.
	second.CapSince = time.Time{}
	if res := run(second); res.Sent != 1 {
		t.Errorf("emergency notice: got %+v, want it sent", res)
	}
}
