package models

import "time"

// BillAdjustment is a correction of an issued bill (红字/补差): a credit note
// (AmountFen < 0) lowers what the bill owes, a debit note (> 0) raises it.
// An issued bill is never edited; its notes add up in HouseholdBill.AdjustedFen
// and Statement reads the bill's principal as AmountFen + AdjustedFen.
type BillAdjustment struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	EstateID    uint64    `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64    `gorm:"not null;index" json:"household_id"`
	BillID      uint64    `gorm:"not null;index" json:"bill_id"`
	AmountFen   Money     `gorm:"not null" json:"amount_fen"`
	Reason      string    `gorm:"size:500;not null" json:"reason"`
	By          uint64    `gorm:"not null" json:"by"`
	CreatedAt   time.Time `json:"created_at"`
}

// CheckAdjustment refuses a note of amount on b: zero, beyond MaxAmountFen
// either way, or one that would take the bill below zero or above
// MaxAmountFen.
func CheckAdjustment(b HouseholdBill, amount Money) error {
	if amount == 0 || amount > MaxAmountFen || amount < -MaxAmountFen {
		return Invalid("amount_fen", "应为非零金额，绝对值不超过 %d 分（负数为红字冲减，正数为补收）", MaxAmountFen)
	}
	after := b.AmountFen + b.AdjustedFen + amount
	if after < 0 {
		return Invalid("amount_fen", "冲减后账单金额为负：账单现为 %d 分", b.AmountFen+b.AdjustedFen)
	}
	if after > MaxAmountFen {
		return Invalid("amount_fen", "调整后账单金额超出上限 %d 分", MaxAmountFen)
	}
	return nil
}
