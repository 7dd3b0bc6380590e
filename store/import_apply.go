package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// UnitKey is a unit's business key inside an estate: its building's name
// and its number.
type UnitKey struct{ Building, Number string }

// UnitIndex is what an import of an estate checks its rows against: every
// unit by key, and the active household of each unit that has one.
type UnitIndex struct {
	Units      map[UnitKey]uint64
	Households map[uint64]uint64 // unit ID → active household ID
}

// ImportIndex reads the UnitIndex of an estate.
func (s *Store) ImportIndex(ctx context.Context, estateID uint64) (UnitIndex, error) {
	ix := UnitIndex{Units: map[UnitKey]uint64{}, Households: map[uint64]uint64{}}
	var units []struct {
		ID       uint64
		Building string
		Number   string
	}
	db := s.db.WithContext(ctx)
	err := db.Model(&models.Unit{}).Select("units.id, buildings.name AS building, units.number").
		Joins("JOIN buildings ON buildings.id = units.building_id").Where("units.estate_id = ?", estateID).Scan(&units).Error
	if err != nil {
		return ix, fmt.Errorf("units of estate %d: %w", estateID, translate(err))
	}
	for _, u := range units {
		ix.Units[UnitKey{u.Building, u.Number}] = u.ID
	}
	var hs []models.Household
	err = db.Select("id", "unit_id").Where("estate_id = ? AND status = ?", estateID, models.HouseholdActive).Find(&hs).Error
	if err != nil {
		return ix, fmt.Errorf("households of estate %d: %w", estateID, translate(err))
	}
	for _, h := range hs {
		ix.Households[h.UnitID] = h.ID
	}
	return ix, nil
}

// UnitRecord is one unit of an import (business key: building and number).
type UnitRecord struct {
	Building     string              `json:"building"`
	Number       string              `json:"number"`
	Floor        int                 `json:"floor"`
	Area         models.Area         `json:"area_m2"`
	PropertyType models.PropertyType `json:"property_type"`
	Occupancy    models.Occupancy    `json:"occupancy"`
}

// UpsertUnits creates or updates the units of an estate by building and
// number, creating the buildings they name as needed, in one transaction
// of a few statements per batch (plus one per changed unit).
func (s *Store) UpsertUnits(ctx context.Context, estateID uint64, recs []UnitRecord) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var bs []models.Building
		if err := tx.Where("estate_id = ?", estateID).Find(&bs).Error; err != nil {
			return translate(err)
		}
		buildings := map[string]uint64{}
		for _, b := range bs {
			buildings[b.Name] = b.ID
		}
		named, numbers := map[uint64]bool{}, map[string]bool{}
		for _, r := range recs {
			if _, ok := buildings[r.Building]; !ok {
				b := models.Building{EstateID: estateID, Name: r.Building}
				if err := tx.Create(&b).Error; err != nil {
					return translate(err)
				}
				buildings[r.Building] = b.ID
			}
			named[buildings[r.Building]], numbers[r.Number] = true, true
		}
		var cur []models.Unit
		err := tx.Where("building_id IN ? AND number IN ?", mapKeys(named), mapKeys(numbers)).Find(&cur).Error
		if err != nil {
			return translate(err)
		}
		existing := byKey(cur, func(u models.Unit) UnitKey { return UnitKey{strconv.FormatUint(u.BuildingID, 10), u.Number} })
		var fresh []models.Unit
		for _, r := range recs {
			bid := buildings[r.Building]
			u := models.Unit{EstateID: estateID, BuildingID: bid, Number: r.Number, Floor: r.Floor, Area: r.Area,
				PropertyType: r.PropertyType, Occupancy: r.Occupancy}
			old, ok := existing[UnitKey{strconv.FormatUint(bid, 10), r.Number}]
			switch {
			case !ok:
				fresh = append(fresh, u)
			case old.Floor != u.Floor || old.Area != u.Area || old.PropertyType != u.PropertyType || old.Occupancy != u.Occupancy:
				if err := tx.Model(&old).Select("Floor", "Area", "PropertyType", "Occupancy").Updates(&u).Error; err != nil {
					return translate(err)
				}
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		return translate(tx.CreateInBatches(fresh, 500).Error)
	})
	if err != nil {
		return fmt.Errorf("import %d units into estate %d: %w", len(recs), estateID, err)
	}
	return nil
}

