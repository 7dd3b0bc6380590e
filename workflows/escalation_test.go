package workflows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// activityCounter counts the activities a test's workflow started, by
// type, and the Send calls whose key is an escalation's.
type activityCounter struct {
	mu             sync.Mutex
	byType         map[string]int
	escalationSend int
}

func countActivities(env *testsuite.TestWorkflowEnvironment) *activityCounter {
	c := &activityCounter{byType: map[string]int{}}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.byType[info.ActivityType.Name]++
		if info.ActivityType.Name == "Send" {
			var in activities.SendInput
			if args.Get(&in) == nil && strings.Contains(in.Key, "/escalate/") {
				c.escalationSend++
			}
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
