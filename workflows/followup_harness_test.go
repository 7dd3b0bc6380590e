package workflows

import (
	"context"
	"errors"
	"fmt"
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

// A second resident of the follow-up's household.
const resident2 = uint64(4)

// fuHarness runs one follow-up workflow with every activity mocked and the
// child tickets replaced by workflows that close after closeAfter.
type fuHarness struct {
	t          *testing.T
	env        *testsuite.TestWorkflowEnvironment
	in         FollowUpInput
	start      time.Time
	mu         sync.Mutex
	sends      []sent
	records    []activities.FollowUpRecordInput
	opened     []activities.VisitTicketInput
	children   []string // child workflow IDs, in start order
	closeAfter map[uint64]time.Duration
	errs       map[string]error
}

// followUpInput is a move-in of 03-02 10:00 into 3栋201 with two residents,
// under the default policy: due 04-01 10:00, reminders 03-23 and 03-30.
func followUpInput(movedIn time.Time) FollowUpInput {
	return FollowUpInput{
		FollowUpID: 8, MoveInID: 6, EstateID: 1, HouseholdID: 4, ResidentIDs: []uint64{resident, resident2},
		RegisteredBy: receiver, MovedInAt: movedIn, Location: "3栋201", Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai",
	}
}

// newFUHarness starts the workflow at start (the registration).
func newFUHarness(t *testing.T, in FollowUpInput, start time.Time) *fuHarness {
	t.Helper()
	h := &fuHarness{t: t, env: newTestEnv(), in: in, start: start,
		closeAfter: map[uint64]time.Duration{}, errs: map[string]error{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	var n *activities.Notifier
	var cs *activities.Cases
	var st *activities.Staff
	var tk *activities.Tickets
	send := func(in activities.SendInput) activities.SendResult {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sends = append(h.sends, sent{At: h.env.Now().In(shanghai), In: in})
		return activities.SendResult{MessageID: uint64(len(h.sends)), Status: models.MessageSent, Attempts: 1}
	}
	record := func(in activities.FollowUpRecordInput) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.records = append(h.records, in)
	}
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) { return send(in), nil })
	h.env.OnActivity(cs.RecordFollowUp, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FollowUpRecordInput) (activities.RecordResult, error) {
			record(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(st.AssignFollowUp, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AssigneeInput) (activities.AssigneeResult, error) {
			return activities.AssigneeResult{StaffID: in.RegistrarID}, nil
		})
	h.env.OnActivity(tk.OpenVisitTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.VisitTicketInput) (activities.OpenedTicket, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.opened = append(h.opened, in)
			hh, res := in.HouseholdID, in.ResidentID
			t := models.Ticket{ID: 100 + uint64(len(h.opened)), EstateID: in.EstateID, Kind: in.Kind, Urgency: in.Urgency,
				Category: in.Category, Description: in.Description, HouseholdID: &hh, ResidentID: &res, Channel: in.Channel,
				ReportedAt: in.ReportedAt, FirstReceiverID: in.ReceiverID, TicketProgress: models.TicketProgress{Status: models.StatusNew}}
			return activities.OpenedTicket{Ticket: t, Created: true, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	staff := map[models.Role][]uint64{
		models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager}, models.RoleCompanyAdmin: {admin},
	}
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		})
	h.env.OnActivity(st.Brief, mock.Anything, mock.Anything).Return(
		activities.BriefResult{EstateName: "阳光花园", ServicePhone: "400-800"}, nil)
	mockEscalations(h.env, &escalationFake{staff: staff, followUp: record, send: send})
	// A child ticket closes closeAfter its start.
	h.env.OnWorkflow(Ticket, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in TicketInput) (TicketResult, error) {
			if err := workflow.Sleep(ctx, h.closeAfter[in.TicketID]); err != nil {
				return TicketResult{}, err
			}
			return TicketResult{TicketID: in.TicketID, Status: models.StatusClosed, ClosedAt: workflow.Now(ctx)}, nil
		})
	h.env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		h.children = append(h.children, info.WorkflowExecution.ID)
	})
	return h
}

// do sends action a at when; its error (nil when accepted) is kept under label.
func (h *fuHarness) do(when time.Time, label string, a FollowUpAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(FollowUpActionUpdate, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.start))
}

