package notify

import (
	"fmt"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wuye/wuye/models"
)

// MinWebhookSecretLen is the shortest webhook secret accepted, in characters.
const MinWebhookSecretLen = 16

// Config chooses and sets up the channel. Each field's comment names its
// environment variable.
type Config struct {
	Channel       string // WUYE_NOTIFY_CHANNEL: log (default), webhook or email
	WebhookURL    string // WUYE_NOTIFY_WEBHOOK_URL: http(s) URL, required for webhook
	WebhookSecret string // WUYE_NOTIFY_WEBHOOK_SECRET: HMAC key, ≥16 characters, required for webhook
	SMTPHost      string // WUYE_NOTIFY_SMTP_HOST: required for email
	SMTPPort      int    // WUYE_NOTIFY_SMTP_PORT: default 587, or 465 with implicit TLS
	SMTPUsername  string // WUYE_NOTIFY_SMTP_USERNAME: optional; enables SMTP AUTH
	SMTPPassword  string // WUYE_NOTIFY_SMTP_PASSWORD: required with a username
	SMTPFrom      string // WUYE_NOTIFY_SMTP_FROM: sender address, required for email
	// SMTPTLS is WUYE_NOTIFY_SMTP_TLS: opportunistic (default), mandatory,
	// implicit or none.
	SMTPTLS TLSPolicy
	// SMTPTo is WUYE_NOTIFY_SMTP_TO: the inbox that receives the emails of
	// recipients without an email address (today: everyone). Without it
	// those emails fail without retry.
	SMTPTo string
	// Gateways are the per-channel gateways, WUYE_CHANNEL_<SMS|WECHAT|APP|
	// WECOM>_URL and _SECRET. With any of them set, each message goes by
	// its own plan over these, email when WUYE_NOTIFY_SMTP_HOST is set, and
	// the console's inbox for staff; WUYE_NOTIFY_CHANNEL must then be log
	// or email (or unset). Without them, the one WUYE_NOTIFY_CHANNEL
	// carries every message, as before.
	Gateways map[models.Channel]Gateway
}

// Gateway is the address and HMAC key of one channel's gateway; the same
// key signs the gateway's delivery receipts.
type Gateway struct {
	URL    string
	Secret string
}

// GatewayChannels are the channels a gateway may be configured for, with
// the infix of their variables.
var GatewayChannels = []struct {
	Channel models.Channel
	Env     string
}{{models.ChannelSMS, "SMS"}, {models.ChannelWeChat, "WECHAT"}, {models.ChannelApp, "APP"}, {models.ChannelWeCom, "WECOM"}}

// PerChannel reports whether messages go by per-channel plans.
func (c Config) PerChannel() bool { return len(c.Gateways) > 0 }

// EmailConfigured reports whether SMTP is set up, the email channel's need.
func (c Config) EmailConfigured() bool {
	return c.Channel == ChannelEmail || (c.PerChannel() && c.SMTPHost != "")
}

// LogValue keeps the secrets and the webhook URL (which may hold a token)
// out of logs.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("channel", c.Channel)}
	switch c.Channel {
	case ChannelWebhook:
		if u, err := url.Parse(c.WebhookURL); err == nil {
			attrs = append(attrs, slog.String("webhook_host", u.Host))
		}
	}
	for _, g := range GatewayChannels {
		if gw, ok := c.Gateways[g.Channel]; ok {
			if u, err := url.Parse(gw.URL); err == nil {
				attrs = append(attrs, slog.String(string(g.Channel)+"_host", u.Host))
			}
		}
	}
	if c.EmailConfigured() {
		attrs = append(attrs, slog.String("smtp_host", c.SMTPHost), slog.Int("smtp_port", c.SMTPPort),
			slog.String("smtp_tls", string(c.SMTPTLS)), slog.String("smtp_from", c.SMTPFrom),
			slog.Bool("smtp_auth", c.SMTPUsername != ""), slog.String("smtp_to", c.SMTPTo))
	}
	return slog.GroupValue(attrs...)
}

