package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// fakeTemporal records the signals and updates the arrears handlers send;
// only those methods are implemented.
type fakeTemporal struct {
	client.Client
	mu      sync.Mutex
	signals []fakeSignal
	updates []workflows.CaseAction
	// updateIDs are the updates' IDs, in order.
	updateIDs []string
	// updateErr is what the next updates fail with (nil: they succeed).
	updateErr error
}

type fakeSignal struct {
	workflowID string
	nudge      workflows.CollectionNudge
	input      workflows.CollectionInput
}

func (f *fakeTemporal) SignalWithStartWorkflow(_ context.Context, id, signal string, arg any, _ client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if signal != workflows.CollectionSignal {
		return nil, fmt.Errorf("signal %q", signal)
	}
	f.signals = append(f.signals, fakeSignal{workflowID: id, nudge: arg.(workflows.CollectionNudge), input: args[0].(workflows.CollectionInput)})
	return nil, nil
}

func (f *fakeTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.updateErr != nil {
		return nil, f.updateErr
	}
	a := o.Args[0].(workflows.CaseAction)
	f.updates = append(f.updates, a)
	f.updateIDs = append(f.updateIDs, o.UpdateID)
	return fakeUpdate{view: workflows.CaseView{CaseID: 1, Stage: models.StageDunning, AsOf: time.Now()}}, nil
}

func (f *fakeTemporal) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, errors.New("no worker in this test")
}

func (f *fakeTemporal) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, errors.New("no server in this test")
}

type fakeUpdate struct{ view workflows.CaseView }

func (fakeUpdate) WorkflowID() string { return "" }
func (fakeUpdate) RunID() string      { return "" }
func (fakeUpdate) UpdateID() string   { return "" }
func (u fakeUpdate) Get(_ context.Context, out any) error {
	*out.(*workflows.CaseView) = u.view
	return nil
}

// arrearsHarness is the API harness served with a fake Temporal and a
// fixed clock: 2026-03-07 10:00 in Shanghai.
func arrearsHarness(t *testing.T, s *store.Store) (*harness, *fakeTemporal) {
	t.Helper()
	h := newHarness(t, s)
	fake := &fakeTemporal{}
	now := time.Date(2026, 3, 7, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: s, Temporal: fake, Log: log, Now: func() time.Time { return now }}).Handler())
	return h, fake
}

func TestBillingRunsAndPaymentsAreIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h, fake := arrearsHarness(t, s)
		fin := h.tokens[models.RoleFinance]
		hh := h.a.household.ID
		h.wantStatus(h.do(http.MethodPost, "/api/v1/fee-items", fin, map[string]any{"household_id": hh, "name": "物业费", "amount_fen": 25000}, nil), http.StatusCreated)
		h.wantStatus(h.do(http.MethodPost, "/api/v1/fee-items", fin, map[string]any{"household_id": hh, "name": "车位管理费", "amount_fen": 5000}, nil), http.StatusCreated)

		var run models.BillingRun
		h.wantStatus(h.do(http.MethodPost, "/api/v1/billing-runs", fin, map[string]any{"estate_id": h.a.estate.ID, "period": "2026-01"}, &run), http.StatusCreated)
		if run.Created != 1 || len(run.HouseholdIDs) != 1 || run.HouseholdIDs[0] != hh {
			t.Errorf("first run: got %+v, want one bill for household %d", run, hh)
		}
		h.wantStatus(h.do(http.MethodPost, "/api/v1/billing-runs", fin, map[string]any{"estate_id": h.a.estate.ID, "period": "2026-01"}, &run), http.StatusCreated)
		if run.Created != 0 || run.Existing != 1 {
			t.Errorf("second run: got %+v, want nothing new and one existing", run)
		}
		var bills listBody[models.HouseholdBill]
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d&period=2026-01", hh), fin, nil, &bills), http.StatusOK)
		if bills.Total != 1 || bills.Items[0].AmountFen != 30000 || models.DateOf(bills.Items[0].DueOn, time.UTC).String() != "2026-02-10" {
			t.Errorf("bills of 2026-01: got %+v, want one of 30000 due 2026-02-10", bills)
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-01", "amount_fen": 100}, nil),
			http.StatusConflict, codeConflict, "")
		h.wantError(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-13", "amount_fen": 100}, nil),
			http.StatusBadRequest, codeInvalidInput, "period")
		h.wantError(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": h.b.household.ID, "period": "2026-02", "amount_fen": 100}, nil),
			http.StatusBadRequest, codeInvalidInput, "household_id")

		pay := map[string]any{"household_id": hh, "amount_fen": 30000, "paid_at": "2026-03-01T09:00:00+08:00", "channel": "wechat", "reference": "wx-4200"}
		var first, again models.FeePayment
		h.wantStatus(h.do(http.MethodPost, "/api/v1/payments", fin, pay, &first), http.StatusCreated)
		h.wantStatus(h.do(http.MethodPost, "/api/v1/payments", fin, pay, &again), http.StatusOK)
		if again.ID != first.ID || models.DateOf(first.PaidOn, time.UTC).String() != "2026-03-01" {
			t.Errorf("same reference twice: got %d then %d paid on %v, want one payment on 2026-03-01", first.ID, again.ID, first.PaidOn)
		}
		pay["amount_fen"] = 100
		h.wantError(h.do(http.MethodPost, "/api/v1/payments", fin, pay, nil), http.StatusConflict, codeConflict, "")
		pay["paid_at"], pay["reference"] = "2026-03-09T09:00:00+08:00", "wx-future"
		h.wantError(h.do(http.MethodPost, "/api/v1/payments", fin, pay, nil), http.StatusBadRequest, codeInvalidInput, "paid_at")

		// The run's bill and both payment records told the household's case.
		kinds := []string{}
		for _, sg := range fake.signals {
			if sg.workflowID != workflows.CollectionWorkflowID(hh) || sg.input.HouseholdID != hh || sg.input.TimeZone != "Asia/Shanghai" {
				t.Errorf("signal: got %+v, want household %d's collection", sg, hh)
			}
			kinds = append(kinds, sg.nudge.Kind)
		}
		wantLines(t, "nudges", kinds, []string{workflows.NudgeBill, workflows.NudgePayment, workflows.NudgePayment})
	})
}

func TestDisputeWindowAndResolution(t *testing.T) {
	h, fake := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	fin, desk := h.tokens[models.RoleFinance], h.tokens[models.RoleCustomerService]
	hh := h.a.household.ID
	var soon, later models.HouseholdBill
	h.wantStatus(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-02", "amount_fen": 30000}, &soon), http.StatusCreated)
	h.wantStatus(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-03", "amount_fen": 30000}, &later), http.StatusCreated)

	// Today is 03-07: the February bill is due 03-10, within 5 days.
	res := h.do(http.MethodPost, fmt.Sprintf("/api/v1/bills/%d/disputes", soon.ID), desk, map[string]any{"reason": "面积有误"}, nil)
	h.wantError(res, http.StatusConflict, codeInvalidState, "")
	var d models.BillDispute
	h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/bills/%d/disputes", later.ID), desk, map[string]any{"reason": "面积有误"}, &d), http.StatusCreated)
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/bills/%d/disputes", later.ID), desk, map[string]any{"reason": "再议"}, nil),
		http.StatusConflict, codeInvalidState, "")
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/disputes/%d/resolve", d.ID), desk, map[string]any{"resolution": "x"}, nil),
		http.StatusForbidden, codeForbidden, "")
	var resolved models.BillDispute
	h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/disputes/%d/resolve", d.ID), fin, map[string]any{"corrected_fen": 25000, "resolution": "按实测面积更正"}, &resolved), http.StatusOK)
	if resolved.Status != models.DisputeCorrected {
		t.Errorf("resolution: got %s, want corrected", resolved.Status)
	}
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/disputes/%d/resolve", d.ID), fin, map[string]any{"resolution": "again"}, nil),
		http.StatusConflict, codeInvalidState, "")
	var b models.HouseholdBill
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/bills/%d", later.ID), desk, nil, &b), http.StatusOK)
	if b.AmountFen != later.AmountFen || b.AmountFen+b.AdjustedFen != 25000 || b.Disputed {
		t.Errorf("bill after correction: got %d%+d disputed=%v, want the issued %d with a note to 25000, undisputed", b.AmountFen, b.AdjustedFen, b.Disputed, later.AmountFen)
	}
	kinds := []string{}
	for _, sg := range fake.signals {
		kinds = append(kinds, sg.nudge.Kind)
	}
	wantLines(t, "nudges", kinds, []string{workflows.NudgeBill, workflows.NudgeBill, workflows.NudgeDispute, workflows.NudgeResolved})
}

