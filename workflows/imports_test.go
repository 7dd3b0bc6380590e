package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The import applies batches until none is left or staff cancel, retries a
// batch that failed for a passing reason, then tells the collections and
// records how it ended.
func TestImportAppliesBatchesUntilDoneOrCancelled(t *testing.T) {
	tests := []struct {
		name       string
		batches    []activities.ImportBatchResult
		want       ImportResult
		wantCalls  int
		failSecond bool
	}{
		{"three batches", []activities.ImportBatchResult{{Rows: 500, More: true}, {Rows: 500, Failed: 2, More: true}, {Rows: 10}},
			ImportResult{Status: models.ImportDone, Rows: 1010, Failed: 2}, 3, false},
		{"a batch retried after a database error", []activities.ImportBatchResult{{Rows: 500, More: true}, {Rows: 3}},
			ImportResult{Status: models.ImportDone, Rows: 503}, 3, true},
		{"cancelled before the third", []activities.ImportBatchResult{{Rows: 500, More: true}, {Rows: 500, More: true}, {Cancel: true}},
			ImportResult{Status: models.ImportCancelled, Rows: 1000}, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv()
			var a *activities.Imports
			calls := 0
			failed := false
			env.OnActivity(a.ApplyImportBatch, mockAny, mockAny).Return(
				func(_ context.Context, in activities.ImportBatchInput) (activities.ImportBatchResult, error) {
					calls++
					if in.ImportID != 7 || in.Size != ImportBatchSize {
						t.Errorf("batch input: got %+v, want import 7, size %d", in, ImportBatchSize)
					}
					if tt.failSecond && calls == 2 && !failed {
						failed = true
						return activities.ImportBatchResult{}, errors.New("database is down")
					}
					n := calls - 1
					if failed {
						n--
					}
					return tt.batches[n], nil
				})
			nudged := false
			env.OnActivity(a.NudgeImportBills, mockAny, mockAny).Return(func(_ context.Context, in activities.NudgeImportBillsInput) error {
				nudged = in.ImportID == 7
				return nil
			})
			var finished activities.FinishImportInput
			env.OnActivity(a.FinishImport, mockAny, mockAny).Return(func(_ context.Context, in activities.FinishImportInput) error {
				finished = in
				return nil
			})
			env.ExecuteWorkflow(Import, ImportInput{ImportID: 7})
			var got ImportResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatalf("result: got %v, want none", err)
			}
			if got != tt.want || calls != tt.wantCalls {
				t.Errorf("got %+v after %d batch calls, want %+v after %d", got, calls, tt.want, tt.wantCalls)
			}
			if !nudged || finished.ImportID != 7 || finished.Status != tt.want.Status {
				t.Errorf("end: nudged %v, finished %+v; want the bills told and the import %s", nudged, finished, tt.want.Status)
			}
		})
	}
}
