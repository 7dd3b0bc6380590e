package workflows

import (
	"context"
	"fmt"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/activities"
)

// SignalCollection tells a household's collection process of n, starting
// it with in where none runs (SignalWithStart: a fact arriving before the
// process exists starts it and is never lost). A closed case's ID is reused
// by the next case (resuming where it stood when a reversal starts it). The
// API and the scheduled billing run both come here.
func SignalCollection(ctx context.Context, c client.Client, in CollectionInput, n CollectionNudge) error {
	id := CollectionWorkflowID(in.HouseholdID)
	in = resumeInput(in, n)
	_, err := c.SignalWithStartWorkflow(ctx, id, CollectionSignal, n, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, Collection, in)
	if err != nil {
		return fmt.Errorf("nudge collection of household %d: %w", in.HouseholdID, err)
	}
	return nil
}

// resumeInput is in for a process n may start: a reversal may reopen
// arrears a closed case had settled, so a process it starts resumes that
// case's ladder rather than starting over.
func resumeInput(in CollectionInput, n CollectionNudge) CollectionInput {
	in.Resume = in.Resume || n.Kind == NudgeReversal
	return in
}

// Nudger is activities.CollectionNudger over a Temporal client: the bills
// of a scheduled billing run reach their households' collections the way
// the API's do.
type Nudger struct {
	Client client.Client
}

// NudgeBill tells the household's collection of the bill, starting it.
func (n Nudger) NudgeBill(ctx context.Context, b activities.BillNudge) error {
	return SignalCollection(ctx, n.Client,
		CollectionInput{HouseholdID: b.HouseholdID, EstateID: b.EstateID, Policy: b.Policy, TimeZone: b.TimeZone},
		CollectionNudge{Kind: NudgeBill, Ref: b.BillID, At: b.At})
}
