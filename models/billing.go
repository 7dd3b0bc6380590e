// Bills, payments and the records of arrears collection (物业费收缴与催缴).
// The money itself is computed by the pure rules of latefee.go (Statement,
// LateFee); the entities here only hold what finance and staff entered.
//
// Civil dates (a due date, the day a payment was made) are stored as 00:00
// UTC of that date and read back with DateOf(t, time.UTC): they name a day in
// the estate's time zone, not an instant.

package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DateTime stores a civil date: 00:00 UTC of d.
func DateTime(d Date) time.Time { return d.In(time.UTC) }

// FeeItem is a recurring monthly charge of a household (物业费, 车位管理费...);
// a billing run bills the sum of a household's active items.
type FeeItem struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	EstateID    uint64    `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64    `gorm:"not null;index" json:"household_id"`
	Name        string    `gorm:"size:50;not null" json:"name"`
	AmountFen   Money     `gorm:"not null" json:"amount_fen"`
	Active      bool      `gorm:"not null;default:true" json:"active"`
	CreatedAt   time.Time `json:"created_at"`
}

// HouseholdBill is one monthly bill of a household; (household, period) is
// unique, so issuing it twice is one bill. DueOn may move later when a
// dispute is resolved (the disputed days cost the resident nothing);
// OriginalDueOn never moves and is what the dunning ladder counts from.
type HouseholdBill struct {
	ID            uint64    `gorm:"primaryKey" json:"id"`
	EstateID      uint64    `gorm:"not null;index" json:"estate_id"`
	HouseholdID   uint64    `gorm:"not null;uniqueIndex:idx_bill_period" json:"household_id"`
	Period        string    `gorm:"size:7;not null;uniqueIndex:idx_bill_period;index" json:"period"`
	AmountFen     Money     `gorm:"not null" json:"amount_fen"`
	DueOn         time.Time `gorm:"not null" json:"due_on"`
	OriginalDueOn time.Time `gorm:"not null" json:"original_due_on"`
	WaivedFen     Money     `gorm:"not null;default:0" json:"waived_fen"`
	// AdjustedFen is the sum of the bill's credit and debit notes
	// (BillAdjustment); the bill owes AmountFen + AdjustedFen.
	AdjustedFen Money     `gorm:"not null;default:0" json:"adjusted_fen"`
	Disputed    bool      `gorm:"not null;default:false" json:"disputed"`
	RunID       *uint64   `gorm:"index" json:"run_id,omitempty"`
	IssuedBy    *uint64   `json:"issued_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Lines itemise AmountFen (not a column; empty for a bill issued as one
	// amount).
	Lines []BillLine `gorm:"-" json:"lines,omitempty"`
}

// Arith is the bill as Statement reads it.
func (b HouseholdBill) Arith() Bill {
	var m Month
	_ = m.UnmarshalText([]byte(b.Period))
	return Bill{ID: b.ID, Period: m, Due: DateOf(b.DueOn, time.UTC), Principal: b.AmountFen,
		Adjusted: b.AdjustedFen, Waived: b.WaivedFen, Disputed: b.Disputed}
}

// BillingRun records one issue of a month's bills for a whole estate. Running
// the same month again creates only the bills still missing.
type BillingRun struct {
	ID       uint64 `gorm:"primaryKey" json:"id"`
	EstateID uint64 `gorm:"not null;index" json:"estate_id"`
	Period   string `gorm:"size:7;not null" json:"period"`
	Created  int    `gorm:"not null" json:"created"`
	Existing int    `gorm:"not null" json:"existing"`
	// NoItems counts the households the run did not bill for another reason
	// than an existing bill (no standard or item, undelivered, a reading
	// missing or held); Skipped says which and why (not stored).
	NoItems   int       `gorm:"not null" json:"no_items"`
	By        *uint64   `json:"by,omitempty"` // nil for the schedule
	CreatedAt time.Time `json:"created_at"`
	// BillIDs are the bills this run created, HouseholdIDs their
	// households (not stored).
	BillIDs      []uint64           `gorm:"-" json:"bill_ids"`
	HouseholdIDs []uint64           `gorm:"-" json:"household_ids"`
	Skipped      []SkippedHousehold `gorm:"-" json:"skipped"`
}

