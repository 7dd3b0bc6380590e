package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// TestOperatorsFindEveryProcessBySearchAttributes: a ticket, a move-in
// follow-up and an arrears case of one estate are each found by the query
// an operator types into the Temporal UI or CLI (estate and kind), with
// their stage set. A collection workflow set no search attributes before
// the change "collection-search-attributes".
func TestOperatorsFindEveryProcessBySearchAttributes(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, _ := estateWithStaff(t, a, "ATTR", secondScaleRepairs)
	admin, desk, fin := as[models.RoleCompanyAdmin], as[models.RoleCustomerService], as[models.RoleFinance]
	var building, unit, unit2, household idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "102"}, &unit2, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	var tk idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "critical",
		"category": "水电", "description": "厨房漏水", "household_id": household.ID, "channel": "phone"}, &tk, http.StatusCreated)
	var mi struct {
		MoveIn idOnly `json:"move_in"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"unit_id": unit2.ID,
		"residents": []map[string]any{{"name": "赵六", "phone": "13900001111", "role": "owner"}}}, &mi, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": household.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)

	for kind, id := range map[string]string{
		"repair":                      workflows.TicketWorkflowID(tk.ID),
		"followup":                    workflows.FollowUpWorkflowID(mi.MoveIn.ID),
		string(models.KindCollection): workflows.CollectionWorkflowID(household.ID),
	} {
		query := fmt.Sprintf("WuyeEstate = '%d' AND WuyeCaseKind = '%s' AND WuyeStage IS NOT NULL", estateID, kind)
		waitFor(t, 30*time.Second, "the "+kind+" process to be found by "+query, func() bool {
			l, err := a.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
			if err != nil {
				t.Fatalf("list %q: %v", query, err)
			}
			for _, e := range l.GetExecutions() {
				if e.GetExecution().GetWorkflowId() == id {
					return true
				}
			}
			return false
		})
	}
}
