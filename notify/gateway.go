package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wuye/wuye/models"
)

// GatewayChannel POSTs each message, signed, to the company's gateway for
// one channel: an SMS provider's adapter, the WeChat 公众号/小程序
// subscription-message sender, the app's push service, 企业微信. The
// gateway delivers it and later reports the outcome to the receipt route
// (POST /api/v1/delivery-receipts/{channel}), signed with the same secret.
type GatewayChannel struct {
	Channel models.Channel
	URL     string
	Secret  string
	// Client defaults to one with DefaultWebhookTimeout.
	Client *http.Client
}

// GatewayPayload is the JSON body of a gateway request.
type GatewayPayload struct {
	Channel models.Channel `json:"channel"`
	// Key is the message's idempotency key: the gateway dedupes on it and
	// names it in its receipt.
	Key       string            `json:"key"`
	Template  string            `json:"template"`
	Params    map[string]string `json:"params"`
	Recipient GatewayRecipient  `json:"recipient"`
	Subject   string            `json:"subject"`
	// Text is the rendered message, for channels that send free text.
	Text string `json:"text"`
}

// GatewayRecipient is whom a gateway message is for: by phone for SMS; by
// id for WeChat, the app and 企业微信, which the gateway maps to an openid,
// a device or a 企业微信 user.
type GatewayRecipient struct {
	Kind  models.RecipientKind `json:"kind"`
	ID    uint64               `json:"id"`
	Phone string               `json:"phone,omitempty"`
}

// Name returns the channel's name ("sms", "wechat", "app", "wecom").
func (c GatewayChannel) Name() string { return string(c.Channel) }

// Send POSTs out as a GatewayPayload. An SMS without a phone number is
// Permanent (ErrNoAddress); the answers are read as WebhookChannel reads
// them.
func (c GatewayChannel) Send(ctx context.Context, out Outgoing) error {
	name := "gateway " + string(c.Channel)
	rcpt := GatewayRecipient{Kind: out.RecipientKind, ID: out.RecipientID}
	if c.Channel == models.ChannelSMS {
		if out.To == "" {
			return Permanent{Err: fmt.Errorf("%s: %w", name, ErrNoAddress)}
		}
		rcpt.Phone = out.To
	}
	params := out.Params
	if params == nil {
		params = map[string]string{}
	}
	body, err := json.Marshal(GatewayPayload{Channel: c.Channel, Key: out.Key, Template: out.Template, Params: params,
		Recipient: rcpt, Subject: out.Subject, Text: out.Body})
	if err != nil {
		return Permanent{Err: fmt.Errorf("%s: encode message: %w", name, err)}
	}
	return postSigned(ctx, c.Client, c.URL, c.Secret, out.Key, body, name)
}

// ConsoleChannel "delivers" a staff message to the console's inbox, where
// the stored message already is: it has nothing to do.
type ConsoleChannel struct{}

// Name returns "console".
func (ConsoleChannel) Name() string { return string(models.ChannelConsole) }

// Send does nothing: the message is in the inbox once recorded.
func (ConsoleChannel) Send(context.Context, Outgoing) error { return nil }
