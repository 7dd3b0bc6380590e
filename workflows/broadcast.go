package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
)

// sendBatch is one batch of a broadcast: a few minutes for its messages,
// a heartbeat per message, retried with backoff (each message is
// idempotent by its key, so a retry sends only what had not gone).
func sendBatch(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute, MaximumAttempts: 20},
	})
}

// broadcast sends in's message to every household of its buildings, one
// activity per batch of in.Limit households, in household order; outside
// an emergency it first waits for the estate's quiet hours to end. It
// counts the messages and calls done with the totals, in its own
// coroutine, so that the process's timers and actions go on meanwhile;
// the process ends only once every broadcast is done (c.sending). skip
// (nil: none), asked once the quiet hours are over, drops the broadcast
// that the case has overtaken meanwhile (an announcement of an outage
// already cancelled): nothing is sent and done is not called.
func (c *caseCore) broadcast(ctx workflow.Context, in activities.BatchInput, urgent bool, skip func() bool,
	done func(ctx workflow.Context, total activities.BatchResult)) {
	c.sending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { c.sending--; c.woken = true }()
		if !urgent {
			now := workflow.Now(ctx)
			if at := c.quiet.NextAllowed(now, c.loc); at.After(now) {
				if err := workflow.Sleep(ctx, at.Sub(now)); err != nil {
					return
				}
			}
		}
		if skip != nil && skip() {
			return
		}
		var b *activities.Broadcasts
		var total activities.BatchResult
		for {
			var res activities.BatchResult
			if err := workflow.ExecuteActivity(sendBatch(ctx), b.SendBatch, in).Get(ctx, &res); err != nil {
				workflow.GetLogger(ctx).Error("broadcast batch", "key", in.Key, "after", in.After, "error", err)
				break
			}
			total.Households += res.Households
			total.Residents += res.Residents
			total.Sent += res.Sent
			total.Failed += res.Failed
			total.Capped += res.Capped
			if res.Last == 0 || res.Households < in.Limit {
				break
			}
			in.After = res.Last
		}
		done(ctx, total)
	})
}

// buildingList shows buildings in a message: "1栋、2栋"; "全体住户" for
// none (the whole estate).
// waitSent waits until no broadcast is under way and every action has
// answered: an action may start a broadcast after the process's loop ended.
func (c *caseCore) waitSent(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return c.sending == 0 && workflow.AllHandlersFinished(ctx) })
}

func buildingList(bs []string) string {
	if len(bs) == 0 {
		return "全体住户"
	}
	return strings.Join(bs, "、")
}
