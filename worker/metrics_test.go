package worker

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"
)

// Panics fails every workflow task: a bug in workflow code.
func Panics(workflow.Context) error {
	panic("a bug in workflow code")
}

// SetsLevel sets an Int search attribute that the test namespace has as
// Keyword: the server refuses the task (BAD_SEARCH_ATTRIBUTES).
func SetsLevel(ctx workflow.Context) error {
	_ = workflow.UpsertTypedSearchAttributes(ctx, temporal.NewSearchAttributeKeyInt64("WuyeEscalationLevel").ValueSet(2))
	return workflow.Sleep(ctx, time.Hour)
}

// TestTaskFailures runs, on a real server, a workflow that panics and one
// whose search attribute the namespace has with another type: each is stuck
// on a failing workflow task, which only the counter shows, and which
// DescribeWorkflowExecution reports as a pending task past its first attempt
// (what the API reads to say a process is failing).
func TestTaskFailures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	_, err := ts.GetDefaultClient().OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ts.GetDefaultNamespace(), SearchAttributes: map[string]enums.IndexedValueType{
			"WuyeEscalationLevel": enums.INDEXED_VALUE_TYPE_KEYWORD,
		}})
	if err != nil {
		t.Fatal(err)
	}
	failures := NewTaskFailures()
	c := ts.NewClientWithOptions(client.Options{MetricsHandler: failures.Handler()})
	w := sdkworker.New(c, "metrics-test", sdkworker.Options{})
	w.RegisterWorkflow(Panics)
	w.RegisterWorkflow(SetsLevel)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	tests := []struct {
		give       any
		wantType   string
		wantReason string
	}{
		{Panics, "Panics", "WorkflowError"},
		{SetsLevel, "SetsLevel", "Rejected"},
	}
	for _, tt := range tests {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: tt.wantType, TaskQueue: "metrics-test",
			WorkflowTaskTimeout: time.Second}, tt.give)
		if err != nil {
			t.Fatal(err)
		}
		counter := failures.count.WithLabelValues(tt.wantType, tt.wantReason)
		var attempt int32
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
			if err != nil {
				t.Fatal(err)
			}
			attempt = desc.GetPendingWorkflowTask().GetAttempt()
			if value(t, counter) >= 2 && attempt > 1 {
				break
			}
		}
		if got := value(t, counter); got < 2 {
			t.Errorf("%s: got %v failures with reason %s, want at least 2 (one a retry)", tt.wantType, got, tt.wantReason)
		}
		if attempt <= 1 {
			t.Errorf("%s: got pending workflow task attempt %d, want more than 1", tt.wantType, attempt)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(failures)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || families[0].GetName() != "wuye_workflow_task_failures_total" || len(families[0].GetMetric()) != 2 {
		t.Errorf("gathered: got %v, want wuye_workflow_task_failures_total with 2 series (one per stuck workflow)", families)
	}
}

// value reads a counter.
func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
