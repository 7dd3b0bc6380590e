package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// activityCounter counts the activities a test's workflow started, by
// type (regular and local alike), and the Send calls whose key is an
// escalation's.
type activityCounter struct {
	mu     sync.Mutex
	byType map[string]int
	// local counts the local activities by type (changeLocalDB), also in
	// byType.
	local          map[string]int
	escalationSend int
	// sendTemplates counts the Send activities by template.
	sendTemplates map[string]int
}

func countActivities(env *testsuite.TestWorkflowEnvironment) *activityCounter {
	c := &activityCounter{byType: map[string]int{}, local: map[string]int{}, sendTemplates: map[string]int{}}
	env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.byType[info.ActivityType.Name]++
		c.local[info.ActivityType.Name]++
	})
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.byType[info.ActivityType.Name]++
		if info.ActivityType.Name == "Send" {
			var in activities.SendInput
			if args.Get(&in) == nil && strings.Contains(in.Key, "/escalate/") {
				c.escalationSend++
			}
			c.sendTemplates[in.Template]++
		}
	})
	return c
}

// TestEachTicketEscalationIsOneActivity: the critical ticket of
// TestCriticalAt2AMClimbsOneLadder escalates three times; each is one
// Escalate activity (no recipients look-up, no Send of its own), with the
// same events and messages as that test holds.
func TestEachTicketEscalationIsOneActivity(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
	c := countActivities(h.env)
	arrivedLate(h)
	h.run()
	escalations := 0
	for _, r := range h.records {
		if r.Event.Type == "escalation" {
			escalations++
		}
	}
	if escalations != 3 || c.byType["Escalate"] != escalations || c.byType["Recipients"] != 0 || c.escalationSend != 0 {
		t.Errorf("got %d escalations, %d Escalate, %d Recipients, %d escalation Sends; want 3, 3, 0, 0 (%v)",
			escalations, c.byType["Escalate"], c.byType["Recipients"], c.escalationSend, c.byType)
	}
	if got := len(h.sendsOf("escalation")); got != 6 {
		t.Errorf("escalation messages: got %d, want 6", got)
	}
}

