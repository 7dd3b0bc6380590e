package models

import (
	"fmt"
	"time"
)

// ReadingStatus is whether a meter reading (抄表读数) may be billed.
type ReadingStatus string

// The reading statuses.
const (
	ReadingOK       ReadingStatus = "ok"       // billable as recorded
	ReadingFlagged  ReadingStatus = "flagged"  // held for finance to review; not billed
	ReadingAccepted ReadingStatus = "accepted" // flagged, then accepted (or corrected) by finance
)

// Billable reports whether a reading of status s bills.
func (s ReadingStatus) Billable() bool { return s == ReadingOK || s == ReadingAccepted }

// The reasons a reading is flagged.
const (
	FlagBelowPrevious = "below_previous" // the meter reads less than last period
	FlagAboveAverage  = "above_average"  // consumption beyond the policy's ratio of the recent average
	FlagNoPrevious    = "no_previous"    // a meter's first reading with no previous value: all of it would bill
)

// MeterReading is a unit's meter read for a period; (unit, kind, period) is
// unique, so recording it again is the same reading. Value, Previous and
// Consumption (Value − Previous) are in thousandths.
type MeterReading struct {
	ID          uint64        `gorm:"primaryKey" json:"id"`
	EstateID    uint64        `gorm:"not null;index" json:"estate_id"`
	UnitID      uint64        `gorm:"not null;uniqueIndex:idx_reading" json:"unit_id"`
	Kind        MeterKind     `gorm:"size:16;not null;uniqueIndex:idx_reading" json:"kind"`
	Period      string        `gorm:"size:7;not null;uniqueIndex:idx_reading;index" json:"period"`
	Value       Quantity      `gorm:"not null" json:"value"`
	Previous    Quantity      `gorm:"not null" json:"previous"`
	Consumption Quantity      `gorm:"not null" json:"consumption"`
	Status      ReadingStatus `gorm:"size:16;not null;index" json:"status"`
	FlagReason  string        `gorm:"size:32" json:"flag_reason,omitempty"`
	Note        string        `gorm:"size:500" json:"note,omitempty"`
	RecordedBy  *uint64       `json:"recorded_by,omitempty"`
	ReviewedBy  *uint64       `json:"reviewed_by,omitempty"`
	ReviewedAt  *time.Time    `json:"reviewed_at,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Validate checks a reading as recorded (the store fills the rest).
func (r MeterReading) Validate() error {
	if err := r.Kind.Check("kind"); err != nil {
		return err
	}
	if _, err := parsePeriod("period", r.Period, true); err != nil {
		return err
	}
	if r.Value < 0 || r.Value > MaxQuantity {
		return Invalid("value", "读数应为 0 至 %s", MaxQuantity.Decimal())
	}
	if r.Previous < 0 || r.Previous > MaxQuantity {
		return Invalid("previous", "上期读数应为 0 至 %s", MaxQuantity.Decimal())
	}
	return nil
}

// RecentReadings is how many earlier billable consumptions CheckReading
// averages.
const RecentReadings = 3

// CheckReading judges a reading of value after previous (nil: none known,
// counted as 0): its consumption, and whether it bills (ReadingOK) or is
// held for review (ReadingFlagged, with the reason). It is flagged when no
// previous value is known and value is above 0 (a meter's first reading
// would bill all it ever measured), when value is below previous, or when
// ratio > 0 and the consumption exceeds ratio × the average of recent (the
// unit's last billable consumptions of that meter; none or a zero average
// flags nothing).
func CheckReading(value Quantity, previous *Quantity, recent []Quantity, ratio int) (Quantity, ReadingStatus, string) {
	if previous == nil {
		if value > 0 {
			return value, ReadingFlagged, FlagNoPrevious
		}
		return 0, ReadingOK, ""
	}
	c := value - *previous
	if c < 0 {
		return c, ReadingFlagged, FlagBelowPrevious
	}
	if ratio <= 0 || len(recent) == 0 {
		return c, ReadingOK, ""
	}
	var sum int64
	for _, q := range recent {
		sum += int64(max(q, 0))
	}
	// c > ratio × sum / n  ⇔  c × n > ratio × sum (all within int64).
	if sum > 0 && int64(c)*int64(len(recent)) > int64(ratio)*sum {
		return c, ReadingFlagged, FlagAboveAverage
	}
	return c, ReadingOK, ""
}

// ReadingKey names a reading: a unit's meter in a period.
type ReadingKey struct {
	UnitID uint64
	Kind   MeterKind
	Period string
}

// Key is r's ReadingKey.
func (r MeterReading) Key() ReadingKey { return ReadingKey{r.UnitID, r.Kind, r.Period} }

// String names the key for messages.
func (k ReadingKey) String() string { return fmt.Sprintf("unit %d %s %s", k.UnitID, k.Kind, k.Period) }
