// Receipts (收据) for payments. Every payment gets one when it is recorded,
// in the same transaction, numbered without gaps per estate and per year:
// "<estate code>-<year>-<six-digit sequence>", e.g. "YGHY-2026-000123". The
// year is the one the receipt was issued in, in the estate's time zone.
//
// Voiding (作废) withdraws the paper receipt (misprinted, lost, to be
// reissued): the receipt keeps its number and shows 已作废 with the reason,
// who and when. It never touches the payment: money is reversed by a
// payment reversal, not by a void. A reissue gives the payment a new
// receipt with the next number.

package models

import (
	"fmt"
	"slices"
	"time"
)

// Receipt is the receipt of one payment. A payment has at most one receipt
// that is not voided.
type Receipt struct {
	ID          uint64 `gorm:"primaryKey" json:"id"`
	EstateID    uint64 `gorm:"not null;uniqueIndex:idx_receipt_seq,priority:1" json:"estate_id"`
	Year        int    `gorm:"not null;uniqueIndex:idx_receipt_seq,priority:2" json:"year"`
	Seq         int64  `gorm:"not null;uniqueIndex:idx_receipt_seq,priority:3" json:"seq"`
	Number      string `gorm:"size:64;not null;index" json:"number"`
	PaymentID   uint64 `gorm:"not null;index" json:"payment_id"`
	HouseholdID uint64 `gorm:"not null;index" json:"household_id"`
	AmountFen   Money  `gorm:"not null" json:"amount_fen"`
	// IssuedBy is the cashier: who recorded the payment, or who reissued
	// the receipt.
	IssuedBy uint64    `gorm:"not null" json:"issued_by"`
	IssuedAt time.Time `gorm:"not null" json:"issued_at"`
	// ReplacesID is the voided receipt a reissue replaces.
	ReplacesID *uint64    `json:"replaces_id,omitempty"`
	VoidedAt   *time.Time `json:"voided_at,omitempty"`
	VoidedBy   *uint64    `json:"voided_by,omitempty"`
	VoidReason string     `gorm:"size:500" json:"void_reason,omitempty"`
}

// Voided reports whether the receipt was voided.
func (r Receipt) Voided() bool { return r.VoidedAt != nil }

// ReceiptCounter is the last receipt sequence number issued by an estate in
// a year. Issuing locks its row, so numbers are handed out one at a time and
// a rolled-back payment gives its number back.
type ReceiptCounter struct {
	EstateID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Year     int    `gorm:"primaryKey;autoIncrement:false"`
	Last     int64  `gorm:"not null;default:0"`
}

// ReceiptNumber is the printed number of an estate's seq-th receipt of year:
// "YGHY-2026-000123" (at least six digits).
func ReceiptNumber(estateCode string, year int, seq int64) string {
	return fmt.Sprintf("%s-%04d-%06d", estateCode, year, seq)
}

// ReceiptItem is one line of a receipt: what part of the payment settled a
// bill's principal and late fee, or, with no bill, the credit left on
// account (预存).
type ReceiptItem struct {
	BillID    uint64 `json:"bill_id,omitempty"`
	Period    Month  `json:"period"`
	Principal Money  `json:"principal_fen"`
	LateFee   Money  `json:"late_fee_fen"`
	Credit    Money  `json:"credit_fen"`
	AmountFen Money  `json:"amount_fen"`
}

// PaymentItems is what payment id settled, as the ledger stands: the
// difference between the statement with the payments up to and including
// it and the one with those before it (Statement's order: date, then ID),
// both on its date. Bills it paid come oldest first; money it left over
// is one last item with only Credit. An unknown payment has no items.
func PaymentItems(bills []Bill, payments []Payment, id uint64, fees FeePolicy) []ReceiptItem {
	i := slices.IndexFunc(payments, func(p Payment) bool { return p.ID == id })
	if i < 0 {
		return nil
	}
	p := payments[i]
	var before []Payment
	for _, q := range payments {
		order := p.Paid.DaysSince(q.Paid)
		if order > 0 || (order == 0 && q.ID < p.ID) {
			before = append(before, q)
		}
	}
	upTo := append(slices.Clone(before), p)
	a := Statement(bills, before, p.Paid, fees)
	b := Statement(bills, upTo, p.Paid, fees)
	var out []ReceiptItem
	for k, l := range b.Lines {
		prev := a.Lines[k]
		pr, lf := l.PrincipalPaid-prev.PrincipalPaid, l.LateFeePaid-prev.LateFeePaid
		if pr == 0 && lf == 0 {
			continue
		}
		out = append(out, ReceiptItem{BillID: l.BillID, Period: l.Period, Principal: pr, LateFee: lf, AmountFen: pr + lf})
	}
	if c := b.Credit - a.Credit; c > 0 {
		out = append(out, ReceiptItem{Credit: c, AmountFen: c})
	}
	return out
}