// TestProcessWorkIsLocalFirst: the same ticket's records and look-ups run
// as local activities (changeLocalDB), and its messages and escalations are
// tried locally first (changeLocalFirst): with nothing failing, no activity
// task at all. With both changes forced off, every one is an activity task,
// as before.
func TestProcessWorkIsLocalFirst(t *testing.T) {
	for _, local := range []bool{true, false} {
		t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) {
			h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
			if !local {
				h.env.OnGetVersion(changeLocalDB, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
				h.env.OnGetVersion(changeLocalFirst, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			c := countActivities(h.env)
			arrivedLate(h)
			h.run()
			// An escalation records its own event (Escalate).
			if len(h.records) == 0 || c.byType["Record"]+c.byType["Escalate"] != len(h.records) || c.byType["Brief"] == 0 || c.byType["Send"] == 0 {
				t.Fatalf("got %d records, %v activities; want every record, the brief and the messages counted", len(h.records), c.byType)
			}
			for _, name := range []string{"Record", "Brief", "Escalate", "Send"} {
				regular := c.byType[name] - c.local[name]
				if got := regular == 0; got != local {
					t.Errorf("%s: %d regular, %d local; want local=%v", name, regular, c.local[name], local)
				}
			}
			if c.byType["Escalate"] != 3 || len(h.sendsOf("escalation")) != 6 {
				t.Errorf("got %d Escalate, %d escalation messages; want 3, 6", c.byType["Escalate"], len(h.sendsOf("escalation")))
			}
		})
	}
}

// TestFirstTryFailsThenActivityTask (changeLocalFirst): a message whose
// local try fails (the gateway down) is sent by an activity task, once; one
// refused for good (a non-retryable error) is not tried again.
func TestFirstTryFailsThenActivityTask(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
	c := countActivities(h.env)
	tries := map[string]int{}
	h.sendErr = func(in activities.SendInput) error {
		tries[in.Key]++
		switch {
		case in.Template == "ticket_received" && tries[in.Key] == 1:
			return errors.New("gateway down")
		case in.Template == "ticket_received":
			return nil
		case strings.Contains(in.Template, "warning"):
			return temporal.NewNonRetryableApplicationError("no such recipient", "InvalidMessage", nil)
		}
		return nil
	}
	arrivedLate(h)
	h.run()
	var received []string
	for _, s := range h.sends {
		if s.In.Template == "ticket_received" {
			received = append(received, s.In.Key)
		}
	}
	if len(received) != 1 || tries[received[0]] != 2 {
		t.Errorf("ticket_received: %v sent after %v tries; want one after 2 (local, then the task)", received, tries)
	}
	if regular := c.byType["Send"] - c.local["Send"]; regular != 1 {
		t.Errorf("Send: %d activity tasks, want 1 (the retry of the failed try); %v", regular, c.byType)
	}
	for key, n := range tries {
		if strings.Contains(key, "warn") && n != 1 {
			t.Errorf("%s refused for good was tried %d times, want 1", key, n)
		}
	}
}

// TestEachFollowUpEscalationIsOneActivity: the overdue visit of
// TestFollowUpRemindersThenEscalation climbs three levels, one Escalate
// activity each.
func TestEachFollowUpEscalationIsOneActivity(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	c := countActivities(h.env)
	h.do(time.Date(2026, 4, 2, 9, 0, 0, 0, shanghai), "record", record(time.Date(2026, 4, 2, 8, 30, 0, 0, shanghai)))
	h.run()
	h.wantOK("record")
	if c.byType["Escalate"] != 3 || c.byType["Recipients"] != 0 || c.escalationSend != 0 {
		t.Errorf("got %d Escalate, %d Recipients, %d escalation Sends; want 3, 0, 0 (%v)",
			c.byType["Escalate"], c.byType["Recipients"], c.escalationSend, c.byType)
	}
}

// TestEachCollectionTaskEscalationIsOneActivity: the visit nobody records
// in TestCollectionGoodPayerWholeLadder climbs three levels; each is one
// Escalate activity (no EscalateTask, no recipients look-up, no Send of its
// own) whose record names who was told and carries the task's new level.
func TestEachCollectionTaskEscalationIsOneActivity(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	c := countActivities(h.env)
	h.act(cday(5, 11, 10, 0), "call", outcome(1, models.OutcomeNotReached, csAgent, models.RoleCustomerService))
	h.pay(cday(5, 14, 11, 0), 0)
	h.run()
	h.wantOK("call")
	if c.byType["Escalate"] != 3 || c.byType["EscalateTask"] != 0 || c.byType["Recipients"] != 0 || c.sendTemplates["dunning_task_overdue"] != 0 {
		t.Errorf("got %d Escalate, %d EscalateTask, %d Recipients, %d escalation Sends; want 3, 0, 0, 0 (%v)",
			c.byType["Escalate"], c.byType["EscalateTask"], c.byType["Recipients"], c.sendTemplates["dunning_task_overdue"], c.byType)
	}
	var got []string
	for _, r := range h.records {
		if r.Event.Type != "task_escalated" {
			continue
		}
		line := r.Event.At.In(shanghai).Format("01-02 15:04") + " L" + r.Event.Detail["level"] + " [" + r.Event.Detail["notified"] + "]"
		if r.Task != nil {
			line += fmt.Sprintf(" task %d at %d", r.Task.TaskID, r.Task.Level)
		}
		got = append(got, line)
	}
	wantLines(t, "escalations", got, []string{
		fmt.Sprintf("05-13 00:00 L1 [%s] task 2 at 1", idList([]uint64{supervisor, manager})),
		fmt.Sprintf("05-13 00:30 L2 [%d] task 2 at 2", manager),
		fmt.Sprintf("05-13 02:30 L3 [%s] task 2 at 3", idList([]uint64{manager, admin})),
	})
	if n := len(h.sendsTo("dunning_task_overdue")); n != 5 {
		t.Errorf("escalation messages: got %d, want 5 (2, 1, 2)", n)
	}
}

// TestEachNewerProcessEscalationIsOneActivity: an inspection missed past
// three levels, an outage overdue past two and a contract term ended
// undecided past three each escalate once per level through one Escalate
// activity: no recipients look-up and no Send of the escalation's message
// of its own (the look-ups left are the inspection's opening and the
// contract's reminders).
func TestEachNewerProcessEscalationIsOneActivity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		template string
		levels   int
		lookups  int
		// run runs the process with c counting and returns its events.
		run func(t *testing.T) (c *activityCounter, events []string)
	}{
		{"inspection", "inspection_overdue", 3, 1, func(t *testing.T) (*activityCounter, []string) {
			h := newInspHarness(t, at(2, 9, 0))
			c := countActivities(h.env)
			done := inspAct(InspectComplete, tech, models.RoleTechnician)
			done.Results = []models.ChecklistResult{{Item: 0, OK: true}}
			h.do(at(5, 12, 0), "complete", done)
			h.occurrence()
			var evs []string
			for _, r := range h.records {
				evs = append(evs, r.Event.Type)
			}
			return c, evs
		}},
		{"outage", "outage_overdue", 2, 0, func(t *testing.T) (*activityCounter, []string) {
			h := newBCHarness(t, at(2, 10, 0), 10)
			c := countActivities(h.env)
			h.do(at(3, 15, 0), "restore", OutageActionUpdate, OutageAction{Action: OutageRestore, ActorID: receiver, ActorRole: models.RoleCustomerService})
			h.env.ExecuteWorkflow(Outage, outageInput(at(3, 9, 0), at(3, 13, 0)))
			if err := h.env.GetWorkflowError(); err != nil || h.errs["restore"] != nil {
				t.Fatalf("outage: %v, restore: %v", err, h.errs["restore"])
			}
			var evs []string
			for _, e := range h.events {
				evs = append(evs, strings.Fields(e)[2])
			}
			return c, evs
		}},
		{"contract", "contract_undecided", 3, 2, func(t *testing.T) (*activityCounter, []string) {
			h := newCTHarness(t, contractEnds.AddDate(0, 0, -80))
			c := countActivities(h.env)
			h.do(contractEnds.Add(4*time.Hour), "hand over", ContractAction{Action: ContractHandOver, ActorID: admin, ActorRole: models.RoleCompanyAdmin, Note: "移交新物业公司"})
			h.run(time.Time{})
			var evs []string
			for _, r := range h.records {
				evs = append(evs, r.Event.Type)
			}
			return c, evs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, evs := tc.run(t)
			escalations := 0
			for _, e := range evs {
				if e == "escalation" {
					escalations++
				}
			}
			if escalations != tc.levels || c.byType["Escalate"] != tc.levels || c.byType["Recipients"] != tc.lookups || c.sendTemplates[tc.template] != 0 {
				t.Errorf("got %d escalations, %d Escalate, %d Recipients, %d %s Sends; want %d, %d, %d, 0 (%v)",
					escalations, c.byType["Escalate"], c.byType["Recipients"], c.sendTemplates[tc.template], tc.template,
					tc.levels, tc.levels, tc.lookups, c.byType)
			}
		})
	}
}
