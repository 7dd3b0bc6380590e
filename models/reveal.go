package models

import "time"

// MaxRevealRefLen bounds the page or record a phone was revealed from.
const MaxRevealRefLen = 100

// PhoneReveal records that a staff member revealed a resident's whole phone
// number (显示号码): who, whose, when and from where. Phones are masked in
// every answer; this is the only way to a whole number, and managers read
// the log.
type PhoneReveal struct {
	ID          uint64 `gorm:"primaryKey" json:"id"`
	EstateID    uint64 `gorm:"not null;index" json:"estate_id"`
	ResidentID  uint64 `gorm:"not null;index" json:"resident_id"`
	HouseholdID uint64 `gorm:"not null" json:"household_id"`
	StaffID     uint64 `gorm:"not null;index" json:"staff_id"`
	// Ref is the page or record the number was revealed from, such as
	// "ticket:12"; empty when not given.
	Ref        string    `gorm:"size:100" json:"ref"`
	RevealedAt time.Time `gorm:"not null;index" json:"revealed_at"`
}
