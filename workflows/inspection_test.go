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
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// inspHarness runs one workflow of the inspection family with every
// activity mocked: records, sends, occurrences opened, tickets opened.
type inspHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	start   time.Time
	mu      sync.Mutex
	sends   []sent
	records []activities.RecordInspectionInput
	opened  []activities.OpenOccurrenceInput
	tickets []activities.FindingTicketInput
	errs    map[string]error
}

// pumpPlan is a monthly pump check of the pump room by any technician,
// two checklist lines of which the first is required.
func pumpPlan() models.InspectionPlan {
	return models.InspectionPlan{ID: 3, EstateID: 1, Name: "水泵月检", Cadence: models.CadenceMonthly,
		StartsOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), At: "09:00", AssigneeRole: models.RoleTechnician, Active: true,
		Checklist: []models.ChecklistItem{{Text: "出口压力正常", Required: true}, {Text: "无异响"}}}
}

func newInspHarness(t *testing.T, start time.Time) *inspHarness {
	t.Helper()
	h := &inspHarness{t: t, env: newTestEnv(), start: start, errs: map[string]error{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	var n *activities.Notifier
	var cs *activities.Cases
	var st *activities.Staff
	var tk *activities.Tickets
	var ins *activities.Inspections
	send, record := harnessSend(&h.mu, &h.sends, h.env, nil), keeper(&h.mu, &h.records)
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) { return send(in), nil })
	h.env.OnActivity(cs.RecordInspection, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordInspectionInput) (activities.RecordResult, error) {
			record(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	staff := map[models.Role][]uint64{models.RoleTechnician: {tech, tech2},
		models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager}, models.RoleCompanyAdmin: {admin}}
	mockEscalations(h.env, &escalationFake{staff: staff, inspection: record, send: send})
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		})
	h.env.OnActivity(tk.OpenFindingTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FindingTicketInput) (activities.OpenedTicket, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.tickets = append(h.tickets, in)
			return activities.OpenedTicket{Ticket: models.Ticket{ID: 200 + uint64(len(h.tickets)), EstateID: in.EstateID,
				Kind: models.TicketRepair, Urgency: in.Urgency, TicketProgress: models.TicketProgress{Status: models.StatusNew}},
				Created: true, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	h.env.OnActivity(ins.OpenOccurrence, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenOccurrenceInput) (models.Inspection, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.opened = append(h.opened, in)
			return models.Inspection{ID: uint64(len(h.opened)), PlanID: in.Plan.ID, ScheduledAt: in.ScheduledAt}, nil
		})
	// A child ticket closes two hours after its start.
	h.env.OnWorkflow(Ticket, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in TicketInput) (TicketResult, error) {
			if err := workflow.Sleep(ctx, 2*time.Hour); err != nil {
				return TicketResult{}, err
			}
			return TicketResult{TicketID: in.TicketID, Status: models.StatusClosed, ClosedAt: workflow.Now(ctx)}, nil
		})
	return h
}

// do sends action a at when; its answer is kept under label.
func (h *inspHarness) do(when time.Time, label string, a InspectionAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(InspectionActionUpdate, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.start))
}

