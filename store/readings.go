package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// The outcomes of one reading of a RecordReadings batch.
const (
	ReadingCreated   = "created"   // recorded (ok or flagged: see Reading.Status)
	ReadingUnchanged = "unchanged" // the same value was already recorded for its unit, meter and period
	ReadingConflict  = "conflict"  // another value is recorded for its unit, meter and period
	ReadingInvalid   = "invalid"   // refused: Err says why (a models.ValidationError)
)

// ReadingResult is what became of one reading of a batch: Index is its
// place in the batch, Reading the stored record (the existing one when
// unchanged or in conflict).
type ReadingResult struct {
	Index   int                 `json:"index"`
	Outcome string              `json:"outcome"`
	Reading models.MeterReading `json:"reading"`
	Err     error               `json:"-"`
}

// RecordReadings records meter readings (抄表) inside scope, each in its own
// transaction, and is safe to call again with the same batch: a reading is
// identified by (unit, meter kind, period). For a new reading the previous
// value is the unit's latest reading of that meter before the period (or,
// with none, the reading's own Previous, e.g. the handover reading; with
// neither, a first reading above 0 is flagged no_previous), and
// models.CheckReading with the estate's FeePolicy.ReadingSpikeRatio decides
// whether it bills or is flagged for review. Per-reading refusals are in the
// results (ReadingInvalid, ReadingConflict); the error is only for the
// database failing. EstateID, Consumption, Status and FlagReason of the
// input are ignored; RecordedBy is kept.
func (s *Store) RecordReadings(ctx context.Context, scope Scope, readings []models.MeterReading) ([]ReadingResult, error) {
	out := make([]ReadingResult, len(readings))
	ratios := map[uint64]int{}
	for i, r := range readings {
		res := ReadingResult{Index: i}
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var err error
			res.Outcome, res.Reading, err = recordReading(tx, scope, r, ratios)
			return err
		})
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve):
			res.Outcome, res.Err = ReadingInvalid, err
		case errors.Is(err, models.ErrConflict):
			// Recorded by a concurrent call between the read and the insert.
			var got models.MeterReading
			if e := s.db.WithContext(ctx).Where("unit_id = ? AND kind = ? AND period = ?", r.UnitID, r.Kind, r.Period).First(&got).Error; e != nil {
				return out, fmt.Errorf("record reading %d: %w", i, translate(e))
			}
			res.Outcome, res.Reading = ReadingUnchanged, got
			if got.Value != r.Value {
				res.Outcome = ReadingConflict
			}
		case err != nil:
			return out, fmt.Errorf("record reading %d: %w", i, err)
		}
		out[i] = res
	}
	return out, nil
}

func recordReading(tx *gorm.DB, scope Scope, r models.MeterReading, ratios map[uint64]int) (string, models.MeterReading, error) {
	if err := r.Validate(); err != nil {
		return "", r, err
	}
	var u models.Unit
	if err := scope.where(tx.Select("id", "estate_id"), "estate_id").First(&u, r.UnitID).Error; err != nil {
		return "", r, refError("unit_id", "房屋", r.UnitID, err)
	}
	var got models.MeterReading
	err := tx.Where("unit_id = ? AND kind = ? AND period = ?", r.UnitID, r.Kind, r.Period).First(&got).Error
	switch {
	case err == nil && got.Value == r.Value:
		return ReadingUnchanged, got, nil
	case err == nil:
		return ReadingConflict, got, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", r, translate(err)
	}
	ratio, ok := ratios[u.EstateID]
	if !ok {
		var p models.EstatePolicy
		if err := tx.First(&p, "estate_id = ?", u.EstateID).Error; err != nil {
			return "", r, translate(err)
		}
		ratio = p.Policy.Fees.ReadingSpikeRatio
		ratios[u.EstateID] = ratio
	}
	var earlier []models.MeterReading
	err = tx.Where("unit_id = ? AND kind = ? AND period < ?", r.UnitID, r.Kind, r.Period).
		Order("period DESC").Limit(models.RecentReadings + 1).Find(&earlier).Error
	if err != nil {
		return "", r, translate(err)
	}
	var previous *models.Quantity
	switch {
	case len(earlier) > 0:
		r.Previous = earlier[0].Value
		previous = &r.Previous
	case r.Previous > 0:
		previous = &r.Previous
	}
	var recent []models.Quantity
	for _, e := range earlier {
		if e.Status.Billable() && len(recent) < models.RecentReadings {
			recent = append(recent, e.Consumption)
		}
	}
	r.ID, r.EstateID, r.ReviewedBy, r.ReviewedAt = 0, u.EstateID, nil, nil
	r.Consumption, r.Status, r.FlagReason = models.CheckReading(r.Value, previous, recent, ratio)
	if err := translate(tx.Create(&r).Error); err != nil {
		return "", r, err
	}
	return ReadingCreated, r, nil
}

