package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// A person busy with open tickets is not the least loaded for a collection
// task or a follow-up visit: every kind of open work counts (it used to be
// only the kind being assigned).
func TestLeastLoadedCountsEveryKindOfWork(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "A")
		all := store.AllEstates()
		a := f.estate.ID
		busy := models.Staff{EstateID: &a, Username: "cs-busy", Name: "客服甲", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		free := models.Staff{EstateID: &a, Username: "cs-free", Name: "客服乙", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		must(t, s.CreateStaff(ctx, all, &busy))
		must(t, s.CreateStaff(ctx, all, &free))
		if busy.ID > free.ID {
			t.Fatalf("fixture: want the busy agent to have the lower id, so that a tie would pick them")
		}
		for i := range 2 {
			tk := models.Ticket{EstateID: a, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal, Category: "服务",
				Description: "投诉", HouseholdID: &f.household.ID, Channel: models.ReportPhone, FirstReceiverID: busy.ID}
			tk, _, err := s.CreateTicket(ctx, all, &tk, "")
			must(t, err)
			_, err = s.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID,
				Progress: models.TicketProgress{Status: models.StatusAssigned, AssigneeID: &busy.ID, Revision: 1},
				Event:    models.CaseEvent{Key: "assign/" + string(rune('a'+i)), Type: "dispatch", At: time.Now()}})
			must(t, err)
		}
		who, err := s.LeastLoadedStaff(ctx, a, models.RoleCustomerService)
		if err != nil || who != free.ID {
			t.Errorf("collection task: got %d, %v, want the agent without open tickets (%d)", who, err, free.ID)
		}
		who, err = s.FollowUpAssignee(ctx, a, busy.ID, false)
		if err != nil || who != free.ID {
			t.Errorf("follow-up visit: got %d, %v, want the agent without open tickets (%d)", who, err, free.ID)
		}
	})
}