// ConfigFromEnv reads the WUYE_NOTIFY_* variables through lookup (os.LookupEnv
// in production), applies the defaults and validates them. The error lists
// every bad variable, one a line, and never repeats a secret.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := Config{
		Channel:       get("WUYE_NOTIFY_CHANNEL"),
		WebhookURL:    get("WUYE_NOTIFY_WEBHOOK_URL"),
		WebhookSecret: get("WUYE_NOTIFY_WEBHOOK_SECRET"),
		SMTPHost:      get("WUYE_NOTIFY_SMTP_HOST"),
		SMTPUsername:  get("WUYE_NOTIFY_SMTP_USERNAME"),
		SMTPFrom:      get("WUYE_NOTIFY_SMTP_FROM"),
		SMTPTLS:       TLSPolicy(get("WUYE_NOTIFY_SMTP_TLS")),
		SMTPTo:        get("WUYE_NOTIFY_SMTP_TO"),
	}
	for _, g := range GatewayChannels {
		u, sec := get("WUYE_CHANNEL_"+g.Env+"_URL"), get("WUYE_CHANNEL_"+g.Env+"_SECRET")
		if u == "" && sec == "" {
			continue
		}
		if c.Gateways == nil {
			c.Gateways = map[models.Channel]Gateway{}
		}
		c.Gateways[g.Channel] = Gateway{URL: u, Secret: sec}
	}
	c.SMTPPassword, _ = lookup("WUYE_NOTIFY_SMTP_PASSWORD") // spaces may be part of a password
	if port := get("WUYE_NOTIFY_SMTP_PORT"); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil {
			n = -1
		}
		c.SMTPPort = n
	}
	if c.Channel == "" {
		c.Channel = ChannelLog
	}
	if c.SMTPTLS == "" {
		c.SMTPTLS = TLSOpportunistic
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks c as ConfigFromEnv does.
func (c Config) Validate() error {
	if p := c.problems(); len(p) > 0 {
		return fmt.Errorf("invalid notify configuration:\n  %s", strings.Join(p, "\n  "))
	}
	return nil
}

func (c Config) problems() []string {
	var p []string
	bad := func(name, reason string) { p = append(p, name+": "+reason) }
	for _, g := range GatewayChannels {
		if gw, ok := c.Gateways[g.Channel]; ok {
			prefix := "WUYE_CHANNEL_" + g.Env
			badURL(bad, prefix+"_URL", gw.URL, "with "+prefix+"_SECRET")
			badSecret(bad, prefix+"_SECRET", gw.Secret, "with "+prefix+"_URL")
		}
	}
	switch {
	case c.Channel == ChannelLog && !c.EmailConfigured():
	case c.Channel == ChannelWebhook && c.PerChannel():
		bad("WUYE_NOTIFY_CHANNEL", "webhook cannot be combined with WUYE_CHANNEL_* gateways: give the gateway as WUYE_CHANNEL_SMS_URL and _SECRET")
	case c.Channel == ChannelWebhook:
		badURL(bad, "WUYE_NOTIFY_WEBHOOK_URL", c.WebhookURL, "with WUYE_NOTIFY_CHANNEL=webhook")
		badSecret(bad, "WUYE_NOTIFY_WEBHOOK_SECRET", c.WebhookSecret, "with WUYE_NOTIFY_CHANNEL=webhook")
	case c.EmailConfigured():
		if c.SMTPHost == "" {
			bad("WUYE_NOTIFY_SMTP_HOST", "required with WUYE_NOTIFY_CHANNEL=email")
		}
		if c.SMTPPort < 0 || c.SMTPPort > 65535 {
			bad("WUYE_NOTIFY_SMTP_PORT", "want a port 1-65535 (empty for 587, or 465 with implicit TLS)")
		}
		if c.SMTPFrom == "" {
			bad("WUYE_NOTIFY_SMTP_FROM", "required with WUYE_NOTIFY_CHANNEL=email")
		} else if _, err := netmail.ParseAddress(c.SMTPFrom); err != nil {
			bad("WUYE_NOTIFY_SMTP_FROM", fmt.Sprintf("%q is not an email address", c.SMTPFrom))
		}
		if c.SMTPTo != "" {
			if _, err := netmail.ParseAddress(c.SMTPTo); err != nil {
				bad("WUYE_NOTIFY_SMTP_TO", fmt.Sprintf("%q is not an email address", c.SMTPTo))
			}
		}
		switch c.SMTPTLS {
		case TLSOpportunistic, TLSMandatory, TLSImplicit, "":
		case TLSNone:
			if c.SMTPUsername != "" {
				bad("WUYE_NOTIFY_SMTP_TLS", "none would send the SMTP password in clear: use opportunistic, mandatory or implicit")
			}
		default:
			bad("WUYE_NOTIFY_SMTP_TLS", fmt.Sprintf("%q: want opportunistic, mandatory, implicit or none", c.SMTPTLS))
		}
		if c.SMTPUsername != "" && c.SMTPPassword == "" {
			bad("WUYE_NOTIFY_SMTP_PASSWORD", "required with WUYE_NOTIFY_SMTP_USERNAME")
		}
		if c.SMTPUsername == "" && c.SMTPPassword != "" {
			bad("WUYE_NOTIFY_SMTP_USERNAME", "required with WUYE_NOTIFY_SMTP_PASSWORD")
		}
	default:
		bad("WUYE_NOTIFY_CHANNEL", fmt.Sprintf("%q: want log, webhook or email", c.Channel))
	}
	return p
}

// badURL reports a missing or relative gateway URL.
func badURL(bad func(name, reason string), name, raw, with string) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		bad(name, "required "+with)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad(name, "want an absolute http:// or https:// URL")
	}
}

