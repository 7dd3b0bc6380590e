package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// CreateFeeStandard creates a fee standard inside scope with its first
// version v. A standard of the same name in the estate is models.ErrConflict.
func (s *Store) CreateFeeStandard(ctx context.Context, scope Scope, std *models.FeeStandard, v models.FeeStandardVersion, by *uint64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error { return createStandard(tx, scope, std, v, by) })
	if err != nil {
		return fmt.Errorf("create fee standard %q: %w", std.Name, err)
	}
	return nil
}

func createStandard(tx *gorm.DB, scope Scope, std *models.FeeStandard, v models.FeeStandardVersion, by *uint64) error {
	if err := refEstate(tx, scope, std.EstateID); err != nil {
		return err
	}
	if err := std.Validate(); err != nil {
		return err
	}
	std.ID, std.Versions = 0, nil
	if err := translate(tx.Create(std).Error); err != nil {
		return err
	}
	first, _, err := std.NextVersion(v)
	if err != nil {
		return err
	}
	first.CreatedBy = by
	if err := translate(tx.Create(&first).Error); err != nil {
		return err
	}
	std.Versions = []models.FeeStandardVersion{first}
	return nil
}

// AddFeeStandardVersion adds version v to standard id inside scope: it must
// start after the latest version starts, which is closed the month before
// (models.FeeStandard.NextVersion). Bills already issued keep the version
// they were priced by.
func (s *Store) AddFeeStandardVersion(ctx context.Context, scope Scope, id uint64, v models.FeeStandardVersion, by *uint64) (models.FeeStandard, error) {
	var std models.FeeStandard
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&std, id).Error; err != nil {
			return translate(err)
		}
		return addVersion(tx, &std, v, by)
	})
	if err != nil {
		return std, fmt.Errorf("add version to fee standard %d: %w", id, err)
	}
	return std, nil
}

// addVersion adds v to std (locked by the caller) and leaves std with all
// its versions.
func addVersion(tx *gorm.DB, std *models.FeeStandard, v models.FeeStandardVersion, by *uint64) error {
	if err := loadVersions(tx, []*models.FeeStandard{std}); err != nil {
		return err
	}
	next, closed, err := std.NextVersion(v)
	if err != nil {
		return err
	}
	if closed != nil {
		if err := tx.Model(&models.FeeStandardVersion{}).Where("id = ?", closed.ID).Update("valid_to", closed.ValidTo).Error; err != nil {
			return translate(err)
		}
	}
	next.CreatedBy = by
	if err := translate(tx.Create(&next).Error); err != nil {
		return err
	}
	return loadVersions(tx, []*models.FeeStandard{std})
}

// UpsertFeeStandard is the importer's call: the standard named std.Name in
// std.EstateID (inside scope) is created with version v when absent; when it
// exists with the same method (and meter kind) and its latest version
// already has v's price, property types, vacancy percent and start, nothing
// changes (created and changed both false: an import run twice is one
// import); otherwise v is added as its next version. Another method is
// invalid input on "method". It returns the standard with all its versions.
func (s *Store) UpsertFeeStandard(ctx context.Context, scope Scope, std models.FeeStandard, v models.FeeStandardVersion, by *uint64) (out models.FeeStandard, created, changed bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		q := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id")
		err := q.Where("estate_id = ? AND name = ?", std.EstateID, std.Name).First(&out).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			out = std
			created = true
			return createStandard(tx, scope, &out, v, by)
		}
		if err != nil {
			return translate(err)
		}
		if out.Method != std.Method || out.MeterKind != std.MeterKind {
			return models.Invalid("method", "收费标准 %q 已按 %s 计费，不能改为 %s", out.Name, out.Method, std.Method)
		}
		if err := loadVersions(tx, []*models.FeeStandard{&out}); err != nil {
			return err
		}
		last := out.Versions[len(out.Versions)-1]
		if last.UnitPrice == v.UnitPrice && slices.Equal(last.PropertyTypes, v.PropertyTypes) &&
			last.VacantPercent == v.VacantPercent && last.ValidFrom == v.ValidFrom {
			return nil
		}
		changed = true
		return addVersion(tx, &out, v, by)
	})
	if err != nil {
		return out, false, false, fmt.Errorf("upsert fee standard %q: %w", std.Name, err)
	}
	return out, created, changed, nil
}

// FeeStandard reads one standard inside scope with its versions.
func (s *Store) FeeStandard(ctx context.Context, scope Scope, id uint64) (models.FeeStandard, error) {
	std, err := scoped[models.FeeStandard](s, ctx, scope, id, "fee standard")
	if err != nil {
		return std, err
	}
	if err := loadVersions(s.db.WithContext(ctx), []*models.FeeStandard{&std}); err != nil {
		return std, fmt.Errorf("fee standard %d: %w", id, err)
	}
	return std, nil
}

// FeeStandardFilter narrows a standard list.
type FeeStandardFilter struct {
	EstateID uint64
}

// FeeStandards lists standards inside scope by name, each with its versions.
func (s *Store) FeeStandards(ctx context.Context, scope Scope, f FeeStandardFilter, page Page) (List[models.FeeStandard], error) {
	l, err := listIn[models.FeeStandard](s, ctx, scope, f.EstateID, page, "estate_id, name, id")
	if err != nil {
		return l, err
	}
	ptrs := make([]*models.FeeStandard, len(l.Items))
	for i := range l.Items {
		ptrs[i] = &l.Items[i]
	}
	if err := loadVersions(s.db.WithContext(ctx), ptrs); err != nil {
		return l, fmt.Errorf("fee standards: %w", err)
	}
	return l, nil
}

// EstateFeeStandards reads every fee standard of an estate with its
// versions (what an import of standards is checked against).
func (s *Store) EstateFeeStandards(ctx context.Context, estateID uint64) ([]models.FeeStandard, error) {
	out, err := estateStandards(s.db.WithContext(ctx), estateID)
	if err != nil {
		return nil, fmt.Errorf("fee standards of estate %d: %w", estateID, err)
	}
	return out, nil
}

// estateStandards reads every standard of an estate with its versions.
func estateStandards(db *gorm.DB, estateID uint64) ([]models.FeeStandard, error) {
	var out []models.FeeStandard
	if err := db.Where("estate_id = ?", estateID).Order("id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	ptrs := make([]*models.FeeStandard, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, loadVersions(db, ptrs)
}

// loadVersions fills the Versions of stds, oldest first, in one query.
func loadVersions(db *gorm.DB, stds []*models.FeeStandard) error {
	if len(stds) == 0 {
		return nil
	}
	ids := make([]uint64, len(stds))
	byID := make(map[uint64]*models.FeeStandard, len(stds))
	for i, s := range stds {
		ids[i], byID[s.ID] = s.ID, s
		s.Versions = []models.FeeStandardVersion{}
	}
	var vs []models.FeeStandardVersion
	if err := db.Where("standard_id IN ?", ids).Order("standard_id, version").Find(&vs).Error; err != nil {
		return translate(err)
	}
	for _, v := range vs {
		byID[v.StandardID].Versions = append(byID[v.StandardID].Versions, v)
	}
	return nil
}
