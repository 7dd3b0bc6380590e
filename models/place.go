package models

import "time"

// Estate is one managed property (项目/小区). Its time zone decides what
// "today", "same day" and "the 10th of the month" mean for its records.
type Estate struct {
	ID           uint64    `gorm:"primaryKey" json:"id"`
	Code         string    `gorm:"size:32;not null;uniqueIndex" json:"code"`
	Name         string    `gorm:"size:100;not null" json:"name"`
	Address      string    `gorm:"size:255" json:"address"`
	TimeZone     string    `gorm:"size:64;not null" json:"time_zone"`
	ServicePhone string    `gorm:"size:32" json:"service_phone"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Building is a building (楼栋) of an estate.
type Building struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	EstateID  uint64    `gorm:"not null;uniqueIndex:idx_building_name" json:"estate_id"`
	Name      string    `gorm:"size:50;not null;uniqueIndex:idx_building_name" json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Unit is a dwelling or shop (房屋) in a building.
type Unit struct {
	ID         uint64 `gorm:"primaryKey" json:"id"`
	EstateID   uint64 `gorm:"not null;index" json:"estate_id"`
	BuildingID uint64 `gorm:"not null;uniqueIndex:idx_unit_number" json:"building_id"`
	Number     string `gorm:"size:20;not null;uniqueIndex:idx_unit_number" json:"number"`
	Floor      int    `json:"floor"`
	// Area is the building area (建筑面积) fees per m² are priced on.
	Area         Area         `gorm:"column:area_centi;not null;default:0" json:"area_m2"`
	PropertyType PropertyType `gorm:"size:16;not null;default:residential" json:"property_type"`
	Occupancy    Occupancy    `gorm:"size:16;not null;default:occupied" json:"occupancy"`
	CreatedAt    time.Time    `json:"created_at"`
}

// HouseholdStatus tells whether a household still lives in its unit.
type HouseholdStatus string

// Household statuses.
const (
	HouseholdActive   HouseholdStatus = "active"
	HouseholdMovedOut HouseholdStatus = "moved_out"
)

// Household is the people living in (or owning) a unit (户). A unit keeps its
// past households after they move out.
type Household struct {
	ID        uint64          `gorm:"primaryKey" json:"id"`
	EstateID  uint64          `gorm:"not null;index" json:"estate_id"`
	UnitID    uint64          `gorm:"not null;index" json:"unit_id"`
	Status    HouseholdStatus `gorm:"size:16;not null;default:active" json:"status"`
	MovedInOn *time.Time      `json:"moved_in_on,omitempty"`
	MovedOut  *time.Time      `json:"moved_out_on,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Building and UnitNumber are read with the household, never written.
	Building   string `gorm:"->;-:migration" json:"building"`
	UnitNumber string `gorm:"->;-:migration" json:"unit_number"`
}

// ResidentRole says whether a resident owns the unit or rents it.
type ResidentRole string

// Resident roles.
const (
	ResidentOwner  ResidentRole = "owner"  // 业主
	ResidentTenant ResidentRole = "tenant" // 住户/租户
	// ResidentContact is a reporter (报事人) the desk recorded by phone
	// when opening a ticket, registered in no household (HouseholdID 0):
	// the ticket's messages reach them. Only tickets create them.
	ResidentContact ResidentRole = "contact"
)

var residentRoles = enum[ResidentRole]{ResidentOwner, ResidentTenant}

// Valid reports whether r is a known resident role.
func (r ResidentRole) Valid() bool { return residentRoles.has(r) }

// Resident is a person of a household. Name and Phone are personal data:
// lists mask the phone, logs never carry either.
type Resident struct {
	ID          uint64       `gorm:"primaryKey" json:"id"`
	EstateID    uint64       `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64       `gorm:"not null;index" json:"household_id"`
	Name        string       `gorm:"size:50;not null" json:"name"`
	Phone       string       `gorm:"size:20;not null;index" json:"phone"`
	Role        ResidentRole `gorm:"size:16;not null" json:"role"`
	// Email is where email reaches the resident; empty for none.
	Email string `gorm:"size:254;not null;default:''" json:"email"`
	// PreferredChannel is the channel messages try first (sms, wechat,
	// app, email; phone and empty leave it to the estate's order).
	PreferredChannel Channel `gorm:"size:16;not null;default:''" json:"preferred_channel"`
	// ContactTimes is when to contact them, in their words ("工作日晚上").
	ContactTimes string `gorm:"size:100;not null;default:''" json:"contact_times"`
	// ContactWindow is the hours and weekdays messages keep to; nil for
	// none (the estate's quiet hours still hold).
	ContactWindow *ContactWindow `gorm:"serializer:json;type:text" json:"contact_window"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// MaskPhone hides the middle of a phone number: 13812345678 → 138****5678.
func MaskPhone(phone string) string {
	r := []rune(phone)
	if len(r) <= 4 {
		return "****"
	}
	keepHead := 3
	if len(r) < 11 {
		keepHead = (len(r) - 4) / 2
	}
	out := append([]rune{}, r[:keepHead]...)
	out = append(out, []rune("****")...)
	return string(append(out, r[len(r)-4:]...))
}

// CheckTimeZone reports whether name is an IANA time zone an estate can keep
// ("Asia/Shanghai", "UTC"): "" and "Local" are refused, since they mean
// whatever zone the server happens to run in.
func CheckTimeZone(field, name string) error {
	if name == "" || name == "Local" {
		return Invalid(field, "“%s”无效，应为 IANA 时区，如 Asia/Shanghai", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return Invalid(field, "未知时区“%s”", name)
	}
	return nil
}
