package workflows

import (
	"reflect"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TestActivityOptionSets pins each set's timeouts and retries: running
// processes retry as they did when they started.
func TestActivityOptionSets(t *testing.T) {
	db := func(attempts int32) *temporal.RetryPolicy {
		return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: attempts}
	}
	billing := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute}
	tests := []struct {
		name string
		give func(workflow.Context) workflow.Context
		want workflow.ActivityOptions
	}{
		{"dbCall", dbCall, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: db(0)}},
		{"dbLookup", dbLookup, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: db(20)}},
		{"sendMessage", sendMessage, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute, MaximumAttempts: 10}}},
		{"billingWrite", billingWrite, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Minute,
			ScheduleToCloseTimeout: 24 * time.Hour, RetryPolicy: billing}},
		{"billingNudges", billingNudges, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Minute, HeartbeatTimeout: 2 * time.Minute,
			ScheduleToCloseTimeout: 24 * time.Hour, RetryPolicy: billing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got workflow.ActivityOptions
			env := newTestEnv()
			env.ExecuteWorkflow(func(ctx workflow.Context) error {
				got = workflow.GetActivityOptions(tt.give(ctx))
				got.TaskQueue = "" // the workflow's, filled in by the SDK
				if r := got.RetryPolicy; r != nil && len(r.NonRetryableErrorTypes) == 0 {
					r.NonRetryableErrorTypes = nil
				}
				return nil
			})
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v with retry %+v, want %+v with retry %+v", got, got.RetryPolicy, tt.want, tt.want.RetryPolicy)
			}
		})
	}
}
