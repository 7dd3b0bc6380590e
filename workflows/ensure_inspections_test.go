package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// ensureClient is a Temporal client that lists running and records
// starts; a start of a running ID fails as the engine's does.
type ensureClient struct {
	client.Client
	running []string
	listErr error
	queries []string
	mu      sync.Mutex
	started []string
}

func (c *ensureClient) ListWorkflow(_ context.Context, r *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	c.queries = append(c.queries, r.Query)
	if c.listErr != nil {
		return nil, c.listErr
	}
	// Two pages: the first running workflow, then the rest.
	page := c.running[:1]
	var next []byte
	if r.NextPageToken == nil {
		next = []byte("2")
	} else {
		page = c.running[1:]
	}
	out := &workflowservice.ListWorkflowExecutionsResponse{NextPageToken: next}
	for _, id := range page {
		out.Executions = append(out.Executions, &workflow.WorkflowExecutionInfo{Execution: &common.WorkflowExecution{WorkflowId: id}})
	}
	return out, nil
}

func (c *ensureClient) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started = append(c.started, o.ID)
	if slices.Contains(c.running, o.ID) {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("running", "", "")
	}
	return nil, nil
}

// TestEnsureInspectionsSkipsRunning: the plans and statutory checks the
// engine lists as running (over two pages) are not started again, the
// others are; when the list fails every one is started once, a running
// one counting as started, and the failure is said.
func TestEnsureInspectionsSkipsRunning(t *testing.T) {
	ctx := context.Background()
	c := &ensureClient{running: []string{PlanWorkflowID(1), PlanWorkflowID(3), StatutoryWorkflowID(7)}}
	res, err := EnsureInspections(ctx, c, []uint64{1, 2, 3, 4}, []uint64{7, 8})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(c.started)
	want := []string{PlanWorkflowID(2), PlanWorkflowID(4), StatutoryWorkflowID(8)}
	slices.Sort(want)
	if !slices.Equal(c.started, want) || res != (EnsureResult{Running: 3, Started: 3, Listed: true}) {
		t.Errorf("got starts %v and %+v, want %v and 3 running, 3 started", c.started, res, want)
	}
	if len(c.queries) != 2 || c.queries[0] != runningInspectionsQuery {
		t.Errorf("queries: got %q, want two pages of %q", c.queries, runningInspectionsQuery)
	}

	down := &ensureClient{running: []string{PlanWorkflowID(1)}, listErr: errors.New("visibility down")}
	res, err = EnsureInspections(ctx, down, []uint64{1, 2}, nil)
	if len(down.started) != 2 || res.Started != 2 || res.Listed || err == nil {
		t.Errorf("list failed: got starts %v, %+v and %v, want both started once and the failure said", down.started, res, err)
	}
}
