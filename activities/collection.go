package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// CollectionStore is what the collection activities need of the store.
type CollectionStore interface {
	HouseholdLedger(ctx context.Context, scope store.Scope, householdID uint64) (store.Ledger, error)
	HouseholdResident(ctx context.Context, householdID uint64) (uint64, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Policy(ctx context.Context, scope store.Scope, estateID uint64) (models.EstatePolicy, error)
	OpenCase(ctx context.Context, c *models.CollectionCase) (models.CollectionCase, error)
	PreviousCase(ctx context.Context, householdID, before uint64) (models.CollectionCase, error)
	LeastLoadedStaff(ctx context.Context, estateID uint64, role models.Role) (uint64, error)
	CreateTask(ctx context.Context, t *models.CollectionTask) (models.CollectionTask, error)
	CompleteTask(ctx context.Context, id uint64, r store.TaskResult) error
	EscalateTask(ctx context.Context, id uint64, level int) error
	CloseTasks(ctx context.Context, caseID uint64) error
	IssueDemandLetter(ctx context.Context, l *models.DemandLetter) (models.DemandLetter, error)
	LinkLetterTask(ctx context.Context, letterID, taskID uint64) error
	RecordLetterService(ctx context.Context, letterID uint64, sv models.LetterService, at time.Time) error
	Resident(ctx context.Context, scope store.Scope, id uint64) (models.Resident, error)
	Task(ctx context.Context, scope store.Scope, id uint64) (models.CollectionTask, error)
	SetPlanStatus(ctx context.Context, id uint64, from []models.PlanStatus, status models.PlanStatus, by *uint64, at time.Time) error
	RunBilling(ctx context.Context, scope store.Scope, estateID uint64, period models.Month, fees models.FeePolicy, by *uint64) (models.BillingRun, error)
	ReleaseSlot(ctx context.Context, estateID uint64, ch models.Channel, batch time.Time, key string) (int64, error)
}

// Collections holds the side effects of the collection workflow and the
// billing run: the household's account, the case, tasks, demand letters,
// plans and the month's bills.
type Collections struct {
	Store CollectionStore
	// Nudger tells collection processes of the bills a scheduled billing
	// run issued.
	Nudger CollectionNudger
}

// AccountInput asks for a household's account as of AsOf in the estate's
// time zone under the fee and dunning terms given.
type AccountInput struct {
	HouseholdID uint64
	AsOf        time.Time
	TimeZone    string
	Fees        models.FeePolicy
	Dunning     models.DunningPolicy
}

// OpenBill is one bill with something outstanding.
type OpenBill struct {
	BillID uint64
	Period models.Month
	// Due is the current due date; OriginalDue the one issued (the ladder
	// counts from it).
	Due         models.Date
	OriginalDue models.Date
	Outstanding models.Money
	Disputed    bool
}

// AccountResult is the household's account (models.Statement), its payment
// history for Classify, its open bills (oldest first) and what messages show.
type AccountResult struct {
	Account    models.Account
	History    models.PaymentHistory
	Open       []OpenBill
	ResidentID uint64
	EstateName string
	Phone      string // the estate's service phone
	Location   string // "1栋101"
}

// Account computes what the household owes as of in.AsOf: every screen and
// message shows this amount.
func (a *Collections) Account(ctx context.Context, in AccountInput) (AccountResult, error) {
	all := store.AllEstates()
	l, err := a.Store.HouseholdLedger(ctx, all, in.HouseholdID)
	if err != nil {
		return AccountResult{}, permanent(err)
	}
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return AccountResult{}, permanent(models.Invalid("time_zone", "%v", err))
	}
	asOf := models.DateOf(in.AsOf, loc)
	bills, pays := l.Arith()
	out := AccountResult{
		Account:  models.Statement(bills, pays, asOf, in.Fees),
		History:  models.History(bills, pays, asOf, in.Fees, in.Dunning),
		Location: l.Household.Building + l.Household.UnitNumber,
	}
	original := map[uint64]models.Date{}
	for _, b := range l.Bills {
		original[b.ID] = models.DateOf(b.OriginalDueOn, time.UTC)
	}
	for _, line := range out.Account.Lines {
		if line.Outstanding > 0 {
			out.Open = append(out.Open, OpenBill{BillID: line.BillID, Period: line.Period, Due: line.Due,
				OriginalDue: original[line.BillID], Outstanding: line.Outstanding, Disputed: line.Disputed})
		}
	}
	if out.ResidentID, err = a.Store.HouseholdResident(ctx, in.HouseholdID); err != nil {
		return AccountResult{}, err
	}
	e, err := a.Store.Estate(ctx, all, l.Household.EstateID)
	if err != nil {
		return AccountResult{}, permanent(err)
	}
	out.EstateName, out.Phone = e.Name, e.ServicePhone
	return out, nil
}