// occurrence runs one occurrence of pumpPlan scheduled at start, due 3 days
// later (the monthly default), to its end.
func (h *inspHarness) occurrence() InspectionResult {
	h.t.Helper()
	in := InspectionInput{InspectionID: 7, Plan: pumpPlan(), ScheduledAt: h.start, DueAt: h.start.Add(3 * models.Day),
		Location: "泵房", Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
	h.env.ExecuteWorkflow(Inspection, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	byRevision(h.records, func(r activities.RecordInspectionInput) uint64 { return r.InspectionID },
		func(r activities.RecordInspectionInput) int64 { return r.Progress.Revision })
	var res InspectionResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return res
}

// events lists "01-02 15:04 type from>to" (escalations with level and who
// was told).
func (h *inspHarness) events() []string {
	out := []string{}
	for _, r := range h.records {
		e := r.Event
		line := fmt.Sprintf("%s %s %s>%s", e.At.In(shanghai).Format("01-02 15:04"), e.Type, e.FromStatus, e.ToStatus)
		if e.Type == "escalation" {
			line += fmt.Sprintf(" L%s [%s]", e.Detail["level"], e.Detail["notified"])
		}
		out = append(out, line)
	}
	return out
}

func inspAct(action string, actor uint64, role models.Role) InspectionAction {
	return InspectionAction{Action: action, ActorID: actor, ActorRole: role}
}

func TestInspectionMissedEscalatesThenCompletes(t *testing.T) {
	h := newInspHarness(t, at(2, 9, 0))
	done := inspAct(InspectComplete, tech, models.RoleTechnician)
	done.Results = []models.ChecklistResult{{Item: 0, OK: true, Note: "0.45MPa"}}
	h.do(at(5, 12, 0), "complete", done)
	res := h.occurrence()
	if res.Status != models.InspectionCompleted || res.EscalationLevel != 3 {
		t.Errorf("result: got %s at level %d, want completed at level 3", res.Status, res.EscalationLevel)
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 09:00 opened >open",
		"03-05 09:00 missed open>missed",
		"03-05 09:00 escalation missed>missed L1 [21]",
		"03-05 09:30 escalation missed>missed L2 [31]",
		"03-05 11:30 escalation missed>missed L3 [41]",
		"03-05 12:00 complete missed>rectifying",
		"03-05 12:00 completed rectifying>completed",
	})
	if n := len(h.sends); n < 2 || h.sends[0].In.RecipientID != tech || h.sends[1].In.RecipientID != tech2 {
		t.Errorf("opening messages: got %d sends, want both technicians told first", n)
	}
}

func TestInspectionFindingsRectified(t *testing.T) {
	h := newInspHarness(t, at(2, 9, 0))
	h.do(at(2, 9, 30), "skip by a technician", InspectionAction{Action: InspectSkip, ActorID: tech, ActorRole: models.RoleTechnician, Reason: "停用"})
	h.do(at(2, 9, 31), "complete without the required item", InspectionAction{Action: InspectComplete, ActorID: tech, ActorRole: models.RoleTechnician,
		Results: []models.ChecklistResult{{Item: 1, OK: true}}})
	h.do(at(2, 9, 32), "rectify before any finding", InspectionAction{Action: InspectRectify, ActorID: tech, ActorRole: models.RoleTechnician, No: 1, Note: "x"})
	done := inspAct(InspectComplete, tech, models.RoleTechnician)
	done.Results = []models.ChecklistResult{{Item: 0, OK: false, Note: "压力偏低"}}
	done.Findings = []FindingInput{
		{Severity: models.SeverityMajor, Text: "出水管渗漏"},
		{Severity: models.SeverityMinor, Text: "电机异响", OpenTicket: true, Urgency: models.UrgencyUrgent},
	}
	h.do(at(2, 10, 0), "complete", done)
	h.do(at(2, 10, 1), "complete again", done)
	h.do(at(2, 11, 0), "rectify the ticket's finding", InspectionAction{Action: InspectRectify, ActorID: tech, ActorRole: models.RoleTechnician, No: 2, Note: "x"})
	// The major finding's deadline is 03-03 10:00: the ladder climbs from it.
	h.do(at(3, 11, 0), "rectify", InspectionAction{Action: InspectRectify, ActorID: tech2, ActorRole: models.RoleTechnician, No: 1, Note: "更换密封圈"})
	res := h.occurrence()
	h.wantRefused("skip by a technician", ErrTypeForbidden, string(models.RoleTechnician))
	h.wantRefused("complete without the required item", ErrTypeInvalidInput, "results")
	h.wantRefused("rectify before any finding", ErrTypeInvalidState, string(models.InspectionOpen))
	h.wantRefused("complete again", ErrTypeInvalidState, string(models.InspectionRectifying))
	h.wantRefused("rectify the ticket's finding", ErrTypeInvalidInput, "no")
	if res.Status != models.InspectionCompleted || res.Findings != 2 {
		t.Errorf("result: got %s with %d findings, want completed with 2", res.Status, res.Findings)
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 09:00 opened >open",
		"03-02 10:00 complete open>rectifying",
		"03-02 12:00 ticket_closed rectifying>rectifying",
		"03-03 10:00 escalation rectifying>rectifying L1 [21]",
		"03-03 10:30 escalation rectifying>rectifying L2 [31]",
		"03-03 11:00 rectify rectifying>rectifying",
		"03-03 11:00 completed rectifying>completed",
	})
	if len(h.tickets) != 1 || h.tickets[0].Urgency != models.UrgencyUrgent || h.tickets[0].Key != "inspection-7/finding-2" {
		t.Errorf("tickets: got %+v, want one urgent ticket for finding 2", h.tickets)
	}
	last := h.records[len(h.records)-1].Progress
	if last.OpenFindings != 0 || len(last.Findings) != 2 || last.Findings[1].FixNote != "工单#201 closed" {
		t.Errorf("last progress: got %d open, findings %+v", last.OpenFindings, last.Findings)
	}
}

// wantRefused checks that the action labelled was refused with errType
// and first detail.
func (h *inspHarness) wantRefused(label, errType, detail string) {
	h.t.Helper()
	if got := refusal(h.errs[label]); got != errType+"("+detail+")" {
		h.t.Errorf("%s: got %s (%v), want %s(%s)", label, got, h.errs[label], errType, detail)
	}
}

