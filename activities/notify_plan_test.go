package activities_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// planFixture is the notify fixture with a gateway per channel (sms,
// wechat, app), each its own smsGateway behind its own path.
func planFixture(t *testing.T) (*notifyFixture, map[models.Channel]*smsGateway) {
	f := newNotifyFixture(t)
	gws := map[models.Channel]*smsGateway{}
	mux := http.NewServeMux()
	chans := map[models.Channel]notify.Channel{models.ChannelConsole: notify.ConsoleChannel{}}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, ch := range []models.Channel{models.ChannelSMS, models.ChannelWeChat, models.ChannelApp} {
		g := &smsGateway{t: t}
		gws[ch] = g
		mux.Handle("/"+string(ch), g)
		chans[ch] = notify.GatewayChannel{Channel: ch, URL: srv.URL + "/" + string(ch), Secret: notifySecret, Client: srv.Client()}
	}
	f.notifier.Channels = chans
	return f, gws
}

func (f *notifyFixture) fallback(in activities.FallbackInput) (activities.SendResult, error) {
	var res activities.SendResult
	val, err := f.env.ExecuteActivity(f.notifier.Fallback, in)
	if err != nil {
		return res, err
	}
	return res, val.Get(&res)
}

func (f *notifyFixture) deliveries(t *testing.T, id uint64) map[models.Channel]models.DeliveryStatus {
	t.Helper()
	ds, err := f.store.Deliveries(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[models.Channel]models.DeliveryStatus{}
	for _, d := range ds {
		out[d.Channel] = d.Status
	}
	return out
}

// TestNotifierFollowsThePlan: a refused channel moves on at once, a sent
// one is not sent again, a failed receipt (Fallback) moves to the next
// channel, and with none left the message fails for good.
func TestNotifierFollowsThePlan(t *testing.T) {
	f, gws := planFixture(t)
	ctx := context.Background()
	gws[models.ChannelSMS].script = []int{http.StatusBadRequest}
	in := f.received(activities.SendInput{Key: "ticket-12/received"})

	got, err := f.send(in)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if got.Channel != models.ChannelWeChat || got.Delivery != models.DeliverySent || got.ReceiptWait != 6*time.Hour {
		t.Errorf("send: got %+v, want sent by wechat awaiting a receipt for 6h", got)
	}
	var p notify.GatewayPayload
	if err := json.Unmarshal(gws[models.ChannelWeChat].bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Channel != models.ChannelWeChat || p.Recipient.ID != f.resident.ID || p.Recipient.Phone != "" || p.Key != in.Key || p.Params["ticket_no"] != "T-12" {
		t.Errorf("wechat payload: got %+v, want the channel, the resident's id without phone, the key and params", p)
	}
	want := map[models.Channel]models.DeliveryStatus{models.ChannelSMS: models.DeliveryFailed, models.ChannelWeChat: models.DeliverySent}
	if d := f.deliveries(t, got.MessageID); len(d) != 2 || d[models.ChannelSMS] != want[models.ChannelSMS] || d[models.ChannelWeChat] != want[models.ChannelWeChat] {
		t.Errorf("deliveries: got %v, want %v", d, want)
	}

	if again, err := f.send(in); err != nil || again.Channel != models.ChannelWeChat || gws[models.ChannelWeChat].posts() != 1 {
		t.Errorf("send again: got %+v, %v after %d wechat posts, want wechat once", again, err, gws[models.ChannelWeChat].posts())
	}

	// The wechat receipt says failed: the route marks it, the process asks
	// for the fallback; a repeated receipt changes nothing.
	for i, wantMoved := range []bool{true, false} {
		moved, err := f.store.MarkDelivery(ctx, got.MessageID, models.ChannelWeChat,
			[]models.DeliveryStatus{models.DeliveryPending, models.DeliverySent}, models.DeliveryFailed, "用户未关注公众号", time.Now())
		if err != nil || moved != wantMoved {
			t.Errorf("receipt %d: got moved=%v, %v, want %v", i+1, moved, err, wantMoved)
		}
	}
	next, err := f.fallback(activities.FallbackInput{Key: in.Key, Channel: models.ChannelWeChat, Reason: "receipt failed"})
	if err != nil || next.Channel != models.ChannelApp || gws[models.ChannelApp].posts() != 1 {
		t.Fatalf("fallback: got %+v, %v, want sent by app", next, err)
	}
	if again, err := f.fallback(activities.FallbackInput{Key: in.Key, Channel: models.ChannelWeChat}); err != nil || again.Channel != models.ChannelApp || gws[models.ChannelApp].posts() != 1 {
		t.Errorf("repeated fallback: got %+v, %v after %d app posts, want app once", again, err, gws[models.ChannelApp].posts())
	}

	// No receipt from the app within the wait: nothing is left.
	_, err = f.fallback(activities.FallbackInput{Key: in.Key, Channel: models.ChannelApp, Reason: "no receipt within 6h"})
	if ae := appError(t, err); ae.Type() != activities.ErrTypeNotifyRejected || !ae.NonRetryable() {
		t.Errorf("fallback with no channel left: got %v, want a non-retryable %s", err, activities.ErrTypeNotifyRejected)
	}
	m, err := f.store.Message(ctx, store.AllEstates(), got.MessageID)
	if err != nil || m.Status != models.MessageFailed || m.Channel != string(models.ChannelApp) {
		t.Errorf("message: got %+v, %v, want failed, last by app", m, err)
	}
}

// TestNotifierPlanPreferenceAndWindow: the resident's preferred channel
// goes first; outside the resident's contact window nothing is sent and
// the result says when the window opens.
func TestNotifierPlanPreferenceAndWindow(t *testing.T) {
	f, gws := planFixture(t)
	ctx := context.Background()
	f.resident.PreferredChannel = models.ChannelApp
	// The fixture's clock is 18:00 in Shanghai, a Monday.
	f.resident.ContactWindow = &models.ContactWindow{From: "09:00", To: "12:00"}
	if err := f.store.UpdateResident(ctx, store.AllEstates(), &f.resident); err != nil {
		t.Fatal(err)
	}
	in := f.received(activities.SendInput{Key: "ticket-12/received", KeepWindow: true})
	got, err := f.send(in)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if wantAt := time.Date(2026, 11, 24, 9, 0, 0, 0, loc); err != nil || !got.NotBefore.Equal(wantAt) || got.Channel != "" {
		t.Errorf("outside the window: got %+v, %v, want nothing sent before %v", got, err, wantAt)
	}
	in.KeepWindow = false
	got, err = f.send(in)
	if err != nil || got.Channel != models.ChannelApp || gws[models.ChannelApp].posts() != 1 || gws[models.ChannelSMS].posts() != 0 {
		t.Errorf("preferred app: got %+v, %v, want sent by app alone", got, err)
	}
}

// TestNotifierStaffPlan: staff without a 企业微信 gateway go by SMS; with
// SMS refused the console's inbox takes it, delivered at once.
func TestNotifierStaffPlan(t *testing.T) {
	f, gws := planFixture(t)
	gws[models.ChannelSMS].script = []int{http.StatusUnprocessableEntity}
	in := activities.SendInput{Key: "ticket-12/escalate-1/staff", EstateID: f.estate.ID, RecipientKind: models.RecipientStaff,
		RecipientID: f.staff.ID, Template: notify.TemplateEscalation, Ref: "ticket:12",
		Params: map[string]string{"ticket_no": "T-12", "summary": "漏水", "stage": "处理中", "due": "12-01 10:00", "level": "1"}}
	got, err := f.send(in)
	if err != nil || got.Channel != models.ChannelConsole || got.Delivery != models.DeliveryDelivered || got.ReceiptWait != 0 {
		t.Errorf("staff: got %+v, %v, want delivered to the console", got, err)
	}
}

// TestNotifierFallbackKeepsQuietHours: a resident message's next channel
// waits for the estate's quiet hours to end: nothing is sent, NotBefore
// says when.
func TestNotifierFallbackKeepsQuietHours(t *testing.T) {
	f, gws := planFixture(t)
	in := f.received(activities.SendInput{Key: "ticket-12/received"})
	got, err := f.send(in)
	if err != nil || got.Channel != models.ChannelSMS {
		t.Fatalf("send: got %+v, %v, want sent by sms", got, err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	f.notifier.Now = func() time.Time { return time.Date(2026, 11, 23, 23, 0, 0, 0, loc) }
	next, err := f.fallback(activities.FallbackInput{Key: in.Key, Channel: models.ChannelSMS, Reason: "空号"})
	if want := time.Date(2026, 11, 24, 8, 0, 0, 0, loc); err != nil || !next.NotBefore.Equal(want) || gws[models.ChannelWeChat].posts() != 0 {
		t.Errorf("fallback at 23:00: got %+v, %v after %d wechat posts, want nothing sent before %v", next, err, gws[models.ChannelWeChat].posts(), want)
	}
	if d := f.deliveries(t, got.MessageID); d[models.ChannelSMS] != models.DeliveryFailed {
		t.Errorf("sms delivery: got %v, want failed", d)
	}
}
