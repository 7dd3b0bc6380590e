package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// receiptChannels are the channels whose gateways report deliveries; the
// others (email, the console's inbox) count as delivered once they took
// the message.
var receiptChannels = []models.Channel{models.ChannelSMS, models.ChannelWeChat, models.ChannelApp, models.ChannelWeCom}

// plan is a message's delivery plan: its channels in order, the resident's
// contact window and the estate's receipt wait and time zone.
type plan struct {
	channels []models.Channel
	wait     time.Duration
	loc      *time.Location
	quiet    models.QuietHours
	contact  store.Contact
}

// plan reads what the message's channel plan is drawn from: the
// recipient's addresses and preference, the estate's channel policy and
// the adapters configured.
func (n *Notifier) plan(ctx context.Context, in SendInput) (plan, error) {
	c, err := n.contact(ctx, in)
	if err != nil {
		return plan{}, err
	}
	pol, err := n.Store.Policy(ctx, store.AllEstates(), in.EstateID)
	if err != nil {
		return plan{}, err
	}
	est, err := n.Store.Estate(ctx, store.AllEstates(), in.EstateID)
	if err != nil {
		return plan{}, err
	}
	loc, err := time.LoadLocation(est.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	configured := make([]models.Channel, 0, len(n.Channels))
	for ch := range n.Channels {
		configured = append(configured, ch)
	}
	slices.Sort(configured)
	policy := pol.Policy.Channels.OrDefault()
	chs := models.PlanChannels(models.PlanInput{Kind: in.RecipientKind, Preferred: c.PreferredChannel, Policy: policy,
		Reach: models.Reach{Phone: c.Phone != "", Email: c.Email != ""}, Configured: configured})
	return plan{channels: chs, wait: policy.ReceiptWait.Std(), loc: loc, quiet: pol.Policy.QuietHours, contact: c}, nil
}

// sendPlanned sends msg by the first channel of its plan not yet failed:
// a channel already sent or delivered is the answer (nothing is sent
// twice on one channel); a channel the gateway refuses for good fails and
// the next is tried at once; a failure that may pass is retried by
// Temporal on the same channel. With every channel failed the message
// fails for good.
func (n *Notifier) sendPlanned(ctx context.Context, in SendInput, msg models.Message) (SendResult, error) {
	p, err := n.plan(ctx, in)
	if err != nil {
		return SendResult{}, fmt.Errorf("send message %q: plan: %w", in.Key, err)
	}
	res := SendResult{MessageID: msg.ID, Status: msg.Status, Attempts: msg.Attempts}
	if in.KeepWindow && in.RecipientKind == models.RecipientResident {
		now := n.now()
		if at := models.NextContact(now, p.loc, p.quiet, p.contact.ContactWindow); at.After(now) {
			res.NotBefore = at
			return res, nil
		}
	}
	ds, err := n.Store.Deliveries(ctx, msg.ID)
	if err != nil {
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	if len(ds) == 0 && msg.Status == models.MessageSent {
		return res, nil // sent through the single channel, before plans
	}
	params := in.Params
	if msg.Params != nil {
		params = msg.Params
	}
	var lastErr string
	for _, ch := range p.channels {
		i := slices.IndexFunc(ds, func(d models.MessageDelivery) bool { return d.Channel == ch })
		if i >= 0 && ds[i].Status == models.DeliveryFailed {
			lastErr = ds[i].Reason
			continue
		}
		res.Channel = ch
		if i >= 0 && (ds[i].Status == models.DeliverySent || ds[i].Status == models.DeliveryDelivered) {
			res.Status, res.Delivery = models.MessageSent, ds[i].Status
			if ds[i].Status == models.DeliverySent {
				res.ReceiptWait = p.wait
			}
			return res, nil
		}
		out, err := n.sendOn(ctx, in, msg, ch, p, params, &res)
		if err != nil || out == nil {
			return res, err
		}
		lastErr = scrubPhone(out.Error(), p.contact.Phone)
	}
	reason := "no channel can reach the recipient"
	if lastErr != "" {
		reason = "every channel failed, the last: " + lastErr
	}
	if err := n.Store.FailMessage(ctx, msg.ID, reason); err != nil {
		return SendResult{}, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	res.Status, res.Channel, res.Delivery = models.MessageFailed, "", ""
	return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("send message %q: %s", in.Key, reason), ErrTypeNotifyRejected, nil)
}

// sendOn delivers msg by channel ch once, recording the delivery and the
// attempt into res. It returns the channel's error (sendErr) and the
// activity's error: nil when sent, a retryable error when the channel may
// take it later, nil with a permanent sendErr when the next channel should
// be tried.
func (n *Notifier) sendOn(ctx context.Context, in SendInput, msg models.Message, ch models.Channel, p plan,
	params map[string]string, res *SendResult) (sendErr, err error) {
	if _, err := n.Store.ClaimDelivery(ctx, msg.ID, ch); err != nil {
		return nil, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	to, shown := deliveryAddress(in, ch, p.contact)
	if err := n.Store.SetMessageChannel(ctx, msg.ID, ch, shown); err != nil {
		return nil, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	sendErr = n.Channels[ch].Send(ctx, notify.Outgoing{Key: in.Key, To: to, RecipientKind: in.RecipientKind, RecipientID: in.RecipientID,
		Subject: msg.Subject, Body: msg.Body, Template: in.Template, Params: params})
	errText := ""
	if sendErr != nil {
		errText = scrubPhone(sendErr.Error(), p.contact.Phone)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := n.now()
	if err := n.Store.RecordAttempt(rctx, msg.ID, sendErr == nil, errText, now); err != nil {
		return sendErr, fmt.Errorf("send message %q: %w", in.Key, err)
	}
	res.Attempts++
	logger := logFor(ctx, n.log()).With("key", in.Key, "message_id", msg.ID, "template", in.Template,
		"recipient_kind", in.RecipientKind, "recipient_id", in.RecipientID, "channel", ch)
	pending := []models.DeliveryStatus{models.DeliveryPending}
	switch {
	case sendErr == nil:
		status := models.DeliveryDelivered
		if slices.Contains(receiptChannels, ch) {
			status, res.ReceiptWait = models.DeliverySent, p.wait
		}
		if _, err := n.Store.MarkDelivery(rctx, msg.ID, ch, pending, status, "", now); err != nil {
			return nil, fmt.Errorf("send message %q: %w", in.Key, err)
		}
		res.Status, res.Delivery = models.MessageSent, status
		logger.InfoContext(ctx, "message sent")
		return nil, nil
	case notify.IsPermanent(sendErr):
		if _, err := n.Store.MarkDelivery(rctx, msg.ID, ch, pending, models.DeliveryFailed, errText, now); err != nil {
			return sendErr, fmt.Errorf("send message %q: %w", in.Key, err)
		}
		logger.WarnContext(ctx, "channel refused the message, trying the next", "error", errText)
		return sendErr, nil
	default:
		res.Status = models.MessageFailed
		logger.WarnContext(ctx, "message not sent", "error", errText)
		return sendErr, temporal.NewApplicationError(fmt.Sprintf("send message %q by %s: %s", in.Key, ch, errText), ErrTypeNotifyFailed)
	}
}

// deliveryAddress is where channel ch takes the message in clear (to) and
// as the record shows it (shown): the phone for SMS (masked for
// residents), the email address for email, the person's id for the
// others.
func deliveryAddress(in SendInput, ch models.Channel, c store.Contact) (to, shown string) {
	switch ch {
	case models.ChannelSMS:
		if in.RecipientKind == models.RecipientResident {
			return c.Phone, models.MaskPhone(c.Phone)
		}
		return c.Phone, c.Phone
	case models.ChannelEmail:
		if c.Email == "" {
			return c.Phone, "" // a staff member: the SMTP redirect inbox
		}
		if in.RecipientKind == models.RecipientResident {
			return c.Email, maskEmail(c.Email)
		}
		return c.Email, c.Email
	}
	return "", string(in.RecipientKind) + ":" + strconv.FormatUint(in.RecipientID, 10)
}

// maskEmail hides an email address's local part but its first letter:
// l***@example.com.
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	return string([]rune(local)[:1]) + "***@" + domain
}

// FallbackInput names a message whose delivery by Channel failed: its
// receipt said so, or none came within the policy's wait (Reason).
type FallbackInput struct {
	Key     string
	Channel models.Channel
	Reason  string
}

// Fallback moves message in.Key on to the next channel of its plan: the
// delivery by in.Channel, still sent, is failed with in.Reason (a receipt
// already recorded stays), then the message is sent as Send sends it,
// which skips failed channels and never sends twice on one. A message
// delivered meanwhile is left alone. A resident's message waits for the
// estate's quiet hours and the resident's contact window: NotBefore says
// until when, and the caller calls again then.
func (n *Notifier) Fallback(ctx context.Context, in FallbackInput) (SendResult, error) {
	msg, err := n.Store.MessageByKey(ctx, in.Key)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return SendResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("fallback %q: %v", in.Key, err), ErrTypeNotifyInvalid, nil)
		}
		return SendResult{}, fmt.Errorf("fallback %q: %w", in.Key, err)
	}
	if in.Channel != "" {
		if _, err := n.Store.MarkDelivery(ctx, msg.ID, in.Channel,
			[]models.DeliveryStatus{models.DeliveryPending, models.DeliverySent}, models.DeliveryFailed, in.Reason, n.now()); err != nil {
			return SendResult{}, fmt.Errorf("fallback %q: %w", in.Key, err)
		}
	}
	ds, err := n.Store.Deliveries(ctx, msg.ID)
	if err != nil {
		return SendResult{}, fmt.Errorf("fallback %q: %w", in.Key, err)
	}
	for _, d := range ds {
		if d.Status == models.DeliveryDelivered {
			return SendResult{MessageID: msg.ID, Status: models.MessageSent, Attempts: msg.Attempts, Channel: d.Channel, Delivery: d.Status}, nil
		}
	}
	if n.Channels == nil {
		return SendResult{MessageID: msg.ID, Status: msg.Status, Attempts: msg.Attempts}, nil
	}
	return n.Send(ctx, SendInput{Key: msg.Key, EstateID: msg.EstateID, RecipientKind: msg.RecipientKind, RecipientID: msg.RecipientID,
		Template: msg.Template, Params: msg.Params, Ref: msg.Ref, KeepWindow: true})
}
