package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// ImportWorkflowID is the workflow ID of an import: "import-<importID>".
func ImportWorkflowID(importID uint64) string { return "import-" + strconv.FormatUint(importID, 10) }

// ImportBatchSize is the rows one batch activity applies.
const ImportBatchSize = 500

// ImportInput starts the process applying a stored import.
type ImportInput struct {
	ImportID uint64
}

// ImportResult is how an import ended.
type ImportResult struct {
	Status models.ImportStatus
	Rows   int
	Failed int
}

// Import applies a stored import's rows in batches of ImportBatchSize, each
// batch upserting by business key and recording its progress, so that after
// a restart the process goes on from the first row not marked applied. Staff
// cancel it by marking the import (store.RequestImportCancel): it stops
// before the next batch, keeping the rows applied. The bills of an
// opening-balance import are then told to their collections.
func Import(ctx workflow.Context, in ImportInput) (ImportResult, error) {
	var a *activities.Imports
	out := ImportResult{Status: models.ImportDone}
	batch := importBatch(ctx)
	for {
		var r activities.ImportBatchResult
		if err := workflow.ExecuteActivity(batch, a.ApplyImportBatch, activities.ImportBatchInput{ImportID: in.ImportID, Size: ImportBatchSize}).Get(ctx, &r); err != nil {
			return out, fmt.Errorf("import %d: %w", in.ImportID, err)
		}
		out.Rows += r.Rows
		out.Failed += r.Failed
		if r.Cancel {
			out.Status = models.ImportCancelled
			break
		}
		if !r.More {
			break
		}
	}
	if err := workflow.ExecuteActivity(billingNudges(ctx), a.NudgeImportBills,
		activities.NudgeImportBillsInput{ImportID: in.ImportID, At: workflow.Now(ctx)}).Get(ctx, nil); err != nil {
		return out, fmt.Errorf("import %d: tell the collections: %w", in.ImportID, err)
	}
	err := workflow.ExecuteActivity(dbCall(ctx), a.FinishImport,
		activities.FinishImportInput{ImportID: in.ImportID, Status: out.Status, At: workflow.Now(ctx)}).Get(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("import %d: %w", in.ImportID, err)
	}
	return out, nil
}

// importBatch is one batch of an import: 30 seconds an attempt (a batch of
// 500 rows takes a second or two), retried until it succeeds or fails for
// good. An attempt lost with a stopped worker is retried when its 30
// seconds are up.
func importBatch(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         dbBackoff(0),
	})
}
