package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

func env(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := kv[k]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name        string
		give        map[string]string
		wantChannel string
		wantErrs    []string // variables the error must name
	}{
		{"defaults", nil, notify.ChannelLog, nil},
		{"webhook", map[string]string{"WUYE_NOTIFY_CHANNEL": "webhook", "WUYE_NOTIFY_WEBHOOK_URL": "https://sms.example.com/send", "WUYE_NOTIFY_WEBHOOK_SECRET": secret}, notify.ChannelWebhook, nil},
		{"webhook without URL or secret", map[string]string{"WUYE_NOTIFY_CHANNEL": "webhook"}, "", []string{"WUYE_NOTIFY_WEBHOOK_URL", "WUYE_NOTIFY_WEBHOOK_SECRET"}},
		{"webhook with a short secret and a relative URL", map[string]string{"WUYE_NOTIFY_CHANNEL": "webhook", "WUYE_NOTIFY_WEBHOOK_URL": "/send", "WUYE_NOTIFY_WEBHOOK_SECRET": "short-secret"}, "", []string{"WUYE_NOTIFY_WEBHOOK_URL", "WUYE_NOTIFY_WEBHOOK_SECRET"}},
		{"email", map[string]string{"WUYE_NOTIFY_CHANNEL": "email", "WUYE_NOTIFY_SMTP_HOST": "smtp.example.com", "WUYE_NOTIFY_SMTP_PORT": "465", "WUYE_NOTIFY_SMTP_TLS": "implicit",
			"WUYE_NOTIFY_SMTP_USERNAME": "wuye", "WUYE_NOTIFY_SMTP_PASSWORD": "pw", "WUYE_NOTIFY_SMTP_FROM": "物业 <noreply@example.com>", "WUYE_NOTIFY_SMTP_TO": "inbox@example.com"}, notify.ChannelEmail, nil},
		{"email missing host and from", map[string]string{"WUYE_NOTIFY_CHANNEL": "email"}, "", []string{"WUYE_NOTIFY_SMTP_HOST", "WUYE_NOTIFY_SMTP_FROM"}},
		{"email bad values", map[string]string{"WUYE_NOTIFY_CHANNEL": "email", "WUYE_NOTIFY_SMTP_HOST": "h", "WUYE_NOTIFY_SMTP_PORT": "smtp", "WUYE_NOTIFY_SMTP_FROM": "nobody",
			"WUYE_NOTIFY_SMTP_TLS": "sometimes", "WUYE_NOTIFY_SMTP_USERNAME": "wuye"}, "", []string{"WUYE_NOTIFY_SMTP_PORT", "WUYE_NOTIFY_SMTP_FROM", "WUYE_NOTIFY_SMTP_TLS", "WUYE_NOTIFY_SMTP_PASSWORD"}},
		{"password in clear", map[string]string{"WUYE_NOTIFY_CHANNEL": "email", "WUYE_NOTIFY_SMTP_HOST": "h", "WUYE_NOTIFY_SMTP_FROM": "a@b.c",
			"WUYE_NOTIFY_SMTP_TLS": "none", "WUYE_NOTIFY_SMTP_USERNAME": "wuye", "WUYE_NOTIFY_SMTP_PASSWORD": "pw"}, "", []string{"WUYE_NOTIFY_SMTP_TLS"}},
		{"unknown channel", map[string]string{"WUYE_NOTIFY_CHANNEL": "sms"}, "", []string{"WUYE_NOTIFY_CHANNEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := notify.ConfigFromEnv(env(tt.give))
			if len(tt.wantErrs) == 0 {
				if err != nil || cfg.Channel != tt.wantChannel {
					t.Fatalf("got %+v, %v, want channel %s", cfg.Channel, err, tt.wantChannel)
				}
				ch, err := notify.New(cfg, slog.New(slog.DiscardHandler))
				if err != nil || ch.Name() != tt.wantChannel {
					t.Errorf("New: got %v, %v, want a %s channel", ch, err, tt.wantChannel)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v, want an error naming %v", cfg, tt.wantErrs)
			}
			for _, name := range tt.wantErrs {
				if !strings.Contains(err.Error(), name+":") {
					t.Errorf("got %q, want it to name %s", err, name)
				}
			}
			if strings.Contains(err.Error(), "short-secret") {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := notify.ConfigFromEnv(env(map[string]string{"WUYE_NOTIFY_CHANNEL": "email", "WUYE_NOTIFY_SMTP_HOST": "smtp.example.com", "WUYE_NOTIFY_SMTP_FROM": "noreply@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPTLS != notify.TLSOpportunistic || cfg.SMTPPort != 0 {
		t.Errorf("got TLS %q port %d, want opportunistic and the default port", cfg.SMTPTLS, cfg.SMTPPort)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if _, err := notify.New(cfg, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "WUYE_NOTIFY_SMTP_TO") {
		t.Errorf("log: got %q, want a warning that emails without an address will fail", buf.String())
	}
	buf.Reset()
	cfg = notify.Config{Channel: notify.ChannelWebhook, WebhookURL: "https://sms.example.com/send?token=tok123", WebhookSecret: secret}
	log.Info("notify", "config", cfg)
	if s := buf.String(); strings.Contains(s, secret) || strings.Contains(s, "tok123") || !strings.Contains(s, "sms.example.com") {
		t.Errorf("logged config: got %q, want the host without the secret or token", s)
	}
}

func TestLogChannelMasksResidents(t *testing.T) {
	var buf bytes.Buffer
	ch := notify.LogChannel{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ch.Send(context.Background(), notify.Outgoing{Key: "k1", To: "13812345678", RecipientKind: models.RecipientResident, Subject: "报修已受理", Body: "工单号T-12"}))
	must(ch.Send(context.Background(), notify.Outgoing{Key: "k2", To: "13900001111", RecipientKind: models.RecipientStaff, Subject: "新工单", Body: "T-12"}))
	s := buf.String()
	if strings.Contains(s, "13812345678") || !strings.Contains(s, "138****5678") {
		t.Errorf("log: got %q, want the resident's phone masked", s)
	}
	if !strings.Contains(s, "13900001111") || !strings.Contains(s, "工单号T-12") || !strings.Contains(s, "key=k1") {
		t.Errorf("log: got %q, want the staff phone, the body and the key", s)
	}
}
