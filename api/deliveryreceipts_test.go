package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

const testReceiptSecret = "sms-gateway-secret-0123456789"

// signalRecorder keeps the signals the receipt route sends; the workflows
// in ended have ended (NotFound), and a signal to them starts the message's
// Delivery instead (kept in started).
type signalRecorder struct {
	client.Client
	mu      sync.Mutex
	ended   map[string]bool
	ids     []string
	reports []workflows.DeliveryReport
	started []string
}

func (r *signalRecorder) SignalWorkflow(_ context.Context, id, _, signal string, arg any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended[id] {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	if signal == workflows.DeliverySignal {
		r.ids, r.reports = append(r.ids, id), append(r.reports, arg.(workflows.DeliveryReport))
	}
	return nil
}

func (r *signalRecorder) SignalWithStartWorkflow(_ context.Context, id, signal string, _ any, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if signal == workflows.DeliverySignal && o.ID == id {
		r.started = append(r.started, id)
	}
	return nil, nil
}

// TestDeliveryReceipts: a signed batch moves each delivery once and tells
// the process that sent it (or, that process ended, the message's own
// Delivery); a repeated receipt changes nothing and tells no one; a bad
// signature, an old timestamp or an unknown channel is refused.
func TestDeliveryReceipts(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := newHarness(t, s)
		now := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
		rec := &signalRecorder{ended: map[string]bool{"followup-8": true}}
		h.srv.Close()
		h.srv = httptest.NewServer(New(Options{Store: s, Temporal: rec, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now },
			ReceiptSecrets: map[models.Channel]string{models.ChannelSMS: testReceiptSecret}}).Handler())
		ids := map[string]uint64{}
		for _, key := range []string{"ticket-12/received", "collection-4/7/step-0", "followup-8/welcome/resident-3"} {
			m, _, err := s.ClaimMessage(ctx, &models.Message{Key: key, EstateID: h.a.estate.ID, RecipientKind: models.RecipientResident,
				RecipientID: h.a.resident.ID, Channel: "sms", Template: "ticket_received", Subject: "s", Body: "b", Ref: "ticket:12"})
			h.must(err)
			_, err = s.ClaimDelivery(ctx, m.ID, models.ChannelSMS)
			h.must(err)
			_, err = s.MarkDelivery(ctx, m.ID, models.ChannelSMS, []models.DeliveryStatus{models.DeliveryPending}, models.DeliverySent, "", now)
			h.must(err)
			ids[key] = m.ID
		}
		post := func(channel, secret string, ts time.Time, receipts ...map[string]any) (int, receiptsAnswer) {
			raw, err := json.Marshal(map[string]any{"timestamp": ts.Unix(), "receipts": receipts})
			h.must(err)
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/v1/delivery-receipts/"+channel, bytes.NewReader(raw))
			h.must(err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(notify.HeaderSignature, notify.Sign(secret, raw))
			resp, err := h.srv.Client().Do(req)
			h.must(err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var ans receiptsAnswer
			_ = json.Unmarshal(body, &ans)
			return resp.StatusCode, ans
		}
		delivered := map[string]any{"key": "ticket-12/received", "status": "delivered"}
		failed := map[string]any{"key": "collection-4/7/step-0", "status": "failed", "reason": "空号"}
		unknown := map[string]any{"key": "ticket-99/none", "status": "delivered"}

		code, ans := post("sms", testReceiptSecret, now, delivered, failed, unknown)
		wantOutcomes := []string{"recorded", "recorded", "unknown_message"}
		if code != http.StatusOK || len(ans.Results) != 3 {
			t.Fatalf("batch: got %d %+v, want 200 with three outcomes", code, ans)
		}
		for i, want := range wantOutcomes {
			if ans.Results[i].Outcome != want {
				t.Errorf("receipt %d: got %q, want %q", i, ans.Results[i].Outcome, want)
			}
		}
		if len(rec.ids) != 2 || rec.ids[0] != "ticket-12" || rec.ids[1] != "collection-4" ||
			rec.reports[1] != (workflows.DeliveryReport{Key: "collection-4/7/step-0", Channel: models.ChannelSMS, Status: models.DeliveryFailed, Reason: "空号"}) {
			t.Errorf("signals: got %v %+v, want ticket-12 delivered and collection-4 failed", rec.ids, rec.reports)
		}
		ds, err := s.Deliveries(ctx, ids["ticket-12/received"], ids["collection-4/7/step-0"])
		h.must(err)
		if len(ds) != 2 || ds[0].Status != models.DeliveryDelivered || ds[0].DeliveredAt == nil || ds[1].Status != models.DeliveryFailed || ds[1].Reason != "空号" {
			t.Errorf("deliveries: got %+v, want delivered, then failed (空号)", ds)
		}

		// The follow-up that sent it has ended: the message's own Delivery
		// takes the report.
		if code, _ := post("sms", testReceiptSecret, now, map[string]any{"key": "followup-8/welcome/resident-3", "status": "failed"}); code != http.StatusOK ||
			len(rec.started) != 1 || rec.started[0] != "delivery-followup-8/welcome/resident-3" {
			t.Errorf("ended process: got %d and started %v, want the message's Delivery started", code, rec.started)
		}
		if code, ans := post("sms", testReceiptSecret, now.Add(time.Minute), delivered, failed); code != http.StatusOK ||
			ans.Results[0].Outcome != "unchanged" || ans.Results[1].Outcome != "unchanged" || len(rec.ids) != 2 {
			t.Errorf("repeated: got %d %+v and %d signals, want unchanged twice and no new signal", code, ans, len(rec.ids))
		}
		if code, _ := post("sms", "another-secret-0123456789", now, delivered); code != http.StatusUnauthorized {
			t.Errorf("bad signature: got %d, want 401", code)
		}
		if code, _ := post("sms", testReceiptSecret, now.Add(-10*time.Minute), delivered); code != http.StatusUnauthorized {
			t.Errorf("old timestamp: got %d, want 401", code)
		}
		if code, _ := post("app", testReceiptSecret, now, delivered); code != http.StatusNotFound {
			t.Errorf("channel without a gateway: got %d, want 404", code)
		}
		if code, _ := post("sms", testReceiptSecret, now, map[string]any{"key": "ticket-12/received", "status": "sent"}); code != http.StatusBadRequest {
			t.Errorf("status sent: got %d, want 400", code)
		}
	})
}