// mapKeys lists the keys of m.
func mapKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ResidentRecord is one resident of an import (business key: unit and
// phone); the unit's active household is found or created.
type ResidentRecord struct {
	UnitID    uint64              `json:"unit_id"`
	MovedInOn *time.Time          `json:"moved_in_on,omitempty"`
	Name      string              `json:"name"`
	Phone     string              `json:"phone"`
	Role      models.ResidentRole `json:"role"`
}

// UpsertResidents creates or updates residents by unit and phone, each in
// its unit's active household (created, with the move-in date of its first
// row, when the unit has none), in one transaction of a few statements per
// batch. The rows whose unit is not in the estate are returned by index
// with the reason.
func (s *Store) UpsertResidents(ctx context.Context, estateID uint64, recs []ResidentRecord) (map[int]string, error) {
	failed := map[int]string{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		households, err := activeHouseholds(tx, estateID, recs)
		if err != nil {
			return err
		}
		hids := make([]uint64, 0, len(households))
		for _, id := range households {
			hids = append(hids, id)
		}
		var cur []models.Resident
		if err := tx.Select("id", "household_id", "phone", "name", "role").Where("household_id IN ?", hids).Find(&cur).Error; err != nil {
			return translate(err)
		}
		type key struct {
			household uint64
			phone     string
		}
		existing := byKey(cur, func(r models.Resident) key { return key{r.HouseholdID, r.Phone} })
		var fresh []models.Resident
		for i, r := range recs {
			hid, ok := households[r.UnitID]
			if !ok {
				failed[i] = "房屋不存在"
				continue
			}
			old, ok := existing[key{hid, r.Phone}]
			switch {
			case !ok:
				res := models.Resident{EstateID: estateID, HouseholdID: hid, Name: r.Name, Phone: r.Phone, Role: r.Role}
				fresh = append(fresh, res)
				existing[key{hid, r.Phone}] = res
			case old.Name != r.Name || old.Role != r.Role:
				err := tx.Model(&models.Resident{}).Where("id = ?", old.ID).
					Updates(map[string]any{"name": r.Name, "role": r.Role, "updated_at": s.now().UTC()}).Error
				if err != nil {
					return translate(err)
				}
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		return translate(tx.CreateInBatches(fresh, 500).Error)
	})
	if err != nil {
		return nil, fmt.Errorf("import %d residents into estate %d: %w", len(recs), estateID, err)
	}
	return failed, nil
}

// activeHouseholds finds the active household of each unit of the estate
// recs name, creating one (moved in on the date of the unit's first row)
// where the unit has none; units not in the estate are left out.
func activeHouseholds(tx *gorm.DB, estateID uint64, recs []ResidentRecord) (map[uint64]uint64, error) {
	var units []uint64
	first := map[uint64]*time.Time{}
	for _, r := range recs {
		if _, ok := first[r.UnitID]; !ok {
			first[r.UnitID] = r.MovedInOn
			units = append(units, r.UnitID)
		}
	}
	var hs []models.Household
	err := tx.Select("id", "unit_id").Where("estate_id = ? AND status = ? AND unit_id IN ?", estateID, models.HouseholdActive, units).Find(&hs).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[uint64]uint64, len(units))
	for _, h := range hs {
		out[h.UnitID] = h.ID
	}
	var missing []uint64
	for _, u := range units {
		if _, ok := out[u]; !ok {
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	var found []uint64
	if err := tx.Model(&models.Unit{}).Where("estate_id = ? AND id IN ?", estateID, missing).Pluck("id", &found).Error; err != nil {
		return nil, translate(err)
	}
	if len(found) == 0 {
		return out, nil
	}
	fresh := make([]models.Household, len(found))
	for i, u := range found {
		fresh[i] = models.Household{EstateID: estateID, UnitID: u, Status: models.HouseholdActive, MovedInOn: first[u]}
	}
	if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
		return nil, translate(err)
	}
	for _, h := range fresh {
		out[h.UnitID] = h.ID
	}
	return out, nil
}

// OpeningBalanceRecord is one unpaid bill carried from the previous system
// (期初欠费; business key: household and period), due on its original date.
type OpeningBalanceRecord struct {
	UnitID    uint64       `json:"unit_id"`
	Period    string       `json:"period"`
	AmountFen models.Money `json:"amount_fen"`
	DueOn     time.Time    `json:"due_on"`
}

// UpsertOpeningBalances creates or updates the bill of each record's unit's
// active household for its period, due (and originally due) on DueOn, in
// one transaction of a few statements per batch. The rows whose unit has no
// active household are returned by index with the reason.
func (s *Store) UpsertOpeningBalances(ctx context.Context, estateID uint64, recs []OpeningBalanceRecord) (map[int]string, error) {
	failed := map[int]string{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		units := make([]uint64, len(recs))
		for i, r := range recs {
			units[i] = r.UnitID
		}
		var hs []models.Household
		err := tx.Select("id", "unit_id").Where("estate_id = ? AND status = ? AND unit_id IN ?", estateID, models.HouseholdActive, units).Find(&hs).Error
		if err != nil {
			return translate(err)
		}
		households := make(map[uint64]uint64, len(hs))
		hids := make([]uint64, len(hs))
		for i, h := range hs {
			households[h.UnitID], hids[i] = h.ID, h.ID
		}
		type key struct {
			household uint64
			period    string
		}
		var cur []models.HouseholdBill
		if err := tx.Select("id", "household_id", "period", "amount_fen", "due_on", "original_due_on").
			Where("household_id IN ?", hids).Find(&cur).Error; err != nil {
			return translate(err)
		}
		existing := byKey(cur, func(b models.HouseholdBill) key { return key{b.HouseholdID, b.Period} })
		var fresh []models.HouseholdBill
		for i, r := range recs {
			hid, ok := households[r.UnitID]
			if !ok {
				failed[i] = "房屋没有在住的住户"
				continue
			}
			old, ok := existing[key{hid, r.Period}]
			switch {
			case !ok:
				fresh = append(fresh, models.HouseholdBill{EstateID: estateID, HouseholdID: hid, Period: r.Period,
					AmountFen: r.AmountFen, DueOn: r.DueOn, OriginalDueOn: r.DueOn})
			case old.AmountFen != r.AmountFen || !old.DueOn.Equal(r.DueOn) || !old.OriginalDueOn.Equal(r.DueOn):
				err := tx.Model(&models.HouseholdBill{}).Where("id = ?", old.ID).Updates(map[string]any{"amount_fen": r.AmountFen,
					"due_on": r.DueOn, "original_due_on": r.DueOn, "updated_at": s.now().UTC()}).Error
				if err != nil {
					return translate(err)
				}
			}
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
				return translate(err)
			}
		}
		return settleHouseholds(tx, hids)
	})
	if err != nil {
		return nil, fmt.Errorf("import %d opening balances into estate %d: %w", len(recs), estateID, err)
	}
	return failed, nil
}

