package workflows

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// collectionHorizon is how long a fuzzed case runs after the last event
// before it is stopped: past the ladder of a bill due ten years ahead (the
// date window), its three-year ladder and the formal notice's period.
const collectionHorizon = 15 * 365 * 24 * time.Hour

// Largest amounts the API takes: a bill or a corrected bill, and a payment.
const (
	maxBillFen    = models.Money(100_000_000)
	maxPaymentFen = models.MaxAmountFen
)

// FuzzCollectionWorkflow runs one household's collection from any moment of
// the service's years under any valid policy: up to 24 bills of any period
// in the date window and any amount, payments back to the window's start,
// and then bills, payments, disputes, waivers and staff actions on the case
// at any moments.
func FuzzCollectionWorkflow(f *testing.F) {
	now := cday(3, 1, 10, 30).Unix()
	// Every bound at its maximum: 24 bills of the largest amount, at the
	// window's end and yearly from its start; a plan of 24 instalments of
	// the largest amount, the last three years ahead; a dispute, a waiver,
	// the largest payment dated back to the window's start.
	f.Add(now, everyMax)
	// Every bound at its minimum: one bill of 1 fen at the window's start.
	f.Add(now, []byte(nil))
	for i := range uint64(6) {
		f.Add(now, fuzzSeed(10+i, 4096))
	}
	// The service's first and last seconds.
	f.Add(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), fuzzSeed(20, 4096))
	f.Add(time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), everyMax)
	f.Fuzz(runCollection)
}

// runCollection is one run of FuzzCollectionWorkflow: the service's clock
// at start (unix seconds); the policy, the household's bills and payments
// and up to 24 later events read from data.
func runCollection(t *testing.T, start int64, data []byte) {
	s := &script{b: data}
	now := serviceNow(start)
	in := CollectionInput{HouseholdID: s.id(), EstateID: s.id(), Policy: fuzzPolicy(t, s, now), TimeZone: pick(s, fuzzZones)}
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	c := &collFuzz{t: t, s: s, loc: loc, used: map[models.Month]bool{}, disputed: map[uint64]openDispute{}, answers: map[string]error{}}
	c.h = newColl(t, in, now)
	c.w = watch(t, c.h.env, func(err error) bool {
		var ae *temporal.ApplicationError
		return errors.As(err, &ae) && ae.Type() == errNoStaff
	})
	var first uint64 // the bill whose nudge starts the process (SignalWithStart)
	months := c.months(now)
	m := s.intIn(0, months)
	for range s.intIn(1, 24) {
		first = max(first, c.issue(now, m))
		m = (m + s.intIn(1, 12)) % (months + 1)
	}
	c.history(now)
	if first != 0 {
		c.h.env.RegisterDelayedCallback(func() {
			c.h.env.SignalWorkflow(CollectionSignal, CollectionNudge{Kind: NudgeBill, Ref: first, ActorID: clerk, At: now})
		}, 0)
	}
	closeAfter := s.dur(0, models.Duration(400*models.Day)).Std()
	c.h.env.OnWorkflow(Ticket, mockAny, mockAny).Return(func(ctx workflow.Context, in TicketInput) (TicketResult, error) {
		if err := workflow.Sleep(ctx, closeAfter); err != nil {
			return TicketResult{}, err
		}
		return TicketResult{TicketID: in.TicketID, Status: models.StatusClosed, ClosedAt: workflow.Now(ctx)}, nil
	})
	c.w.actions(s, s.intIn(0, 24), c.step, collectionHorizon, func() { c.w.query(&CaseView{}, CollectionStateQuery) })
	c.h.env.ExecuteWorkflow(Collection, c.h.in)

	err = c.w.settled(IsContinueAsNew)
	wantAnswers(t, c.answers)
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	wantStorable(t, "RecordCaseInput", c.h.records)
	if err == nil {
		var res CollectionResult
		if err := c.h.env.GetWorkflowResult(&res); err != nil || res.Stage != models.StageClosed {
			t.Errorf("result: got %+v (%v), want a closed case", res, err)
		}
	}
}

// collFuzz drives one fuzzed collection through its harness.
type collFuzz struct {
	t        *testing.T
	s        *script
	h        *collHarness
	w        *fuzzWatch
	loc      *time.Location
	used     map[models.Month]bool  // periods billed
	disputed map[uint64]openDispute // open disputes by bill
	refs     uint64                 // disputes and waivers recorded
	answers  map[string]error       // staff actions' answers by label
	bills    uint64                 // bills issued
}

// openDispute is a dispute not yet resolved.
type openDispute struct {
	id    uint64
	since time.Time
}

