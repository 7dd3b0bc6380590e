package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestFollowUpAllowedActionsFollowStateAndRole(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.closeAfter[101] = 48 * time.Hour
	const otherDesk = uint64(10)
	assignee := AllowedActionsInput{ActorID: receiver, ActorRole: models.RoleCustomerService}
	desk := AllowedActionsInput{ActorID: otherDesk, ActorRole: models.RoleCustomerService}
	sup := AllowedActionsInput{ActorID: supervisor, ActorRole: models.RoleSupervisor}
	techie := AllowedActionsInput{ActorID: tech, ActorRole: models.RoleTechnician}
	asks := []struct {
		when time.Time
		who  AllowedActionsInput
		want []string
	}{
		{at(3, 10, 0), assignee, []string{VisitRecord, VisitAttempt, VisitSchedule, VisitReassign}},
		{at(3, 10, 0), desk, []string{VisitRecord, VisitAttempt, VisitSchedule}},
		{at(3, 10, 0), sup, []string{VisitRecord, VisitAttempt, VisitSchedule, VisitReassign, VisitCancel}},
		{at(3, 10, 0), techie, []string{}},
		{at(3, 10, 0), AllowedActionsInput{}, []string{}},
		// The visit is recorded and its ticket is open: nothing left to do.
		{at(11, 10, 0), sup, []string{}},
	}
	got := make([][]string, len(asks))
	for i, a := range asks {
		h.env.RegisterDelayedCallback(func() {
			v, err := h.env.QueryWorkflow(FollowUpAllowedActionsQuery, a.who)
			if err == nil {
				err = v.Get(&got[i])
			}
			if err != nil {
				t.Errorf("query %d: %v", i, err)
			}
		}, a.when.Sub(h.start))
	}
	h.do(at(10, 10, 0), "record", record(at(10, 9, 0), models.VisitItem{Kind: models.ItemRepair, Text: "卫生间地漏返味", Urgency: models.UrgencyUrgent}))
	h.run()
	h.wantOK("record")
	for i, a := range asks {
		if !slices.Equal(got[i], a.want) {
			t.Errorf("%s, %s %d: got %v, want %v", a.when.Format("01-02 15:04"), a.who.ActorRole, a.who.ActorID, got[i], a.want)
		}
	}
}
