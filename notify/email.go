package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// TLSPolicy says how EmailChannel secures its SMTP connection.
type TLSPolicy string

// TLS policies, as in WUYE_NOTIFY_SMTP_TLS.
const (
	// TLSOpportunistic uses STARTTLS when the server offers it (default).
	TLSOpportunistic TLSPolicy = "opportunistic"
	// TLSMandatory refuses to send without STARTTLS.
	TLSMandatory TLSPolicy = "mandatory"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit TLSPolicy = "implicit"
	// TLSNone never encrypts; for a relay on loopback only.
	TLSNone TLSPolicy = "none"
)

// HeaderEmailKey carries the message's idempotency key in each email.
const HeaderEmailKey = "X-Wuye-Key"

// EmailChannel sends each message as a plain-text UTF-8 email over SMTP.
//
// Residents and staff have no email address on record yet, so a message
// whose To is not an email address (it is a phone number) goes to Redirect
// (WUYE_NOTIFY_SMTP_TO, a test or shared inbox). Without Redirect such a
// message fails as Permanent (ErrNoAddress) and is not retried.
type EmailChannel struct {
	Host     string
	Port     int // 0 means 587, or 465 with TLSImplicit
	Username string
	Password string // used only with Username
	From     string
	TLS      TLSPolicy // "" means TLSOpportunistic
	Redirect string
	// TLSConfig overrides the TLS settings (e.g. a private CA); nil verifies
	// the server against the system roots.
	TLSConfig *tls.Config
	// Timeout bounds the connection when ctx has no earlier deadline; 0
	// means 30s.
	Timeout time.Duration
}

// Name returns ChannelEmail.
func (EmailChannel) Name() string { return ChannelEmail }

// Send delivers out by SMTP. A recipient address the server rejects for good
// (5xx on RCPT TO) is Permanent; other failures may be retried.
func (c EmailChannel) Send(ctx context.Context, out Outgoing) error {
	to := out.To
	if !strings.Contains(to, "@") {
		to = c.Redirect
	}
	if to == "" {
		return Permanent{Err: fmt.Errorf("email: %w", ErrNoAddress)}
	}
	msg := mail.NewMsg()
	if err := msg.From(c.From); err != nil {
		return Permanent{Err: fmt.Errorf("email: from address: %w", err)}
	}
	if err := msg.To(to); err != nil {
		return Permanent{Err: fmt.Errorf("email: recipient address: %w", err)}
	}
	msg.Subject(out.Subject)
	msg.SetBodyString(mail.TypeTextPlain, out.Body)
	msg.SetGenHeader(mail.Header(HeaderEmailKey), out.Key)
	// A Message-ID derived from the key lets mail systems drop a resend.
	sum := sha256.Sum256([]byte(out.Key))
	msg.SetMessageIDWithValue(hex.EncodeToString(sum[:16]) + "@wuye.notify")
	msg.SetDate()

	client, err := mail.NewClient(c.Host, c.options()...)
	if err != nil {
		return Permanent{Err: fmt.Errorf("email: client settings: %w", err)}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() &&
			(se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrGetRcpts || se.Reason == mail.ErrGetSender) {
			return Permanent{Err: fmt.Errorf("email: %w", err)}
		}
		return fmt.Errorf("email: %w", err)
	}
	return nil
}

func (c EmailChannel) options() []mail.Option {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	port := c.Port
	opts := []mail.Option{mail.WithTimeout(timeout)}
	switch c.TLS {
	case TLSImplicit:
		if port == 0 {
			port = 465
		}
		opts = append(opts, mail.WithSSL())
	case TLSMandatory:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, mail.WithPort(port))
	if c.TLSConfig != nil {
		tc := c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = c.Host
		}
		opts = append(opts, mail.WithTLSConfig(tc))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	return opts
}
