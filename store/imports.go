package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateImport stores an import inside scope with its validated rows (in
// batches of 500), so the process applying them can resume after a restart.
func (s *Store) CreateImport(ctx context.Context, scope Scope, imp *models.Import, rows []models.ImportRow) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, imp.EstateID); err != nil {
			return err
		}
		imp.Status, imp.Total = models.ImportRunning, len(rows)
		if err := tx.Create(imp).Error; err != nil {
			return translate(err)
		}
		for i := range rows {
			rows[i].ImportID = imp.ID
		}
		return translate(tx.CreateInBatches(rows, 500).Error)
	})
	if err != nil {
		return fmt.Errorf("create %s import of estate %d: %w", imp.Kind, imp.EstateID, err)
	}
	return nil
}

// Import reads one import inside scope.
func (s *Store) Import(ctx context.Context, scope Scope, id uint64) (models.Import, error) {
	return scoped[models.Import](s, ctx, scope, id, "import")
}

// ImportErrors lists the rows of an import that failed when applied, at
// most limit of them, by row number.
func (s *Store) ImportErrors(ctx context.Context, id uint64, limit int) ([]models.RowError, error) {
	var rows []models.ImportRow
	err := s.db.WithContext(ctx).Select("row_no", "reason").Where("import_id = ? AND reason <> ''", id).
		Order("row_no").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("errors of import %d: %w", id, translate(err))
	}
	out := make([]models.RowError, len(rows))
	for i, r := range rows {
		out[i] = models.RowError{Row: r.Row, Reason: r.Error}
	}
	return out, nil
}

// PendingImportRows reads the next n rows of an import not applied yet, by
// row number.
func (s *Store) PendingImportRows(ctx context.Context, id uint64, n int) ([]models.ImportRow, error) {
	var rows []models.ImportRow
	if err := s.db.WithContext(ctx).Where("import_id = ? AND applied = ?", id, false).Order("row_no").Limit(n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("pending rows of import %d: %w", id, translate(err))
	}
	return rows, nil
}

// AppliedImportRows reads the rows of an import applied without error.
func (s *Store) AppliedImportRows(ctx context.Context, id uint64) ([]models.ImportRow, error) {
	var rows []models.ImportRow
	if err := s.db.WithContext(ctx).Where("import_id = ? AND applied = ? AND reason = ''", id, true).Order("row_no").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("applied rows of import %d: %w", id, translate(err))
	}
	return rows, nil
}

// MarkImportRows marks rows of an import applied, those in failed with
// their reason, and recounts the import's done and failed rows (a second
// call with the same rows changes nothing).
func (s *Store) MarkImportRows(ctx context.Context, id uint64, rowIDs []uint64, failed map[uint64]string) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if len(rowIDs) > 0 {
			if err := tx.Model(&models.ImportRow{}).Where("import_id = ? AND id IN ?", id, rowIDs).Update("applied", true).Error; err != nil {
				return translate(err)
			}
		}
		for rowID, reason := range failed {
			if err := tx.Model(&models.ImportRow{}).Where("import_id = ? AND id = ?", id, rowID).
				Updates(map[string]any{"applied": true, "reason": truncate(reason, 255)}).Error; err != nil {
				return translate(err)
			}
		}
		var done, bad int64
		if err := tx.Model(&models.ImportRow{}).Where("import_id = ? AND applied = ? AND reason = ''", id, true).Count(&done).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&models.ImportRow{}).Where("import_id = ? AND reason <> ''", id).Count(&bad).Error; err != nil {
			return translate(err)
		}
		return translate(tx.Model(&models.Import{}).Where("id = ?", id).
			Updates(map[string]any{"done": done, "failed": bad, "updated_at": s.now().UTC()}).Error)
	})
	if err != nil {
		return fmt.Errorf("mark rows of import %d: %w", id, err)
	}
	return nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s[:n])
	return string(r[:len(r)-1])
}

// RequestImportCancel asks a running import inside scope to stop after the
// batch it is applying; an import that is not running is
// models.ErrInvalidState.
func (s *Store) RequestImportCancel(ctx context.Context, scope Scope, id uint64) (models.Import, error) {
	var imp models.Import
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx, "estate_id").First(&imp, id).Error; err != nil {
			return translate(err)
		}
		if imp.Status != models.ImportRunning {
			return fmt.Errorf("%w: import is %s", models.ErrInvalidState, imp.Status)
		}
		imp.CancelRequested = true
		return translate(tx.Model(&imp).Update("cancel_requested", true).Error)
	})
	if err != nil {
		return imp, fmt.Errorf("cancel import %d: %w", id, err)
	}
	return imp, nil
}

// FinishImport ends a running import with status at; an import already
// ended keeps its status.
func (s *Store) FinishImport(ctx context.Context, id uint64, status models.ImportStatus, at time.Time) error {
	at = at.UTC()
	err := s.db.WithContext(ctx).Model(&models.Import{}).Where("id = ? AND status = ?", id, models.ImportRunning).
		Updates(map[string]any{"status": status, "finished_at": &at, "updated_at": s.now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("finish import %d: %w", id, translate(err))
	}
	return nil
}
