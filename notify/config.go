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
	case ChannelEmail:
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
	switch c.Channel {
	case ChannelLog:
	case ChannelWebhook:
		u, err := url.Parse(c.WebhookURL)
		switch {
		case c.WebhookURL == "":
			bad("WUYE_NOTIFY_WEBHOOK_URL", "required with WUYE_NOTIFY_CHANNEL=webhook")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("WUYE_NOTIFY_WEBHOOK_URL", "want an absolute http:// or https:// URL")
		}
		if n := utf8.RuneCountInString(c.WebhookSecret); n < MinWebhookSecretLen {
			bad("WUYE_NOTIFY_WEBHOOK_SECRET", fmt.Sprintf("required with WUYE_NOTIFY_CHANNEL=webhook, at least %d characters (got %d)", MinWebhookSecretLen, n))
		}
	case ChannelEmail:
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
		return EmailChannel{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, Redirect: cfg.SMTPTo}, nil
	default:
		return LogChannel{Log: log.With("component", "notify")}, nil
	}
}
