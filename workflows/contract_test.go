package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// ctHarness runs one contract workflow with every activity mocked.
type ctHarness struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	start    time.Time
	mu       sync.Mutex
	sends    []sent
	records  []activities.RecordContractInput
	versions []models.ContractVersion
	errs     map[string]error
}

// contractInput is contract HT-7 whose term's last day is 2026-12-31
// (it ends 2027-01-01 00:00 in Shanghai), recorded by the manager.
func contractInput() ContractInput {
	return ContractInput{ContractID: 7, EstateID: 1, Number: "HT-7", CreatedBy: manager,
		TermStart: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), TermEnd: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
}

var contractEnds = time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai)

func newCTHarness(t *testing.T, start time.Time) *ctHarness {
	h := &ctHarness{t: t, env: newTestEnv(), start: start, errs: map[string]error{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	var n *activities.Notifier
	var cs *activities.Cases
	var st *activities.Staff
	send, record := harnessSend(&h.mu, &h.sends, h.env, nil), keeper(&h.mu, &h.records)
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) { return send(in), nil })
	h.env.OnActivity(cs.RecordContract, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordContractInput) (activities.RecordResult, error) {
			record(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(cs.AddContractVersion, mock.Anything, mock.Anything).Return(
		func(_ context.Context, v models.ContractVersion) (models.ContractVersion, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			v.Version = len(h.versions) + 2
			h.versions = append(h.versions, v)
			return v, nil
		})
	staff := map[models.Role][]uint64{
		models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager}, models.RoleCompanyAdmin: {admin},
	}
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		})
	mockEscalations(h.env, &escalationFake{staff: staff, contract: record, send: send})
	return h
}

func (h *ctHarness) do(when time.Time, label string, a ContractAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(ContractActionUpdate, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.start))
}

func (h *ctHarness) query(when time.Time, out *ContractView) {
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(ContractStateQuery)
		if err == nil {
			err = v.Get(out)
		}
		if err != nil {
			h.t.Errorf("query: %v", err)
		}
	}, when.Sub(h.start))
}

