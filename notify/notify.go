// Package notify delivers the service's messages to residents and staff over
// one configured channel: the log (default), an HTTP webhook to an SMS or app
// gateway, or email over SMTP. It also holds the Chinese message templates.
//
// The package knows nothing of Temporal or the database: the notifier
// activity (package activities) renders, records and retries, and calls a
// Channel for the delivery itself.
package notify

import (
	"context"
	"errors"

	"github.com/wuye/wuye/models"
)

// Channel names, as in WUYE_NOTIFY_CHANNEL and models.Message.Channel.
const (
	ChannelLog     = "log"
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Channel delivers one rendered message. Send must be safe to call again
// with the same Outgoing (same Key) after an error: a retry may follow a
// delivery whose success was not seen.
type Channel interface {
	Name() string
	Send(ctx context.Context, out Outgoing) error
}

// Outgoing is one rendered message on its way out.
type Outgoing struct {
	// Key is the caller's idempotency key; gateways dedupe on it.
	Key string
	// To is the recipient's address in clear: a resident's phone number, a
	// staff member's phone or email. Channels must not log it for residents.
	To            string
	RecipientKind models.RecipientKind
	// RecipientID names the resident or staff member, for the channels
	// that address people by id (WeChat, the app, 企业微信).
	RecipientID uint64
	Subject     string
	Body        string
	Template    string
	Params      map[string]string
}

// Permanent marks a delivery error that a retry cannot fix (the gateway
// rejected the request, the recipient has no address for the channel).
type Permanent struct {
	Err error
}

func (p Permanent) Error() string { return "permanent: " + p.Err.Error() }

// Unwrap returns the underlying error.
func (p Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err, or an error it wraps, is Permanent.
func IsPermanent(err error) bool {
	var p Permanent
	return errors.As(err, &p)
}

// ErrNoAddress: the recipient has no address the channel can deliver to.
var ErrNoAddress = errors.New("recipient has no address for this channel")

// displayAddress is To as it may be logged or stored: masked for residents.
func displayAddress(out Outgoing) string {
	if out.RecipientKind == models.RecipientStaff {
		return out.To
	}
	return models.MaskPhone(out.To)
}
