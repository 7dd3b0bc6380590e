package models

import "time"

// SLAOutcome is how a ticket's deadline counts on the managers' dashboard
// (SLA 达成率), decided when the ticket's progress is recorded.
type SLAOutcome string

// The outcomes of a deadline.
const (
	// SLAMet: done by its due time; counts as met.
	SLAMet SLAOutcome = "met"
	// SLALate: done after its due time; counts as missed.
	SLALate SLAOutcome = "late"
	// SLAOpen: not done while it was owed; counts as missed once due.
	SLAOpen SLAOutcome = "open"
	// SLAVoid: the ticket finished before it fell due; never counts.
	SLAVoid SLAOutcome = "void"
)

// DeadlineOutcome classifies deadline d of a ticket in status st, closed at
// closed (nil while open).
func DeadlineOutcome(d TicketDeadline, st TicketStatus, closed *time.Time) SLAOutcome {
	switch {
	case d.DoneAt != nil && !d.DoneAt.After(d.Due):
		return SLAMet
	case d.DoneAt != nil:
		return SLALate
	case st.Terminal() && (closed == nil || !closed.After(d.Due)):
		return SLAVoid
	}
	return SLAOpen
}

// SLADeadline is one deadline of a ticket as the dashboard counts it: a
// summary row the store rewrites with the ticket's progress, in the same
// transaction.
type SLADeadline struct {
	// Two indexes lead with the due time (after the estate), then the
	// ticket: every read is a span of due times, its other conditions read
	// off the index, and the deadlines due at one instant (a burst: 4,000
	// at once) are read by ticket, highest first, as far as a list needs.
	// The third counts the deadlines of a span by outcome and urgency in
	// its own order (one span per estate, outcome and urgency), no sort.
	TicketID uint64     `gorm:"primaryKey;autoIncrement:false;index:idx_sla_deadline_estate_ticket,priority:3;index:idx_sla_deadline_due_ticket,priority:2"`
	Seq      int        `gorm:"primaryKey;autoIncrement:false"`
	EstateID uint64     `gorm:"not null;index:idx_sla_deadline_estate_ticket,priority:1;index:idx_sla_deadline_tally,priority:1"`
	DueAt    time.Time  `gorm:"not null;index:idx_sla_deadline_estate_ticket,priority:2;index:idx_sla_deadline_due_ticket,priority:1;index:idx_sla_deadline_tally,priority:4"`
	Outcome  SLAOutcome `gorm:"size:8;not null;index:idx_sla_deadline_estate_ticket,priority:4;index:idx_sla_deadline_due_ticket,priority:3;index:idx_sla_deadline_tally,priority:2"`
	Urgency  Urgency    `gorm:"size:16;not null;index:idx_sla_deadline_estate_ticket,priority:5;index:idx_sla_deadline_due_ticket,priority:4;index:idx_sla_deadline_tally,priority:3"`
}

// SLADay counts, for one estate, local day (in the estate's time zone) and
// urgency tier, the deadlines due that day that count once the day is over
// (Due: met, late and open ones), those met (Met) and those not done
// (Open): a day still ahead counts none of its open ones yet.
type SLADay struct {
	EstateID uint64  `gorm:"primaryKey;autoIncrement:false"`
	Day      string  `gorm:"primaryKey;size:10;index"` // YYYY-MM-DD; the index serves every estate at once
	Urgency  Urgency `gorm:"primaryKey;size:16"`
	Due      int64   `gorm:"not null;default:0"`
	Met      int64   `gorm:"not null;default:0"`
	Open     int64   `gorm:"not null;default:0"`
}

// Upgrade records a one-time data upgrade done by the store's migration.
type Upgrade struct {
	Name   string    `gorm:"primaryKey;size:64"`
	DoneAt time.Time `gorm:"not null"`
}

// CaseStageTotal counts, for one estate and stage, the collection cases in
// it and what they owe: a summary row the store moves with each case's
// progress, in the same transaction.
type CaseStageTotal struct {
	EstateID uint64    `gorm:"primaryKey;autoIncrement:false"`
	Stage    CaseStage `gorm:"primaryKey;size:16"`
	Cases    int64     `gorm:"not null;default:0"`
	OwedFen  Money     `gorm:"not null;default:0"`
}

// TicketStatusTotal counts, for one estate, status and urgency, its
// tickets: a summary row the store moves with each ticket's progress, in
// the same transaction (the dashboard's open tickets).
type TicketStatusTotal struct {
	EstateID uint64       `gorm:"primaryKey;autoIncrement:false"`
	Status   TicketStatus `gorm:"primaryKey;size:16"`
	Urgency  Urgency      `gorm:"primaryKey;size:16"`
	Tickets  int64        `gorm:"not null;default:0"`
}

// BillSettlement is what a bill's principal is and how much of it the
// household's payments have settled (models.Statement, every payment
// recorded), as the store last settled the household's ledger: a summary
// row rewritten in the transaction of every ledger write.
type BillSettlement struct {
	BillID      uint64 `gorm:"primaryKey;autoIncrement:false"`
	HouseholdID uint64 `gorm:"not null;index"`
	EstateID    uint64 `gorm:"not null"`
	Period      string `gorm:"size:7;not null"`
	DueOn       time.Time
	Principal   Money `gorm:"not null"`
	Paid        Money `gorm:"not null"`
}

// CollectionPeriod sums, for one estate, billing period and due date, the
// bills, their principal and the principal settled: the collection rate's
// (收缴率) summary row, moved with the bill settlements.
type CollectionPeriod struct {
	EstateID  uint64    `gorm:"primaryKey;autoIncrement:false"`
	Period    string    `gorm:"primaryKey;size:7;index"` // the index serves every estate at once
	DueOn     time.Time `gorm:"primaryKey"`
	Bills     int64     `gorm:"not null;default:0"`
	BilledFen Money     `gorm:"not null;default:0"`
	PaidFen   Money     `gorm:"not null;default:0"`
}
