package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// planTemporal plays the plan workflows: a revision of a running plan is
// answered with next, a deactivating one ends it, a revision of a plan not
// running is not found; starts make it run.
type planTemporal struct {
	client.Client
	mu        sync.Mutex
	running   map[string]bool
	revisions []workflows.PlanRevision
	starts    []string
	next      time.Time
}

func (f *planTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.UpdateName != workflows.PlanReviseUpdate || !f.running[o.WorkflowID] {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	r := o.Args[0].(workflows.PlanRevision)
	f.revisions = append(f.revisions, r)
	if !r.Plan.Active {
		delete(f.running, o.WorkflowID)
		return planUpdate{}, nil
	}
	return planUpdate{workflows.PlanView{Active: true, Next: f.next}}, nil
}

func (f *planTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[o.ID] = true
	f.starts = append(f.starts, o.ID)
	return nil, nil
}

type planUpdate struct{ view workflows.PlanView }

func (planUpdate) WorkflowID() string { return "" }
func (planUpdate) RunID() string      { return "" }
func (planUpdate) UpdateID() string   { return "" }
func (u planUpdate) Get(_ context.Context, out any) error {
	*out.(*workflows.PlanView) = u.view
	return nil
}

// TestEquipmentAndPlanEdits: edits are validated as at creation (400
// naming the field), by role (403) and estate (404); a plan edit revises
// its workflow and answers the next occurrence; a deactivated plan takes
// only reactivation (409), which starts its workflow again; retiring
// equipment deactivates its plans and ends their workflows, and retired
// equipment takes no edit, nor its plans reactivation (409).
func TestEquipmentAndPlanEdits(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		next := time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)
		fake := &planTemporal{running: map[string]bool{workflows.PlanWorkflowID(h.a.inspPlan.ID): true}, next: next}
		h.srv.Close()
		h.srv = httptest.NewServer(New(Options{Store: s, Temporal: fake, Log: slog.New(slog.DiscardHandler)}).Handler())
		t.Cleanup(h.srv.Close)
		mgr, tech := h.tokens[models.RoleEstateManager], h.tokens[models.RoleTechnician]
		plan := func(id uint64) string { return fmt.Sprint("/api/v1/inspection-plans/", id) }
		equip := func(id uint64) string { return fmt.Sprint("/api/v1/equipment/", id) }
		p, e := plan(h.a.inspPlan.ID), equip(h.a.equipment.ID)

		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"name": ""}, nil), http.StatusBadRequest, codeInvalidInput, "name")
		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"at": "25:00"}, nil), http.StatusBadRequest, codeInvalidInput, "at")
		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"checklist": []any{}}, nil), http.StatusBadRequest, codeInvalidInput, "checklist")
		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"assignee_id": h.b.staff.ID}, nil), http.StatusBadRequest, codeInvalidInput, "assignee_id")
		h.wantError(h.do(http.MethodPatch, p, tech, map[string]any{"at": "10:00"}, nil), http.StatusForbidden, codeForbidden, "")
		h.wantError(h.do(http.MethodPatch, plan(h.b.inspPlan.ID), mgr, map[string]any{"at": "10:00"}, nil), http.StatusNotFound, codeNotFound, "")
		if len(fake.revisions) != 0 {
			t.Fatalf("refused edits revised the workflow: %+v", fake.revisions)
		}

		var edited struct {
			models.InspectionPlan
			Next *time.Time `json:"next_occurrence"`
		}
		h.wantStatus(h.do(http.MethodPatch, p, mgr, map[string]any{"at": "10:00", "cadence": "weekly", "workdays_only": true}, &edited), http.StatusOK)
		if edited.At != "10:00" || edited.Cadence != models.CadenceWeekly || !edited.WorkdaysOnly || edited.Name != h.a.inspPlan.Name ||
			edited.Next == nil || !edited.Next.Equal(next) {
			t.Errorf("edited: got %+v next %v, want weekly at 10:00 on working days, next %s", edited.InspectionPlan, edited.Next, next)
		}
		if len(fake.revisions) != 1 || fake.revisions[0].Plan.At != "10:00" || !fake.revisions[0].Plan.Active {
			t.Fatalf("revisions: got %+v, want the edited plan", fake.revisions)
		}

		edited.Next = nil // the answer leaves it out
		h.wantStatus(h.do(http.MethodPatch, p, mgr, map[string]any{"active": false}, &edited), http.StatusOK)
		if edited.Active || edited.Next != nil || len(fake.revisions) != 2 || fake.revisions[1].Plan.Active {
			t.Errorf("deactivated: got %+v next %v, revisions %+v", edited.InspectionPlan, edited.Next, fake.revisions)
		}
		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"at": "11:00"}, nil), http.StatusConflict, codeInvalidState, "")
		h.wantError(h.do(http.MethodPatch, p, mgr, map[string]any{"active": true, "at": "11:00"}, nil), http.StatusConflict, codeInvalidState, "")
		h.wantStatus(h.do(http.MethodPatch, p, mgr, map[string]any{"active": true}, &edited), http.StatusOK)
		if !edited.Active || len(fake.starts) != 1 || fake.starts[0] != workflows.PlanWorkflowID(h.a.inspPlan.ID) {
			t.Errorf("reactivated: got %+v, starts %v, want the plan's workflow started again", edited.InspectionPlan, fake.starts)
		}

		// Equipment: the create validator, role, estate, a code in use.
		h.wantError(h.do(http.MethodPatch, e, mgr, map[string]any{"name": ""}, nil), http.StatusBadRequest, codeInvalidInput, "name")
		h.wantError(h.do(http.MethodPatch, e, mgr, map[string]any{"type": "boiler"}, nil), http.StatusBadRequest, codeInvalidInput, "type")
		h.wantError(h.do(http.MethodPatch, e, mgr, map[string]any{"installed_on": "2099-01-01"}, nil), http.StatusBadRequest, codeInvalidInput, "installed_on")
		h.wantError(h.do(http.MethodPatch, e, tech, map[string]any{"name": "x"}, nil), http.StatusForbidden, codeForbidden, "")
		h.wantError(h.do(http.MethodPatch, equip(h.b.equipment.ID), mgr, map[string]any{"name": "x"}, nil), http.StatusNotFound, codeNotFound, "")
		var eq models.Equipment
		h.wantStatus(h.do(http.MethodPatch, e, mgr, map[string]any{"contractor": "某电梯维保公司", "installed_on": "2019-06-01"}, &eq), http.StatusOK)
		if eq.Contractor != "某电梯维保公司" || eq.InstalledOn == nil || eq.InstalledOn.Format(time.DateOnly) != "2019-06-01" || eq.Name != h.a.equipment.Name {
			t.Errorf("edited equipment: got %+v", eq)
		}

		// Retired: its plan is deactivated and its workflow ended.
		h.wantStatus(h.do(http.MethodPatch, e, mgr, map[string]any{"active": false}, &eq), http.StatusOK)
		got, err := s.InspectionPlan(context.Background(), store.AllEstates(), h.a.inspPlan.ID)
		h.must(err)
		last := fake.revisions[len(fake.revisions)-1]
		if eq.Active || got.Active || last.Plan.ID != h.a.inspPlan.ID || last.Plan.Active {
			t.Errorf("retired: equipment %+v, plan active %v, last revision %+v", eq, got.Active, last)
		}
		res := h.do(http.MethodPatch, e, mgr, map[string]any{"name": "x"}, nil)
		h.wantError(res, http.StatusConflict, codeInvalidState, "")
		wantState(t, res.body, "retired")
		res = h.do(http.MethodPatch, p, mgr, map[string]any{"active": true}, nil)
		h.wantError(res, http.StatusConflict, codeInvalidState, "")
		wantState(t, res.body, "retired")
	})
}

func wantState(t *testing.T, body []byte, state string) {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Error.State != state {
		t.Errorf("got %s, want state %q", body, state)
	}
}
