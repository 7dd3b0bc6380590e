package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// Application error types of Notifier.Send, for workflows that match on them.
const (
	// ErrTypeNotifyInvalid: the input cannot be sent (unknown template or
	// recipient, a missing param, a key reused for another message). Not
	// retried.
	ErrTypeNotifyInvalid = "NotifyInvalid"
	// ErrTypeNotifyRejected: the channel refused the message for good (the
	// gateway answered 4xx, the recipient has no address). Not retried.
	ErrTypeNotifyRejected = "NotifyRejected"
	// ErrTypeNotifyFailed: the delivery failed and may succeed later.
	// Retried under the activity's retry policy.
	ErrTypeNotifyFailed = "NotifyFailed"
)

// Notifier is the one way a message leaves the service: every notification
// to residents and staff is a call of its Send activity.
type Notifier struct {
	Store   *store.Store
	Channel notify.Channel
	Now     func() time.Time // nil means time.Now
	Log     *slog.Logger     // nil means slog.Default()
	// Links signs the links residents answer through; nil sends messages
	// without them.
	Links *auth.Links
	// Channels are the per-channel adapters (notify.NewChannels): with
	// them, each message follows its channel plan and Channel is unused;
	// nil sends every message through Channel, as before.
	Channels map[models.Channel]notify.Channel
}

// SendInput is one message to send. Key is chosen by the caller and names the
// message for good ("ticket-12/escalate-2"): the same key is never delivered
// twice. Ref links the message to its case ("ticket:12", "case:7").
type SendInput struct {
	Key           string
	EstateID      uint64
	RecipientKind models.RecipientKind
	RecipientID   uint64
	Template      string
	Params        map[string]string
	Ref           string
	// KeepWindow: a resident message inside the estate's quiet hours or
	// outside the resident's contact window is not sent; the result's
	// NotBefore says when to call again. Only with per-channel plans.
	KeepWindow bool `json:",omitempty"`
}

// SendResult is the message's record after the call.
type SendResult struct {
	MessageID uint64
	Status    models.MessageStatus
	Attempts  int
	// Channel is the channel of the plan the message went by, and Delivery
	// where that delivery stands; empty without per-channel plans.
	Channel  models.Channel        `json:",omitempty"`
	Delivery models.DeliveryStatus `json:",omitempty"`
	// ReceiptWait, when not zero, is how long the sent delivery may wait
	// for its gateway's receipt before the caller moves on (Fallback).
	ReceiptWait time.Duration `json:",omitempty"`
	// NotBefore, when set, is when the resident's contact window opens:
	// nothing was sent (KeepWindow).
	NotBefore time.Time `json:",omitempty"`
}

