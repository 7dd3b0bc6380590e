package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// Staff of the collection test estate (besides those of the ticket harness).
const (
	csAgent = uint64(11) // customer service
	csOther = uint64(12)
	lawyer  = uint64(51) // legal
	clerk   = uint64(61) // finance
	caseID  = uint64(7)
	hhID    = uint64(4)
)

// cday is a local time in Shanghai in 2026.
func cday(month, day, hour, minute int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, shanghai)
}

// collHarness runs one collection workflow with every activity mocked; the
// household's bills and payments live here and the Account mock computes
// the statement from them with the real money rules.
type collHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	in      CollectionInput
	start   time.Time
	mu      sync.Mutex
	bills   []models.Bill
	orig    map[uint64]models.Date
	pays    []models.Payment
	sends   []sent
	records []activities.RecordCaseInput
	tasks   []activities.TaskInput
	plans   []activities.PlanStatusInput
	letters []activities.DemandInput
	// services are the letters' services recorded.
	services []activities.ServiceInput
	errs     map[string]error
	nextID   uint64
	// complaints counts the complaint tickets opened (77, 78...).
	complaints uint64
	// onClose, when set, runs inside the CloseTasks activity of a closing
	// case: what happens there arrives as the case closes.
	onClose func()
	// onRecord, when set, runs inside the RecordCase activity before the
	// record is kept: a slow write lets what falls due meanwhile happen
	// while it is in flight.
	onRecord func(activities.RecordCaseInput)
	// sendAs, when set, makes the Send result of each message (the
	// channel and delivery of per-channel plans); fallbackAs answers the
	// notifier's Fallback, whose inputs are kept in fallbacks.
	sendAs     func(activities.SendInput, activities.SendResult) activities.SendResult
	fallbackAs func(activities.FallbackInput) (activities.SendResult, error)
	fallbacks  []activities.FallbackInput
	// slots are the release numbers drawn, by message key; drawn counts
	// each batch's draws (store.ReleaseSlot's counter).
	slots map[string]int64
	drawn map[string]int64
	// drawnAt is when each message key's slot was drawn.
	drawnAt map[string]time.Time
}

