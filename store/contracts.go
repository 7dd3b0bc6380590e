package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// OpenContractError refuses a second contract in an estate whose contract
// is not yet handed over: the one open, and its status.
type OpenContractError struct {
	ContractID uint64
	Status     models.ContractStatus
}

func (e *OpenContractError) Error() string {
	return fmt.Sprintf("contract %d of the estate is %s", e.ContractID, e.Status)
}

// Is makes an OpenContractError a conflict.
func (e *OpenContractError) Is(target error) bool { return target == models.ErrConflict }

// CreateContract records a contract and its first version (v: its key,
// effective date and what it says; the rest comes from c) in one
// transaction. An estate has one contract at a time: while one is not
// handed over, another is refused (*OpenContractError). The fee standard,
// when named, must be the estate's.
func (s *Store) CreateContract(ctx context.Context, c *models.Contract, v *models.ContractVersion) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var open models.Contract
		err := tx.Select("id", "status").Where("estate_id = ? AND status <> ?", c.EstateID, models.ContractHandedOver).
			Order("id").Take(&open).Error
		if err == nil {
			return &OpenContractError{ContractID: open.ID, Status: open.Status}
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
		if err := checkFeeStandard(tx, c.EstateID, c.FeeStandardID); err != nil {
			return err
		}
		c.ID, c.Version = 0, 1
		c.TermStart, c.TermEnd = c.TermStart.UTC(), c.TermEnd.UTC()
		if err := tx.Create(c).Error; err != nil {
			return translate(err)
		}
		v.ID, v.ContractID, v.EstateID, v.Version = 0, c.ID, c.EstateID, 1
		v.TermStart, v.TermEnd, v.ContractTerms, v.CreatedBy = c.TermStart, c.TermEnd, c.ContractTerms, c.CreatedBy
		v.EffectiveOn = v.EffectiveOn.UTC()
		return translate(tx.Create(v).Error)
	})
	if err != nil {
		return fmt.Errorf("create contract: %w", err)
	}
	return nil
}

// checkFeeStandard refuses a fee standard that is not the estate's.
func checkFeeStandard(tx *gorm.DB, estateID uint64, id *uint64) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&models.FeeStandard{}).Where("id = ? AND estate_id = ?", *id, estateID).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return models.Invalid("fee_standard_id", "该小区没有收费标准 %d", *id)
	}
	return nil
}

// AddContractVersion records a new version of contract v.ContractID (a
// renewal or a supplementary agreement 补充协议), numbered after the
// latest, and makes its terms the contract's. The same key again returns
// the version it made (created false). A zero term keeps the current one.
func (s *Store) AddContractVersion(ctx context.Context, scope Scope, v *models.ContractVersion) (created bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var c models.Contract
		if err := scope.where(tx, "estate_id").Where("id = ?", v.ContractID).Take(&c).Error; err != nil {
			return translate(err)
		}
		var same models.ContractVersion
		err := tx.Where("contract_id = ? AND version_key = ?", c.ID, v.Key).Take(&same).Error
		if err == nil {
			*v = same
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
		if c.Status.Terminal() {
			return fmt.Errorf("contract %d is %s: %w", c.ID, c.Status, models.ErrInvalidState)
		}
		if err := checkFeeStandard(tx, c.EstateID, v.FeeStandardID); err != nil {
			return err
		}
		if v.ServiceLevel == "" { // a renewal that names no terms keeps them
			v.ContractTerms = c.ContractTerms
		}
		if v.TermEnd.IsZero() {
			v.TermStart, v.TermEnd = c.TermStart, c.TermEnd
		}
		v.ID, v.EstateID, v.Version = 0, c.EstateID, c.Version+1
		v.TermStart, v.TermEnd, v.EffectiveOn = v.TermStart.UTC(), v.TermEnd.UTC(), v.EffectiveOn.UTC()
		if err := tx.Create(v).Error; err != nil {
			return translate(err)
		}
		created = true
		return translate(tx.Model(&models.Contract{}).Where("id = ?", c.ID).
			Updates(map[string]any{"version": v.Version, "fee_standard_id": v.FeeStandardID, "service_level": v.ServiceLevel,
				"updated_at": s.now().UTC()}).Error)
	})
	if err != nil {
		return false, fmt.Errorf("add version of contract %d: %w", v.ContractID, err)
	}
	return created, nil
}

