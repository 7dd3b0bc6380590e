package activities_test

import (
	"context"
	"testing"
	"time"

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

func TestOpenFollowUpIsIdempotent(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	e, tk := ticketFixture(t, s)
	a := &activities.Tickets{Store: s}
	in := activities.ComplaintFollowUpInput{Key: "lowscore-1", ParentID: tk.ID, EstateID: e.ID, Category: "水电",
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
}

func TestOpenVisitTicketIsIdempotent(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	rec := moveInFixture(t, s)
	a := &activities.Tickets{Store: s}
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
}

func TestOpenComplaintIsIdempotent(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	rec := moveInFixture(t, s)
	a := &activities.Tickets{Store: s}
	in := activities.ComplaintInput{Key: "collection-1/1/complaint-2", EstateID: rec.Estate.ID, HouseholdID: rec.Household.ID,
		ResidentID: rec.Residents[0].ID, FirstReceiverID: 9, Description: "拒绝缴费：电梯常坏", ReportedAt: time.Date(2026, 4, 20, 2, 0, 0, 0, time.UTC)}
	first, err := a.OpenComplaint(context.Background(), in)
	if err != nil || !first.Created || first.Ticket.Kind != models.TicketComplaint || first.Ticket.Category != "物业费争议" ||
		*first.Ticket.ResidentID != rec.Residents[0].ID || first.Ticket.Status != models.StatusNew {
		t.Fatalf("first: got %+v, %v; want a new fee complaint of the resident", first.Ticket, err)
	}
	if first.TimeZone != "Asia/Shanghai" {
		t.Errorf("first: got time zone %q, want the estate's", first.TimeZone)
	}
	again, err := a.OpenComplaint(context.Background(), in)
	if err != nil || again.Created || again.Ticket.ID != first.Ticket.ID {
		t.Errorf("again: got id %d created=%v (%v), want id %d created=false", again.Ticket.ID, again.Created, err, first.Ticket.ID)
	}
}
