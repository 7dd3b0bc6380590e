package workflows

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// DeliveryWorkflowID is the workflow ID of the stand-alone delivery of
// message key: "delivery-<key>".
func DeliveryWorkflowID(key string) string { return "delivery-" + key }

// DeliveryInput is where a message stands when a process hands it over:
// sent by Channel, its receipt awaited for Wait. Zero when a receipt
// starts the workflow.
type DeliveryInput struct {
	Key     string         `json:",omitempty"`
	Channel models.Channel `json:",omitempty"`
	Wait    time.Duration  `json:",omitempty"`
}

// Delivery carries one message's delivery on after the process that sent
// it has ended: it takes the reports of its DeliverySignal as a process
// would (caseCore: a failure moves to the next channel, a sent one waits
// for its receipt, none within the wait counts as failed) and ends once the
// message is delivered or failed on every channel.
func Delivery(ctx workflow.Context, in DeliveryInput) error {
	var c caseCore
	done := false
	c.onDelivery = func(workflow.Context, string, activities.SendResult, error) bool {
		done = true
		return true
	}
	c.listenDeliveries(ctx)
	if in.Key != "" && in.Wait > 0 {
		c.awaitReceipt(ctx, in.Key, in.Channel, in.Wait)
	}
	return workflow.Await(ctx, func() bool { return done })
}

// handOver starts, for each message whose receipt the process still
// awaits, the message's own Delivery (a child that outlives the process),
// which waits on; the process is ending or continuing as new. Without
// gateways nothing awaits a receipt and nothing is started.
func (c *caseCore) handOver(ctx workflow.Context) {
	keys := slices.Sorted(maps.Keys(c.awaiting))
	for _, key := range keys {
		in := DeliveryInput{Key: key, Channel: c.awaiting[key], Wait: c.receiptWait[key]}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        DeliveryWorkflowID(key),
			ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
		})
		err := workflow.ExecuteChildWorkflow(cctx, Delivery, in).GetChildWorkflowExecution().Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("hand over a delivery", "key", key, "error", err)
		}
		delete(c.awaiting, key)
	}
}

// SignalDelivery reports r to the process that sent its message or, when
// that has ended (or the key names none), to the message's stand-alone
// Delivery, started for it if need be, so that a failed delivery moves on
// whatever became of its process.
func SignalDelivery(ctx context.Context, c client.Client, r DeliveryReport) error {
	if id, ok := MessageOwner(r.Key); ok {
		err := c.SignalWorkflow(ctx, id, "", DeliverySignal, r)
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			if err != nil {
				return fmt.Errorf("signal %s about message %q: %w", id, r.Key, err)
			}
			return nil
		}
	}
	id := DeliveryWorkflowID(r.Key)
	_, err := c.SignalWithStartWorkflow(ctx, id, DeliverySignal, r, client.StartWorkflowOptions{
		ID: id, TaskQueue: TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, Delivery, DeliveryInput{})
	if err != nil {
		return fmt.Errorf("start delivery of message %q: %w", r.Key, err)
	}
	return nil
}