// OpenCaseInput opens the case of a collection process.
type OpenCaseInput struct {
	HouseholdID uint64
	WorkflowID  string
	// Key is the workflow ID and the ID of the run that opened the case.
	Key      string
	OpenedAt time.Time
}

// OpenCaseResult names the case.
type OpenCaseResult struct {
	CaseID   uint64
	EstateID uint64
}

// PreviousCaseInput asks for the household's newest closed case before
// case Before.
type PreviousCaseInput struct {
	HouseholdID uint64
	Before      uint64
}

// PreviousCaseResult is where that case stood when it closed; Found is
// false when the household has none.
type PreviousCaseResult struct {
	Found          bool
	CaseID         uint64
	Segment        models.Segment
	StepReached    int
	OpenedAt       time.Time
	ClosedAt       time.Time
	NoticeServedAt *time.Time
}

// PreviousCase reads where the household's previous case stood when it
// closed, for a case a reversal reopens.
func (a *Collections) PreviousCase(ctx context.Context, in PreviousCaseInput) (PreviousCaseResult, error) {
	c, err := a.Store.PreviousCase(ctx, in.HouseholdID, in.Before)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return PreviousCaseResult{}, nil
	case err != nil:
		return PreviousCaseResult{}, err
	case c.ClosedAt == nil:
		return PreviousCaseResult{}, nil
	}
	return PreviousCaseResult{Found: true, CaseID: c.ID, Segment: c.Segment, StepReached: c.StepReached,
		OpenedAt: c.OpenedAt, ClosedAt: *c.ClosedAt, NoticeServedAt: c.NoticeServedAt}, nil
}

// OpenCase creates the case row, once per key.
func (a *Collections) OpenCase(ctx context.Context, in OpenCaseInput) (OpenCaseResult, error) {
	c, err := a.Store.OpenCase(ctx, &models.CollectionCase{HouseholdID: in.HouseholdID, WorkflowID: in.WorkflowID,
		Key: in.Key, OpenedAt: in.OpenedAt, CaseProgress: models.CaseProgress{Stage: models.StageReminding, StepReached: -1}})
	if err != nil {
		return OpenCaseResult{}, permanent(err)
	}
	return OpenCaseResult{CaseID: c.ID, EstateID: c.EstateID}, nil
}

// TaskInput is a human step of the ladder to assign.
type TaskInput struct {
	Key         string
	CaseID      uint64
	EstateID    uint64
	HouseholdID uint64
	Action      models.DunningAction
	Role        models.Role
	DueAt       time.Time
}

// TaskCreated names the task and who carries it out.
type TaskCreated struct {
	TaskID     uint64
	AssigneeID uint64
}

// CreateTask assigns the step to the least-loaded active staff member with
// its role in the estate (lowest id among equals), once per key.
func (a *Collections) CreateTask(ctx context.Context, in TaskInput) (TaskCreated, error) {
	who, err := a.Store.LeastLoadedStaff(ctx, in.EstateID, in.Role)
	if err != nil {
		return TaskCreated{}, permanent(err)
	}
	t, err := a.Store.CreateTask(ctx, &models.CollectionTask{Key: in.Key, CaseID: in.CaseID, EstateID: in.EstateID,
		HouseholdID: in.HouseholdID, Action: in.Action, Role: in.Role, AssigneeID: who, DueAt: in.DueAt})
	if err != nil {
		return TaskCreated{}, permanent(err)
	}
	return TaskCreated{TaskID: t.ID, AssigneeID: t.AssigneeID}, nil
}

// TaskOutcomeInput is the recorded result of a task.
type TaskOutcomeInput struct {
	TaskID     uint64
	Outcome    models.TaskOutcome
	Note       string
	PromisedOn *time.Time
	By         uint64
	At         time.Time
}

// CompleteTask records a task's outcome (idempotent).
func (a *Collections) CompleteTask(ctx context.Context, in TaskOutcomeInput) error {
	err := a.Store.CompleteTask(ctx, in.TaskID, store.TaskResult{Outcome: in.Outcome, Note: in.Note,
		PromisedOn: in.PromisedOn, By: in.By, At: in.At})
	return permanent(err)
}

// EscalateTaskInput records that an overdue task reached Level.
type EscalateTaskInput struct {
	TaskID uint64
	Level  int
}

// EscalateTask records the task's escalation level.
func (a *Collections) EscalateTask(ctx context.Context, in EscalateTaskInput) error {
	return permanent(a.Store.EscalateTask(ctx, in.TaskID, in.Level))
}

