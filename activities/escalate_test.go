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
