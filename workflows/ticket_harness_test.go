package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a local time in Shanghai on a day of March 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, shanghai)
}

// Staff of the test estate.
const (
	receiver   = uint64(9)  // customer service, the first receiver
	tech       = uint64(5)  // technician
	tech2      = uint64(6)  // another technician
	supervisor = uint64(21) // supervisor
	manager    = uint64(31) // estate manager
	admin      = uint64(41) // company admin
	resident   = uint64(3)
)

// sent is one Notifier.Send call and when it happened.
type sent struct {
	At time.Time
	In activities.SendInput
}

// harness runs one ticket workflow with every activity mocked.
type harness struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	in       TicketInput
	mu       sync.Mutex
	sends    []sent
	records  []activities.RecordInput
	frozen   bool // records no longer collected (freeze)
	followUp []activities.ComplaintFollowUpInput
	errs     map[string]error // update errors by label
	// sendAs, when set, makes each Send result (per-channel plans).
	sendAs func(activities.SendInput, activities.SendResult) activities.SendResult
	// sendErr, when set, fails each Send it returns an error for (before
	// anything is sent).
	sendErr func(activities.SendInput) error
}

func ticketInput(kind models.TicketKind, u models.Urgency, reported time.Time) TicketInput {
	return TicketInput{
		TicketID: 12, EstateID: 1, Kind: kind, Urgency: u, Category: "水电", Location: "3栋2单元",
		HouseholdID: 4, ResidentID: resident, FirstReceiverID: receiver, ReportedAt: reported,
		Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai",
	}
}

func newHarness(t *testing.T, in TicketInput) *harness {
	t.Helper()
	h := &harness{t: t, env: newTestEnv(), in: in, errs: map[string]error{}}
	h.env.SetStartTime(in.ReportedAt)
	h.env.SetTestTimeout(30 * time.Second)
	var n *activities.Notifier
	var cs *activities.Cases
	var st *activities.Staff
	var tk *activities.Tickets
	send := harnessSend(&h.mu, &h.sends, h.env, &h.sendAs)
	record := func(in activities.RecordInput) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.frozen {
			h.records = append(h.records, in)
		}
	}
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) {
			if h.sendErr != nil {
				if err := h.sendErr(in); err != nil {
					return activities.SendResult{}, err
				}
			}
			return send(in), nil
		})
	h.env.OnActivity(cs.Record, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordInput) (activities.RecordResult, error) {
			record(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	staff := map[models.Role][]uint64{
		models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager}, models.RoleCompanyAdmin: {admin},
	}
	mockEscalations(h.env, &escalationFake{staff: staff, ticket: record, send: send})
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		})
	h.env.OnActivity(st.Brief, mock.Anything, mock.Anything).Return(
		activities.BriefResult{EstateName: "阳光花园", ServicePhone: "400-800", StaffName: "王师傅"}, nil)
	h.env.OnActivity(tk.OpenFollowUp, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ComplaintFollowUpInput) (activities.OpenedTicket, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.followUp = append(h.followUp, in)
			parent := in.ParentID
			tk := models.Ticket{ID: 77, EstateID: in.EstateID, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal,
				Category: in.Category, ReportedAt: in.ReportedAt, FirstReceiverID: in.FirstReceiverID, ParentTicketID: &parent}
			return activities.OpenedTicket{Ticket: tk, Created: true, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	return h
}

// do sends action a at when; its error (nil when accepted and completed) is
// kept under label.
func (h *harness) do(when time.Time, label string, a TicketAction) {
	h.doID(when, label, "", a)
}

func (h *harness) doID(when time.Time, label, updateID string, a TicketAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(TicketActionUpdate, updateID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.in.ReportedAt))
}

// query reads the state at when into *out.
func (h *harness) query(when time.Time, out *TicketView) {
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(TicketStateQuery)
		if err != nil {
			h.t.Errorf("query at %s: %v", when.Format("15:04"), err)
			return
		}
		if err := v.Get(out); err != nil {
			h.t.Errorf("query at %s: %v", when.Format("15:04"), err)
		}
	}, when.Sub(h.in.ReportedAt))
}