func TestInspectionPlanStartsOccurrencesOnWorkdays(t *testing.T) {
	// Saturday 03-07 07:00; the estate works Saturdays, not Sundays.
	h := newInspHarness(t, at(7, 7, 0))
	plan := pumpPlan()
	plan.Name, plan.Cadence, plan.At, plan.WorkdaysOnly = "每日巡逻", models.CadenceDaily, "08:00", true
	var ins *activities.Inspections
	h.env.OnActivity(ins.LoadPlan, mock.Anything, mock.Anything).Return(
		activities.PlanResult{Plan: plan, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil)
	var children []time.Time
	h.env.OnWorkflow(Inspection, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in InspectionInput) (InspectionResult, error) {
			children = append(children, workflow.Now(ctx))
			return InspectionResult{InspectionID: in.InspectionID, Status: models.InspectionCompleted}, nil
		})
	h.env.ExecuteWorkflow(InspectionPlanRun, InspectionPlanInput{PlanID: plan.ID})
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("got %v, want the plan to continue as new after %d occurrences", err, planRunsPerHistory)
	}
	if len(h.opened) != planRunsPerHistory || len(children) != planRunsPerHistory {
		t.Fatalf("got %d rows and %d children, want %d", len(h.opened), len(children), planRunsPerHistory)
	}
	got := []string{}
	for _, o := range h.opened[:4] {
		got = append(got, o.ScheduledAt.In(shanghai).Format("01-02 15:04 Mon")+" due "+o.DueAt.In(shanghai).Format("15:04"))
	}
	wantLines(t, "occurrences", got, []string{
		"03-07 08:00 Sat due 12:00", "03-09 08:00 Mon due 12:00", "03-10 08:00 Tue due 12:00", "03-11 08:00 Wed due 12:00",
	})
	for i, c := range children[:4] {
		// Created the default 30m ahead, at the plan's jitter.
		if want := models.DefaultPolicy().Inspection.CreateAt(h.opened[i].ScheduledAt, PlanWorkflowID(plan.ID)); !c.Equal(want) {
			t.Errorf("child %d started at %s, want %s", i, c, want)
		}
	}
}

// A daily 08:00 patrol with create_ahead 30m is created (row, workflow)
// between 07:30 and 08:00, at the time the plan's jitter gives, with its
// start still 08:00 and due 12:00; with create_ahead 0 it is created at
// 08:00, as before create-ahead.
func TestInspectionPlanCreatesAhead(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ahead   models.Duration
		from    time.Duration // earliest creation, after 07:00
		created time.Duration // the creation the jitter gives, after 07:00
	}{
		{"30m", models.Duration(30 * time.Minute), 30 * time.Minute,
			30*time.Minute + models.Jitter(PlanWorkflowID(3), models.Duration(30*time.Minute))},
		{"0: at the start", 0, time.Hour, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newInspHarness(t, at(9, 7, 0)) // Monday 03-09 07:00
			plan := pumpPlan()
			plan.Name, plan.Cadence, plan.At = "每日巡逻", models.CadenceDaily, "08:00"
			pol := models.DefaultPolicy()
			pol.Inspection.CreateAhead = tt.ahead
			var ins *activities.Inspections
			h.env.OnActivity(ins.LoadPlan, mock.Anything, mock.Anything).Return(
				func(context.Context, activities.PlanInput) (activities.PlanResult, error) {
					h.mu.Lock()
					defer h.mu.Unlock()
					p := plan
					p.Active = len(h.opened) < 2 // two occurrences, then deactivated
					return activities.PlanResult{Plan: p, Policy: pol, TimeZone: "Asia/Shanghai"}, nil
				})
			var children []time.Time
			var inputs []InspectionInput
			h.env.OnWorkflow(Inspection, mock.Anything, mock.Anything).Return(
				func(ctx workflow.Context, in InspectionInput) (InspectionResult, error) {
					children, inputs = append(children, workflow.Now(ctx)), append(inputs, in)
					return InspectionResult{InspectionID: in.InspectionID, Status: models.InspectionCompleted}, nil
				})
			h.env.ExecuteWorkflow(InspectionPlanRun, InspectionPlanInput{PlanID: plan.ID})
			if err := h.env.GetWorkflowError(); err != nil {
				t.Fatalf("got %v, want the plan to end cleanly", err)
			}
			if len(children) != 2 {
				t.Fatalf("got %d occurrences, want 2", len(children))
			}
			for day, c := range children {
				start := at(9+day, 8, 0)
				created := at(9+day, 7, 0).Add(tt.created)
				if !c.Equal(created) || c.Before(at(9+day, 7, 0).Add(tt.from)) || c.After(start) {
					t.Errorf("day %d: created at %s, want %s (between %s and %s)", day, c.In(shanghai).Format("15:04:05"),
						created.In(shanghai).Format("15:04:05"), at(9+day, 7, 0).Add(tt.from).In(shanghai).Format("15:04"), "08:00")
				}
				in := inputs[day]
				if !in.ScheduledAt.Equal(start) || !in.DueAt.Equal(at(9+day, 12, 0)) {
					t.Errorf("day %d: got start %s due %s, want 08:00 and 12:00 whenever created", day, in.ScheduledAt, in.DueAt)
				}
				if o := h.opened[day]; !o.ScheduledAt.Equal(start) || !o.DueAt.Equal(at(9+day, 12, 0)) {
					t.Errorf("day %d: row opened with start %s due %s, want 08:00 and 12:00", day, o.ScheduledAt, o.DueAt)
				}
			}
		})
	}
}

