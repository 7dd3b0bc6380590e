package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// MoveInRecord is a registered move-in with everything its follow-up process
// needs: the follow-up row, the household with its address, the residents
// who moved in (the contact first), and the estate with its current policy.
type MoveInRecord struct {
	MoveIn    models.MoveIn
	FollowUp  models.FollowUp
	Household models.Household
	Residents []models.Resident
	Estate    models.Estate
	Policy    models.Policy
}

// RegisterMoveIn records a move-in inside scope in one transaction: the
// household (created in req.UnitID, whose active household must be
// req.PreviousHouseholdID and moves out; or req.HouseholdID, which must be
// active and not registered before), the new residents, the
// move-in and its pending follow-up, due FollowUp.Window after the move-in
// by the estate's current policy. With a non-empty key a second call returns
// the first registration and created = false.
func (s *Store) RegisterMoveIn(ctx context.Context, scope Scope, req models.MoveInRequest, key string) (rec MoveInRecord, created bool, err error) {
	var m models.MoveIn
	m, created, err = createOnce(s.db.WithContext(ctx), "idempotency_key", key, &m, func() error {
		return s.insertMoveIn(ctx, scope, req, key, &m)
	})
	switch {
	case err != nil:
		return rec, false, fmt.Errorf("register move-in: %w", err)
	case !scope.Allows(m.EstateID):
		return rec, false, fmt.Errorf("move-in by key: %w: key used in another estate", models.ErrConflict)
	}
	rec, err = s.moveInRecord(ctx, m)
	return rec, created && err == nil, err
}

// insertMoveIn writes the records of a new move-in (RegisterMoveIn) in one
// transaction and sets m to the move-in.
func (s *Store) insertMoveIn(ctx context.Context, scope Scope, req models.MoveInRequest, key string, m *models.MoveIn) error {
	movedIn := req.MovedIn(s.now())
	return s.tx(ctx, func(tx *gorm.DB) error {
		h, err := moveInHousehold(tx, scope, req, movedIn, s.now())
		if err != nil {
			return err
		}
		ids := append([]uint64{}, req.ResidentIDs...)
		for i, id := range req.ResidentIDs {
			var r models.Resident
			if err := tx.Where("household_id = ?", h.ID).First(&r, id).Error; err != nil {
				return refError(fmt.Sprintf("resident_ids[%d]", i), "该住户的居民", id, err)
			}
			if err := takeContactNeeds(tx, r, req.Needs); err != nil {
				return err
			}
		}
		for _, nr := range req.Residents {
			r := models.Resident{EstateID: h.EstateID, HouseholdID: h.ID, Name: nr.Name, Phone: nr.Phone, Role: nr.Role,
				PreferredChannel: req.Needs.PreferredChannel, ContactTimes: req.Needs.PreferredTimes, ContactWindow: req.Needs.ContactWindow}
			if err := tx.Create(&r).Error; err != nil {
				return translate(err)
			}
			ids = append(ids, r.ID)
		}
		var pol models.EstatePolicy
		if err := tx.First(&pol, "estate_id = ?", h.EstateID).Error; err != nil {
			return fmt.Errorf("policy of estate %d: %w", h.EstateID, translate(err))
		}
		*m = models.MoveIn{EstateID: h.EstateID, HouseholdID: h.ID, MovedInAt: movedIn, RegisteredBy: req.RegisteredBy,
			ResidentIDs: ids, Needs: req.Needs}
		if key != "" {
			m.IdempotencyKey = &key
		}
		if err := tx.Create(m).Error; err != nil {
			return translate(err)
		}
		f := models.FollowUp{EstateID: m.EstateID, MoveInID: m.ID, HouseholdID: h.ID, ResidentID: ids[0],
			RegisteredBy: req.RegisteredBy, MovedInAt: movedIn,
			FollowUpProgress: models.FollowUpProgress{Status: models.FollowUpPending,
				DueAt: pol.Policy.FollowUp.FollowUpDue(movedIn).UTC(), Attempts: []models.FollowUpAttempt{}, TicketIDs: []uint64{}}}
		return translate(tx.Create(&f).Error)
	})
}

// moveInHousehold creates the household of a move-in into a unit, or checks
// the existing one, and marks it moved in.
func moveInHousehold(tx *gorm.DB, scope Scope, req models.MoveInRequest, movedIn, now time.Time) (models.Household, error) {
	var h models.Household
	if req.UnitID != 0 {
		var u models.Unit
		if err := scope.where(tx, "estate_id").First(&u, req.UnitID).Error; err != nil {
			return h, refError("unit_id", "房屋", req.UnitID, err)
		}
		if err := movePreviousOut(tx, u.ID, req.PreviousHouseholdID, movedIn, now); err != nil {
			return h, err
		}
		h = models.Household{EstateID: u.EstateID, UnitID: u.ID, Status: models.HouseholdActive, MovedInOn: &movedIn}
		return h, translate(tx.Create(&h).Error)
	}
	if err := scope.where(tx, "estate_id").First(&h, req.HouseholdID).Error; err != nil {
		return h, refError("household_id", "住户", req.HouseholdID, err)
	}
	if h.Status != models.HouseholdActive {
		return h, models.Invalid("household_id", "住户 %d 已迁出", h.ID)
	}
	var n int64
	if err := tx.Model(&models.MoveIn{}).Where("household_id = ?", h.ID).Count(&n).Error; err != nil {
		return h, translate(err)
	}
	if n > 0 {
		return h, models.Invalid("household_id", "住户 %d 已办理过入住登记", h.ID)
	}
	h.MovedInOn = &movedIn
	return h, translate(tx.Model(&h).Update("moved_in_on", movedIn).Error)
}

