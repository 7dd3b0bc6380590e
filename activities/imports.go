package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// Imports applies the stored rows of an import in batches, upserting each
// kind's records by business key, so a batch applied twice (a retry after
// a restart) changes nothing the second time.
type Imports struct {
	Store  *store.Store
	Kinds  imports.Registry
	Nudger CollectionNudger
}

// ImportBatchInput asks for the next batch of an import's rows.
type ImportBatchInput struct {
	ImportID uint64
	Size     int
}

// ImportBatchResult is what a batch did: Rows applied (Failed of them could
// not be), More when rows remain, Cancel when staff asked to stop (no batch
// was applied then).
type ImportBatchResult struct {
	Rows   int
	Failed int
	More   bool
	Cancel bool
}

// ApplyImportBatch applies the next Size rows of an import not applied yet
// and marks them, recording the reason of each row that failed.
func (a *Imports) ApplyImportBatch(ctx context.Context, in ImportBatchInput) (ImportBatchResult, error) {
	imp, err := a.Store.Import(ctx, store.AllEstates(), in.ImportID)
	if err != nil {
		return ImportBatchResult{}, permanent(err)
	}
	if imp.CancelRequested {
		return ImportBatchResult{Cancel: true}, nil
	}
	kind, ok := a.Kinds[imp.Kind]
	if !ok {
		return ImportBatchResult{}, temporal.NewNonRetryableApplicationError("unknown import kind "+imp.Kind, "Permanent", nil)
	}
	rows, err := a.Store.PendingImportRows(ctx, imp.ID, in.Size)
	if err != nil || len(rows) == 0 {
		return ImportBatchResult{}, err
	}
	data := make([][]byte, len(rows))
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		data[i], ids[i] = []byte(r.Data), r.ID
	}
	by := imp.CreatedBy
	failed, err := kind.Apply(ctx, imports.Applier{Store: a.Store, By: &by}, imp.EstateID, data)
	if err != nil {
		return ImportBatchResult{}, permanent(err)
	}
	byID := map[uint64]string{}
	for i, reason := range failed {
		byID[rows[i].ID] = reason
	}
	if err := a.Store.MarkImportRows(ctx, imp.ID, ids, byID); err != nil {
		return ImportBatchResult{}, err
	}
	return ImportBatchResult{Rows: len(rows), Failed: len(failed), More: len(rows) == in.Size}, nil
}

// NudgeImportBillsInput names the import whose bills to tell of, as at At.
type NudgeImportBillsInput struct {
	ImportID uint64
	At       time.Time
}

// NudgeImportBills tells the collection process of each household an
// opening-balance import billed (starting it), so its late fee and dunning
// ladder run from the bills' original due dates. Other kinds do nothing. A
// retry goes on from the last bill its heartbeat recorded.
func (a *Imports) NudgeImportBills(ctx context.Context, in NudgeImportBillsInput) error {
	importID := in.ImportID
	all := store.AllEstates()
	imp, err := a.Store.Import(ctx, all, importID)
	if err != nil || imp.Kind != imports.OpeningBalances {
		return permanent(err)
	}
	if a.Nudger == nil {
		return temporal.NewNonRetryableApplicationError("nudge import bills: no collection nudger configured", "Permanent", nil)
	}
	rows, err := a.Store.AppliedImportRows(ctx, importID)
	if err != nil {
		return err
	}
	recs := make([]store.OpeningBalanceRecord, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r.Data), &recs[i]); err != nil {
			return permanent(models.Invalid("data", "import %d row %d: %v", importID, r.Row, err))
		}
	}
	bills, err := a.Store.BillsOf(ctx, imp.EstateID, recs)
	if err != nil {
		return err
	}
	e, err := a.Store.Estate(ctx, all, imp.EstateID)
	if err != nil {
		return permanent(err)
	}
	pol, err := a.Store.Policy(ctx, all, imp.EstateID)
	if err != nil {
		return permanent(err)
	}
	from := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &from)
	}
	for i := from; i < len(bills); i++ {
		b := bills[i]
		err := a.Nudger.NudgeBill(ctx, BillNudge{HouseholdID: b.HouseholdID, EstateID: imp.EstateID, BillID: b.ID,
			Policy: pol.Policy, TimeZone: e.TimeZone, At: in.At})
		if err != nil {
			return fmt.Errorf("nudge bill %d: %w", b.ID, err)
		}
		activity.RecordHeartbeat(ctx, i+1)
	}
	return nil
}

// FinishImportInput ends an import with Status at At.
type FinishImportInput struct {
	ImportID uint64
	Status   models.ImportStatus
	At       time.Time
}

// FinishImport records the end of an import (safe twice).
func (a *Imports) FinishImport(ctx context.Context, in FinishImportInput) error {
	return a.Store.FinishImport(ctx, in.ImportID, in.Status, in.At)
}
