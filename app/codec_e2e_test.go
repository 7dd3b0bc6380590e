package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// The name and phone the sealed runs carry in every field they can.
const sealedName, sealedPhone = "隐私测试王五", "13912340987"

// TestTemporalKeepsNoPersonalDataInClear runs a ticket, a move-in follow-up
// and an arrears case whose texts carry a resident's name and phone, then
// reads Temporal's own database file: neither may be found in it, since
// every payload is sealed (package codec). The histories still replay with
// the keys, so sealing costs nothing of the replay safety net.
func TestTemporalKeepsNoPersonalDataInClear(t *testing.T) {
	dir := t.TempDir()
	a := startApp(t, testConfig(t, dir))
	ids, hists := sealedRun(t, a)
	a.Stop(context.Background())

	files, err := filepath.Glob(filepath.Join(dir, "temporal.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("Temporal's database files: got %v, %v", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{sealedName, sealedPhone} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: got %q in clear, want every payload sealed", filepath.Base(f), secret)
			}
		}
	}
	replaySealed(t, a, ids, hists)
}

// sealedRun opens a ticket with a note, registers a move-in and bills a
// household, each carrying sealedName and sealedPhone, and returns the
// ticket's and the arrears case's workflow IDs and histories once they have
// escalated and started.
func sealedRun(t *testing.T, a *App) ([]string, []*historypb.History) {
	t.Helper()
	const name, phone = sealedName, sealedPhone
	estateID, as, _ := estateWithStaff(t, a, "SEAL", secondScaleRepairs)
	admin, desk, fin := as[models.RoleCompanyAdmin], as[models.RoleCustomerService], as[models.RoleFinance]
	var building, unit, unit2, household, resident idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "102"}, &unit2, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": name,
		"phone": phone, "role": "owner"}, &resident, http.StatusCreated)

	var tk idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "critical",
		"category": "水电", "description": fmt.Sprintf("%s来电（%s）：厨房漏水", name, phone), "household_id": household.ID,
		"resident_id": resident.ID, "location": "1栋101厨房，找" + name, "channel": "phone"}, &tk, http.StatusCreated)
	// Staff notes are free text that the process carries (an update's
	// arguments, its history's payloads).
	desk.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/note", tk.ID),
		map[string]any{"note": fmt.Sprintf("已致电%s，手机%s", name, phone)}, nil, http.StatusOK)
	var mi struct {
		FollowUp idOnly `json:"follow_up"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"unit_id": unit2.ID,
		"residents": []map[string]any{{"name": name, "phone": phone, "role": "owner"}},
		"needs":     map[string]any{"notes": "联系" + name + " " + phone}}, &mi, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": household.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)

	// Wait until the ticket has escalated (its activities ran with the
	// description) and the collection case has started.
	var d ticketDetail
	waitFor(t, 30*time.Second, "the ticket to escalate", func() bool {
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil, &d, http.StatusOK)
		return len(d.Escalations) > 0
	})
	ids := []string{workflows.TicketWorkflowID(tk.ID), workflows.CollectionWorkflowID(household.ID)}
	var hists []*historypb.History
	for _, id := range ids {
		settle(t, a.Temporal, id)
		hists = append(hists, history(t, a, id))
	}
	return ids, hists
}

// replaySealed replays sealed histories with a's keys.
func replaySealed(t *testing.T, a *App, ids []string, hists []*historypb.History) {
	t.Helper()
	r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: a.codec.DataConverter(), FailureConverter: a.codec.FailureConverter()})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflow(workflows.Ticket)
	r.RegisterWorkflow(workflows.FollowUp)
	r.RegisterWorkflow(workflows.Collection)
	for i, h := range hists {
		if err := r.ReplayWorkflowHistory(nil, h); err != nil {
			t.Errorf("replay sealed %s: got %v, want no error", ids[i], err)
		}
	}
}

// history reads workflow id's whole history.
func history(t *testing.T, a *App, id string) *historypb.History {
	t.Helper()
	h := &historypb.History{}
	it := a.Temporal.GetWorkflowHistory(context.Background(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}
