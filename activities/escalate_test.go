package activities_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// flakySender sends every message but fails each key in failOnce the
// first time it is asked, as a gateway that times out does.
type flakySender struct {
	failOnce map[string]bool
	calls    []string
}

func (f *flakySender) Send(_ context.Context, in activities.SendInput) (activities.SendResult, error) {
	f.calls = append(f.calls, in.Key)
	if f.failOnce[in.Key] {
		delete(f.failOnce, in.Key)
		return activities.SendResult{}, temporal.NewApplicationError("gateway timeout", activities.ErrTypeNotifyFailed)
	}
	return activities.SendResult{MessageID: uint64(len(f.calls)), Status: models.MessageSent}, nil
}

// TestEscalateIsOneIdempotentCall: one call finds the supervisors, records
// the escalation naming them with the first receiver, and sends each their
// message; a message that failed makes the call fail (retryable), and the
// retry writes no second event and tells the people the first named (not
// the supervisor added meanwhile), under the same keys: the notifier sends
// no key twice (Notifier.Send, idempotent by key).
func TestEscalateIsOneIdempotentCall(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx, all := context.Background(), store.AllEstates()
		e, tk := ticketFixture(t, s)
		newSupervisor := func(name string) uint64 {
			st := models.Staff{EstateID: &e.ID, Username: name, Name: name, Role: models.RoleSupervisor, PasswordHash: "h", Active: true}
			if err := s.CreateStaff(ctx, all, &st); err != nil {
				t.Fatal(err)
			}
			return st.ID
		}
		sup := newSupervisor("zhuguan")
		prefix := "ticket-1/escalate/contact/1"
		sender := &flakySender{failOnce: map[string]bool{activities.StaffKey(prefix, sup): true}}
		a := &activities.Escalations{Store: s, Sender: sender}
		in := activities.EscalateInput{
			Ticket: &store.TicketChange{TicketID: tk.ID, Progress: models.TicketProgress{Status: models.StatusNew, EscalationLevel: 1, Revision: 2},
				Event: models.CaseEvent{Key: "ticket-1/2", Type: "escalation", FromStatus: "new", ToStatus: "new",
					Detail: map[string]string{"milestone": "contact", "level": "1", "role": "supervisor"},
					At:     time.Date(2026, 3, 2, 2, 5, 0, 0, time.UTC)}},
			Role: models.RoleSupervisor, Owner: 9,
			Message: activities.SendInput{Key: prefix, EstateID: e.ID, Template: "escalation", Ref: "ticket:1",
				Params: map[string]string{"ticket_no": "1"}},
		}
		first, err := a.Escalate(ctx, in)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.NonRetryable() || !first.Recorded {
			t.Fatalf("first call: got %+v, %v; want recorded and a retryable error", first, err)
		}
		newSupervisor("zhuguan2") // joins before the retry: not told of this escalation
		in.Ticket.Event.Detail = map[string]string{"milestone": "contact", "level": "1", "role": "supervisor"}
		second, err := a.Escalate(ctx, in)
		if err != nil || second.Recorded {
			t.Fatalf("retry: got %+v, %v; want nothing recorded, no error", second, err)
		}
		want := []uint64{9, sup}
		slices.Sort(want)
		if !slices.Equal(second.StaffIDs, want) {
			t.Errorf("retry told %v, want %v (the recorded event's)", second.StaffIDs, want)
		}
		evs, err := s.TicketEvents(ctx, all, tk.ID)
		notified := strconv.FormatUint(want[0], 10) + "," + strconv.FormatUint(want[1], 10)
		if err != nil || len(evs) != 1 || evs[0].Detail["notified"] != notified {
			t.Fatalf("events: got %+v, %v; want one escalation notifying %s", evs, err, notified)
		}
		// The same two keys, once per attempt.
		n := map[string]int{}
		for _, k := range sender.calls {
			n[k]++
		}
		if n[activities.StaffKey(prefix, sup)] != 2 || n[activities.StaffKey(prefix, 9)] != 2 || len(n) != 2 {
			t.Errorf("send calls: got %v", sender.calls)
		}
	})
}

// TestEscalateRecordsTheNewerProcesses: an outage's escalation is recorded
// in the outage's journal, naming the supervisor and its planner, with its
// new level; an escalation naming two transitions is refused for good.
func TestEscalateRecordsTheNewerProcesses(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx, all := context.Background(), store.AllEstates()
		e, tk := ticketFixture(t, s)
		sup := models.Staff{EstateID: &e.ID, Username: "zhuguan", Name: "主管", Role: models.RoleSupervisor, PasswordHash: "h", Active: true}
		if err := s.CreateStaff(ctx, all, &sup); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		o := models.Outage{EstateID: e.ID, Utility: models.UtilityWater, Buildings: []string{"1栋"},
			StartsAt: start, PlannedEnd: start.Add(4 * time.Hour), Reason: "管网检修", CreatedBy: 7}
		if err := s.CreateOutage(ctx, all, &o); err != nil {
			t.Fatal(err)
		}
		sender := &flakySender{}
		a := &activities.Escalations{Store: s, Sender: sender}
		prefix := "outage-1/escalate/1"
		in := activities.EscalateInput{
			Outage: &store.OutageChange{OutageID: o.ID, Progress: models.OutageProgress{Status: models.OutageOverdue, EndsAt: o.PlannedEnd,
				EscalationLevel: 1, Revision: 3},
				Event: models.CaseEvent{Key: "outage-1/3", Type: "escalation", FromStatus: "overdue", ToStatus: "overdue",
					Detail: map[string]string{"level": "1", "role": "supervisor"}, At: start.Add(5 * time.Hour)}},
			Role: models.RoleSupervisor, Owner: 7,
			Message: activities.SendInput{Key: prefix, EstateID: e.ID, Template: "outage_overdue", Ref: "outage:1"},
		}
		res, err := a.Escalate(ctx, in)
		want := []uint64{7, sup.ID}
		slices.Sort(want)
		if err != nil || !res.Recorded || !slices.Equal(res.StaffIDs, want) || len(sender.calls) != 2 {
			t.Fatalf("escalate an outage: got %+v, %v, sends %v; want recorded, %v told", res, err, sender.calls, want)
		}
		evs, err := s.OutageEvents(ctx, all, o.ID)
		if err != nil || len(evs) != 1 || evs[0].Detail["notified"] != strconv.FormatUint(want[0], 10)+","+strconv.FormatUint(want[1], 10) {
			t.Errorf("outage events: got %+v, %v; want the escalation naming %v", evs, err, want)
		}
		if got, err := s.Outage(ctx, all, o.ID); err != nil || got.EscalationLevel != 1 || got.Status != models.OutageOverdue {
			t.Errorf("outage: got %+v, %v; want overdue at level 1", got.OutageProgress, err)
		}

		two := in
		two.Ticket = &store.TicketChange{TicketID: tk.ID}
		_, err = a.Escalate(ctx, two)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() {
			t.Errorf("two transitions: got %v, want a non-retryable error", err)
		}
	})
}
