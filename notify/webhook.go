package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"time"
)

// Webhook headers.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the request
	// body keyed with the shared secret.
	HeaderSignature = "X-Wuye-Signature"
	// HeaderKey and HeaderIdempotencyKey carry the message's idempotency key.
	HeaderKey            = "X-Wuye-Key"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// DefaultWebhookTimeout bounds one webhook request when the context has no
// earlier deadline.
const DefaultWebhookTimeout = 15 * time.Second

// WebhookChannel POSTs each message as JSON to a gateway (an SMS provider's
// adapter, the staff app's push service) that does the delivery. For a
// resident, "to" is the clear phone number: the gateway must text it.
type WebhookChannel struct {
	URL    string
	Secret string
	// Client defaults to one with DefaultWebhookTimeout.
	Client *http.Client
}

// WebhookPayload is the JSON body of a webhook request.
type WebhookPayload struct {
	Key      string            `json:"key"`
	To       string            `json:"to"`
	Template string            `json:"template"`
	Subject  string            `json:"subject"`
	Body     string            `json:"body"`
	Params   map[string]string `json:"params"`
}

// Name returns ChannelWebhook.
func (WebhookChannel) Name() string { return ChannelWebhook }

// Sign returns the HeaderSignature value for body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send POSTs out. A recipient without an address is Permanent
// (ErrNoAddress). A 2xx answer is a delivery; 4xx other than 408 and 429 is
// Permanent; anything else (5xx, 408, 429, a network error, a timeout) may
// be retried. Errors never carry the URL (which may hold a token), the
// response body or the recipient.
func (c WebhookChannel) Send(ctx context.Context, out Outgoing) error {
	if out.To == "" {
		return Permanent{Err: fmt.Errorf("webhook: %w", ErrNoAddress)}
	}
	params := out.Params
	if params == nil {
		params = map[string]string{}
	}
	body, err := json.Marshal(WebhookPayload{
		Key: out.Key, To: out.To, Template: out.Template,
		Subject: out.Subject, Body: out.Body, Params: params,
	})
	if err != nil {
		return Permanent{Err: fmt.Errorf("webhook: encode message: %w", err)}
	}
	return postSigned(ctx, c.Client, c.URL, c.Secret, out.Key, body, "webhook")
}

// postSigned POSTs the JSON body to url, signed with secret (HeaderSignature)
// and carrying key (HeaderKey, HeaderIdempotencyKey); name prefixes its
// errors. A 2xx answer is a delivery; 4xx other than 408 and 429 is
// Permanent; anything else (5xx, 408, 429, a network error, a timeout) may
// be retried. Errors never carry the URL (which may hold a token) or the
// response body.
func postSigned(ctx context.Context, client *http.Client, url, secret, key string, body []byte, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Permanent{Err: errors.New(name + ": invalid URL")}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(HeaderSignature, Sign(secret, body))
	req.Header.Set(HeaderKey, key)
	req.Header.Set(HeaderIdempotencyKey, key)
	if client == nil {
		client = &http.Client{Timeout: DefaultWebhookTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return Permanent{Err: fmt.Errorf("%s: gateway answered %s", name, resp.Status)}
	default:
		return fmt.Errorf("%s: gateway answered %s", name, resp.Status)
	}
}

// Verify reports whether signature (a HeaderSignature value) signs body
// with secret, in constant time.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}