func TestArrearsViewAndList(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h, _ := arrearsHarness(t, s)
		fin := h.tokens[models.RoleFinance]
		hh := h.a.household.ID
		h.wantStatus(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-01", "amount_fen": 10000}, nil), http.StatusCreated)
		var v arrearsView
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh), h.tokens[models.RoleTechnician], nil, &v), http.StatusOK)
		// Due 02-10, 25 days late on 03-07 at 3‰: 750 fen; the 2030 bill is disputed and owes its principal only.
		if v.Account.Principal != 22000 || v.Account.LateFee != 750 || v.AsOf.String() != "2026-03-07" {
			t.Errorf("account: got principal %d late fee %d as of %s, want 22000, 750, 2026-03-07", v.Account.Principal, v.Account.LateFee, v.AsOf)
		}
		if v.Case == nil || v.Process != nil || v.ProcessError == "" || len(v.Tasks) != 1 || len(v.Disputes) != 1 || len(v.Plans) != 1 {
			t.Errorf("view: got case %v process %v (%q), %d tasks, %d disputes, %d plans; want the fixture's case, no live state, one of each",
				v.Case, v.Process, v.ProcessError, len(v.Tasks), len(v.Disputes), len(v.Plans))
		}
		if v.Limitation.DebtSince != "2026-02-10" || v.Limitation.LapsesOn != "2029-02-10" || v.Limitation.Warn {
			t.Errorf("limitation: got %+v, want debt since 2026-02-10 lapsing 2029-02-10, no warning", v.Limitation)
		}
		// What is true of the household: 25 days overdue; without a live
		// process no stage or ladder clock is claimed.
		if st := v.Standing; st.DaysOverdue != 25 || st.OldestDue == nil || st.OldestDue.String() != "2026-02-10" || st.Stage != "" || st.LadderFrom != nil {
			t.Errorf("standing: got %+v, want 25 days overdue since 2026-02-10 and no process claims", st)
		}
		for _, e := range v.Contacts {
			if e.Channel == "" {
				t.Errorf("contacts: got %s event %q without a channel, want contacts only", e.Type, e.Key)
			}
		}
		// The account's actions follow each route's roles and what the
		// account holds: a late fee, an open dispute, and no bill still
		// inside its dispute window (the 2026-01 bill's closed 02-05)...
		for role, want := range map[models.Role][]string{
			models.RoleFinance:       {actPayment, actResolve, actPlan},
			models.RoleEstateManager: {actPlan, actWaiver},
		} {
			var rv arrearsView
			h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh), h.tokens[role], nil, &rv), http.StatusOK)
			if !slices.Equal(rv.AccountActions, want) {
				t.Errorf("account actions of %s, no bill to dispute: got %v, want %v", role, rv.AccountActions, want)
			}
		}
		// ...until a bill due in May is issued.
		h.wantStatus(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2026-04", "amount_fen": 5000}, nil), http.StatusCreated)
		for role, want := range map[models.Role][]string{
			models.RoleTechnician:    {},
			models.RoleFinance:       {actPayment, actDispute, actResolve, actPlan},
			models.RoleEstateManager: {actDispute, actPlan, actWaiver},
			models.RoleCompanyAdmin:  {actPayment, actDispute, actResolve, actPlan, actWaiver},
		} {
			var rv arrearsView
			h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh), h.tokens[role], nil, &rv), http.StatusOK)
			if !slices.Equal(rv.AccountActions, want) {
				t.Errorf("account actions of %s: got %v, want %v", role, rv.AccountActions, want)
			}
		}
		var l arrearsList
		h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears", h.tokens[models.RoleEstateManager], nil, &l), http.StatusOK)
		if l.Total != 1 || l.Items[0].HouseholdID != hh || len(l.Totals) != 1 || l.Totals[0].Stage != models.StageDunning || l.Totals[0].Cases != 1 {
			t.Errorf("arrears list: got %+v, want estate A's one dunning case", l)
		}
		if l.Total == 1 && l.Items[0].ShownStage != models.StageDunning {
			t.Errorf("arrears list: got shown stage %q, want dunning", l.Items[0].ShownStage)
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears?stage=legal", h.tokens[models.RoleLegal], nil, &l), http.StatusOK)
		if l.Total != 0 || len(l.Totals) != 0 {
			t.Errorf("legal cases: got %+v, want none", l)
		}
		h.wantError(h.do(http.MethodGet, "/api/v1/arrears?stage=gone", fin, nil, nil), http.StatusBadRequest, codeInvalidInput, "stage")
	})
}

