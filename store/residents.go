package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateResident adds a resident to a household inside scope; the resident
// takes the household's estate.
func (s *Store) CreateResident(ctx context.Context, scope Scope, r *models.Resident) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var h models.Household
		if err := scope.where(tx, "estate_id").First(&h, r.HouseholdID).Error; err != nil {
			return refError("household_id", "住户", r.HouseholdID, err)
		}
		r.EstateID = h.EstateID
		return translate(tx.Create(r).Error)
	})
	if err != nil {
		return fmt.Errorf("create resident in household %d: %w", r.HouseholdID, err)
	}
	return nil
}

// Resident reads one resident inside scope.
func (s *Store) Resident(ctx context.Context, scope Scope, id uint64) (models.Resident, error) {
	return scoped[models.Resident](s, ctx, scope, id, "resident")
}

// ResidentFilter narrows a resident list. Query matches a name and, with
// MatchPhone, a whole phone number (a partial phone would let a list be mined
// for numbers). MatchPhone is for callers who may reveal phones: to anyone else
// a hit would confirm a number the list masks.
type ResidentFilter struct {
	EstateID, HouseholdID uint64
	Query                 string
	MatchPhone            bool
}

// Residents lists residents inside scope, by household.
func (s *Store) Residents(ctx context.Context, scope Scope, f ResidentFilter, page Page) (List[models.Resident], error) {
	like := "%" + escapeLike(f.Query) + "%"
	return sortedIn(s, ctx, scope, f.EstateID, page, ResidentSorts, Sort{Field: "household_id"}, eq("household_id", f.HouseholdID),
		when(f.Query != "" && f.MatchPhone, "name LIKE ? ESCAPE '!' OR phone = ?", like, f.Query),
		when(f.Query != "" && !f.MatchPhone, "name LIKE ? ESCAPE '!'", like))
}

// ResidentSorts are the orders of the resident list, by field name.
var ResidentSorts = SortKeys[models.Resident]{
	"id":           idKey(func(r models.Resident) uint64 { return r.ID }),
	"household_id": {Column: "household_id", Value: func(r models.Resident) any { return r.HouseholdID }},
	"name":         {Column: "name", Value: func(r models.Resident) any { return r.Name }},
	"role":         {Column: "role", Value: func(r models.Resident) any { return r.Role }},
	"created_at":   {Column: "created_at", Value: func(r models.Resident) any { return r.CreatedAt }},
}

// UpdateResident saves a resident's name, phone, role and how they are
// reached.
func (s *Store) UpdateResident(ctx context.Context, scope Scope, r *models.Resident) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var cur models.Resident
		if err := scope.where(tx, "estate_id").First(&cur, r.ID).Error; err != nil {
			return translate(err)
		}
		return translate(tx.Model(&cur).Select("Name", "Phone", "Role", "Email", "PreferredChannel", "ContactTimes", "ContactWindow", "UpdatedAt").Updates(r).Error)
	})
	if err != nil {
		return fmt.Errorf("update resident %d: %w", r.ID, err)
	}
	return nil
}

// ReporterContact finds whom to tell about a ticket reported in estateID by
// phone (inside scope): a resident of the estate with that phone in any of
// its stored forms (of householdID first when given, residents of a
// household before earlier contacts, the oldest first), or else a new
// contact (models.ResidentContact, in no household) named name, "报事人"
// when empty. created says the contact was made now.
func (s *Store) ReporterContact(ctx context.Context, scope Scope, estateID uint64, householdID *uint64, phone, name string) (models.Resident, bool, error) {
	var got models.Resident
	created := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, estateID); err != nil {
			return err
		}
		var rs []models.Resident
		if err := tx.Where("estate_id = ? AND phone IN ?", estateID, models.PhoneVariants(phone)).Order("id").Find(&rs).Error; err != nil {
			return translate(err)
		}
		rank := func(r models.Resident) int {
			switch {
			case householdID != nil && r.HouseholdID == *householdID:
				return 0
			case r.Role != models.ResidentContact:
				return 1
			}
			return 2
		}
		for _, r := range rs {
			if got.ID == 0 || rank(r) < rank(got) {
				got = r
			}
		}
		if got.ID != 0 {
			return nil
		}
		if name == "" {
			name = "报事人"
		}
		got, created = models.Resident{EstateID: estateID, Name: name, Phone: phone, Role: models.ResidentContact}, true
		return translate(tx.Create(&got).Error)
	})
	if err != nil {
		return models.Resident{}, false, fmt.Errorf("reporter contact in estate %d: %w", estateID, err)
	}
	return got, created, nil
}