// Contract reads one contract inside scope.
func (s *Store) Contract(ctx context.Context, scope Scope, id uint64) (models.Contract, error) {
	return scoped[models.Contract](s, ctx, scope, id, "contract")
}

// ContractVersions lists a contract's versions inside scope, oldest first.
func (s *Store) ContractVersions(ctx context.Context, scope Scope, id uint64) ([]models.ContractVersion, error) {
	if _, err := s.Contract(ctx, scope, id); err != nil {
		return nil, err
	}
	out := []models.ContractVersion{}
	if err := s.db.WithContext(ctx).Where("contract_id = ?", id).Order("version").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("versions of contract %d: %w", id, translate(err))
	}
	return out, nil
}

// ContractEvents lists the history of a contract inside scope, oldest first.
func (s *Store) ContractEvents(ctx context.Context, scope Scope, id uint64) ([]models.CaseEvent, error) {
	if _, err := s.Contract(ctx, scope, id); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindContract, ID: id})
}

// ContractFilter narrows a contract list; EndsBefore keeps the terms ending
// before it.
type ContractFilter struct {
	EstateID   uint64
	Status     models.ContractStatus
	EndsBefore time.Time
}

// ContractSorts are the orders of the contract list, by field name.
var ContractSorts = SortKeys[models.Contract]{
	"id":         idKey(func(c models.Contract) uint64 { return c.ID }),
	"term_end":   {Column: "term_end", Value: func(c models.Contract) any { return c.TermEnd }},
	"status":     {Column: "status", Value: func(c models.Contract) any { return c.Status }},
	"created_at": {Column: "created_at", Value: func(c models.Contract) any { return c.CreatedAt }},
}

// Contracts lists contracts inside scope in page.Sort (ContractSorts), by
// default the term ending soonest first.
func (s *Store) Contracts(ctx context.Context, scope Scope, f ContractFilter, page Page) (List[models.Contract], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, ContractSorts, Sort{Field: "term_end"},
		eq("status", f.Status), when(!f.EndsBefore.IsZero(), "term_end < ?", f.EndsBefore.UTC()))
	if err != nil {
		return out, fmt.Errorf("list contracts: %w", err)
	}
	return out, nil
}

// ContractCount is how many contracts are in one status.
type ContractCount struct {
	Status models.ContractStatus `json:"status"`
	Count  int64                 `json:"count"`
}

// ContractCounts counts the contracts inside scope (and estate estateID
// unless 0) per status, in the order of models.ContractStatuses, leaving
// out the statuses none is in.
func (s *Store) ContractCounts(ctx context.Context, scope Scope, estateID uint64) ([]ContractCount, error) {
	var rows []ContractCount
	if err := queryIn[models.Contract](s, ctx, scope, estateID).Select("status, COUNT(*) AS count").
		Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("contract counts: %w", translate(err))
	}
	out := []ContractCount{}
	for _, st := range models.ContractStatuses() {
		for _, r := range rows {
			if r.Status == st {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// ContractChange is one transition of a contract: its new progress and the
// event that explains it. Event.Key identifies the transition.
type ContractChange struct {
	ContractID uint64
	Progress   models.ContractProgress
	Event      models.CaseEvent
}

// RecordContractChange writes the event and the contract's new progress in
// one transaction (recordChange).
func (s *Store) RecordContractChange(ctx context.Context, c ContractChange) (recorded bool, err error) {
	p := c.Progress
	p.TermStart, p.TermEnd, p.NextReminderAt, p.ClosedAt = p.TermStart.UTC(), p.TermEnd.UTC(), utc(p.NextReminderAt), utc(p.ClosedAt)
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindContract, ID: c.ContractID},
		row: &models.Contract{ContractProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}