// CloseTasks closes the open tasks of a case that ended.
func (a *Collections) CloseTasks(ctx context.Context, caseID uint64) error {
	return permanent(a.Store.CloseTasks(ctx, caseID))
}

// DemandInput is a formal written demand (催缴函) to issue.
type DemandInput struct {
	Key         string
	CaseID      uint64
	EstateID    uint64
	HouseholdID uint64
	// ServedAt is when the letter is issued (and, unless Delivery is
	// set, served).
	ServedAt time.Time
	TimeZone string
	Fees     models.FeePolicy
	// Period is the reasonable period the demand gives (Art. 944).
	Period time.Duration
	// Delivery, when set, is the delivery task to open: the letter then
	// awaits service, which staff record.
	Delivery *TaskInput
}

// DemandResult is the stored letter, and its delivery task when one was
// asked for and someone holds the task's role (TaskID 0: nobody does).
type DemandResult struct {
	LetterID uint64
	ServedOn models.Date
	PayBy    models.Date
	Amount   models.Money
	Task     TaskCreated
}

// IssueDemand writes the demand letter with the amount owed on its date and
// stores it with that date, once per key; with in.Delivery it opens the
// letter's delivery task too.
func (a *Collections) IssueDemand(ctx context.Context, in DemandInput) (DemandResult, error) {
	acc, err := a.Account(ctx, AccountInput{HouseholdID: in.HouseholdID, AsOf: in.ServedAt, TimeZone: in.TimeZone, Fees: in.Fees})
	if err != nil {
		return DemandResult{}, err
	}
	loc, _ := time.LoadLocation(in.TimeZone) // Account checked it
	served := models.DateOf(in.ServedAt, loc)
	facts := models.LetterFacts{Account: acc.Account, IssuedOn: served, Period: in.Period}
	if facts.Estate, err = a.Store.Estate(ctx, store.AllEstates(), in.EstateID); err != nil {
		return DemandResult{}, permanent(err)
	}
	if facts.Address, err = a.householdAddress(ctx, in.HouseholdID); err != nil {
		return DemandResult{}, err
	}
	if acc.ResidentID != 0 {
		r, err := a.Store.Resident(ctx, store.AllEstates(), acc.ResidentID)
		if err != nil {
			return DemandResult{}, permanent(err)
		}
		facts.Addressee = r.Name
	}
	content := models.NewDemandLetterContent(facts)
	l, err := a.Store.IssueDemandLetter(ctx, &models.DemandLetter{Key: in.Key, CaseID: in.CaseID, EstateID: in.EstateID,
		HouseholdID: in.HouseholdID, ServedAt: in.ServedAt, ServedOn: models.DateTime(served), PayBy: models.DateTime(content.PayBy),
		AmountFen: acc.Account.Total, Text: content.Text(), Content: &content, AwaitsService: in.Delivery != nil})
	if err != nil {
		return DemandResult{}, permanent(err)
	}
	out := DemandResult{LetterID: l.ID, ServedOn: models.DateOf(l.ServedOn, time.UTC), PayBy: models.DateOf(l.PayBy, time.UTC), Amount: l.AmountFen}
	if in.Delivery == nil {
		return out, nil
	}
	if l.TaskID != nil {
		t, err := a.Store.Task(ctx, store.AllEstates(), *l.TaskID)
		if err != nil {
			return DemandResult{}, permanent(err)
		}
		out.Task = TaskCreated{TaskID: t.ID, AssigneeID: t.AssigneeID}
		return out, nil
	}
	if out.Task, err = a.CreateTask(ctx, *in.Delivery); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return out, nil // nobody holds the role: the letter waits without a task
		}
		return DemandResult{}, err
	}
	return out, permanent(a.Store.LinkLetterTask(ctx, l.ID, out.Task.TaskID))
}

// householdAddress is the household's address in its estate ("1栋 101").
func (a *Collections) householdAddress(ctx context.Context, householdID uint64) (string, error) {
	l, err := a.Store.HouseholdLedger(ctx, store.AllEstates(), householdID)
	if err != nil {
		return "", permanent(err)
	}
	return l.Household.Address(), nil
}

// ServiceInput is the recorded service of a demand letter.
type ServiceInput struct {
	LetterID   uint64
	Method     models.DeliveryMethod
	TrackingNo string
	Proof      string
	ServedOn   models.Date
	By         uint64
	At         time.Time
}

// RecordService records a letter's service and closes its delivery task.
func (a *Collections) RecordService(ctx context.Context, in ServiceInput) error {
	on := models.DateTime(in.ServedOn)
	by := in.By
	return permanent(a.Store.RecordLetterService(ctx, in.LetterID, models.LetterService{DeliveryMethod: in.Method,
		TrackingNo: in.TrackingNo, DeliveryProof: in.Proof, DeliveredOn: &on, DeliveredBy: &by}, in.At))
}