// movePreviousOut moves the unit's active household out at the move-in
// time when it is the one the registrar named (previous), so that the unit
// changes hands; the household keeps its residents and bills. An occupied
// unit without previous, or previous not the unit's active household, is
// refused naming previous_household_id.
func movePreviousOut(tx *gorm.DB, unitID, previous uint64, at, now time.Time) error {
	var active []models.Household
	if err := tx.Where("unit_id = ? AND status = ?", unitID, models.HouseholdActive).Order("id").Find(&active).Error; err != nil {
		return translate(err)
	}
	switch {
	case len(active) == 0 && previous == 0:
		return nil
	case len(active) == 0:
		return models.Invalid("previous_household_id", "房屋 %d 没有在住的住户可迁出", unitID)
	case previous == 0:
		return models.Invalid("previous_household_id", "房屋 %d 已有在住住户 %d：如为业主或租户变更，请选择让原住户迁出", unitID, active[0].ID)
	}
	for _, h := range active {
		if h.ID != previous {
			return models.Invalid("previous_household_id", "%d 无效，应为 %d，即房屋 %d 的在住住户", previous, h.ID, unitID)
		}
		if err := markMovedOut(tx, h, at, now); err != nil {
			return err
		}
	}
	return nil
}

// markMovedOut marks h moved out at at, updated at now.
func markMovedOut(tx *gorm.DB, h models.Household, at, now time.Time) error {
	return translate(tx.Model(&h).Updates(map[string]any{
		"status": models.HouseholdMovedOut, "moved_out": at.UTC(), "updated_at": now.UTC(),
	}).Error)
}

// moveInRecord reads what RegisterMoveIn returns for a stored move-in.
func (s *Store) moveInRecord(ctx context.Context, m models.MoveIn) (MoveInRecord, error) {
	rec := MoveInRecord{MoveIn: m}
	db := s.db.WithContext(ctx)
	var err error
	if rec.Household, err = s.Household(ctx, AllEstates(), m.HouseholdID); err != nil {
		return rec, err
	}
	if err := db.Where("move_in_id = ?", m.ID).First(&rec.FollowUp).Error; err != nil {
		return rec, fmt.Errorf("follow-up of move-in %d: %w", m.ID, translate(err))
	}
	rec.Residents = []models.Resident{}
	for _, id := range m.ResidentIDs {
		var r models.Resident
		if err := db.First(&r, id).Error; err != nil {
			return rec, fmt.Errorf("resident %d of move-in %d: %w", id, m.ID, translate(err))
		}
		rec.Residents = append(rec.Residents, r)
	}
	if rec.Estate, err = s.Estate(ctx, AllEstates(), m.EstateID); err != nil {
		return rec, err
	}
	pol, err := s.Policy(ctx, AllEstates(), m.EstateID)
	if err != nil {
		return rec, err
	}
	rec.Policy = pol.Policy
	return rec, nil
}

// MoveIn reads one move-in inside scope.
func (s *Store) MoveIn(ctx context.Context, scope Scope, id uint64) (models.MoveIn, error) {
	return scoped[models.MoveIn](s, ctx, scope, id, "move-in")
}

// MoveInsOfHousehold lists a household's move-ins inside scope, newest first.
func (s *Store) MoveInsOfHousehold(ctx context.Context, scope Scope, householdID uint64) ([]models.MoveIn, error) {
	out := []models.MoveIn{}
	err := scope.where(s.db.WithContext(ctx), "estate_id").Where("household_id = ?", householdID).
		Order("moved_in_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("move-ins of household %d: %w", householdID, translate(err))
	}
	return out, nil
}

// MoveOut marks a household inside scope moved out at the given time. A
// household already moved out is returned unchanged, so a retried move-out
// is harmless.
func (s *Store) MoveOut(ctx context.Context, scope Scope, householdID uint64, at time.Time) (models.Household, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var h models.Household
		if err := scope.where(tx, "estate_id").First(&h, householdID).Error; err != nil {
			return translate(err)
		}
		if h.Status == models.HouseholdMovedOut {
			return nil
		}
		return markMovedOut(tx, h, at, s.now())
	})
	if err != nil {
		return models.Household{}, fmt.Errorf("move out household %d: %w", householdID, err)
	}
	return s.Household(ctx, scope, householdID)
}

// takeContactNeeds gives resident r, already on file, what the move-in's
// needs say about contacting them: a preferred channel, contact times or a
// contact window given replaces theirs.
func takeContactNeeds(tx *gorm.DB, r models.Resident, n models.ServiceNeeds) error {
	if n.PreferredChannel == "" && n.PreferredTimes == "" && n.ContactWindow == nil {
		return nil
	}
	next := r
	if n.PreferredChannel != "" {
		next.PreferredChannel = n.PreferredChannel
	}
	if n.PreferredTimes != "" {
		next.ContactTimes = n.PreferredTimes
	}
	if n.ContactWindow != nil {
		next.ContactWindow = n.ContactWindow
	}
	return translate(tx.Model(&r).Select("PreferredChannel", "ContactTimes", "ContactWindow").Updates(&next).Error)
}
