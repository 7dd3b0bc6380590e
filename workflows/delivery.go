package workflows

import (
	"context"
	"errors"
	"fmt"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
)

// DeliveryWorkflowID is the workflow ID of the stand-alone delivery of
// message key: "delivery-<key>".
func DeliveryWorkflowID(key string) string { return "delivery-" + key }

// Delivery carries one message's delivery on after the process that sent
// it has ended: it takes the reports of its DeliverySignal as a process
// would (caseCore: a failure moves to the next channel, a sent one waits
// for its receipt) and ends once the message is delivered or failed on
// every channel.
func Delivery(ctx workflow.Context) error {
	var c caseCore
	done := false
	c.onDelivery = func(workflow.Context, string, activities.SendResult, error) bool {
		done = true
		return true
	}
	c.listenDeliveries(ctx)
	return workflow.Await(ctx, func() bool { return done })
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
	}, Delivery)
	if err != nil {
		return fmt.Errorf("start delivery of message %q: %w", r.Key, err)
	}
	return nil
}
