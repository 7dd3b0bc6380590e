package app

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// TestClaimRace: two technicians of the estate claim the same unassigned
// repair at once through the API; the process lets one win (200), the other
// is refused with the ticket's state (409); a desk clerk may not claim
// (403), nor may anyone once it is taken.
func TestClaimRace(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, ids := estateWithStaff(t, a, "CLM", secondScaleRepairs)
	admin := as[models.RoleCompanyAdmin]
	admin.mustCall(http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estateID, "username": "CLM-tech2", "name": "赵师傅",
		"role": models.RoleTechnician, "password": "one-time-password"}, nil, http.StatusCreated)
	techs := []*apiClient{as[models.RoleTechnician], firstSignIn(t, a, "CLM-tech2", "one-time-password", "staff-password")}
	var ticket idOnly
	as[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "urgent", "category": "电路", "description": "楼道灯不亮", "location": "2栋楼道", "channel": "phone"}, &ticket, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/tickets/%d/actions/claim", ticket.ID)
	var allowed struct {
		AllowedActions []string `json:"allowed_actions"`
	}
	waitFor(t, 20*time.Second, "the ticket's process to offer claim to a technician", func() bool {
		techs[0].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticket.ID), nil, &allowed, http.StatusOK)
		return len(allowed.AllowedActions) > 0 && allowed.AllowedActions[0] == "claim"
	})
	as[models.RoleCustomerService].mustCall(http.MethodPost, path, map[string]any{}, nil, http.StatusForbidden)

	codes := make([]int, len(techs))
	var wg sync.WaitGroup
	for i, c := range techs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = c.call(http.MethodPost, path, map[string]any{}, nil)
		}()
	}
	wg.Wait()
	won := -1
	for i, code := range codes {
		if code == http.StatusOK {
			won = i
		}
	}
	if won < 0 || codes[1-won] != http.StatusConflict {
		t.Fatalf("two claims at once: got %v, want one 200 and one 409", codes)
	}
	var body struct {
		Error struct {
			State string `json:"state"`
		} `json:"error"`
	}
	if code := techs[1-won].call(http.MethodPost, path, map[string]any{}, &body); code != http.StatusConflict || body.Error.State != string(models.StatusAssigned) {
		t.Errorf("a claim after the race: got %d state %q, want 409 assigned", code, body.Error.State)
	}
	var detail struct {
		Ticket  models.Ticket `json:"ticket"`
		Process struct {
			AssigneeID uint64 `json:"assignee_id"`
		} `json:"process"`
	}
	techs[won].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticket.ID), nil, &detail, http.StatusOK)
	want := ids[models.RoleTechnician]
	if won == 1 {
		want = 0 // the second technician: any but the first
	}
	if detail.Process.AssigneeID == 0 || (want != 0 && detail.Process.AssigneeID != want) || (want == 0 && detail.Process.AssigneeID == ids[models.RoleTechnician]) {
		t.Errorf("assignee after the race: got %d, want the winner (technician #%d)", detail.Process.AssigneeID, won+1)
	}
}