// run executes the workflow to its end and returns its result.
func (h *harness) run() TicketResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(Ticket, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatalf("workflow did not complete")
	}
	h.mu.Lock()
	byRevision(h.records, func(r activities.RecordInput) uint64 { return r.TicketID }, func(r activities.RecordInput) int64 { return r.Progress.Revision })
	h.mu.Unlock()
	var res TicketResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return res
}

// wantOK fails when any of the labelled actions was refused.
func (h *harness) wantOK(labels ...string) {
	h.t.Helper()
	for _, l := range labels {
		err, ok := h.errs[l]
		if !ok {
			h.t.Errorf("%s: got no answer, want one", l)
		} else if err != nil {
			h.t.Errorf("%s: got %v, want accepted", l, err)
		}
	}
}

// wantRefused checks that the action labelled was refused with errType and
// first detail.
func (h *harness) wantRefused(label, errType, detail string) {
	h.t.Helper()
	err := h.errs[label]
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		h.t.Errorf("%s: got %v, want a %s application error", label, err, errType)
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

// sendsOf lists "15:04 template recipient-kind-id" for each Send of the
// templates given (all when none), in order.
func (h *harness) sendsOf(templates ...string) []string {
	out := []string{}
	for _, s := range h.sends {
		if len(templates) > 0 && !contains(templates, s.In.Template) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s-%d", s.At.Format("01-02 15:04"), s.In.Template, s.In.RecipientKind, s.In.RecipientID))
	}
	return out
}

// events lists "15:04 type from>to" for each recorded event, in order.
func (h *harness) events(types ...string) []string {
	out := []string{}
	for _, r := range h.records {
		e := r.Event
		if len(types) > 0 && !contains(types, e.Type) {
			continue
		}
		line := fmt.Sprintf("%s %s %s>%s", e.At.In(shanghai).Format("01-02 15:04"), e.Type, e.FromStatus, e.ToStatus)
		if e.Type == "escalation" || e.Type == "warning" || e.Type == "breach" {
			line += fmt.Sprintf(" %s L%s [%s]", e.Detail["milestone"], e.Detail["level"], e.Detail["notified"])
		}
		out = append(out, line)
	}
	return out
}

// recordsOf keeps the records of one ticket (a child writes its own).
func (h *harness) recordsOf(ticketID uint64) []activities.RecordInput {
	out := []activities.RecordInput{}
	for _, r := range h.records {
		if r.TicketID == ticketID {
			out = append(out, r)
		}
	}
	return out
}

// freeze keeps the records of ticketID only and stops collecting more,
// for a test whose child workflows run on after the parent ends.
func (h *harness) freeze(ticketID uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records, h.frozen = h.recordsOf(ticketID), true
}

func (h *harness) last() activities.RecordInput { return h.records[len(h.records)-1] }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d lines, want %d\ngot:\n  %s\nwant:\n  %s", what, len(got), len(want), join(got), join(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: line %d: got %q, want %q\ngot:\n  %s", what, i, got[i], want[i], join(got))
			return
		}
	}
}

func join(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}

// act builds an action by an actor.
func act(action string, actor uint64, role models.Role) TicketAction {
	return TicketAction{Action: action, ActorID: actor, ActorRole: role}
}

func dispatch(to uint64) TicketAction {
	a := act(ActDispatch, receiver, models.RoleCustomerService)
	a.AssigneeID = to
	return a
}

func complete(by uint64) TicketAction {
	a := act(ActComplete, by, models.RoleTechnician)
	a.Summary, a.Materials, a.ChargeFen = "更换阀门", "阀门1个", 3500
	return a
}

func confirm(ok bool) TicketAction {
	a := act(ActConfirm, receiver, models.RoleCustomerService)
	a.Accepted = ok
	return a
}

func visit(score int) TicketAction {
	a := act(ActReturnVisit, receiver, models.RoleCustomerService)
	a.Score, a.Comments = score, "师傅态度好"
	return a
}

func cancel() TicketAction {
	a := act(ActCancel, supervisor, models.RoleSupervisor)
	a.Reason = "业主撤销"
	return a
}
