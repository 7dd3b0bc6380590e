package workflows_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/wuye/wuye/codec"
	"github.com/wuye/wuye/workflows"
)

// registerWorkflows registers every workflow the service's worker registers
// (worker.Register), so that any recorded history finds its code. Package
// worker imports this one: the list is kept here by hand, in step with it.
func registerWorkflows(r sdkworker.WorkflowReplayer) {
	r.RegisterWorkflow(workflows.Ticket)
	r.RegisterWorkflow(workflows.FollowUp)
	r.RegisterWorkflow(workflows.Collection)
	r.RegisterWorkflow(workflows.BillingRun)
	// Inspections (巡检/维保).
	r.RegisterWorkflow(workflows.InspectionPlanRun)
	r.RegisterWorkflow(workflows.Inspection)
	r.RegisterWorkflow(workflows.StatutoryCheck)
	r.RegisterWorkflow(workflows.Contract)

	r.RegisterWorkflow(workflows.Outage)
	r.RegisterWorkflow(workflows.Notice)

	r.RegisterWorkflow(workflows.Survey)
}

// TestReplayRecordedHistories replays every history in testdata against
// today's workflow code: a change that would break a running process
// (a command added, removed or reordered without workflow.GetVersion) fails
// here as a nondeterminism error. The histories are recorded from the
// service on the embedded server:
//
//	WUYE_RECORD_HISTORIES=1 GOTOOLCHAIN=local go test ./app -run TestRecordHistories
func TestReplayRecordedHistories(t *testing.T) {
	const dir = "testdata"
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("recorded histories: %v; record them with WUYE_RECORD_HISTORIES=1 go test ./app -run TestRecordHistories", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("recorded histories: got none in %s, want at least one", dir)
	}
	// Histories recorded since payloads are sealed (package codec) open
	// with the test key the app tests seal with; older ones pass through.
	keys, err := os.ReadFile(filepath.Join(dir, "payload_keys"))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := codec.ParseKeys(string(keys))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := codec.New(parsed)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
				DataConverter: sealer.DataConverter(), FailureConverter: sealer.FailureConverter(),
			})
			if err != nil {
				t.Fatal(err)
			}
			registerWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(testLogger(t), f); err != nil {
				t.Errorf("replay %s: got %v, want no error", f, err)
			}
		})
	}
}

// testLogger sends the SDK's warnings and errors to the test's log.
func testLogger(t *testing.T) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