// step sends event i to the case: a bill, a payment, a dispute or its
// resolution, a waiver (each told by a nudge), or a staff action. The kinds
// turn with i, so that a script of one repeated byte sends each in turn.
func (c *collFuzz) step(i int) {
	var v CaseView
	c.w.query(&v, CollectionStateQuery)
	now := c.h.env.Now()
	kind, ref := "", uint64(0)
	switch (c.s.intn(8) + i) % 8 {
	case 0:
		kind, ref = NudgePayment, c.payment(now)
	case 1:
		c.outcome(i, v, now)
	case 2:
		c.plan(i, now)
	case 3:
		c.legal(i)
	case 4:
		kind, ref = NudgeBill, c.issue(now, c.s.intIn(0, c.months(now)))
	case 5:
		kind, ref = NudgeDispute, c.dispute(now)
	case 6:
		kind, ref = NudgeResolved, c.resolve(now)
	case 7:
		kind, ref = NudgeWaiver, c.waive(now)
	}
	if ref != 0 {
		c.h.env.SignalWorkflow(CollectionSignal, CollectionNudge{Kind: kind, Ref: ref, ActorID: clerk, At: now})
	}
}

// months is the number of months from the date window's first to its last.
func (c *collFuzz) months(now time.Time) int {
	from, to := models.DateWindow(now.UTC())
	return (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
}

// issue bills the k-th month of the date window, when not billed yet, for
// up to the largest amount the API takes; it returns the bill's ID, 0 when
// the month was billed already.
func (c *collFuzz) issue(now time.Time, k int) uint64 {
	from, _ := models.DateWindow(now.UTC())
	m := models.MonthOf(time.Date(from.Year(), from.Month()+time.Month(k), 1, 0, 0, 0, 0, time.UTC))
	amount := models.Money(c.s.between(1, int64(maxBillFen)))
	if c.used[m] {
		return 0
	}
	if err := models.CheckMonth("period", m, now.UTC()); err != nil {
		c.t.Fatalf("bill period: got %v, want one the API accepts", err)
	}
	c.used[m] = true
	c.bills++
	b := models.Bill{ID: c.bills, Period: m, Due: models.BillDueDate(m, c.h.in.Policy.Fees), Principal: amount}
	c.h.mu.Lock()
	c.h.addBill(b)
	c.h.mu.Unlock()
	return b.ID
}

// history pays bills already due, each on time or up to 120 days late, so
// that the household may be a good, a standard or a repeat late payer;
// what a late payment leaves is the late fee.
func (c *collFuzz) history(now time.Time) {
	today := models.DateOf(now, c.loc)
	for _, b := range c.h.bills {
		if !b.Due.Before(today) || !c.s.flag() {
			continue
		}
		paid := b.Due.AddDays(c.s.intIn(0, 120))
		if paid.After(today) {
			paid = today
		}
		c.h.nextID++
		c.h.pays = append(c.h.pays, models.Payment{ID: c.h.nextID, Paid: paid, Amount: b.Principal})
	}
}

// payment records a payment made today or back to the window's start: of
// everything owed, or any amount up to the largest the API takes; it
// returns the payment's ID.
func (c *collFuzz) payment(now time.Time) uint64 {
	from, _ := models.DateWindow(now.UTC())
	paid := now.Add(-c.s.dur(0, models.Duration(now.Sub(from))).Std())
	if err := models.CheckTime("paid_at", paid, now.UTC()); err != nil {
		c.t.Fatalf("payment date: got %v, want one the API accepts", err)
	}
	all := c.s.flag()
	amount := models.Money(c.s.between(1, int64(maxPaymentFen)))
	c.h.mu.Lock()
	if all {
		owed := models.Statement(c.h.bills, c.h.pays, models.DateOf(now, c.loc), c.h.in.Policy.Fees).Total
		amount = min(max(owed, 1), maxPaymentFen)
	}
	c.h.nextID++
	id := c.h.nextID
	c.h.pays = append(c.h.pays, models.Payment{ID: id, Paid: models.DateOf(paid, c.loc), Amount: amount})
	c.h.mu.Unlock()
	return id
}

// dispute opens a dispute of a bill that may still be disputed today and
// returns its ID, 0 for none.
func (c *collFuzz) dispute(now time.Time) uint64 {
	today := models.DateOf(now, c.loc)
	c.h.mu.Lock()
	var open []uint64
	for _, b := range c.h.bills {
		if _, ok := c.disputed[b.ID]; !ok && models.DisputeAllowed(b.Due, today, c.h.in.Policy.Fees) {
			open = append(open, b.ID)
		}
	}
	if len(open) == 0 {
		c.h.mu.Unlock()
		return 0
	}
	id := open[c.s.intn(len(open))]
	c.setBill(id, func(b *models.Bill) { b.Disputed = true })
	c.h.mu.Unlock()
	c.refs++
	c.disputed[id] = openDispute{id: c.refs, since: now}
	return c.refs
}

// resolve resolves an open dispute: the bill upheld or corrected, its due
// date moved by the days it was disputed; it returns the dispute's ID, 0
// for none.
func (c *collFuzz) resolve(now time.Time) uint64 {
	ids := make([]uint64, 0, len(c.disputed))
	for id := range c.disputed {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return 0
	}
	slices.Sort(ids)
	id := ids[c.s.intn(len(ids))]
	d := c.disputed[id]
	shift := models.DisputeShiftDays(d.since, now)
	corrected, amount := c.s.flag(), models.Money(c.s.between(0, int64(maxBillFen)))
	delete(c.disputed, id)
	c.h.mu.Lock()
	c.setBill(id, func(b *models.Bill) {
		b.Disputed, b.Due = false, b.Due.AddDays(shift)
		if corrected {
			b.Principal = amount
		}
	})
	c.h.mu.Unlock()
	return d.id
}

// waive forgives up to the late fee still owed on a bill, as CheckWaiver
// allows, and returns the waiver's ID, 0 for none.
func (c *collFuzz) waive(now time.Time) uint64 {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	acc := models.Statement(c.h.bills, c.h.pays, models.DateOf(now, c.loc), c.h.in.Policy.Fees)
	var lines []models.AccountLine
	for _, l := range acc.Lines {
		if l.LateFee-l.LateFeeWaived-l.LateFeePaid > 0 {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return 0
	}
	l := lines[c.s.intn(len(lines))]
	amount := models.Money(c.s.between(1, int64(min(l.LateFee-l.LateFeeWaived-l.LateFeePaid, maxBillFen))))
	if err := models.CheckWaiver(amount, l.BillID, acc); err != nil {
		c.t.Fatalf("waiver: got %v, want one the API accepts", err)
	}
	c.setBill(l.BillID, func(b *models.Bill) { b.Waived += amount })
	c.refs++
	return c.refs
}

// setBill changes bill id; the harness's lock is held.
func (c *collFuzz) setBill(id uint64, change func(*models.Bill)) {
	for i := range c.h.bills {
		if c.h.bills[i].ID == id {
			change(&c.h.bills[i])
		}
	}
}

// outcome records the outcome of an open task (or of one no longer open)
// by anyone, with a promise from today to the furthest day allowed.
func (c *collFuzz) outcome(i int, v CaseView, now time.Time) {
	task, assignee := uint64(math.MaxInt64), uint64(math.MaxInt64)
	if len(v.OpenTasks) > 0 && c.s.intn(4) > 0 {
		t := v.OpenTasks[c.s.intn(len(v.OpenTasks))]
		task, assignee = t.TaskID, t.AssigneeID
	}
	m := c.actor(member{assignee, models.RoleCustomerService}, member{receiver, models.RoleCustomerService})
	a := CaseAction{Action: ActTaskOutcome, ActorID: m.id, ActorRole: m.role, TaskID: task,
		Outcome: pick(c.s, models.TaskOutcomes()), Note: c.s.text(1000)}
	if c.s.flag() {
		a.PromisedOn = models.DateOf(now, c.loc).AddDays(c.s.intIn(0, MaxPromiseDays))
	}
	c.act(i, a)
}

// plan approves a plan of 1 to 24 instalments of up to the largest amount,
// due from today to three years ahead.
func (c *collFuzz) plan(i int, now time.Time) {
	today := models.DateOf(now, c.loc)
	last := models.DateOf(today.In(time.UTC).AddDate(models.MaxPlanYears, 0, 0), nil)
	n := c.s.intIn(1, models.MaxInstalments)
	var list []models.Instalment
	due := today.AddDays(-1)
	for k := range n {
		due = today.AddDays(c.s.intIn(due.DaysSince(today)+1, last.DaysSince(today)-(n-1-k)))
		list = append(list, models.Instalment{Due: due, AmountFen: models.Money(c.s.between(1, int64(models.MaxAmountFen)))})
	}
	if err := models.ValidateInstalments(list, today); err != nil {
		c.t.Fatalf("instalments: got %v, want a plan the API accepts", err)
	}
	m := c.actor(member{manager, models.RoleEstateManager}, member{admin, models.RoleCompanyAdmin})
	c.act(i, CaseAction{Action: ActPlanApprove, ActorID: m.id, ActorRole: m.role, PlanID: c.s.id(), Plan: list})
}

// legal decides on legal referral, either way, by anyone.
func (c *collFuzz) legal(i int) {
	m := c.actor(member{manager, models.RoleEstateManager}, member{admin, models.RoleCompanyAdmin})
	reason := c.s.text(models.MaxReasonLen)
	if reason == "" {
		reason = "证据齐全"
	}
	c.act(i, CaseAction{Action: ActLegalDecision, ActorID: m.id, ActorRole: m.role, Approve: c.s.flag(), Reason: reason})
}

// actor picks who acts: one of those who may, first, or anyone.
func (c *collFuzz) actor(may ...member) member {
	return pick(c.s, slices.Concat(may, fuzzStaff))
}

func (c *collFuzz) act(i int, a CaseAction) {
	c.h.env.UpdateWorkflow(CollectionActionUpdate, "", answer(c.answers, fmt.Sprintf("action %d (%s by %s %d)", i, a.Action, a.ActorRole, a.ActorID)), a)
}
