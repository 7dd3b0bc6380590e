package activities_test

import (
	"context"
	"testing"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/store/storetest"
)

func TestBrief(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	e, _ := ticketFixture(t, s)
	a := &activities.Staff{Store: s}
	b, err := a.Brief(context.Background(), activities.BriefInput{EstateID: e.ID})
	if err != nil || b.EstateName != "阳光花园" || b.ServicePhone != "0571-88880000" {
		t.Errorf("brief: got %+v, %v", b, err)
	}
}

func TestAssignFollowUpWithoutCustomerService(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	rec := moveInFixture(t, s)
	a := &activities.Staff{Store: s}
	got, err := a.AssignFollowUp(context.Background(), activities.AssigneeInput{EstateID: rec.Estate.ID, RegistrarID: 9, PreferRegistrar: true})
	if err != nil || got.StaffID != 9 {
		t.Errorf("assignee without customer service: got %d, %v; want the registrar 9", got.StaffID, err)
	}
}