// BillsOf finds the bills of the active households of units for periods,
// one per record found (for telling their collections).
func (s *Store) BillsOf(ctx context.Context, estateID uint64, recs []OpeningBalanceRecord) ([]models.HouseholdBill, error) {
	var out []models.HouseholdBill
	db := s.db.WithContext(ctx)
	for start := 0; start < len(recs); start += 500 {
		chunk := recs[start:min(start+500, len(recs))]
		units := make([]uint64, len(chunk))
		want := map[[2]any]bool{}
		for i, r := range chunk {
			units[i] = r.UnitID
			want[[2]any{r.UnitID, r.Period}] = true
		}
		var rows []struct {
			models.HouseholdBill
			UnitID uint64
		}
		err := db.Model(&models.HouseholdBill{}).Select("household_bills.*, households.unit_id AS unit_id").
			Joins("JOIN households ON households.id = household_bills.household_id").
			Where("households.estate_id = ? AND households.status = ? AND households.unit_id IN ?", estateID, models.HouseholdActive, units).
			Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("bills of %d units: %w", len(units), translate(err))
		}
		for _, r := range rows {
			if want[[2]any{r.UnitID, r.Period}] {
				out = append(out, r.HouseholdBill)
			}
		}
	}
	return out, nil
}

// StaffRecord is one staff account of an import (business key: username).
type StaffRecord struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Phone    string      `json:"phone"`
	Role     models.Role `json:"role"`
}

// StaffEstates reads the estate (nil for company level) and role of each
// existing account among usernames.
func (s *Store) StaffEstates(ctx context.Context, usernames []string) (map[string]models.Staff, error) {
	out := map[string]models.Staff{}
	for start := 0; start < len(usernames); start += 500 {
		var sts []models.Staff
		err := s.db.WithContext(ctx).Select("id", "username", "estate_id", "role").
			Where("username IN ?", usernames[start:min(start+500, len(usernames))]).Find(&sts).Error
		if err != nil {
			return nil, fmt.Errorf("staff by username: %w", translate(err))
		}
		for _, st := range sts {
			out[st.Username] = st
		}
	}
	return out, nil
}

// UpsertStaff creates or updates accounts of an estate by username, in one
// transaction. New accounts get lockedHash (a hash no password matches) and
// must change their password: a manager resets it to give them one. A
// username taken by another estate's or a company-level account is
// returned by index with the reason.
func (s *Store) UpsertStaff(ctx context.Context, estateID uint64, recs []StaffRecord, lockedHash string) (map[int]string, error) {
	failed := map[int]string{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for i, r := range recs {
			var cur models.Staff
			err := translate(tx.Select("id", "estate_id").Where("username = ?", r.Username).Take(&cur).Error)
			switch {
			case err == models.ErrNotFound:
				eid := estateID
				err = tx.Create(&models.Staff{EstateID: &eid, Username: r.Username, Name: r.Name, Phone: r.Phone, Role: r.Role,
					PasswordHash: lockedHash, Active: true, MustChangePassword: true}).Error
			case err != nil:
			case cur.EstateID == nil || *cur.EstateID != estateID:
				failed[i] = "用户名已被其他小区或公司级账号使用"
				continue
			default:
				err = tx.Model(&cur).Updates(map[string]any{"name": r.Name, "phone": r.Phone, "role": r.Role, "updated_at": s.now().UTC()}).Error
			}
			if err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %d staff into estate %d: %w", len(recs), estateID, err)
	}
	return failed, nil
}

// byKey indexes rows by their key.
func byKey[T any, K comparable](rows []T, key func(T) K) map[K]T {
	out := make(map[K]T, len(rows))
	for _, r := range rows {
		out[key(r)] = r
	}
	return out
}