// Send renders in.Template, records the message under in.Key and delivers it
// through the channel, recording each attempt.
//
// It is idempotent by key: when the message is already sent, Send returns
// its record and sends nothing, so a retried activity never sends twice. The
// one gap is a crash between the channel's success and the record of it;
// the retry then sends again with the same key, on which the webhook gateway
// dedupes (Idempotency-Key) and mail systems on the Message-ID.
//
// A failed delivery is recorded and returned as a retryable error, so that
// Temporal retries with the activity's backoff; a failure the channel marks
// notify.Permanent, and bad input, come back non-retryable.
//
// Send does not apply quiet hours: the calling workflow waits until
// models.QuietHours.NextAllowed before sending to a resident, and sends to
// staff (escalations, SLA warnings, tasks) whenever they arise.
//
// The resident's phone number goes to the channel only; the record keeps it
// masked and error texts are scrubbed of it.
func (n *Notifier) Send(ctx context.Context, in SendInput) (SendResult, error) {
	if err := n.check(in); err != nil {
		return SendResult{}, invalidMessage(in, err)
	}
	to, err := n.address(ctx, in)
	if err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) || errors.Is(err, models.ErrNotFound) {
			return SendResult{}, invalidMessage(in, err)
		}
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	in.Params = n.withLinks(in)
	if in.Params, err = n.withTicket(ctx, in, in.Params); err != nil {
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	if in.Params, err = n.withResidentLinks(ctx, in, in.Params); err != nil {
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	subject, body, err := notify.Render(in.Template, in.Params)
	if err != nil {
		return SendResult{}, invalidMessage(in, err)
	}
	shown := to
	if in.RecipientKind == models.RecipientResident {
		shown = models.MaskPhone(to)
	}
	chName := ""
	if n.Channels == nil {
		chName = n.Channel.Name()
	}
	msg, _, err := n.Store.ClaimMessage(ctx, &models.Message{
		Key: in.Key, EstateID: in.EstateID, RecipientKind: in.RecipientKind, RecipientID: in.RecipientID,
		Channel: chName, Address: shown, Template: in.Template,
		Subject: subject, Body: body, Ref: in.Ref, Params: in.Params,
	})
	if err != nil {
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	if msg.RecipientKind != in.RecipientKind || msg.RecipientID != in.RecipientID || msg.Template != in.Template {
		return SendResult{}, invalidMessage(in, fmt.Errorf("%w: key already names message %d (%s to %s %d)",
			models.ErrConflict, msg.ID, msg.Template, msg.RecipientKind, msg.RecipientID))
	}
	if n.Channels != nil {
		return n.sendPlanned(ctx, in, msg)
	}
	if msg.Status == models.MessageSent {
		return SendResult{MessageID: msg.ID, Status: msg.Status, Attempts: msg.Attempts}, nil
	}

	// The stored text is sent, so that the record shows what went out.
	sendErr := n.Channel.Send(ctx, notify.Outgoing{
		Key: in.Key, To: to, RecipientKind: in.RecipientKind,
		Subject: msg.Subject, Body: msg.Body, Template: in.Template, Params: in.Params,
	})
	errText := ""
	if sendErr != nil {
		errText = scrubPhone(sendErr.Error(), to)
	}
	// Record even when the activity's context has just expired.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := n.Store.RecordAttempt(rctx, msg.ID, sendErr == nil, errText, n.now()); err != nil {
		// Retrying resends under the same key, which the channel dedupes.
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	res := SendResult{MessageID: msg.ID, Status: models.MessageSent, Attempts: msg.Attempts + 1}
	logger := logFor(ctx, n.log()).With("key", in.Key, "message_id", msg.ID, "template", in.Template,
		"recipient_kind", in.RecipientKind, "recipient_id", in.RecipientID, "channel", n.Channel.Name(), "attempt", res.Attempts)
	if sendErr == nil {
		logger.InfoContext(ctx, "message sent")
		return res, nil
	}
	res.Status = models.MessageFailed
	logger.WarnContext(ctx, "message not sent", "error", errText)
	text := fmt.Sprintf("send message %q (attempt %d): %s", in.Key, res.Attempts, errText)
	if notify.IsPermanent(sendErr) {
		return res, temporal.NewNonRetryableApplicationError(text, ErrTypeNotifyRejected, nil)
	}
	return res, temporal.NewApplicationError(text, ErrTypeNotifyFailed)
}

// withLinks returns in's params with, for a request to confirm a repair
// or a complaint's close (结案) whose window's end the workflow gave
// (confirm_until, Unix seconds), the signed link where the resident answers
// (confirm_link).
func (n *Notifier) withLinks(in SendInput) map[string]string {
	if n.Links == nil || (in.Template != notify.TemplateTicketDoneConfirm && in.Template != notify.TemplateComplaintClosed) {
		return in.Params
	}
	id, err := strconv.ParseUint(in.Params["ticket_no"], 10, 64)
	until, err2 := strconv.ParseInt(in.Params["confirm_until"], 10, 64)
	if err != nil || err2 != nil {
		return in.Params
	}
	out := maps.Clone(in.Params)
	out["confirm_link"] = n.Links.ConfirmURL(id, time.Unix(until, 0))
	return out
}

// check validates the input that needs no look-up.
func (n *Notifier) check(in SendInput) error {
	switch {
	case in.Key == "" || len([]rune(in.Key)) > models.MaxMessageKeyLen:
		return models.Invalid("key", "want 1 to %d characters", models.MaxMessageKeyLen)
	case in.EstateID == 0:
		return models.Invalid("estate_id", "required")
	case !in.RecipientKind.Valid():
		return models.Invalid("recipient_kind", "want resident or staff")
	case in.RecipientID == 0:
		return models.Invalid("recipient_id", "required")
	case len([]rune(in.Ref)) > 64:
		return models.Invalid("ref", "at most 64 characters")
	}
	audience, ok := notify.TemplateAudience(in.Template)
	if !ok {
		return models.Invalid("template", "unknown template %q", in.Template)
	}
	if audience != in.RecipientKind {
		return models.Invalid("template", "%s is written for %s, not %s", in.Template, audience, in.RecipientKind)
	}
	return nil
}

// address looks up the recipient's phone in clear and checks that the
// recipient belongs to the message's estate (company-level staff belong to
// every estate).
func (n *Notifier) address(ctx context.Context, in SendInput) (string, error) {
	c, err := n.contact(ctx, in)
	return c.Phone, err
}

// contact reads the recipient's contact and checks it as address does.
func (n *Notifier) contact(ctx context.Context, in SendInput) (store.Contact, error) {
	var c store.Contact
	var err error
	if in.RecipientKind == models.RecipientResident {
		c, err = n.Store.ResidentContact(ctx, in.RecipientID)
	} else {
		c, err = n.Store.StaffContact(ctx, in.RecipientID)
	}
	switch {
	case err != nil:
		return c, err
	case c.EstateID != 0 && c.EstateID != in.EstateID:
		return c, models.Invalid("recipient_id", "%s %d is not in estate %d", in.RecipientKind, in.RecipientID, in.EstateID)
	case !c.Active:
		return c, models.Invalid("recipient_id", "%s %d is deactivated", in.RecipientKind, in.RecipientID)
	}
	return c, nil
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notifier) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.Default()
}

// invalidMessage is the non-retryable error for input that cannot be sent.
func invalidMessage(in SendInput, err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("send message %q: %v", in.Key, err), ErrTypeNotifyInvalid, nil)
}

// scrubPhone masks phone wherever it appears in text (an error a gateway or
// library built from the address).
func scrubPhone(text, phone string) string {
	if len(phone) < 5 {
		return text
	}
	return strings.ReplaceAll(text, phone, models.MaskPhone(phone))
}
