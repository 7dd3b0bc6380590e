package workflows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// StartOnce starts workflow wf with input in under the business-key ID id
// on the service's task queue, under reuse (what a closed run of the same ID
// allows). A run of that ID already going is no error: the process the
// caller wants exists.
//
// The start is eager: when the client's own worker has a free slot (one
// process, the embedded default), the server hands the first workflow task
// back in the start's answer, without a trip through matching; without one
// (an api-only process) it is an ordinary start.
func StartOnce(ctx context.Context, c client.Client, id string, reuse enums.WorkflowIdReusePolicy, wf, in any) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue, WorkflowIDReusePolicy: reuse,
		EnableEagerStart: true}, wf, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// UpdateTimeout bounds a staff action's round trip through its process.
const UpdateTimeout = 20 * time.Second

// Client is the typed client of one kind of process, V being its live view
// (TicketView, FollowUpView, CaseView): it spells the process's handler
// names so that its callers never do.
type Client[V any] struct {
	Temporal client.Client
	Process  Process
}

// NewClient returns the client of p on c.
func NewClient[V any](c client.Client, p Process) Client[V] {
	return Client[V]{Temporal: c, Process: p}
}

// Tickets, FollowUps and Collections are the clients of the three
// processes.
func Tickets(c client.Client) Client[TicketView] { return NewClient[TicketView](c, TicketProcess()) }
func FollowUps(c client.Client) Client[FollowUpView] {
	return NewClient[FollowUpView](c, FollowUpProcess())
}
func Collections(c client.Client) Client[CaseView] {
	return NewClient[CaseView](c, CollectionProcess())
}

// Contracts is the client of the service contracts' process.
func Contracts(c client.Client) Client[ContractView] {
	return NewClient[ContractView](c, ContractProcess())
}

// State reads the live view of the case with business key key.
func (c Client[V]) State(ctx context.Context, key uint64) (V, error) {
	var v V
	res, err := c.Temporal.QueryWorkflow(ctx, c.Process.WorkflowID(key), "", c.Process.StateQuery)
	if err == nil {
		err = res.Get(&v)
	}
	return v, err
}

// Allowed lists the actions the caller in may take now on the case.
func (c Client[V]) Allowed(ctx context.Context, key uint64, in AllowedActionsInput) ([]string, error) {
	out := []string{}
	res, err := c.Temporal.QueryWorkflow(ctx, c.Process.WorkflowID(key), "", c.Process.AllowedActionsQuery, in)
	if err == nil {
		err = res.Get(&out)
	}
	return out, err
}

// Act sends a staff action (the process's action type) to the case and
// returns its live view after it. updateID makes the action idempotent: the
// same ID is applied once (a random one when empty). A refusal by the
// update's validator comes back as its *temporal.ApplicationError; a
// process that has ended as *serviceerror.NotFound.
func (c Client[V]) Act(ctx context.Context, key uint64, updateID string, action any) (V, error) {
	var v V
	if updateID == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		updateID = hex.EncodeToString(b)
	}
	uctx, cancel := context.WithTimeout(ctx, UpdateTimeout)
	defer cancel()
	h, err := c.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: c.Process.WorkflowID(key), UpdateID: updateID, UpdateName: c.Process.ActionUpdate,
		Args: []any{action}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(uctx, &v)
	}
	return v, err
}

// Outages is the client of outage processes.
func Outages(c client.Client) Client[OutageView] { return NewClient[OutageView](c, OutageProcess()) }

// Notices is the client of community notice processes.
func Notices(c client.Client) Client[NoticeView] { return NewClient[NoticeView](c, NoticeProcess()) }