// run executes the workflow; with open, it is cancelled at stop.
func (h *ctHarness) run(stop time.Time) ContractResult {
	h.t.Helper()
	if !stop.IsZero() {
		h.env.RegisterDelayedCallback(h.env.CancelWorkflow, stop.Sub(h.start))
	}
	h.env.ExecuteWorkflow(Contract, contractInput())
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	var r ContractResult
	if err := h.env.GetWorkflowError(); err != nil {
		var ce *temporal.CanceledError
		if stop.IsZero() || !errors.As(err, &ce) {
			h.t.Fatalf("workflow: %v", err)
		}
		return r
	}
	if err := h.env.GetWorkflowResult(&r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// told lists who got template, in order, and when.
func (h *ctHarness) told(template string) (ids []uint64, ats []time.Time) {
	for _, s := range h.sends {
		if s.In.Template == template {
			ids, ats = append(ids, s.In.RecipientID), append(ats, s.At)
		}
	}
	return ids, ats
}

func (h *ctHarness) events() []string {
	var out []string
	for _, r := range h.records {
		out = append(out, r.Event.Type+":"+string(r.Progress.Status))
	}
	return out
}

func TestContractRemindsUpTheChainThenRenews(t *testing.T) {
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, shanghai) // 356 days before the end
	h := newCTHarness(t, start)
	var mid, after ContractView
	h.query(contractEnds.AddDate(0, 0, -60), &mid)
	renewAt := contractEnds.AddDate(0, 0, -20)
	h.do(renewAt.Add(-time.Hour), "by a technician", ContractAction{Action: ContractRenew, ActorID: tech, ActorRole: models.RoleTechnician,
		TermEnd: ptr(time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)), Changes: "续签三年"})
	h.do(renewAt.Add(-time.Minute), "overlapping", ContractAction{Action: ContractRenew, ActorID: manager, ActorRole: models.RoleEstateManager,
		TermStart: ptr(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), TermEnd: ptr(time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC))})
	h.do(renewAt, "renew", ContractAction{Action: ContractRenew, ActorID: manager, ActorRole: models.RoleEstateManager,
		TermEnd: ptr(time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)), Changes: "续签三年"})
	h.query(renewAt.Add(time.Hour), &after)
	h.run(contractEnds.AddDate(0, 2, 0))

	ids, ats := h.told("contract_expiring")
	// 180 days: the supervisor; 90: the manager; 30: the company admin;
	// the recorder (the manager) each time.
	wantIDs := []uint64{supervisor, manager, manager, manager, admin}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("reminded %v, want %v", ids, wantIDs)
	}
	for i, d := range []int{180, 180, 90, 30, 30} {
		if i < len(ats) && !ats[i].Equal(contractEnds.AddDate(0, 0, -d)) {
			t.Errorf("reminder %d at %s, want %d days before the end", i, ats[i], d)
		}
	}
	if mid.Status != models.ContractExpiring || mid.RemindersSent != 2 || mid.Deciding {
		t.Errorf("60 days before the end: %+v", mid)
	}
	var ae *temporal.ApplicationError
	if err := h.errs["by a technician"]; !errors.As(err, &ae) || ae.Type() != ErrTypeForbidden {
		t.Errorf("a technician's renewal: %v", err)
	}
	if err := h.errs["overlapping"]; !errors.As(err, &ae) || ae.Type() != ErrTypeInvalidInput {
		t.Errorf("an overlapping term: %v", err)
	}
	if err := h.errs["renew"]; err != nil {
		t.Fatalf("renew: %v", err)
	}
	if after.Status != models.ContractActive || after.Renewals != 1 || after.RemindersSent != 0 ||
		!after.TermStart.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) || after.Deciding {
		t.Errorf("after the renewal: %+v", after)
	}
	if len(h.versions) != 1 || h.versions[0].Changes != "续签三年" || !h.versions[0].TermEnd.Equal(time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("versions: %+v", h.versions)
	}
	// The old term's end passes without an escalation.
	if ids, _ := h.told("contract_undecided"); len(ids) != 0 {
		t.Errorf("escalated after a renewal: %v", ids)
	}
	// The 90 days' reminder moves the status to expiring itself.
	want := []string{"registered:active", "reminder:active", "reminder:expiring", "reminder:expiring", "renewed:active"}
	if got := h.events(); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestContractLateRecordEscalatesAtTheEndThenHandsOver(t *testing.T) {
	start := contractEnds.AddDate(0, 0, -80) // recorded late: 180 and 90 days are past
	h := newCTHarness(t, start)
	var end ContractView
	h.query(contractEnds.Add(time.Hour), &end)
	h.do(contractEnds.Add(-time.Hour), "talks", ContractAction{Action: ContractNegotiate, ActorID: manager, ActorRole: models.RoleEstateManager, Note: "与业委会洽谈"})
	h.do(contractEnds.Add(-time.Minute), "talks again", ContractAction{Action: ContractNegotiate, ActorID: manager, ActorRole: models.RoleEstateManager})
	h.do(contractEnds.Add(3*time.Hour), "no note", ContractAction{Action: ContractHandOver, ActorID: manager, ActorRole: models.RoleEstateManager})
	h.do(contractEnds.Add(4*time.Hour), "hand over", ContractAction{Action: ContractHandOver, ActorID: admin, ActorRole: models.RoleCompanyAdmin, Note: "移交新物业公司"})
	r := h.run(time.Time{})

	ids, ats := h.told("contract_expiring")
	// One catch-up reminder (the 90 days', to the manager) at the start, then 30 days.
	if !slices.Equal(ids, []uint64{manager, manager, admin}) || !ats[0].Equal(start) {
		t.Errorf("reminded %v at %v", ids, ats)
	}
	esc, escAt := h.told("contract_undecided")
	// At the end: level 1 (supervisor, and the recorder); 30 minutes on:
	// level 2; two hours after that: level 3.
	if !slices.Equal(esc, []uint64{supervisor, manager, manager, manager, admin}) || !escAt[0].Equal(contractEnds) {
		t.Errorf("escalated to %v at %v", esc, escAt)
	}
	if end.Status != models.ContractRenewing || !end.Deciding || end.EscalationLevel != 2 {
		t.Errorf("an hour after the end: %+v", end)
	}
	var ae *temporal.ApplicationError
	if err := h.errs["talks again"]; !errors.As(err, &ae) || ae.Type() != ErrTypeInvalidState {
		t.Errorf("talks again: %v", err)
	}
	if err := h.errs["no note"]; !errors.As(err, &ae) || ae.Type() != ErrTypeInvalidInput {
		t.Errorf("a hand-over without a note: %v", err)
	}
	if r.Status != models.ContractHandedOver || !r.ClosedAt.Equal(contractEnds.Add(4*time.Hour)) {
		t.Errorf("result %+v", r)
	}
	last := h.records[len(h.records)-1]
	if last.Progress.Status != models.ContractHandedOver || last.Progress.HandOverNote != "移交新物业公司" || last.Progress.ClosedAt == nil {
		t.Errorf("last record %+v", last.Progress)
	}
}

func ptr[T any](v T) *T { return &v }
