package models

import (
	"time"
)

// EquipmentType is the kind of a piece of equipment in the estate's ledger
// (设备台账).
type EquipmentType string

// The equipment types.
const (
	EquipmentLift      EquipmentType = "lift"      // 电梯
	EquipmentPump      EquipmentType = "pump"      // 水泵
	EquipmentFire      EquipmentType = "fire"      // 消防
	EquipmentGate      EquipmentType = "gate"      // 门禁/道闸
	EquipmentGenerator EquipmentType = "generator" // 发电机
	EquipmentOther     EquipmentType = "other"     // 其他
)

var equipmentTypes = enum[EquipmentType]{EquipmentLift, EquipmentPump, EquipmentFire, EquipmentGate, EquipmentGenerator, EquipmentOther}

// EquipmentTypes lists every type, in the order a form shows them.
func EquipmentTypes() []EquipmentType { return equipmentTypes.list() }

// Valid reports whether t is a known type.
func (t EquipmentType) Valid() bool { return equipmentTypes.has(t) }

// Equipment is one entry of an estate's equipment ledger (设备台账): what it
// is, where, who made and maintains it, and when its statutory inspection
// (法定检验, e.g. a lift's yearly inspection) is next due. Dates are civil
// dates, stored as midnight UTC.
type Equipment struct {
	ID       uint64        `gorm:"primaryKey" json:"id"`
	EstateID uint64        `gorm:"not null;index;uniqueIndex:idx_equipment_estate_code,priority:1" json:"estate_id"`
	Code     string        `gorm:"size:40;not null;uniqueIndex:idx_equipment_estate_code,priority:2" json:"code"`
	Name     string        `gorm:"size:100;not null" json:"name"`
	Type     EquipmentType `gorm:"size:16;not null;index" json:"type"`
	Location string        `gorm:"size:100;not null" json:"location"`
	Maker    string        `gorm:"size:100" json:"maker"`
	// InstalledOn is the installation date; nil when unknown.
	InstalledOn *time.Time `json:"installed_on"`
	// Contractor is the maintenance contractor (维保单位); "" for in-house.
	Contractor string `gorm:"size:100" json:"contractor"`
	// StatutoryDueOn is the date the next statutory inspection is due; nil
	// for equipment that has none.
	StatutoryDueOn *time.Time `gorm:"index" json:"statutory_due_on"`
	Active         bool       `gorm:"not null;default:true" json:"active"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Validate checks an entry at now: required texts, a known type, an
// installation date not in the future and inside the date window, and a
// statutory due date inside the date window (DateWindowYears either side).
func (e Equipment) Validate(now time.Time) error {
	if err := firstInvalid(
		checkText("code", e.Code, 40),
		checkText("name", e.Name, 100),
		equipmentTypes.check("type", e.Type),
		checkText("location", e.Location, 100),
		checkMaxText("maker", e.Maker, 100),
		checkMaxText("contractor", e.Contractor, 100),
	); err != nil {
		return err
	}
	if e.InstalledOn != nil {
		if err := CheckTime("installed_on", *e.InstalledOn, now); err != nil {
			return err
		}
		if e.InstalledOn.After(now) {
			return Invalid("installed_on", "%s 无效，不能晚于今天", e.InstalledOn.Format(dateLayout))
		}
	}
	if e.StatutoryDueOn != nil {
		return CheckTime("statutory_due_on", *e.StatutoryDueOn, now)
	}
	return nil
}

// StatutoryWarning is the warning of a statutory inspection due soon: the
// threshold reached (one of the policy's days ahead, 0 once overdue) and
// the days left (negative once overdue).
type StatutoryWarning struct {
	Threshold int `json:"threshold"`
	DaysLeft  int `json:"days_left"`
}

// StatutoryWarningDue is the warning owed on today for an inspection due on
// dueOn, with warnings warnDays ahead (e.g. 30, 7, 1): the smallest
// threshold the days left have reached, or 0 once the date has passed.
// false when no threshold is reached yet. Each threshold is sent once (its
// message key names it), so a check that runs every day sends the 30-day
// warning on the first day it is due, and nothing more until the 7-day one.
func StatutoryWarningDue(dueOn, today Date, warnDays []int) (StatutoryWarning, bool) {
	left := dueOn.DaysSince(today)
	if left < 0 {
		return StatutoryWarning{Threshold: 0, DaysLeft: left}, true
	}
	best, ok := 0, false
	for _, d := range warnDays {
		if left <= d && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return StatutoryWarning{Threshold: best, DaysLeft: left}, ok
}