// query reads the state at when into *out.
func (h *fuHarness) query(when time.Time, out *FollowUpView) {
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(FollowUpStateQuery)
		if err == nil {
			err = v.Get(out)
		}
		if err != nil {
			h.t.Errorf("query at %s: %v", when.Format("01-02 15:04"), err)
		}
	}, when.Sub(h.start))
}

// run executes the workflow to its end and returns its result.
func (h *fuHarness) run() FollowUpResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(FollowUp, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatalf("workflow did not complete")
	}
	h.mu.Lock()
	byRevision(h.records, func(r activities.FollowUpRecordInput) uint64 { return r.FollowUpID }, func(r activities.FollowUpRecordInput) int64 { return r.Progress.Revision })
	h.mu.Unlock()
	var res FollowUpResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return res
}

func (h *fuHarness) ended() time.Time { return h.env.Now().In(shanghai) }

func (h *fuHarness) wantOK(labels ...string) {
	h.t.Helper()
	for _, l := range labels {
		if err, ok := h.errs[l]; !ok {
			h.t.Errorf("%s: got no answer, want one", l)
		} else if err != nil {
			h.t.Errorf("%s: got %v, want accepted", l, err)
		}
	}
}

// wantRefused checks that the action labelled was refused with errType and
// first detail.
func (h *fuHarness) wantRefused(label, errType, detail string) {
	h.t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(h.errs[label], &ae) {
		h.t.Errorf("%s: got %v, want a %s application error", label, h.errs[label], errType)
		return
	}
	var got string
	if ae.HasDetails() {
		_ = ae.Details(&got)
	}
	if ae.Type() != errType || got != detail {
		h.t.Errorf("%s: got %s(%q): %s, want %s(%q)", label, ae.Type(), got, ae.Message(), errType, detail)
	}
}

// sendsOf lists "01-02 15:04 template kind-id" for each Send of the
// templates given (all when none), in order.
func (h *fuHarness) sendsOf(templates ...string) []string {
	out := []string{}
	for _, s := range h.sends {
		if len(templates) == 0 || contains(templates, s.In.Template) {
			out = append(out, fmt.Sprintf("%s %s %s-%d", s.At.Format("01-02 15:04"), s.In.Template, s.In.RecipientKind, s.In.RecipientID))
		}
	}
	return out
}

// events lists "01-02 15:04 type from>to" for each recorded event of the
// types given (all when none), with the level and who was notified for
// escalations and reminders.
func (h *fuHarness) events(types ...string) []string {
	out := []string{}
	for _, r := range h.records {
		e := r.Event
		if len(types) > 0 && !contains(types, e.Type) {
			continue
		}
		line := fmt.Sprintf("%s %s %s>%s", e.At.In(shanghai).Format("01-02 15:04"), e.Type, e.FromStatus, e.ToStatus)
		switch e.Type {
		case "escalation":
			line += fmt.Sprintf(" L%s %s [%s]", e.Detail["level"], e.Detail["role"], e.Detail["notified"])
		case "reminder":
			line += fmt.Sprintf(" #%s [%s]", e.Detail["reminder"], e.Detail["notified"])
		}
		out = append(out, line)
	}
	return out
}

func (h *fuHarness) last() activities.FollowUpRecordInput { return h.records[len(h.records)-1] }

// fuAct builds an action by an actor.
func fuAct(action string, actor uint64, role models.Role) FollowUpAction {
	return FollowUpAction{Action: action, ActorID: actor, ActorRole: role}
}

func schedule(at time.Time) FollowUpAction {
	a := fuAct(VisitSchedule, receiver, models.RoleCustomerService)
	a.At = &at
	return a
}

func attempt(outcome models.AttemptOutcome, next *time.Time) FollowUpAction {
	a := fuAct(VisitAttempt, receiver, models.RoleCustomerService)
	a.Outcome, a.Note, a.At = outcome, "敲门无人应答", next
	return a
}

func record(visited time.Time, items ...models.VisitItem) FollowUpAction {
	a := fuAct(VisitRecord, receiver, models.RoleCustomerService)
	a.Visit = &models.FollowUpVisit{VisitedAt: visited, Channel: models.VisitInPerson, Participants: []string{"客服小王", "业主"},
		Items: items, Satisfaction: 4, Actions: []string{"一周后电话回访"}}
	return a
}
