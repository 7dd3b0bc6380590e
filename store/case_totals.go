package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// The arrears totals per stage (the dashboard's and the arrears board's
// cards) come from case_stage_totals (models.CaseStageTotal), moved by the
// store in the transaction that opens a case or records its progress, for
// the reasons the SLA summary is (sla_summary.go). A search or an assignee
// narrows below what the totals keep: those are counted from the cases.

// caseTotal is the part of a case its stage's total holds.
type caseTotal struct {
	EstateID uint64
	Stage    models.CaseStage
	OwedFen  models.Money
}

// caseTotalOf reads the stage and owed amount of case id.
func caseTotalOf(tx *gorm.DB, id uint64) (caseTotal, error) {
	return keysOf[caseTotal](tx, &models.CollectionCase{}, "estate_id, stage, owed_fen", id)
}

// moveCaseTotal takes a case out of its stage's total as before and adds it
// as after (either zero for none).
func moveCaseTotal(tx *gorm.DB, before, after caseTotal) error {
	return moveTotal(tx, before, after, func(c caseTotal, sign int64) (any, []string, map[string]int64) {
		row := models.CaseStageTotal{EstateID: c.EstateID, Stage: c.Stage, Cases: sign, OwedFen: models.Money(sign) * c.OwedFen}
		return &row, []string{"estate_id", "stage"}, map[string]int64{"cases": row.Cases, "owed_fen": int64(row.OwedFen)}
	})
}

// keysOf reads the columns cols of row id of model's table: what its
// summary rows count it under.
func keysOf[K any](tx *gorm.DB, model any, cols string, id uint64) (K, error) {
	var k K
	if err := tx.Model(model).Select(cols).Where("id = ?", id).Take(&k).Error; err != nil {
		return k, fmt.Errorf("summary keys of %T %d: %w", model, id, translate(err))
	}
	return k, nil
}

// moveTotal takes a row out of the summary row counting it under before
// and counts it under after (the zero K for none): row gives a key's
// summary row with its counters at sign, its key columns and the deltas.
func moveTotal[K comparable](tx *gorm.DB, before, after K, row func(k K, sign int64) (any, []string, map[string]int64)) error {
	var none K
	if before == after {
		return nil
	}
	for _, c := range []struct {
		k    K
		sign int64
	}{{before, -1}, {after, 1}} {
		if c.k == none {
			continue
		}
		r, key, deltas := row(c.k, c.sign)
		if err := addTo(tx, r, key, deltas); err != nil {
			return fmt.Errorf("summary %+v: %w", c.k, translate(err))
		}
	}
	return nil
}

// caseTotalsUpgrade names the one-time backfill of the stage totals.
const caseTotalsUpgrade = "case_stage_totals"

// fillCaseTotals counts the stage totals from every case once, at the first
// start of the version that keeps them.
func fillCaseTotals(db *gorm.DB) error {
	return once(db, caseTotalsUpgrade, rebuildCaseTotals)
}

// rebuildCaseTotals replaces the stage totals with a count of every case.
func rebuildCaseTotals(tx *gorm.DB) error {
	if err := clearTables(tx, &models.CaseStageTotal{}); err != nil {
		return fmt.Errorf("stage totals: %w", err)
	}
	err := tx.Exec(`INSERT INTO case_stage_totals (estate_id, stage, cases, owed_fen)
		SELECT estate_id, stage, COUNT(*), COALESCE(SUM(owed_fen), 0) FROM collection_cases GROUP BY estate_id, stage`).Error
	if err != nil {
		return fmt.Errorf("stage totals: %w", err)
	}
	return nil
}

// CaseTotals sums the cases matching f per stage, in stage order: from the
// stage totals unless f searches or names an assignee.
func (s *Store) CaseTotals(ctx context.Context, scope Scope, f CaseFilter) ([]StageTotal, error) {
	if f.Search != "" || f.AssigneeID != 0 {
		return s.RecountCaseTotals(ctx, scope, f)
	}
	var rows []StageTotal
	err := stageFilter(queryIn[models.CaseStageTotal](s, ctx, scope, f.EstateID), f).
		Select("stage, SUM(cases) AS cases, COALESCE(SUM(owed_fen), 0) AS owed_fen").
		Group("stage").Having("SUM(cases) > 0").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("case totals: %w", translate(err))
	}
	return inStageOrder(rows), nil
}

// RecountCaseTotals is CaseTotals counted from the cases themselves.
func (s *Store) RecountCaseTotals(ctx context.Context, scope Scope, f CaseFilter) ([]StageTotal, error) {
	var rows []StageTotal
	err := s.caseQuery(ctx, scope, f).Select("stage, COUNT(*) AS cases, COALESCE(SUM(owed_fen), 0) AS owed_fen").
		Group("stage").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("case totals: %w", translate(err))
	}
	return inStageOrder(rows), nil
}

// inStageOrder puts rows in the order of models.Stages.
func inStageOrder(rows []StageTotal) []StageTotal {
	out := []StageTotal{}
	for _, st := range models.Stages() {
		for _, r := range rows {
			if r.Stage == st {
				out = append(out, r)
			}
		}
	}
	return out
}
