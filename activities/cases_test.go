package activities_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestRecordIsIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		_, tk := ticketFixture(t, s)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Cases{Store: s}
		env.RegisterActivity(a)

		tech := uint64(5)
		in := activities.RecordInput{TicketID: tk.ID,
			Progress: models.TicketProgress{Status: models.StatusAssigned, AssigneeID: &tech, Revision: 2},
			Event: models.CaseEvent{Key: "ticket-1/2", Type: "dispatch", FromStatus: string(models.StatusNew),
				ToStatus: string(models.StatusAssigned), At: time.Date(2026, 3, 2, 2, 1, 0, 0, time.UTC)}}
		for i, want := range []bool{true, false} {
			val, err := env.ExecuteActivity(a.Record, in)
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			var got activities.RecordResult
			if err := val.Get(&got); err != nil || got.Recorded != want {
				t.Errorf("call %d: got recorded=%v (%v), want %v", i+1, got.Recorded, err, want)
			}
		}
		evs, err := s.TicketEvents(context.Background(), store.AllEstates(), tk.ID)
		if err != nil || len(evs) != 1 {
			t.Errorf("events after a retried record: got %d (%v), want 1", len(evs), err)
		}
		row, err := s.Ticket(context.Background(), store.AllEstates(), tk.ID)
		if err != nil || row.Status != models.StatusAssigned || row.Revision != 2 {
			t.Errorf("ticket: got %s rev %d (%v), want assigned rev 2", row.Status, row.Revision, err)
		}

		in.TicketID = 999999
		in.Event.Key = "ticket-999999/1"
		if _, err := env.ExecuteActivity(a.Record, in); err == nil {
			t.Errorf("unknown ticket: got no error, want a non-retryable one")
		}
	})
}

func TestRecordFollowUpIsIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		rec := moveInFixture(t, s)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Cases{Store: s}
		env.RegisterActivity(a)
		cs := uint64(9)
		p := rec.FollowUp.FollowUpProgress
		p.AssigneeID, p.Revision = &cs, 1
		in := activities.FollowUpRecordInput{FollowUpID: rec.FollowUp.ID, Progress: p,
			Event: models.CaseEvent{Key: "followup-1/1", Type: "started", ToStatus: string(models.FollowUpPending), At: rec.MoveIn.MovedInAt}}
		for i, want := range []bool{true, false} {
			val, err := env.ExecuteActivity(a.RecordFollowUp, in)
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			var got activities.RecordResult
			if err := val.Get(&got); err != nil || got.Recorded != want {
				t.Errorf("call %d: got recorded=%v (%v), want %v", i+1, got.Recorded, err, want)
			}
		}
		in.FollowUpID, in.Event.Key = 999999, "followup-999999/1"
		if _, err := env.ExecuteActivity(a.RecordFollowUp, in); err == nil {
			t.Errorf("unknown follow-up: got no error, want a non-retryable one")
		}
	})
}
