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

func ticketFixture(t *testing.T, s *store.Store) (models.Estate, models.Ticket) {
	t.Helper()
	ctx := context.Background()
	e := models.Estate{Code: "T1", Name: "阳光花园", TimeZone: "Asia/Shanghai", ServicePhone: "0571-88880000"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	req := models.NewTicketRequest{EstateID: e.ID, Kind: models.TicketRepair, Urgency: models.UrgencyCritical,
		Category: "水电", Description: "水管爆裂", Location: "3栋地库", Channel: models.ReportPhone, FirstReceiverID: 9}
	tk, _, err := s.CreateTicket(ctx, store.AllEstates(), new(req.Ticket(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))), "")
	if err != nil {
		t.Fatal(err)
	}
	return e, tk
}

func TestRecordIsIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		_, tk := ticketFixture(t, s)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Tickets{Store: s}
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

func TestOpenFollowUpIsIdempotent(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	e, tk := ticketFixture(t, s)
	a := &activities.Tickets{Store: s}
	in := activities.FollowUpInput{Key: "lowscore-1", ParentID: tk.ID, EstateID: e.ID, Category: "水电",
		Description: "回访评分1分", Location: tk.Location, FirstReceiverID: 9, ReportedAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)}
	first, err := a.OpenFollowUp(context.Background(), in)
	if err != nil || !first.Created || first.Ticket.Kind != models.TicketComplaint || *first.Ticket.ParentTicketID != tk.ID {
		t.Fatalf("first: got %+v, %v, want a new complaint linked to %d", first.Ticket, err, tk.ID)
	}
	if first.TimeZone != "Asia/Shanghai" || first.Policy.Repair.MaxReopens != 3 {
		t.Errorf("first: got time zone %q and policy %+v, want the estate's", first.TimeZone, first.Policy.Repair)
	}
	again, err := a.OpenFollowUp(context.Background(), in)
	if err != nil || again.Created || again.Ticket.ID != first.Ticket.ID {
		t.Errorf("again: got id %d created=%v (%v), want id %d created=false", again.Ticket.ID, again.Created, err, first.Ticket.ID)
	}
	b, err := a.Brief(context.Background(), activities.BriefInput{EstateID: e.ID})
	if err != nil || b.EstateName != "阳光花园" || b.ServicePhone != "0571-88880000" {
		t.Errorf("brief: got %+v, %v", b, err)
	}
}