// PlanStatusInput moves a plan to a new status.
type PlanStatusInput struct {
	PlanID uint64
	From   []models.PlanStatus
	To     models.PlanStatus
	By     uint64
	At     time.Time
}

// SetPlanStatus records a plan's approval, completion or break.
func (a *Collections) SetPlanStatus(ctx context.Context, in PlanStatusInput) error {
	var by *uint64
	if in.By != 0 {
		by = &in.By
	}
	return permanent(a.Store.SetPlanStatus(ctx, in.PlanID, in.From, in.To, by, in.At))
}

// BillingRunInput asks for the scheduled billing run of an estate: the
// bills of Period (the workflow computes it in the estate's time zone).
type BillingRunInput struct {
	EstateID uint64
	Period   models.Month
}

// BillingRunResult is the run (with the bills it created and their
// households), the estate's policy and time zone.
type BillingRunResult struct {
	Run      models.BillingRun
	Policy   models.Policy
	TimeZone string
}

// RunBilling issues an estate's itemised bills of a month (store.RunBilling: its
// fee standards, meter readings and fee items, as the preview shows; safe
// twice: a household billed already is counted, not billed again).
func (a *Collections) RunBilling(ctx context.Context, in BillingRunInput) (BillingRunResult, error) {
	all := store.AllEstates()
	e, err := a.Store.Estate(ctx, all, in.EstateID)
	if err != nil {
		return BillingRunResult{}, permanent(err)
	}
	pol, err := a.Store.Policy(ctx, all, in.EstateID)
	if err != nil {
		return BillingRunResult{}, permanent(err)
	}
	run, err := a.Store.RunBilling(ctx, all, in.EstateID, in.Period, pol.Policy.Fees, nil)
	if err != nil {
		return BillingRunResult{}, permanent(err)
	}
	return BillingRunResult{Run: run, Policy: pol.Policy, TimeZone: e.TimeZone}, nil
}

// BillNudge tells a household's collection process that a bill was issued;
// Policy and TimeZone start the process where none runs.
type BillNudge struct {
	HouseholdID uint64
	EstateID    uint64
	BillID      uint64
	Policy      models.Policy
	TimeZone    string
	At          time.Time
}

// CollectionNudger starts or tells a household's collection process
// (workflows.Nudger does it with SignalWithStart, as the API does).
type CollectionNudger interface {
	NudgeBill(ctx context.Context, n BillNudge) error
}

// IssuedBill is a bill a run created.
type IssuedBill struct {
	HouseholdID uint64
	BillID      uint64
}

// NudgeBillsInput lists the bills a run created in one estate, with the
// estate's policy and time zone (once, not per bill: an estate may have
// thousands of households).
type NudgeBillsInput struct {
	EstateID uint64
	Policy   models.Policy
	TimeZone string
	At       time.Time
	Bills    []IssuedBill
}

// NudgeBills tells each household's collection of its new bill, starting
// the process where none runs. A retry goes on from the last bill its
// heartbeat recorded (telling a process twice is harmless: it rereads the
// account).
func (a *Collections) NudgeBills(ctx context.Context, in NudgeBillsInput) error {
	if a.Nudger == nil {
		return temporal.NewNonRetryableApplicationError("nudge bills: no collection nudger configured", "Permanent", nil)
	}
	from := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &from)
	}
	for i := from; i < len(in.Bills); i++ {
		b := in.Bills[i]
		err := a.Nudger.NudgeBill(ctx, BillNudge{HouseholdID: b.HouseholdID, EstateID: in.EstateID, BillID: b.BillID,
			Policy: in.Policy, TimeZone: in.TimeZone, At: in.At})
		if err != nil {
			return fmt.Errorf("nudge bill %d: %w", b.BillID, err)
		}
		activity.RecordHeartbeat(ctx, i+1)
	}
	return nil
}

// ReleaseInput asks for a bulk message's number in its release batch: the
// messages of the estate's channel due at Batch (to the minute), the
// message known by its idempotency key Key.
type ReleaseInput struct {
	Key      string
	EstateID uint64
	Channel  models.Channel
	Batch    time.Time
}

// ReleaseSlot draws the message's number in its batch (store.ReleaseSlot):
// the same number on every attempt for the same key, so the workflow,
// which turns it into a release time (models.ReleaseAt), sleeps until the
// same slot however often the activity ran.
func (a *Collections) ReleaseSlot(ctx context.Context, in ReleaseInput) (int64, error) {
	n, err := a.Store.ReleaseSlot(ctx, in.EstateID, in.Channel, in.Batch, in.Key)
	return n, permanent(err)
}