// An occurrence created at 07:41 for 08:00 (create-ahead) records its
// opening then with scheduled_at 08:00, tells the technicians its start
// and due time, and is missed at its due time 12:00, escalated from it.
func TestInspectionCreatedAheadCountsFromItsStart(t *testing.T) {
	created := at(9, 7, 41)
	h := newInspHarness(t, created)
	plan := pumpPlan()
	plan.Name, plan.Cadence, plan.At = "每日巡逻", models.CadenceDaily, "08:00"
	in := InspectionInput{InspectionID: 7, Plan: plan, ScheduledAt: at(9, 8, 0), DueAt: at(9, 12, 0),
		Location: "泵房", Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
	h.do(at(9, 14, 0), "complete", InspectionAction{Action: InspectComplete, ActorID: tech, ActorRole: models.RoleTechnician,
		Results: []models.ChecklistResult{{Item: 0, OK: true}, {Item: 1, OK: true}}})
	h.env.ExecuteWorkflow(Inspection, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	byRevision(h.records, func(r activities.RecordInspectionInput) uint64 { return r.InspectionID },
		func(r activities.RecordInspectionInput) int64 { return r.Progress.Revision })
	ev := h.events()
	if len(ev) < 2 || ev[0] != "03-09 07:41 opened >open" || ev[1] != "03-09 12:00 missed open>missed" {
		t.Errorf("events: got %q, want opened at 07:41, missed at 12:00", ev)
	}
	if got := h.records[0].Event.Detail["scheduled_at"]; got != at(9, 8, 0).Format(time.RFC3339) {
		t.Errorf("opened: got scheduled_at %s, want 08:00", got)
	}
	told := 0
	for _, m := range h.sends {
		if m.In.Template == "inspection_due" {
			told++
			if m.In.Params["starts"] != "03-09 08:00" || m.In.Params["due"] != "03-09 12:00" {
				t.Errorf("inspection_due to %d: got %v, want starts 03-09 08:00, due 03-09 12:00", m.In.RecipientID, m.In.Params)
			}
		}
	}
	if told != 2 {
		t.Errorf("got %d inspection_due messages, want the 2 technicians told", told)
	}
}

func TestStatutoryCheckWarnsOncePerThreshold(t *testing.T) {
	h := newInspHarness(t, at(1, 10, 0))
	var ins *activities.Inspections
	h.env.OnActivity(ins.EstatePolicy, mock.Anything, mock.Anything).Return(
		activities.EstatePolicyResult{Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil)
	due := models.Date{Year: 2026, Month: time.March, Day: 31}
	h.env.OnActivity(ins.StatutoryDue, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StatutoryInput) ([]activities.StatutoryItem, error) {
			if due.DaysSince(in.Today) > in.Days {
				return []activities.StatutoryItem{}, nil
			}
			return []activities.StatutoryItem{{EquipmentID: 12, Code: "DT-01", Name: "1号电梯", DueOn: due}}, nil
		})
	h.env.ExecuteWorkflow(StatutoryCheck, StatutoryCheckInput{EstateID: 1})
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("got %v, want continue as new", err)
	}
	seen := map[string]bool{}
	got := []string{}
	for _, s := range h.sends {
		if !seen[s.In.Key] {
			seen[s.In.Key] = true
			got = append(got, s.At.Format("01-02 15:04 ")+s.In.Template+" "+s.In.Key)
		}
	}
	wantLines(t, "warnings", got, []string{
		"03-02 09:00 statutory_due statutory-1/equipment-12/2026-03-31/30/staff-31",
		"03-24 09:00 statutory_due statutory-1/equipment-12/2026-03-31/7/staff-31",
		"03-30 09:00 statutory_due statutory-1/equipment-12/2026-03-31/1/staff-31",
		"04-01 09:00 statutory_overdue statutory-1/equipment-12/2026-03-31/0/staff-31",
	})
}

// refusal shows a refused action's error as "Type(detail)"; "" for none.
func refusal(err error) string {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return ""
	}
	return ae.Type() + "(" + errorField(ae) + ")"
}