func collInput() CollectionInput {
	return CollectionInput{HouseholdID: hhID, EstateID: 1, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
}

// newColl starts at start with the bills given (issued before the case).
func newColl(t *testing.T, in CollectionInput, start time.Time, bills ...models.Bill) *collHarness {
	t.Helper()
	h := &collHarness{t: t, env: newTestEnv(), in: in, start: start, errs: map[string]error{},
		orig: map[uint64]models.Date{}, nextID: 100}
	for _, b := range bills {
		h.addBill(b)
	}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(60 * time.Second)
	h.env.RegisterWorkflow(Ticket)
	var n *activities.Notifier
	var cs *activities.Cases
	var st *activities.Staff
	var tk *activities.Tickets
	var c *activities.Collections
	send := harnessSend(&h.mu, &h.sends, h.env, &h.sendAs)
	record := func(in activities.RecordCaseInput) {
		if h.onRecord != nil {
			h.onRecord(in)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.records = append(h.records, in)
	}
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) { return send(in), nil })
	h.env.OnActivity(n.Fallback, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FallbackInput) (activities.SendResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.fallbacks = append(h.fallbacks, in)
			if h.fallbackAs == nil {
				return activities.SendResult{}, temporal.NewNonRetryableApplicationError("no channel left", activities.ErrTypeNotifyRejected, nil)
			}
			return h.fallbackAs(in)
		})
	staff := map[models.Role][]uint64{models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager},
		models.RoleCompanyAdmin: {admin}, models.RoleLegal: {lawyer}, models.RoleFinance: {clerk},
		models.RoleCustomerService: {csAgent, csOther}}
	// A task's escalation (Escalate) records and sends through the same
	// lists as the activities it replaced.
	mockEscalations(h.env, &escalationFake{staff: staff, collection: record, send: send})
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		})
	h.env.OnActivity(c.Account, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AccountInput) (activities.AccountResult, error) {
			loc, err := time.LoadLocation(in.TimeZone)
			if err != nil {
				return activities.AccountResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "TimeZone", err)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			asOf := models.DateOf(in.AsOf, loc)
			res := activities.AccountResult{
				Account:    models.Statement(h.bills, h.pays, asOf, in.Fees),
				History:    models.History(h.bills, h.pays, asOf, in.Fees, in.Dunning),
				ResidentID: resident, EstateName: "阳光花园", Phone: "400-800", Location: "1栋101",
			}
			for _, l := range res.Account.Lines {
				if l.Outstanding > 0 {
					res.Open = append(res.Open, activities.OpenBill{BillID: l.BillID, Period: l.Period, Due: l.Due,
						OriginalDue: h.orig[l.BillID], Outstanding: l.Outstanding, Disputed: l.Disputed})
				}
			}
			return res, nil
		})
	h.env.OnActivity(c.OpenCase, mock.Anything, mock.Anything).Return(activities.OpenCaseResult{CaseID: caseID, EstateID: 1}, nil)
	h.env.OnActivity(cs.RecordCase, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordCaseInput) (activities.RecordResult, error) {
			record(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(c.CreateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TaskInput) (activities.TaskCreated, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if len(staff[in.Role]) == 0 {
				// As the store: no active staff with the role is permanent.
				return activities.TaskCreated{}, temporal.NewNonRetryableApplicationError("no staff with role "+string(in.Role), errNoStaff, nil)
			}
			h.tasks = append(h.tasks, in)
			return activities.TaskCreated{TaskID: uint64(len(h.tasks)), AssigneeID: staff[in.Role][0]}, nil
		})
	h.env.OnActivity(c.CompleteTask, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(c.EscalateTask, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(c.CloseTasks, mock.Anything, mock.Anything).Return(func(context.Context, uint64) error {
		if h.onClose != nil {
			h.onClose()
		}
		return nil
	})
	h.env.OnActivity(c.IssueDemand, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DemandInput) (activities.DemandResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.letters = append(h.letters, in)
			served := models.DateOf(in.ServedAt, shanghai)
			res := activities.DemandResult{LetterID: uint64(len(h.letters)), ServedOn: served,
				PayBy: models.DateOf(in.ServedAt.Add(in.Period), shanghai)}
			if d := in.Delivery; d != nil && len(staff[d.Role]) > 0 {
				h.tasks = append(h.tasks, *d)
				res.Task = activities.TaskCreated{TaskID: uint64(len(h.tasks)), AssigneeID: staff[d.Role][0]}
			}
			return res, nil
		})
	h.env.OnActivity(c.RecordService, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ServiceInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.services = append(h.services, in)
			return nil
		})
	h.slots, h.drawn, h.drawnAt = map[string]int64{}, map[string]int64{}, map[string]time.Time{}
	h.env.OnActivity(c.ReleaseSlot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReleaseInput) (int64, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if n, ok := h.slots[in.Key]; ok {
				return n, nil
			}
			batch := fmt.Sprintf("%d/%s/%s", in.EstateID, in.Channel, in.Batch.UTC().Format(time.RFC3339))
			n := h.drawn[batch]
			h.drawn[batch]++
			h.slots[in.Key] = n
			h.drawnAt[in.Key] = h.env.Now()
			return n, nil
		})
	h.env.OnActivity(c.SetPlanStatus, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanStatusInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.plans = append(h.plans, in)
			return nil
		})
	h.env.OnActivity(tk.OpenComplaint, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ComplaintInput) (activities.OpenedTicket, error) {
			hh := in.HouseholdID
			h.mu.Lock()
			h.complaints++
			id := 76 + h.complaints // one ticket per complaint
			h.mu.Unlock()
			tk := models.Ticket{ID: id, EstateID: in.EstateID, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal,
				Category: "物业费争议", HouseholdID: &hh, ReportedAt: in.ReportedAt, FirstReceiverID: in.FirstReceiverID}
			return activities.OpenedTicket{Ticket: tk, Created: true, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	return h
}

// errNoStaff is the error type of a task no staff member can take.
const errNoStaff = "NoStaff"

// bill is a bill of period (year 2026) for amount, due per the default policy.
func bill(id uint64, month int, amount models.Money) models.Bill {
	p := models.Month{Year: 2026, Month: time.Month(month)}
	return models.Bill{ID: id, Period: p, Due: models.BillDueDate(p, models.DefaultPolicy().Fees), Principal: amount}
}

func (h *collHarness) addBill(b models.Bill) {
	h.bills = append(h.bills, b)
	h.orig[b.ID] = b.Due
}

// at runs f at when, in the workflow's time.
func (h *collHarness) at(when time.Time, f func()) {
	h.env.RegisterDelayedCallback(f, when.Sub(h.start))
}

func (h *collHarness) nudge(kind string, ref uint64) {
	h.env.SignalWorkflow(CollectionSignal, CollectionNudge{Kind: kind, Ref: ref, At: h.env.Now()})
}

// issue adds a bill at when and tells the case.
func (h *collHarness) issue(when time.Time, b models.Bill) {
	h.at(when, func() {
		h.mu.Lock()
		h.addBill(b)
		h.mu.Unlock()
		h.nudge(NudgeBill, b.ID)
	})
}

// pay pays amount at when (0: everything owed that day) and tells the case.
func (h *collHarness) pay(when time.Time, amount models.Money) {
	h.at(when, func() {
		h.mu.Lock()
		day := models.DateOf(when, shanghai)
		if amount == 0 {
			amount = models.Statement(h.bills, h.pays, day, h.in.Policy.Fees).Total
		}
		h.nextID++
		h.pays = append(h.pays, models.Payment{ID: h.nextID, Paid: day, Amount: amount})
		h.mu.Unlock()
		h.nudge(NudgePayment, h.nextID)
	})
}

// dispute marks bill id disputed (open) or resolves it with the due date
// moved by the days it was open.
func (h *collHarness) dispute(when time.Time, id uint64, open bool, shift int) {
	h.at(when, func() {
		h.mu.Lock()
		for i := range h.bills {
			if h.bills[i].ID == id {
				h.bills[i].Disputed = open
				h.bills[i].Due = h.bills[i].Due.AddDays(shift)
			}
		}
		h.mu.Unlock()
		kind := NudgeDispute
		if !open {
			kind = NudgeResolved
		}
		h.nudge(kind, id)
	})
}

// act sends a case action at when; its error is kept under label.
func (h *collHarness) act(when time.Time, label string, a CaseAction) {
	h.at(when, func() {
		h.env.UpdateWorkflow(CollectionActionUpdate, label, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	})
}

func (h *collHarness) query(when time.Time, out *CaseView) {
	h.at(when, func() {
		v, err := h.env.QueryWorkflow(CollectionStateQuery)
		if err == nil {
			err = v.Get(out)
		}
		if err != nil {
			h.t.Errorf("query at %s: %v", when.Format("01-02 15:04"), err)
		}
	})
}

// run executes the workflow to its end.
func (h *collHarness) run() CollectionResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(Collection, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatalf("workflow did not complete")
	}
	h.mu.Lock()
	byRevision(h.records, func(r activities.RecordCaseInput) uint64 { return r.CaseID }, func(r activities.RecordCaseInput) int64 { return r.Progress.Revision })
	h.mu.Unlock()
	var res CollectionResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return res
}

// lines lists "01-02 15:04 type channel/outcome [detail]" of the recorded
// events of the types given (all when none).
func (h *collHarness) lines(types ...string) []string {
	out := []string{}
	for _, r := range h.records {
		e := r.Event
		if len(types) > 0 && !slices.Contains(types, e.Type) {
			continue
		}
		line := e.At.In(shanghai).Format("01-02 15:04") + " " + e.Type
		if e.Channel != "" || e.Outcome != "" {
			line += fmt.Sprintf(" %s/%s", e.Channel, e.Outcome)
		}
		switch e.Type {
		case "step":
			line += " " + e.Detail["action"]
		case "contact":
			line += " " + e.Detail["template"]
		case "paused", "resumed":
			line += " " + e.Detail["reason"]
		}
		out = append(out, line)
	}
	return out
}

// sendsTo lists "01-02 15:04 template kind-id" of the messages sent.
func (h *collHarness) sendsTo(templates ...string) []string {
	out := []string{}
	for _, s := range h.sends {
		if len(templates) > 0 && !slices.Contains(templates, s.In.Template) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s-%d", s.At.Format("01-02 15:04"), s.In.Template, s.In.RecipientKind, s.In.RecipientID))
	}
	return out
}

func (h *collHarness) wantOK(labels ...string) {
	h.t.Helper()
	for _, l := range labels {
		if err, ok := h.errs[l]; !ok || err != nil {
			h.t.Errorf("%s: got %v (answered %v), want accepted", l, err, ok)
		}
	}
}

func (h *collHarness) wantRefused(label, errType, detail string) {
	h.t.Helper()
	(&harness{t: h.t, errs: h.errs}).wantRefused(label, errType, detail)
}

func outcome(task uint64, o models.TaskOutcome, by uint64, role models.Role) CaseAction {
	return CaseAction{Action: ActTaskOutcome, ActorID: by, ActorRole: role, TaskID: task, Outcome: o}
}

// served records letter's service in person on date, by the finance clerk.
func served(letter uint64, on models.Date) CaseAction {
	return CaseAction{Action: ActRecordService, ActorID: clerk, ActorRole: models.RoleFinance, LetterID: letter,
		Method: models.DeliveryInPerson, ServedOn: on}
}

func legal(approve bool) CaseAction {
	return CaseAction{Action: ActLegalDecision, ActorID: manager, ActorRole: models.RoleEstateManager, Approve: approve, Reason: "证据齐全"}
}

// history returns n bills of earlier months, each paid 20 days late.
func lateHistory(n int) ([]models.Bill, []models.Payment) {
	var bills []models.Bill
	var pays []models.Payment
	for i := range n {
		b := bill(uint64(50+i), 8+i-12, 30000) // months before 2026-02 wrap into 2025
		b.Period = models.Month{Year: 2025, Month: time.Month(8 + i)}
		b.Due = models.BillDueDate(b.Period, models.DefaultPolicy().Fees)
		bills = append(bills, b)
		pays = append(pays, models.Payment{ID: uint64(80 + i), Paid: b.Due.AddDays(20), Amount: 30000 + 30000*3*20/1000})
	}
	return bills, pays
}

func joinLines(lines []string) string { return strings.Join(lines, "\n  ") }

var mockAny = mock.Anything

func itoa(n int) string { return fmt.Sprint(n) }

// decodeContinueAsNew reads the input of the run a continue-as-new starts.
func decodeContinueAsNew(t *testing.T, err error, out *CollectionInput) bool {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) || can.Input == nil {
		return false
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, out); err != nil {
		t.Fatalf("decode continue-as-new input: %v", err)
	}
	return true
}