// AcceptReading is finance's review of a flagged reading inside scope at
// now: accepted as read, or with a corrected value (consumption recomputed
// from the same previous value; a value below it is invalid). Only a flagged
// reading may be accepted: another is models.ErrInvalidState.
func (s *Store) AcceptReading(ctx context.Context, scope Scope, id uint64, corrected *models.Quantity, note string, by uint64, now time.Time) (models.MeterReading, error) {
	var r models.MeterReading
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&r, id).Error; err != nil {
			return translate(err)
		}
		if r.Status != models.ReadingFlagged {
			return fmt.Errorf("%w: reading %d is %s", models.ErrInvalidState, r.ID, r.Status)
		}
		if corrected != nil {
			if *corrected < r.Previous || *corrected > models.MaxQuantity {
				return models.Invalid("value", "更正读数应不低于上期读数 %s", r.Previous.Decimal())
			}
			r.Value = *corrected
		}
		if r.Value < r.Previous {
			return models.Invalid("value", "读数低于上期读数 %s，请填写更正读数", r.Previous.Decimal())
		}
		at := now.UTC()
		r.Consumption, r.Status, r.ReviewedBy, r.ReviewedAt, r.Note = r.Value-r.Previous, models.ReadingAccepted, &by, &at, note
		return translate(tx.Model(&models.MeterReading{}).Where("id = ?", r.ID).Updates(map[string]any{
			"value": r.Value, "consumption": r.Consumption, "status": r.Status, "reviewed_by": by, "reviewed_at": at, "note": note, "updated_at": at,
		}).Error)
	})
	if err != nil {
		return r, fmt.Errorf("accept reading %d: %w", id, err)
	}
	return r, nil
}

// ReadingFilter narrows a reading list.
type ReadingFilter struct {
	EstateID uint64
	UnitID   uint64
	Period   string
	Status   models.ReadingStatus
}

// Readings lists meter readings inside scope, newest period first.
func (s *Store) Readings(ctx context.Context, scope Scope, f ReadingFilter, page Page) (List[models.MeterReading], error) {
	return listIn[models.MeterReading](s, ctx, scope, f.EstateID, page, "period DESC, unit_id, kind, id",
		eq("unit_id", f.UnitID), eq("period", f.Period), eq("status", f.Status))
}

// RecordedReadings reads the values recorded in an estate for periods by
// unit, meter kind and period (what an import of readings is checked
// against).
func (s *Store) RecordedReadings(ctx context.Context, estateID uint64, periods []string) (map[models.ReadingKey]models.Quantity, error) {
	out := map[models.ReadingKey]models.Quantity{}
	if len(periods) == 0 {
		return out, nil
	}
	var rs []models.MeterReading
	err := s.db.WithContext(ctx).Select("unit_id", "kind", "period", "value").
		Where("estate_id = ? AND period IN ?", estateID, periods).Find(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("readings of estate %d: %w", estateID, translate(err))
	}
	for _, r := range rs {
		out[r.Key()] = r.Value
	}
	return out, nil
}

// Reading reads one meter reading inside scope.
func (s *Store) Reading(ctx context.Context, scope Scope, id uint64) (models.MeterReading, error) {
	return scoped[models.MeterReading](s, ctx, scope, id, "meter reading")
}
