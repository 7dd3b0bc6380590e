package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// TestCollectionContactCountsOnceDelivered: with per-channel gateways a
// dunning message is a contact only once delivered. The first message's
// SMS fails by receipt and moves to WeChat, whose receipt (twice) makes it
// one contact; the second gets no receipt within the wait, and with no
// channel left it is recorded failed, no contact.
func TestCollectionContactCountsOnceDelivered(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.sendAs = func(in activities.SendInput, res activities.SendResult) activities.SendResult {
		if in.RecipientKind == models.RecipientResident {
			res.Channel, res.Delivery, res.ReceiptWait = models.ChannelSMS, models.DeliverySent, time.Hour
		}
		return res
	}
	h.fallbackAs = func(in activities.FallbackInput) (activities.SendResult, error) {
		if in.Channel == models.ChannelSMS && in.Key == "collection-4/7/step-0" {
			return activities.SendResult{MessageID: 1, Status: models.MessageSent, Channel: models.ChannelWeChat,
				Delivery: models.DeliverySent, ReceiptWait: time.Hour}, nil
		}
		return activities.SendResult{}, temporal.NewNonRetryableApplicationError("no channel left", activities.ErrTypeNotifyRejected, nil)
	}
	report := func(at time.Time, key string, ch models.Channel, status models.DeliveryStatus) {
		h.at(at, func() { h.env.SignalWorkflow(DeliverySignal, DeliveryReport{Key: key, Channel: ch, Status: status}) })
	}
	report(cday(3, 11, 21, 10), "collection-4/7/step-0", models.ChannelSMS, models.DeliveryFailed)
	report(cday(3, 11, 21, 20), "collection-4/7/step-0", models.ChannelWeChat, models.DeliveryDelivered)
	report(cday(3, 11, 21, 25), "collection-4/7/step-0", models.ChannelWeChat, models.DeliveryDelivered) // the receipt again
	report(cday(3, 11, 21, 30), "collection-4/7/step-0", models.ChannelSMS, models.DeliveryFailed)       // a late repeat
	h.pay(cday(3, 27, 15, 0), 0)
	h.run()
	wantLines(t, "events", h.lines(), []string{
		"03-11 09:00 opened",
		"03-11 21:00 step sms/queued message",
		"03-11 21:00 contact_sent /sent",
		"03-11 21:20 contact wechat/delivered payment_overdue_polite",
		"03-18 21:00 step wechat/queued message",
		"03-18 21:00 contact_sent /sent",
		"03-18 22:00 contact_failed /failed",
		"03-26 09:00 step phone/assigned phone_call",
		"03-27 15:00 payment",
		"03-27 15:00 closed",
	})
	want := []activities.FallbackInput{
		{Key: "collection-4/7/step-0", Channel: models.ChannelSMS},
		{Key: "collection-4/7/step-0", Channel: models.ChannelSMS}, // the late repeat: the notifier sends nothing twice
		{Key: "collection-4/7/step-1", Channel: models.ChannelSMS, Reason: "no receipt within 1h0m0s"},
	}
	if len(h.fallbacks) != len(want) {
		t.Fatalf("fallbacks: got %+v, want %+v", h.fallbacks, want)
	}
	for i := range want {
		if h.fallbacks[i] != want[i] {
			t.Errorf("fallback %d: got %+v, want %+v", i, h.fallbacks[i], want[i])
		}
	}
}
