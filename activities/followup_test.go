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

func moveInFixture(t *testing.T, s *store.Store) store.MoveInRecord {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	e := models.Estate{Code: "M1", Name: "阳光花园", TimeZone: "Asia/Shanghai", ServicePhone: "0571-88880000"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	b := models.Building{EstateID: e.ID, Name: "1栋"}
	if err := s.CreateBuilding(ctx, all, &b); err != nil {
		t.Fatal(err)
	}
	u := models.Unit{BuildingID: b.ID, Number: "101"}
	if err := s.CreateUnit(ctx, all, &u); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	rec, _, err := s.RegisterMoveIn(ctx, all, models.MoveInRequest{UnitID: u.ID, MovedInAt: &at, RegisteredBy: 9,
		Residents: []models.NewResident{{Name: "张三", Phone: "13812345678", Role: models.ResidentOwner}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestRecordFollowUpIsIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		rec := moveInFixture(t, s)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.FollowUps{Store: s}
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

func TestOpenVisitTicketIsIdempotent(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	rec := moveInFixture(t, s)
	a := &activities.FollowUps{Store: s}
	in := activities.VisitTicketInput{Key: "followup-1/item-1", EstateID: rec.Estate.ID, Kind: models.TicketRepair,
		Urgency: models.UrgencyNormal, Category: "入住回访", Description: "卫生间地漏返味", HouseholdID: rec.Household.ID,
		ResidentID: rec.Residents[0].ID, Channel: models.ReportWalkIn, ReceiverID: 9, ReportedAt: time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)}
	first, err := a.OpenVisitTicket(context.Background(), in)
	if err != nil || !first.Created || first.Ticket.Kind != models.TicketRepair || *first.Ticket.HouseholdID != rec.Household.ID || first.Ticket.FirstReceiverID != 9 {
		t.Fatalf("first: got %+v, %v; want a new repair of the household received by 9", first.Ticket, err)
	}
	if first.TimeZone != "Asia/Shanghai" || first.Policy.FollowUp.MaxAttempts != 3 {
		t.Errorf("first: got %q and %+v, want the estate's time zone and policy", first.TimeZone, first.Policy.FollowUp)
	}
	again, err := a.OpenVisitTicket(context.Background(), in)
	if err != nil || again.Created || again.Ticket.ID != first.Ticket.ID {
		t.Errorf("again: got id %d created=%v (%v), want id %d created=false", again.Ticket.ID, again.Created, err, first.Ticket.ID)
	}
	got, err := a.AssignFollowUp(context.Background(), activities.AssigneeInput{EstateID: rec.Estate.ID, RegistrarID: 9, PreferRegistrar: true})
	if err != nil || got.StaffID != 9 {
		t.Errorf("assignee without customer service: got %d, %v; want the registrar 9", got.StaffID, err)
	}
}
