package workflows

import (
	"testing"

	"github.com/wuye/wuye/models"
)

// The collection case answers which actions a caller may take, as tickets
// and follow-ups do: the service desk may record an open task's outcome, a
// manager may also approve a plan, and nobody decides on legal referral
// before it is pending.
func TestCollectionAllowedActions(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	got := map[string][]string{}
	ask := func(label string, in AllowedActionsInput) {
		h.at(cday(3, 27, 10, 0), func() {
			v, err := h.env.QueryWorkflow(CollectionAllowedActionsQuery, in)
			var out []string
			if err == nil {
				err = v.Get(&out)
			}
			if err != nil {
				t.Errorf("%s: query: %v", label, err)
			}
			got[label] = out
		})
	}
	ask("desk", AllowedActionsInput{ActorID: csAgent, ActorRole: models.RoleCustomerService})
	ask("manager", AllowedActionsInput{ActorID: 99, ActorRole: models.RoleEstateManager})
	ask("legal", AllowedActionsInput{ActorID: 98, ActorRole: models.RoleLegal})
	ask("nobody", AllowedActionsInput{})
	h.pay(cday(4, 25, 9, 0), 0)
	h.run()
	want := map[string][]string{
		"desk":    {ActTaskOutcome},
		"manager": {ActTaskOutcome, ActPlanApprove},
		"legal":   {},
		"nobody":  {},
	}
	for label, w := range want {
		wantLines(t, label, got[label], w)
	}
}
