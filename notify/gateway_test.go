package notify_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// TestGatewayChannelPayload: each channel's gateway gets a signed JSON
// payload naming the channel, the template and its params, the recipient
// (the phone for SMS only, the id for the others), the key and the text.
func TestGatewayChannelPayload(t *testing.T) {
	tests := []struct {
		channel   models.Channel
		kind      models.RecipientKind
		wantPhone string
	}{
		{models.ChannelSMS, models.RecipientResident, "13812345678"},
		{models.ChannelWeChat, models.RecipientResident, ""},
		{models.ChannelApp, models.RecipientResident, ""},
		{models.ChannelWeCom, models.RecipientStaff, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.channel), func(t *testing.T) {
			g := &gateway{status: http.StatusAccepted}
			srv := httptest.NewServer(g)
			defer srv.Close()
			ch := notify.GatewayChannel{Channel: tt.channel, URL: srv.URL + "/send", Secret: secret, Client: srv.Client()}
			out := notify.Outgoing{Key: "ticket-12/received", To: "13812345678", RecipientKind: tt.kind, RecipientID: 42,
				Template: notify.TemplateTicketReceived, Subject: "报修已受理", Body: "【阳光花园】您的报修已受理。",
				Params: map[string]string{"ticket_no": "12"}}
			if err := ch.Send(context.Background(), out); err != nil {
				t.Fatalf("send: %v", err)
			}
			if ch.Name() != string(tt.channel) || len(g.reqs) != 1 {
				t.Fatalf("got name %q and %d requests, want %s and 1", ch.Name(), len(g.reqs), tt.channel)
			}
			r, body := g.reqs[0], g.bodies[0]
			if got, want := r.Header.Get(notify.HeaderSignature), notify.Sign(secret, body); !hmac.Equal([]byte(got), []byte(want)) {
				t.Errorf("signature: got %q, want %q", got, want)
			}
			if r.Header.Get(notify.HeaderIdempotencyKey) != out.Key {
				t.Errorf("idempotency key: got %q, want %q", r.Header.Get(notify.HeaderIdempotencyKey), out.Key)
			}
			var p notify.GatewayPayload
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			want := notify.GatewayPayload{Channel: tt.channel, Key: out.Key, Template: out.Template, Params: out.Params,
				Recipient: notify.GatewayRecipient{Kind: tt.kind, ID: 42, Phone: tt.wantPhone}, Subject: out.Subject, Text: out.Body}
			gotJSON, _ := json.Marshal(p)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("payload: got %s, want %s", gotJSON, wantJSON)
			}
			if tt.wantPhone == "" && strings.Contains(string(body), "13812345678") {
				t.Errorf("payload %s carries the phone to a channel that addresses by id", body)
			}
		})
	}
}

// TestGatewayChannelRefusals: SMS without a phone fails for good without a
// request; a 4xx is permanent, a 5xx may be retried.
func TestGatewayChannelRefusals(t *testing.T) {
	g := &gateway{status: http.StatusOK}
	srv := httptest.NewServer(g)
	defer srv.Close()
	sms := notify.GatewayChannel{Channel: models.ChannelSMS, URL: srv.URL, Secret: secret}
	err := sms.Send(context.Background(), notify.Outgoing{Key: "k", RecipientKind: models.RecipientResident, RecipientID: 1})
	if !notify.IsPermanent(err) || !errors.Is(err, notify.ErrNoAddress) || len(g.reqs) != 0 {
		t.Errorf("sms without a phone: got %v after %d requests, want a permanent ErrNoAddress and no request", err, len(g.reqs))
	}
	for _, tt := range []struct {
		status        int
		wantPermanent bool
	}{{http.StatusNotFound, true}, {http.StatusServiceUnavailable, false}} {
		g.status = tt.status
		wechat := notify.GatewayChannel{Channel: models.ChannelWeChat, URL: srv.URL, Secret: secret}
		err := wechat.Send(context.Background(), notify.Outgoing{Key: "k", RecipientKind: models.RecipientResident, RecipientID: 1})
		if err == nil || notify.IsPermanent(err) != tt.wantPermanent {
			t.Errorf("gateway answering %d: got %v, want an error, permanent=%v", tt.status, err, tt.wantPermanent)
		}
	}
}

// TestPerChannelConfig: WUYE_CHANNEL_* gateways switch to per-channel
// plans; every bad variable is named; the old single channel stays as it
// was without them.
func TestPerChannelConfig(t *testing.T) {
	cfg, err := notify.ConfigFromEnv(env(map[string]string{
		"WUYE_CHANNEL_SMS_URL": "https://sms.example.com/send", "WUYE_CHANNEL_SMS_SECRET": secret,
		"WUYE_CHANNEL_WECOM_URL": "https://wecom.example.com/send", "WUYE_CHANNEL_WECOM_SECRET": secret,
		"WUYE_NOTIFY_SMTP_HOST": "smtp.example.com", "WUYE_NOTIFY_SMTP_FROM": "noreply@example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	chs, err := notify.NewChannels(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []models.Channel{models.ChannelSMS, models.ChannelWeCom, models.ChannelEmail, models.ChannelConsole} {
		if chs[want] == nil || chs[want].Name() != string(want) {
			t.Errorf("channel %s: got %v, want it configured", want, chs[want])
		}
	}
	if len(chs) != 4 {
		t.Errorf("got %d channels, want 4", len(chs))
	}
	if s, ok := cfg.ReceiptSecret(models.ChannelSMS); !ok || s != secret {
		t.Errorf("sms receipt secret: got %v, want the gateway's", ok)
	}
	if _, ok := cfg.ReceiptSecret(models.ChannelApp); ok {
		t.Error("app receipt secret: got one, want none without a gateway")
	}

	_, err = notify.ConfigFromEnv(env(map[string]string{
		"WUYE_CHANNEL_SMS_URL": "/send", "WUYE_CHANNEL_WECHAT_SECRET": "short", "WUYE_CHANNEL_APP_URL": "https://app.example.com",
		"WUYE_NOTIFY_CHANNEL": "webhook", "WUYE_NOTIFY_SMTP_HOST": "smtp.example.com",
	}))
	for _, name := range []string{"WUYE_CHANNEL_SMS_URL", "WUYE_CHANNEL_SMS_SECRET", "WUYE_CHANNEL_WECHAT_URL", "WUYE_CHANNEL_WECHAT_SECRET",
		"WUYE_CHANNEL_APP_SECRET", "WUYE_NOTIFY_CHANNEL"} {
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("got %v, want it to name %s", err, name)
		}
	}
	if err != nil && strings.Contains(err.Error(), "short") {
		t.Errorf("error %q repeats a secret", err)
	}

	legacy, err := notify.ConfigFromEnv(env(map[string]string{"WUYE_NOTIFY_CHANNEL": "webhook",
		"WUYE_NOTIFY_WEBHOOK_URL": "https://sms.example.com/send", "WUYE_NOTIFY_WEBHOOK_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if chs, err := notify.NewChannels(legacy); err != nil || chs != nil || legacy.PerChannel() {
		t.Errorf("legacy webhook: got %v, %v, want no per-channel adapters", chs, err)
	}
}
