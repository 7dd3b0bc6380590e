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

// TestMessageDeliveries: one delivery per message and channel, however
// often (and however concurrently) it is claimed; a delivery moves only
// from the statuses given, so a repeated receipt changes nothing; the
// params are kept with the message for the next channel.
func TestMessageDeliveries(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		in := newMessage(a.estate.ID, "ticket-12/received", "ticket:12", models.RecipientResident, a.resident.ID)
		in.Params = map[string]string{"ticket_no": "T-12"}
		m, _, err := s.ClaimMessage(ctx, in)
		must(t, err)

		var wg sync.WaitGroup
		ids := make([]uint64, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := s.ClaimDelivery(ctx, m.ID, models.ChannelSMS)
				if err != nil {
					t.Error(err)
				}
				ids[i] = d.ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id == 0 || id != ids[0] {
				t.Fatalf("concurrent claims: got ids %v, want one delivery", ids)
			}
		}
		at := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
		pendingOrSent := []models.DeliveryStatus{models.DeliveryPending, models.DeliverySent}
		steps := []struct {
			from      []models.DeliveryStatus
			to        models.DeliveryStatus
			wantMoved bool
		}{
			{[]models.DeliveryStatus{models.DeliveryPending}, models.DeliverySent, true},
			{pendingOrSent, models.DeliveryFailed, true},
			{pendingOrSent, models.DeliveryFailed, false}, // the receipt again
			{pendingOrSent, models.DeliveryDelivered, false},
		}
		for i, st := range steps {
			moved, err := s.MarkDelivery(ctx, m.ID, models.ChannelSMS, st.from, st.to, "空号", at)
			if err != nil || moved != st.wantMoved {
				t.Errorf("step %d (%s): got moved=%v, %v, want %v", i, st.to, moved, err, st.wantMoved)
			}
		}
		_, err = s.ClaimDelivery(ctx, m.ID, models.ChannelWeChat)
		must(t, err)
		ds, err := s.Deliveries(ctx, m.ID)
		must(t, err)
		if len(ds) != 2 || ds[0].Channel != models.ChannelSMS || ds[0].Status != models.DeliveryFailed || ds[0].Reason != "空号" ||
			ds[0].FailedAt == nil || !ds[0].FailedAt.Equal(at) || ds[0].SentAt == nil || ds[1].Channel != models.ChannelWeChat || ds[1].Status != models.DeliveryPending {
			t.Errorf("deliveries: got %+v, want sms failed (空号) then wechat pending", ds)
		}
		got, err := s.MessageByKey(ctx, "ticket-12/received")
		must(t, err)
		if got.ID != m.ID || got.Params["ticket_no"] != "T-12" {
			t.Errorf("by key: got %+v, want message %d with its params", got, m.ID)
		}
		msgs := []models.Message{got}
		must(t, s.WithDeliveries(ctx, msgs))
		if len(msgs[0].Deliveries) != 2 {
			t.Errorf("with deliveries: got %+v, want two", msgs[0].Deliveries)
		}
	})
}
