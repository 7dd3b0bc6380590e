package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The deliveries of a case's messages: with per-channel gateways, a message
// sent by a gateway waits for its receipt (DeliverySignal, from the receipt
// route); a failed one, or one whose receipt does not come within the
// estate's wait, moves on to the next channel of its plan (the notifier's
// Fallback, which never sends twice on one channel). Every process gets
// this from caseCore. Nothing here runs without a receipt to wait for or a
// signal, so histories written before it replay unchanged.

// deliveryHook is told where a message stands once its delivery is known:
// delivered (res.Delivery), or failed for good (err). It reports whether
// it knew the message; one it did not know yet (the outcome came before
// the send's result) is kept for claimHeard.
type deliveryHook func(ctx workflow.Context, key string, res activities.SendResult, err error) bool

// heardResult is an outcome no hook has claimed yet.
type heardResult struct {
	res activities.SendResult
	err error
}

// base is the process's caseCore (every process state embeds one).
func (c *caseCore) base() *caseCore { return c }

// listenDeliveries handles the process's delivery reports for as long as
// it runs.
func (c *caseCore) listenDeliveries(ctx workflow.Context) {
	reports := workflow.GetSignalChannel(ctx, DeliverySignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var r DeliveryReport
			if more := reports.Receive(ctx, &r); !more {
				return
			}
			c.delivery(ctx, r)
		}
	})
}

// delivery acts on one report: delivered, the hook hears it; failed, the
// message moves on to its next channel. A report on a channel the message
// has left already is the notifier's to ignore.
func (c *caseCore) delivery(ctx workflow.Context, r DeliveryReport) {
	ch, ok := c.awaiting[r.Key]
	if ok && ch == r.Channel {
		delete(c.awaiting, r.Key)
	}
	switch r.Status {
	case models.DeliveryDelivered:
		if !ok {
			// The receipt came before the send's result: the receipt's
			// wait takes it when it starts (awaitReceipt).
			if c.early == nil {
				c.early = map[string]DeliveryReport{}
			}
			c.early[r.Key] = r
		}
		c.heard(ctx, r.Key, activities.SendResult{Status: models.MessageSent, Channel: r.Channel, Delivery: r.Status}, nil)
	case models.DeliveryFailed:
		c.fallback(ctx, activities.FallbackInput{Key: r.Key, Channel: r.Channel, Reason: r.Reason})
	}
}

// fallback moves a message on to its next channel and follows the result.
func (c *caseCore) fallback(ctx workflow.Context, in activities.FallbackInput) {
	var n *activities.Notifier
	var res activities.SendResult
	err := workflow.ExecuteActivity(sendMessage(ctx), n.Fallback, in).Get(ctx, &res)
	for err == nil && res.NotBefore.After(workflow.Now(ctx)) {
		// A resident's quiet time: the next channel waits for it to end.
		if err := workflow.Sleep(ctx, res.NotBefore.Sub(workflow.Now(ctx))); err != nil {
			return
		}
		in.Channel, in.Reason = "", ""
		res = activities.SendResult{}
		err = workflow.ExecuteActivity(sendMessage(ctx), n.Fallback, in).Get(ctx, &res)
	}
	if err != nil {
		workflow.GetLogger(ctx).Warn("message not delivered on any channel", "key", in.Key, "error", err)
	}
	c.follow(ctx, in.Key, res, err)
}

// follow acts on a message's send result: sent by a gateway, it waits for
// the receipt; delivered, or failed for good, the hook hears it.
func (c *caseCore) follow(ctx workflow.Context, key string, res activities.SendResult, err error) {
	switch {
	case err != nil:
		c.heard(ctx, key, res, err)
	case res.Delivery == models.DeliverySent && res.ReceiptWait > 0:
		c.awaitReceipt(ctx, key, res.Channel, res.ReceiptWait)
	case res.Delivery == models.DeliveryDelivered:
		c.heard(ctx, key, res, nil)
	}
}

func (c *caseCore) heard(ctx workflow.Context, key string, res activities.SendResult, err error) {
	if c.onDelivery == nil || c.onDelivery(ctx, key, res, err) {
		return
	}
	if c.unclaimed == nil {
		c.unclaimed = map[string]heardResult{}
	}
	c.unclaimed[key] = heardResult{res: res, err: err}
}

// claimHeard hands the hook the outcome of message key heard before the
// hook knew it, if any.
func (c *caseCore) claimHeard(ctx workflow.Context, key string) {
	if h, ok := c.unclaimed[key]; ok {
		delete(c.unclaimed, key)
		c.heard(ctx, key, h.res, h.err)
	}
}

// awaitReceipt waits up to wait for the receipt of message key's delivery
// by ch; none by then, the delivery counts as failed and the message moves
// on.
func (c *caseCore) awaitReceipt(ctx workflow.Context, key string, ch models.Channel, wait time.Duration) {
	if c.awaiting == nil {
		c.awaiting = map[string]models.Channel{}
	}
	c.awaiting[key] = ch
	if c.receiptWait == nil {
		c.receiptWait = map[string]time.Duration{}
	}
	c.receiptWait[key] = wait
	workflow.Go(ctx, func(ctx workflow.Context) {
		// Run once the sender has noted the message (a contact): a receipt
		// that came first is taken now.
		if r, ok := c.early[key]; ok && r.Channel == ch {
			delete(c.early, key)
			delete(c.awaiting, key)
			c.heard(ctx, key, activities.SendResult{Status: models.MessageSent, Channel: ch, Delivery: r.Status}, nil)
			return
		}
		heard, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return c.awaiting[key] != ch })
		if err != nil || heard {
			return
		}
		delete(c.awaiting, key)
		c.fallback(ctx, activities.FallbackInput{Key: key, Channel: ch, Reason: "no receipt within " + wait.String()})
	})
}