// badSecret reports a missing or short HMAC key, never repeating it.
func badSecret(bad func(name, reason string), name, secret, with string) {
	if n := utf8.RuneCountInString(secret); n < MinWebhookSecretLen {
		bad(name, fmt.Sprintf("required %s, at least %d characters (got %d)", with, MinWebhookSecretLen, n))
	}
}

// New builds the channel cfg chooses; log may be nil (slog.Default()).
func New(cfg Config, log *slog.Logger) (Channel, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Channel {
	case ChannelWebhook:
		return WebhookChannel{URL: cfg.WebhookURL, Secret: cfg.WebhookSecret,
			Client: &http.Client{Timeout: DefaultWebhookTimeout}}, nil
	case ChannelEmail:
		if cfg.SMTPTo == "" {
			log.Warn("WUYE_NOTIFY_SMTP_TO is not set: residents and staff have no email address on record, so their emails will fail without retry")
		}
		return cfg.email(), nil
	default:
		return LogChannel{Log: log.With("component", "notify")}, nil
	}
}

func (cfg Config) email() EmailChannel {
	return EmailChannel{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, Redirect: cfg.SMTPTo}
}

// NewChannels builds the per-channel adapters cfg configures: a
// GatewayChannel per gateway, email over SMTP when set up, and the
// console's inbox. Without gateways it returns nil: New's one channel
// carries every message.
func NewChannels(cfg Config) (map[models.Channel]Channel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.PerChannel() {
		return nil, nil
	}
	out := map[models.Channel]Channel{models.ChannelConsole: ConsoleChannel{}}
	for ch, gw := range cfg.Gateways {
		out[ch] = GatewayChannel{Channel: ch, URL: gw.URL, Secret: gw.Secret, Client: &http.Client{Timeout: DefaultWebhookTimeout}}
	}
	if cfg.EmailConfigured() {
		out[models.ChannelEmail] = cfg.email()
	}
	return out, nil
}

// ReceiptSecrets are the keys that sign the gateways' delivery receipts,
// by channel; nil without gateways.
func (c Config) ReceiptSecrets() map[models.Channel]string {
	if !c.PerChannel() {
		return nil
	}
	out := make(map[models.Channel]string, len(c.Gateways))
	for ch, gw := range c.Gateways {
		out[ch] = gw.Secret
	}
	return out
}

// ReceiptSecret is the key that signs channel's delivery receipts: its
// gateway's secret; false when the channel has no gateway.
func (c Config) ReceiptSecret(channel models.Channel) (string, bool) {
	gw, ok := c.Gateways[channel]
	return gw.Secret, ok
}