// PaymentChannel is how a household paid.
type PaymentChannel string

// The payment channels.
const (
	PayCash     PaymentChannel = "cash"
	PayWeChat   PaymentChannel = "wechat"
	PayAlipay   PaymentChannel = "alipay"
	PayBank     PaymentChannel = "bank"
	PayCard     PaymentChannel = "card"
	PayDeducted PaymentChannel = "deduction"
)

var paymentChannels = enum[PaymentChannel]{PayCash, PayWeChat, PayAlipay, PayBank, PayCard, PayDeducted}

// Valid reports whether c is a known payment channel.
func (c PaymentChannel) Valid() bool { return paymentChannels.has(c) }

// FeePayment is money a household paid. Reference (the gateway's or the
// receipt's number) is unique per estate: recording it twice is one payment.
type FeePayment struct {
	ID          uint64         `gorm:"primaryKey" json:"id"`
	EstateID    uint64         `gorm:"not null;uniqueIndex:idx_payment_ref;index:idx_payment_estate_paid,priority:1" json:"estate_id"`
	HouseholdID uint64         `gorm:"not null;index" json:"household_id"`
	AmountFen   Money          `gorm:"not null" json:"amount_fen"`
	PaidAt      time.Time      `gorm:"not null" json:"paid_at"`
	PaidOn      time.Time      `gorm:"not null;index;index:idx_payment_estate_paid,priority:2" json:"paid_on"` // the civil date in the estate's zone
	Channel     PaymentChannel `gorm:"size:16;not null" json:"channel"`
	Reference   string         `gorm:"size:100;not null;uniqueIndex:idx_payment_ref" json:"reference"`
	RecordedBy  uint64         `gorm:"not null" json:"recorded_by"`
	// Provider is the payment provider whose notification recorded the
	// payment ("" when staff recorded it); Reference is then its
	// transaction ID.
	Provider string `gorm:"size:32" json:"provider,omitempty"`
	// Settlement compares the amount with what the household owed on the
	// day it paid (ClassifyPayment), DifferenceFen is amount − owed; empty
	// for payments recorded before either existed.
	Settlement    Settlement `gorm:"size:8" json:"settlement,omitempty"`
	DifferenceFen Money      `gorm:"not null;default:0" json:"difference_fen"`
	// ReversedFen is the part refunded or reversed (PaymentReversal), and
	// ReversedAt when nothing is left: the ledger counts AmountFen −
	// ReversedFen. Nothing else of a payment ever changes.
	ReversedFen Money      `gorm:"not null;default:0" json:"reversed_fen"`
	ReversedAt  *time.Time `json:"reversed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Arith is the payment as Statement reads it: what is left of it after
// refunds and reversals, on the day it was paid (a reversed payment counts
// nothing, so whatever it settled is owed again, late fee included).
func (p FeePayment) Arith() Payment {
	return Payment{ID: p.ID, Paid: DateOf(p.PaidOn, time.UTC), Amount: p.AmountFen - p.ReversedFen}
}

// DisputeStatus is where a bill dispute stands.
type DisputeStatus string

// The dispute statuses.
const (
	DisputeOpen      DisputeStatus = "open"
	DisputeCorrected DisputeStatus = "corrected" // finance corrected the amount
	DisputeUpheld    DisputeStatus = "upheld"    // the bill stands as issued
)

// BillDispute is a resident's objection to a bill (seed 004 §4.4). While it
// is open the bill takes no late fee and the ladder is paused.
type BillDispute struct {
	ID           uint64        `gorm:"primaryKey" json:"id"`
	EstateID     uint64        `gorm:"not null;index" json:"estate_id"`
	HouseholdID  uint64        `gorm:"not null;index" json:"household_id"`
	BillID       uint64        `gorm:"not null;index" json:"bill_id"`
	Reason       string        `gorm:"size:500;not null" json:"reason"`
	Status       DisputeStatus `gorm:"size:16;not null" json:"status"`
	OpenedBy     uint64        `gorm:"not null" json:"opened_by"`
	OpenedAt     time.Time     `gorm:"not null" json:"opened_at"`
	ResolvedBy   *uint64       `json:"resolved_by,omitempty"`
	ResolvedAt   *time.Time    `json:"resolved_at,omitempty"`
	CorrectedFen *Money        `json:"corrected_fen,omitempty"`
	Resolution   string        `gorm:"size:500" json:"resolution,omitempty"`
	// ShiftDays is how far the bill's due date moved on resolution.
	ShiftDays int `gorm:"not null;default:0" json:"shift_days"`
}

// DisputeAllowed reports whether a bill due on due may still be disputed on
// today: until fees.DisputeBeforeDueDays days before it is due.
func DisputeAllowed(due, today Date, fees FeePolicy) bool {
	return !today.After(due.AddDays(-max(fees.DisputeBeforeDueDays, 0)))
}

// DisputeShiftDays is how many days a bill's due date moves after a dispute
// open from opened to resolved: every started day counts, so the resident is
// never charged for time finance took.
func DisputeShiftDays(opened, resolved time.Time) int {
	d := resolved.Sub(opened)
	if d <= 0 {
		return 0
	}
	return int((d + Day - 1) / Day)
}

// LateFeeWaiver records a manager forgiving part or all of a bill's late fee.
type LateFeeWaiver struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	EstateID  uint64    `gorm:"not null;index" json:"estate_id"`
	BillID    uint64    `gorm:"not null;index" json:"bill_id"`
	AmountFen Money     `gorm:"not null" json:"amount_fen"`
	Reason    string    `gorm:"size:500;not null" json:"reason"`
	By        uint64    `gorm:"not null" json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// PlanStatus is where a hardship instalment plan (分期) stands.
type PlanStatus string

// The plan statuses.
const (
	PlanProposed  PlanStatus = "proposed"
	PlanActive    PlanStatus = "active"
	PlanCompleted PlanStatus = "completed"
	PlanBroken    PlanStatus = "broken"
	PlanRejected  PlanStatus = "rejected"
)

// Instalment is one agreed payment of a plan.
type Instalment struct {
	Due       Date  `json:"due"`
	AmountFen Money `json:"amount_fen"`
}

// MaxInstalments bounds a plan.
const MaxInstalments = 24

// MaxPlanYears bounds how far ahead a plan's last instalment may fall.
const MaxPlanYears = 3

// MaxAmountFen bounds any single amount the service records: ¥10,000,000.
// Sums of up to MaxInstalments or thousands of such amounts stay far from
// int64's limit.
const MaxAmountFen Money = 1_000_000_000

// ValidateInstalments checks a plan's schedule at today: 1 to
// MaxInstalments positive amounts of at most MaxAmountFen on strictly later
// dates, none in the past and none more than MaxPlanYears ahead.
func ValidateInstalments(list []Instalment, today Date) error {
	if len(list) == 0 || len(list) > MaxInstalments {
		return Invalid("instalments", "共 %d 期，应为 1 至 %d 期", len(list), MaxInstalments)
	}
	last := DateOf(today.In(time.UTC).AddDate(MaxPlanYears, 0, 0), nil)
	for i, in := range list {
		field := fmt.Sprintf("instalments[%d]", i)
		switch {
		case in.AmountFen <= 0 || in.AmountFen > MaxAmountFen:
			return Invalid(field+".amount_fen", "%d 无效，应为正数，且不超过 %d 分", in.AmountFen, MaxAmountFen)
		case in.Due.IsZero() || in.Due.Before(today) || in.Due.After(last):
			return Invalid(field+".due", "“%s”无效，应为 %s 至 %s 之间的日期", in.Due, today, last)
		case i > 0 && !in.Due.After(list[i-1].Due):
			return Invalid(field+".due", "%s 无效，应晚于上一期的 %s", in.Due, list[i-1].Due)
		}
	}
	return nil
}

// CheckPlanTotal is the rule for what a hardship plan must cover: at least
// the principal still owed (the plan settles the arrears) and at most
// everything owed (principal and late fee after waivers and payments), as of
// the account's date. The late fee between is the manager's to forgive by a
// waiver, never silently dropped by the plan.
func CheckPlanTotal(list []Instalment, acc Account) error {
	total := InstalmentPlan{Instalments: list}.Total()
	if total < acc.Principal || total > acc.Total {
		return Invalid("instalments", "合计 %d 分，应在 %d 分（欠缴本金）至 %d 分（全部欠款）之间",
			total, acc.Principal, acc.Total)
	}
	return nil
}

// CheckWaiver refuses a late-fee waiver larger than the late fee the bill
// still owes on the account (accrued, less waivers and payments).
func CheckWaiver(amount Money, billID uint64, acc Account) error {
	for _, l := range acc.Lines {
		if l.BillID != billID {
			continue
		}
		if left := l.LateFee - l.LateFeeWaived - l.LateFeePaid; amount > left {
			return Invalid("amount_fen", "%d 无效，不能超过该账单尚欠的滞纳金（%d 分）", amount, max(left, 0))
		}
		return nil
	}
	return Invalid("amount_fen", "%d 无效，不能超过该账单尚欠的滞纳金（0 分）", amount)
}

// InstalmentPlan is a hardship plan: proposed by staff with a reason,
// approved by an estate manager. While it is kept the ladder is paused.
type InstalmentPlan struct {
	ID          uint64       `gorm:"primaryKey" json:"id"`
	EstateID    uint64       `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64       `gorm:"not null;index" json:"household_id"`
	Reason      string       `gorm:"size:500;not null" json:"reason"`
	Instalments []Instalment `gorm:"serializer:json;type:text;not null" json:"instalments"`
	Status      PlanStatus   `gorm:"size:16;not null;index" json:"status"`
	ProposedBy  uint64       `gorm:"not null" json:"proposed_by"`
	ApprovedBy  *uint64      `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time   `json:"approved_at,omitempty"`
	EndedAt     *time.Time   `json:"ended_at,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Total is the sum of the plan's instalments (saturating, never wrapping).
func (p InstalmentPlan) Total() Money {
	var t Money
	for _, in := range p.Instalments {
		t = Money(addSat(int64(t), int64(max(in.AmountFen, 0))))
	}
	return t
}

// CaseStage is where a household's collection stands.
type CaseStage string

// The case stages.
const (
	// StageReminding: bills are open but none is overdue yet.
	StageReminding CaseStage = "reminding"
	// StageDunning: the ladder is running.
	StageDunning CaseStage = "dunning"
	// StagePaused: a promise, a dispute, a plan or a complaint holds the ladder.
	StagePaused CaseStage = "paused"
	// StageLegalPending: the ladder reached legal referral; an estate manager decides.
	StageLegalPending CaseStage = "legal_pending"
	// StageLegal: handed to legal staff; automatic reminders stopped.
	StageLegal CaseStage = "legal"
	// StageClosed: everything is paid.
	StageClosed CaseStage = "closed"
)

// Stages lists every case stage in order.
func Stages() []CaseStage { return caseStages.list() }

var caseStages = enum[CaseStage]{StageReminding, StageDunning, StagePaused, StageLegalPending, StageLegal, StageClosed}

// CaseProgress is the part of a case its workflow rewrites at every
// transition, so that lists never ask Temporal.
type CaseProgress struct {
	Stage        CaseStage  `gorm:"size:16;not null;index;index:idx_case_estate_stage_oldest,priority:2" json:"stage"`
	Segment      Segment    `gorm:"size:16" json:"segment"`
	StepReached  int        `gorm:"not null;default:-1" json:"step_reached"` // ladder index, -1 none
	NextStep     string     `gorm:"size:32" json:"next_step"`
	NextStepAt   *time.Time `gorm:"index" json:"next_step_at"`
	PausedReason string     `gorm:"size:32" json:"paused_reason,omitempty"`
	PausedUntil  *time.Time `json:"paused_until,omitempty"`
	OwedFen      Money      `gorm:"not null;default:0" json:"owed_fen"`
	// OldestDueOn is the due date of the oldest unpaid bill (a civil date).
	OldestDueOn    *time.Time `gorm:"index;index:idx_case_estate_oldest,priority:2;index:idx_case_estate_stage_oldest,priority:3" json:"oldest_due_on"`
	CheckedAt      *time.Time `json:"checked_at"`
	NoticeServedAt *time.Time `json:"notice_served_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	Revision       int64      `gorm:"not null;default:0" json:"revision"`
	// LegalStatus is where the legal matter stands (referred, filed,
	// mediated, settled, withdrawn; empty before legal), LegalSince when the
	// case went to legal (while it awaits approval: when that was asked).
	LegalStatus string     `gorm:"size:16" json:"legal_status,omitempty"`
	LegalSince  *time.Time `json:"legal_since,omitempty"`
}

// CollectionCase is one household's collection process (one run of its
// workflow, through every continue-as-new). Key is the workflow ID and the
// ID of the run that opened it: one case per process.
type CollectionCase struct {
	ID           uint64 `gorm:"primaryKey" json:"id"`
	EstateID     uint64 `gorm:"not null;index;index:idx_case_estate_oldest,priority:1;index:idx_case_estate_stage_oldest,priority:1" json:"estate_id"`
	HouseholdID  uint64 `gorm:"not null;index" json:"household_id"`
	Key          string `gorm:"column:case_key;size:150;not null;uniqueIndex" json:"-"`
	WorkflowID   string `gorm:"size:64;not null" json:"workflow_id"`
	CaseProgress `gorm:"embedded"`
	OpenedAt     time.Time `gorm:"not null" json:"opened_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TaskOutcome is the result of a dunning phone call or visit.
type TaskOutcome string

// The task outcomes.
const (
	OutcomeReached          TaskOutcome = "reached"
	OutcomeNotReached       TaskOutcome = "not_reached"
	OutcomePromised         TaskOutcome = "promised"
	OutcomeRefusesComplaint TaskOutcome = "refuses_complaint"
	OutcomeHardship         TaskOutcome = "hardship"
	OutcomeWrongContact     TaskOutcome = "wrong_contact"
	// OutcomeServed closes a demand letter's delivery task once its
	// service is recorded; staff never pick it as a call's outcome.
	OutcomeServed TaskOutcome = "served"
)

// TaskOutcomes lists the outcomes.
func TaskOutcomes() []TaskOutcome { return taskOutcomes.list() }

var taskOutcomes = enum[TaskOutcome]{OutcomeReached, OutcomeNotReached, OutcomePromised, OutcomeRefusesComplaint, OutcomeHardship, OutcomeWrongContact}

// Valid reports whether o is a known outcome.
func (o TaskOutcome) Valid() bool { return taskOutcomes.has(o) }

// TaskStatus is where a dunning task stands.
type TaskStatus string

// The task statuses.
const (
	TaskOpen   TaskStatus = "open"
	TaskDone   TaskStatus = "done"
	TaskClosed TaskStatus = "closed" // the case ended before anyone acted
)

// CollectionTask is a human step of the ladder (a phone call, a visit)
// assigned to one staff member with a due time.
type CollectionTask struct {
	ID              uint64        `gorm:"primaryKey" json:"id"`
	CaseID          uint64        `gorm:"not null;index" json:"case_id"`
	EstateID        uint64        `gorm:"not null;index" json:"estate_id"`
	HouseholdID     uint64        `gorm:"not null;index" json:"household_id"`
	Key             string        `gorm:"column:task_key;size:150;not null;uniqueIndex" json:"-"`
	Action          DunningAction `gorm:"size:16;not null" json:"action"`
	Role            Role          `gorm:"size:32;not null" json:"role"`
	AssigneeID      uint64        `gorm:"not null;index" json:"assignee_id"`
	DueAt           time.Time     `gorm:"not null" json:"due_at"`
	Status          TaskStatus    `gorm:"size:16;not null;index" json:"status"`
	Outcome         TaskOutcome   `gorm:"size:24" json:"outcome,omitempty"`
	Note            string        `gorm:"size:1000" json:"note,omitempty"`
	PromisedOn      *time.Time    `json:"promised_on,omitempty"`
	DoneBy          *uint64       `json:"done_by,omitempty"`
	DoneAt          *time.Time    `json:"done_at,omitempty"`
	EscalationLevel int           `gorm:"not null;default:0" json:"escalation_level"`
	CreatedAt       time.Time     `json:"created_at"`
}

// DemandLetter is a formal written demand (催缴函, 催告 under Civil Code Art.
// 944). The date it is served matters: it starts the reasonable period
// before legal action and interrupts the limitation period (arts. 188, 195).
// A letter that AwaitsService was issued with a delivery task and is served
// once staff record its service (DeliveredOn); letters issued before that
// step existed counted as served when issued.
type DemandLetter struct {
	ID          uint64 `gorm:"primaryKey" json:"id"`
	CaseID      uint64 `gorm:"not null;index" json:"case_id"`
	EstateID    uint64 `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64 `gorm:"not null;index" json:"household_id"`
	Key         string `gorm:"column:letter_key;size:150;not null;uniqueIndex" json:"-"`
	// ServedAt and ServedOn (a civil date) are when the letter was issued.
	ServedAt  time.Time `gorm:"not null" json:"served_at"`
	ServedOn  time.Time `gorm:"not null" json:"served_on"`
	PayBy     time.Time `gorm:"not null" json:"pay_by"` // civil date
	AmountFen Money     `gorm:"not null" json:"amount_fen"`
	Text      string    `gorm:"type:text;not null" json:"text"`
	// Content is what the printed letter says (nil for letters written
	// before the letter had a printable form).
	Content       *DemandLetterContent `gorm:"serializer:json;type:text" json:"content,omitempty"`
	AwaitsService bool                 `gorm:"not null;default:false" json:"awaits_service"`
	// TaskID is the delivery task (送达) of a letter that awaits service.
	TaskID *uint64 `json:"task_id,omitempty"`
	LetterService
	CreatedAt time.Time `json:"created_at"`
}

// ServedDate is the date the letter was served, and whether it was.
func (l DemandLetter) ServedDate() (Date, bool) {
	switch {
	case l.DeliveredOn != nil:
		return DateOf(*l.DeliveredOn, time.UTC), true
	case l.AwaitsService:
		return Date{}, false
	}
	return DateOf(l.ServedOn, time.UTC), true
}

// FormatPeriod shows a billing period in Chinese: "2026年3月".
func FormatPeriod(m Month) string {
	if m == (Month{}) {
		return ""
	}
	return fmt.Sprintf("%d年%d月", m.Year, int(m.Month))
}

// History derives what Classify needs from a household's bills and payments
// as of asOf. A bill counts as late when something was still outstanding on
// the day after its due date (Statement as of that day, payments up to it);
// LateBillsInWindow counts those due within the last p.RepeatLateWindowMonths
// months; FirstTimeLate means no bill due before the oldest bill still unpaid
// was ever late.
func History(bills []Bill, payments []Payment, asOf Date, fees FeePolicy, p DunningPolicy) PaymentHistory {
	acc := Statement(bills, payments, asOf, fees)
	h := PaymentHistory{Owed: acc.Total, FirstTimeLate: true}
	var oldest *Date
	for _, l := range acc.Lines {
		if l.Outstanding > 0 && !l.Due.After(asOf) {
			d := l.Due
			oldest = &d
			break
		}
	}
	windowStart := DateOf(asOf.In(time.UTC).AddDate(0, -max(p.RepeatLateWindowMonths, 0), 0), nil)
	for _, b := range bills {
		dayAfter := b.Due.AddDays(1)
		if dayAfter.After(asOf) {
			continue // not due yet: cannot be late
		}
		late := false
		for _, l := range Statement(bills, payments, dayAfter, fees).Lines {
			if l.BillID == b.ID {
				late = l.PrincipalPaid < l.Principal && !l.Disputed
			}
		}
		if !late {
			continue
		}
		if !b.Due.Before(windowStart) {
			h.LateBillsInWindow++
		}
		if oldest != nil && b.Due.Before(*oldest) {
			h.FirstTimeLate = false
		}
	}
	return h
}

// MaxReasonLen bounds the free-text reasons of disputes, waivers and plans.
const MaxReasonLen = 500

// CheckReason validates a required free-text reason.
func CheckReason(field, s string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if n == 0 || utf8.RuneCountInString(s) > MaxReasonLen {
		return Invalid(field, "应为 1 至 %d 个字", MaxReasonLen)
	}
	return nil
}