func TestCaseActionsThroughTheProcess(t *testing.T) {
	h, fake := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	desk, mgr := h.tokens[models.RoleCustomerService], h.tokens[models.RoleEstateManager]
	taskPath := fmt.Sprintf("/api/v1/collection-tasks/%d/outcome", h.a.task.ID)
	h.wantError(h.do(http.MethodPost, taskPath, desk, map[string]any{"outcome": "shouted"}, nil), http.StatusBadRequest, codeInvalidInput, "outcome")
	var v caseView
	h.wantStatus(h.do(http.MethodPost, taskPath, desk, map[string]any{"outcome": "promised", "promised_on": "2026-03-20"}, &v), http.StatusOK)
	if len(fake.updates) != 1 || fake.updates[0].Outcome != models.OutcomePromised || fake.updates[0].PromisedOn.String() != "2026-03-20" ||
		fake.updates[0].ActorRole != models.RoleCustomerService || v.Stage != models.StageDunning {
		t.Errorf("task outcome: got updates %+v, view %+v", fake.updates, v)
	}
	// The process refuses: 409 with its current state.
	fake.updateErr = temporal.NewApplicationError("没有待审批的转法务申请", workflows.ErrTypeInvalidState, string(models.StageDunning))
	res := h.do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/arrears/legal-decision", h.a.household.ID), mgr, map[string]any{"approve": true, "reason": "证据齐全", "confirm": true}, nil)
	h.wantError(res, http.StatusConflict, codeInvalidState, "")
	var body errorBody
	_ = json.Unmarshal(res.body, &body)
	if body.Error.State != string(models.StageDunning) {
		t.Errorf("refusal state: got %q, want dunning", body.Error.State)
	}
	fake.updateErr = nil
	h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/plans/%d/approve", h.a.plan.ID), mgr, nil, nil), http.StatusOK)
	if last := fake.updates[len(fake.updates)-1]; last.Action != workflows.ActPlanApprove || last.PlanID != h.a.plan.ID || len(last.Plan) != 1 {
		t.Errorf("plan approval: got %+v", last)
	}
	// No open case for estate B's household as seen from B is still 404 for A (access tests); a
	// household without a case is 409.
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/arrears/legal-decision", h.a.household.ID+1000), mgr,
		map[string]any{"approve": true, "reason": "x", "confirm": true}, nil), http.StatusNotFound, codeNotFound, "")
	var plan models.InstalmentPlan
	h.wantStatus(h.do(http.MethodPost, "/api/v1/plans", desk, map[string]any{"household_id": h.a.household.ID, "reason": "大病",
		"instalments": []map[string]any{{"due": "2026-04-01", "amount_fen": 5000}, {"due": "2026-03-30", "amount_fen": 5000}}}, &plan), http.StatusBadRequest)
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// Approving legal referral needs confirm: true; legal staff record the
// matter's documents and outcome through the case's process; the legal
// queue lists the cases awaiting or referred to legal.
func TestLegalConfirmRecordsAndQueue(t *testing.T) {
	h, fake := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr, lg, desk := h.tokens[models.RoleEstateManager], h.tokens[models.RoleLegal], h.tokens[models.RoleCustomerService]
	base := fmt.Sprintf("/api/v1/households/%d/arrears/", h.a.household.ID)
	h.wantError(h.do(http.MethodPost, base+"legal-decision", mgr, map[string]any{"approve": true, "reason": "证据齐全"}, nil),
		http.StatusBadRequest, codeInvalidInput, "confirm")
	if len(fake.updates) != 0 {
		t.Errorf("an unconfirmed approval: got updates %+v, want none sent", fake.updates)
	}
	h.wantStatus(h.do(http.MethodPost, base+"legal-decision", mgr, map[string]any{"approve": false, "reason": "再沟通"}, nil), http.StatusOK)

	h.wantStatus(h.do(http.MethodPost, base+"legal-documents", desk, map[string]any{"kind": "evidence", "name": "函", "date": "2026-03-01"}, nil), http.StatusForbidden)
	h.wantError(h.do(http.MethodPost, base+"legal-documents", lg, map[string]any{"kind": "letter", "name": "函", "date": "2026-03-01"}, nil),
		http.StatusBadRequest, codeInvalidInput, "kind")
	h.wantStatus(h.do(http.MethodPost, base+"legal-documents", lg, map[string]any{"kind": "evidence", "name": "书面催缴函", "reference": "函-7", "date": "2026-03-01"}, nil), http.StatusOK)
	doc := fake.updates[len(fake.updates)-1]
	if doc.Action != workflows.ActLegalDocument || doc.ActorRole != models.RoleLegal || doc.Legal.Name != "书面催缴函" ||
		doc.Legal.Ref != "函-7" || doc.Legal.On.String() != "2026-03-01" {
		t.Errorf("document: got %+v", doc)
	}
	h.wantError(h.do(http.MethodPost, base+"legal-outcome", lg, map[string]any{"outcome": "won", "date": "2026-03-05"}, nil),
		http.StatusBadRequest, codeInvalidInput, "outcome")
	h.wantStatus(h.do(http.MethodPost, base+"legal-outcome", lg, map[string]any{"outcome": "settled", "date": "2026-03-05", "amount_fen": 50000}, nil), http.StatusOK)
	out := fake.updates[len(fake.updates)-1]
	if out.Action != workflows.ActLegalOutcome || out.Legal.Kind != workflows.LegalSettled || out.Legal.AmountFen != 50000 {
		t.Errorf("outcome: got %+v", out)
	}
	// The process refuses what the matter's state does not allow: 409.
	fake.updateErr = temporal.NewApplicationError("尚未起诉，无从撤回", workflows.ErrTypeInvalidState, string(models.StageLegal))
	h.wantError(h.do(http.MethodPost, base+"legal-outcome", lg, map[string]any{"outcome": "withdrawn", "date": "2026-03-05", "reason": "x"}, nil),
		http.StatusConflict, codeInvalidState, "")
	fake.updateErr = nil

	var l arrearsList
	h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears?legal=true", lg, nil, &l), http.StatusOK)
	if l.Total != 0 {
		t.Errorf("legal queue with a dunning case only: got %d cases, want none", l.Total)
	}
	cs, err := h.store.LatestCase(context.Background(), store.AllEstates(), h.a.household.ID)
	h.must(err)
	since := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	_, err = h.store.RecordCaseChange(context.Background(), store.CaseChange{CaseID: cs.ID,
		Progress: models.CaseProgress{Stage: models.StageLegal, LegalStatus: workflows.LegalFiled, LegalSince: &since, Revision: cs.Revision + 1},
		Event:    models.CaseEvent{Key: "legal-fixture", Type: "legal_outcome", ToStatus: string(models.StageLegal), At: since}})
	h.must(err)
	h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears?legal=true", lg, nil, &l), http.StatusOK)
	if l.Total != 1 || l.Items[0].LegalStatus != workflows.LegalFiled || l.Items[0].LegalSince == nil || !l.Items[0].LegalSince.Equal(since) || l.Items[0].Address == "" {
		t.Errorf("legal queue: got %+v, want estate A's case, filed, in legal since %s, with its address", l, since)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/arrears?legal=maybe", lg, nil, nil), http.StatusBadRequest, codeInvalidInput, "legal")
}
