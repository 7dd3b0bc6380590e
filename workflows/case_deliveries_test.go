package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
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

// TestOutboxKeepsTheContactWindow: a resident message the notifier holds
// back (outside the resident's contact window) keeps its turn and is sent
// again when the window opens.
func TestOutboxKeepsTheContactWindow(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	opens := cday(3, 12, 18, 0)
	h.sendAs = func(in activities.SendInput, res activities.SendResult) activities.SendResult {
		if in.RecipientKind == models.RecipientResident && in.KeepWindow && h.env.Now().Before(opens) {
			return activities.SendResult{NotBefore: opens}
		}
		return res
	}
	h.pay(cday(3, 15, 15, 0), 0)
	h.run()
	wantLines(t, "events", h.lines("step", "contact"), []string{
		"03-11 21:00 step sms/queued message",
		"03-12 18:00 contact sms/sent payment_overdue_polite",
	})
	if len(h.sends) != 2 || !h.sends[1].At.Equal(opens) || h.sends[0].In.Key != h.sends[1].In.Key {
		t.Errorf("sends: got %+v, want the same message tried at 21:00 and sent at %v", h.sends, opens)
	}
}

// TestTicketStaffMessageFallsBack: a ticket's message to staff sent by
// 企业微信 whose receipt says failed moves on to the next channel; the
// receipt repeated, the notifier is asked again and sends nothing twice.
// The receipts still awaited when the ticket closes are handed over to
// Delivery workflows, which fall back when none comes.
func TestTicketStaffMessageFallsBack(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.sendAs = func(in activities.SendInput, res activities.SendResult) activities.SendResult {
		res.Channel, res.Delivery, res.ReceiptWait = models.ChannelWeCom, models.DeliverySent, time.Hour
		return res
	}
	var n *activities.Notifier
	var fallbacks []activities.FallbackInput
	h.env.OnActivity(n.Fallback, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FallbackInput) (activities.SendResult, error) {
			fallbacks = append(fallbacks, in)
			return activities.SendResult{Status: models.MessageSent, Channel: models.ChannelConsole, Delivery: models.DeliveryDelivered}, nil
		})
	var key string
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	for _, minute := range []int{2, 3} {
		h.env.RegisterDelayedCallback(func() {
			for _, s := range h.sends {
				if s.In.Template == "ticket_assigned" && s.In.RecipientID == tech {
					key = s.In.Key
				}
			}
			h.env.SignalWorkflow(DeliverySignal, DeliveryReport{Key: key, Channel: models.ChannelWeCom, Status: models.DeliveryFailed, Reason: "未绑定企业微信"})
		}, at(2, 10, minute).Sub(h.in.ReportedAt))
	}
	h.do(at(2, 10, 10), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "cancel")
	want := activities.FallbackInput{Key: key, Channel: models.ChannelWeCom, Reason: "未绑定企业微信"}
	if key == "" || len(fallbacks) < 2 || fallbacks[0] != want || fallbacks[1] != want {
		t.Fatalf("fallbacks: got %+v, want %+v twice first", fallbacks, want)
	}
	// The ticket closed with the other messages' receipts still awaited:
	// each went on in its own Delivery, which fell back when none came.
	handed := map[string]bool{}
	for _, f := range fallbacks[2:] {
		if f.Channel != models.ChannelWeCom || f.Reason != "no receipt within 1h0m0s" || f.Key == key {
			t.Errorf("handed-over fallback: got %+v, want another message's, without a receipt", f)
		}
		handed[f.Key] = true
	}
	if !handed["ticket-12/5/ticket_closed/staff-9"] {
		t.Errorf("handed over: got %v, want the closing message among them", handed)
	}
}

// TestDeliveryAfterTheProcessEnded: the stand-alone Delivery moves a
// message whose process has ended on to its next channel, waits for that
// channel's receipt and ends once it is delivered.
func TestDeliveryAfterTheProcessEnded(t *testing.T) {
	env := newTestEnv()
	start := at(2, 10, 0)
	env.SetStartTime(start)
	var n *activities.Notifier
	var fallbacks []activities.FallbackInput
	env.OnActivity(n.Fallback, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FallbackInput) (activities.SendResult, error) {
			fallbacks = append(fallbacks, in)
			return activities.SendResult{Status: models.MessageSent, Channel: models.ChannelWeChat, Delivery: models.DeliverySent, ReceiptWait: time.Hour}, nil
		})
	const key = "ticket-12/closed/staff-9"
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(DeliverySignal, DeliveryReport{Key: key, Channel: models.ChannelSMS, Status: models.DeliveryFailed, Reason: "空号"})
	}, 0)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(DeliverySignal, DeliveryReport{Key: key, Channel: models.ChannelWeChat, Status: models.DeliveryDelivered})
	}, 10*time.Minute)
	env.ExecuteWorkflow(Delivery, DeliveryInput{})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("got completed=%v, %v, want completed", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if got := env.Now().Sub(start); got != 10*time.Minute {
		t.Errorf("ended after %v, want 10m: at the wechat receipt", got)
	}
	if want := (activities.FallbackInput{Key: key, Channel: models.ChannelSMS, Reason: "空号"}); len(fallbacks) != 1 || fallbacks[0] != want {
		t.Errorf("fallbacks: got %+v, want %+v", fallbacks, want)
	}
}
