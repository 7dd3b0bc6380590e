package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// withTemporal points the harness at a router whose Temporal client is tc.
func withTemporal(h *harness, tc client.Client) {
	h.t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: h.store, Log: log, Temporal: tc}).Handler())
	h.t.Cleanup(h.srv.Close)
}

// doKey is do with an Idempotency-Key header.
func (h *harness) doKey(method, path, token, key string, body, out any) response {
	h.t.Helper()
	raw, err := json.Marshal(body)
	h.must(err)
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(raw))
	h.must(err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := h.srv.Client().Do(req)
	h.must(err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	h.must(err)
	if out != nil && resp.StatusCode < 300 {
		h.must(json.Unmarshal(got, out))
	}
	return response{status: resp.StatusCode, body: got, req: method + " " + path}
}

func (h *harness) addUnit(f estateFixture, number string) models.Unit {
	h.t.Helper()
	u := models.Unit{BuildingID: f.building.ID, Number: number}
	h.must(h.store.CreateUnit(context.Background(), store.AllEstates(), &u))
	return u
}

func TestRegisterMoveIn(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	unit := h.addUnit(h.a, "202")
	var started []client.StartWorkflowOptions
	var inputs []workflows.FollowUpInput
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Run(func(args mock.Arguments) {
			started = append(started, args.Get(1).(client.StartWorkflowOptions))
			inputs = append(inputs, args.Get(3).(workflows.FollowUpInput))
		}).Return(&mocks.WorkflowRun{}, nil).Once()
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Return(nil, serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", "")).Once()

	desk := h.tokens[models.RoleCustomerService]
	body := map[string]any{"unit_id": unit.ID,
		"residents": []map[string]any{{"name": "张三", "phone": "13812345678", "role": "owner"}, {"name": "李四", "phone": "13912345678", "role": "tenant"}},
		"needs":     map[string]any{"elderly_at_home": true, "pets": true, "preferred_channel": "wechat", "preferred_times": "周末上午"}}
	var first, again moveInResponse
	h.wantStatus(h.doKey(http.MethodPost, "/api/v1/move-ins", desk, "mi-1", body, &first), http.StatusCreated)
	h.wantStatus(h.doKey(http.MethodPost, "/api/v1/move-ins", desk, "mi-1", body, &again), http.StatusOK)
	if first.MoveIn.ID == 0 || again.MoveIn.ID != first.MoveIn.ID || again.FollowUp.ID != first.FollowUp.ID {
		t.Errorf("same key twice: got move-ins %d and %d, want one", first.MoveIn.ID, again.MoveIn.ID)
	}
	if first.Household.UnitID != unit.ID || first.Household.Status != models.HouseholdActive || len(first.Residents) != 2 ||
		first.Residents[0].Phone != "138****5678" || !first.Residents[0].PhoneMasked || first.FollowUp.Status != models.FollowUpPending {
		t.Errorf("registration: got %+v", first)
	}
	if first.WorkflowID != fmt.Sprintf("followup-%d", first.MoveIn.ID) || len(started) != 1 || started[0].ID != first.WorkflowID || started[0].TaskQueue != workflows.TaskQueue {
		t.Errorf("process start: got %q and %+v, want followup-%d on the service's queue", first.WorkflowID, started, first.MoveIn.ID)
	}
	staff, _ := h.store.StaffByUsername(context.Background(), "a-customer_service")
	if in := inputs[0]; in.FollowUpID != first.FollowUp.ID || in.RegisteredBy != staff.ID || len(in.ResidentIDs) != 2 ||
		in.Location != "1栋202" || in.TimeZone != "Asia/Shanghai" || in.Policy.FollowUp.MaxAttempts != 3 {
		t.Errorf("process input: got %+v", in)
	}
	tc.AssertExpectations(t)

	other := h.addUnit(h.b, "301")
	tests := []struct {
		give  map[string]any
		field string
	}{
		{map[string]any{"unit_id": unit.ID}, "residents"},
		{map[string]any{"unit_id": unit.ID, "household_id": h.a.household.ID, "resident_ids": []uint64{h.a.resident.ID}}, "unit_id"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "call me", "role": "owner"}}}, "residents[0].phone"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "12345", "role": "owner"}}}, "residents[0].phone"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "13700000000", "role": "landlord"}}}, "residents[0].role"},
		{map[string]any{"unit_id": other.ID, "residents": []map[string]any{{"name": "王五", "phone": "13700000000", "role": "owner"}}}, "unit_id"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "13700000000", "role": "owner"}}, "needs": map[string]any{"preferred_channel": "fax"}}, "needs.preferred_channel"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "13700000000", "role": "owner"}}, "moved_in_at": "2020-01-01T00:00:00Z"}, "moved_in_at"},
		{map[string]any{"unit_id": unit.ID, "residents": []map[string]any{{"name": "王五", "phone": "13700000000", "role": "owner"}}, "moved_in_at": "tomorrow"}, "moved_in_at"},
	}
	for _, tt := range tests {
		h.wantError(h.do(http.MethodPost, "/api/v1/move-ins", desk, tt.give, nil), http.StatusBadRequest, codeInvalidInput, tt.field)
	}
	// The unit now has an active household: a new one moves in only once
	// it is named to move out.
	h.wantError(h.do(http.MethodPost, "/api/v1/move-ins", desk, body, nil), http.StatusBadRequest, codeInvalidInput, "previous_household_id")
	h.wantError(h.do(http.MethodPost, "/api/v1/move-ins", h.tokens[models.RoleTechnician], body, nil), http.StatusForbidden, codeForbidden, "")
}

// updateMock answers UpdateWorkflow calls: each call is kept, and the
// handle's result is view (or err).
type updateMock struct {
	calls []client.UpdateWorkflowOptions
}

func (u *updateMock) expect(tc *mocks.Client, view workflows.FollowUpView, err error) {
	handle := &mocks.WorkflowUpdateHandle{}
	handle.On("Get", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(1).(*workflows.FollowUpView) = view
	}).Return(err)
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		u.calls = append(u.calls, args.Get(1).(client.UpdateWorkflowOptions))
	}).Return(handle, nil).Once()
}

func TestFollowUpActions(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	desk := h.tokens[models.RoleCustomerService]
	path := fmt.Sprintf("/api/v1/follow-ups/%d/actions/", h.a.followUp.ID)
	var u updateMock
	agreed := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	u.expect(tc, workflows.FollowUpView{Status: models.FollowUpScheduled, ScheduledAt: &agreed}, nil)
	var got followUpProcess
	h.wantStatus(h.doKey(http.MethodPost, path+"schedule", desk, "sched-1", map[string]any{"at": agreed}, &got), http.StatusOK)
	if got.Status != models.FollowUpScheduled || got.Attempts == nil || got.Tickets == nil {
		t.Errorf("schedule: got %+v", got)
	}
	c := u.calls[0]
	a := c.Args[0].(workflows.FollowUpAction)
	// The key reaches the process as the caller's own (see
	// TestIdempotencyKeyIsBoundToCallerAndRequest), never bare.
	if c.UpdateID == "" || c.UpdateID == "sched-1" || c.UpdateName != workflows.FollowUpActionUpdate || c.WorkflowID != fmt.Sprintf("followup-%d", h.a.followUp.MoveInID) ||
		a.Action != workflows.VisitSchedule || a.ActorRole != models.RoleCustomerService || a.At == nil || !a.At.Equal(agreed) {
		t.Errorf("update: got %+v with %+v", c, a)
	}

	// A failed attempt takes next_at as the next try; a record gets defaults.
	u.expect(tc, workflows.FollowUpView{Status: models.FollowUpScheduled}, nil)
	h.wantStatus(h.do(http.MethodPost, path+"attempt", desk, map[string]any{"outcome": "not_home", "next_at": agreed}, nil), http.StatusOK)
	if a := u.calls[1].Args[0].(workflows.FollowUpAction); a.Outcome != models.AttemptNotHome || a.At == nil || !a.At.Equal(agreed) || u.calls[1].UpdateID == "" {
		t.Errorf("attempt: got %+v (update id %q)", a, u.calls[1].UpdateID)
	}
	u.expect(tc, workflows.FollowUpView{Status: models.FollowUpTicketsOpen}, nil)
	visit := map[string]any{"participants": []string{"客服小王"}, "satisfaction": 4,
		"items": []map[string]any{{"kind": "repair", "text": "地漏返味", "ticket_id": 99}}}
	h.wantStatus(h.do(http.MethodPost, path+"record", desk, map[string]any{"visit": visit}, nil), http.StatusOK)
	if v := u.calls[2].Args[0].(workflows.FollowUpAction).Visit; v == nil || v.VisitedAt.IsZero() || v.Channel != models.VisitInPerson || v.Items[0].TicketID != nil {
		t.Errorf("record: got %+v, want visited now, in person, no ticket id from the client", v)
	}

	// The workflow's refusals keep their status and field.
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).
		Return(nil, temporal.NewApplicationError("cannot schedule a follow-up that is tickets_open", workflows.ErrTypeInvalidState, "tickets_open")).Once()
	h.wantError(h.do(http.MethodPost, path+"schedule", desk, map[string]any{"at": agreed}, nil), http.StatusConflict, codeInvalidState, "")
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).
		Return(nil, temporal.NewApplicationError("visit.satisfaction: 0 无效，应为 1 至 5", workflows.ErrTypeInvalidInput, "visit.satisfaction")).Once()
	bad := h.do(http.MethodPost, path+"record", desk, map[string]any{"visit": map[string]any{"participants": []string{"x"}}}, nil)
	h.wantError(bad, http.StatusBadRequest, codeInvalidInput, "visit.satisfaction")
	var eb errorBody
	if err := json.Unmarshal(bad.body, &eb); err != nil || eb.Error.Message != "0 无效，应为 1 至 5" {
		t.Errorf("record refused: got message %q, want %q without the field repeated", eb.Error.Message, "0 无效，应为 1 至 5")
	}

	// Refused before Temporal: unknown action, a bad assignee, a bad body.
	h.wantError(h.do(http.MethodPost, path+"note", desk, map[string]any{}, nil), http.StatusBadRequest, codeInvalidInput, "action")
	h.wantError(h.do(http.MethodPost, path+"reassign", desk, map[string]any{"assignee_id": h.a.staff.ID}, nil), http.StatusBadRequest, codeInvalidInput, "assignee_id")
	h.wantError(h.do(http.MethodPost, path+"attempt", desk, map[string]any{"outcome": "asleep"}, nil), http.StatusBadRequest, codeInvalidInput, "outcome")
	h.wantError(h.do(http.MethodPost, path+"schedule", h.tokens[models.RoleTechnician], map[string]any{"at": agreed}, nil), http.StatusForbidden, codeForbidden, "")
	p := h.a.followUp.FollowUpProgress
	p.Status, p.Revision = models.FollowUpCompleted, 1
	if _, err := h.store.RecordFollowUpChange(context.Background(), store.FollowUpChange{FollowUpID: h.a.followUp.ID, Progress: p,
		Event: models.CaseEvent{Key: "done", Type: "record", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	var refused errorBody
	res := h.do(http.MethodPost, path+"schedule", desk, map[string]any{"at": agreed}, nil)
	h.wantError(res, http.StatusConflict, codeInvalidState, "")
	if err := json.Unmarshal(res.body, &refused); err != nil || refused.Error.State != "completed" {
		t.Errorf("action on a completed follow-up: got %s, want state completed", res.body)
	}
	tc.AssertExpectations(t)
}

func TestFollowUpDetailAndList(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	val := &mocks.Value{}
	val.On("Get", mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(0).(*workflows.FollowUpView) = workflows.FollowUpView{Status: models.FollowUpPending, AssigneeID: 7, NextTimer: "reminder 1"}
	}).Return(nil)
	tc.On("QueryWorkflow", mock.Anything, fmt.Sprintf("followup-%d", h.a.followUp.MoveInID), "", workflows.FollowUpStateQuery).Return(val, nil).Once()
	allowed := &mocks.Value{}
	allowed.On("Get", mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(0).(*[]string) = []string{workflows.VisitRecord}
	}).Return(nil)
	var asked workflows.AllowedActionsInput
	tc.On("QueryWorkflow", mock.Anything, fmt.Sprintf("followup-%d", h.a.followUp.MoveInID), "", workflows.FollowUpAllowedActionsQuery, mock.Anything).
		Run(func(args mock.Arguments) { asked = args.Get(4).(workflows.AllowedActionsInput) }).Return(allowed, nil).Once()
	var d followUpDetail
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/follow-ups/%d", h.a.followUp.ID), h.tokens[models.RoleTechnician], nil, &d), http.StatusOK)
	if d.FollowUp.ID != h.a.followUp.ID || d.Process == nil || d.Process.NextTimer != "reminder 1" || d.Events == nil || d.Messages == nil {
		t.Errorf("detail: got %+v", d)
	}
	if len(d.AllowedActions) != 1 || d.AllowedActions[0] != workflows.VisitRecord || asked.ActorRole != models.RoleTechnician || asked.ActorID == 0 {
		t.Errorf("allowed actions: got %v asked for %+v, want the process's answer for the caller", d.AllowedActions, asked)
	}
	tc.On("QueryWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil, serviceerror.NewUnavailable("down")).Once()
	// An unreadable process is looked at once more, to tell a stuck one.
	tc.On("DescribeWorkflowExecution", mock.Anything, mock.Anything, "").Return(nil, serviceerror.NewUnavailable("down")).Once()
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/follow-ups/%d", h.a.followUp.ID), h.tokens[models.RoleTechnician], nil, &d), http.StatusOK)
	if d.Process != nil || d.ProcessError == "" {
		t.Errorf("detail without Temporal: got process %+v, error %q; want the record and a process error", d.Process, d.ProcessError)
	}

	tok := h.tokens[models.RoleSupervisor]
	var l listBody[models.FollowUp]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/follow-ups?status=pending", tok, nil, &l), http.StatusOK)
	if l.Total != 1 || l.Items[0].ID != h.a.followUp.ID {
		t.Errorf("pending: got %+v, want estate A's one", l)
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/follow-ups?overdue=true", tok, nil, &l), http.StatusOK)
	if l.Total != 0 {
		t.Errorf("overdue: got %d, want 0 (due in 30 days)", l.Total)
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/follow-ups?due_before="+time.Now().Add(31*24*time.Hour).Format(time.DateOnly), tok, nil, &l), http.StatusOK)
	if l.Total != 1 {
		t.Errorf("due before next month: got %d, want 1", l.Total)
	}
	for _, q := range []string{"status=late", "due_before=soon", "overdue=maybe", "assignee_id=x"} {
		field, _, _ := strings.Cut(q, "=")
		h.wantError(h.do(http.MethodGet, "/api/v1/follow-ups?"+q, tok, nil, nil), http.StatusBadRequest, codeInvalidInput, field)
	}
	tc.AssertExpectations(t)
}

func TestOwnerFile(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		ctx := context.Background()
		all := store.AllEstates()
		// A household moved in with needs, a recorded visit, a ticket and a message.
		unit := h.addUnit(h.a, "303")
		rec, _, err := s.RegisterMoveIn(ctx, all, models.MoveInRequest{UnitID: unit.ID, RegisteredBy: h.a.staff.ID,
			Residents: []models.NewResident{{Name: "赵六", Phone: "13600000000", Role: models.ResidentOwner}},
			Needs:     models.ServiceNeeds{SmallChildren: true, PreferredChannel: models.ChannelSMS}}, "")
		h.must(err)
		res := rec.Residents[0]
		p := rec.FollowUp.FollowUpProgress
		p.Status, p.Revision = models.FollowUpCompleted, 1
		p.Visit = &models.FollowUpVisit{VisitedAt: time.Now(), Channel: models.VisitInPerson, Participants: []string{"客服"}, Satisfaction: 5,
			Items: []models.VisitItem{{Kind: models.ItemPraise, Text: "环境好"}}}
		_, err = s.RecordFollowUpChange(ctx, store.FollowUpChange{FollowUpID: rec.FollowUp.ID, Progress: p,
			Event: models.CaseEvent{Key: "v1", Type: "record", At: time.Now()}})
		h.must(err)
		tk := models.Ticket{EstateID: h.a.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
			Description: "漏水", HouseholdID: &rec.Household.ID, Channel: models.ReportPhone, FirstReceiverID: h.a.staff.ID}
		_, _, err = s.CreateTicket(ctx, all, &tk, "")
		h.must(err)
		_, _, err = s.ClaimMessage(ctx, &models.Message{Key: "welcome-1", EstateID: h.a.estate.ID, RecipientKind: models.RecipientResident,
			RecipientID: res.ID, Channel: "log", Address: "136****0000", Template: "welcome", Subject: "欢迎", Body: "欢迎入住", Ref: "followup:1"})
		h.must(err)

		path := fmt.Sprintf("/api/v1/residents/%d", res.ID)
		var f ownerFile
		h.wantStatus(h.do(http.MethodGet, path, h.tokens[models.RoleCustomerService], nil, &f), http.StatusOK)
		if f.ID != res.ID || f.Phone != "136****0000" || !f.PhoneMasked || f.Household.ID != rec.Household.ID || f.Address != "小区A 1栋 303" {
			t.Errorf("resident and household: got %+v, address %q", f.residentView, f.Address)
		}
		if f.ServiceNeeds == nil || !f.ServiceNeeds.SmallChildren || len(f.MoveIns) != 1 || len(f.FollowUps) != 1 ||
			f.FollowUps[0].Visit == nil || f.FollowUps[0].Visit.Satisfaction != 5 {
			t.Errorf("needs, move-in and follow-ups: got %+v / %+v / %+v", f.ServiceNeeds, f.MoveIns, f.FollowUps)
		}
		if len(f.Tickets) != 1 || f.Tickets[0].ID != tk.ID || len(f.Messages) != 1 || f.Messages[0].Template != "welcome" || f.Bills == nil {
			t.Errorf("tickets, messages, bills: got %d, %d, %v", len(f.Tickets), len(f.Messages), f.Bills)
		}
		h.wantStatus(h.do(http.MethodGet, path, h.tokens[models.RoleTechnician], nil, &f), http.StatusOK)
		if f.Phone != "136****0000" || !f.PhoneMasked {
			t.Errorf("owner file for a technician: got phone %q, want it masked", f.Phone)
		}
	})
}

func TestMoveOutCancelsTheFollowUp(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	desk := h.tokens[models.RoleCustomerService]
	path := fmt.Sprintf("/api/v1/households/%d/move-out", h.a.household.ID)
	var u updateMock
	u.expect(tc, workflows.FollowUpView{Status: models.FollowUpCancelled}, nil)
	var out moveOutResponse
	h.wantStatus(h.do(http.MethodPost, path, desk, map[string]any{"reason": "房屋出售"}, &out), http.StatusOK)
	if out.Household.Status != models.HouseholdMovedOut || len(out.CancelledFollowUps) != 1 || out.CancelledFollowUps[0] != h.a.followUp.ID {
		t.Errorf("move out: got %+v", out)
	}
	want := fmt.Sprintf("move-out-%d-followup-%d", h.a.household.ID, h.a.followUp.ID)
	if a := u.calls[0].Args[0].(workflows.FollowUpAction); u.calls[0].UpdateID != want || a.Action != workflows.VisitMovedOut || a.Reason != "房屋出售" {
		t.Errorf("update: got %+v with %+v, want moved_out under %s", u.calls[0], a, want)
	}
	// Repeated after the visit was made meanwhile: nothing more to cancel.
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).
		Return(nil, temporal.NewApplicationError("cannot moved_out a follow-up that is completed", workflows.ErrTypeInvalidState, "completed")).Once()
	h.wantStatus(h.do(http.MethodPost, path, desk, nil, &out), http.StatusOK)
	if len(out.CancelledFollowUps) != 0 || out.Household.MovedOut == nil {
		t.Errorf("move out again: got %+v", out)
	}
	h.wantError(h.do(http.MethodPost, path, desk, map[string]any{"moved_out_at": time.Now().Add(48 * time.Hour)}, nil), http.StatusBadRequest, codeInvalidInput, "moved_out_at")
	tc.AssertExpectations(t)
}

// TestMoveInIntoAnOccupiedUnit: a new owner or tenant moves into a unit
// with a household: the registration names it, it moves out, its open
// follow-up visit is cancelled as moved out, and its bills stay with it.
func TestMoveInIntoAnOccupiedUnit(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tc := &mocks.Client{}
		withTemporal(h, tc)
		ctx, all := context.Background(), store.AllEstates()
		old := h.a.household
		bill, err := s.IssueBill(ctx, all, old.ID, models.Month{Year: 2026, Month: 1}, 30000, models.DefaultPolicy().Fees, nil)
		h.must(err)
		desk := h.tokens[models.RoleCustomerService]
		body := map[string]any{"unit_id": old.UnitID, "residents": []map[string]any{{"name": "新业主", "phone": "13712345678", "role": "owner"}}}

		// Not named: refused on the field, nothing changes.
		h.wantError(h.do(http.MethodPost, "/api/v1/move-ins", desk, body, nil), http.StatusBadRequest, codeInvalidInput, "previous_household_id")
		body["previous_household_id"] = old.ID + 1000
		h.wantError(h.do(http.MethodPost, "/api/v1/move-ins", desk, body, nil), http.StatusBadRequest, codeInvalidInput, "previous_household_id")

		body["previous_household_id"] = old.ID
		tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(&mocks.WorkflowRun{}, nil).Once()
		var u updateMock
		u.expect(tc, workflows.FollowUpView{Status: models.FollowUpCancelled}, nil)
		var got moveInResponse
		h.wantStatus(h.doKey(http.MethodPost, "/api/v1/move-ins", desk, "change-hands", body, &got), http.StatusCreated)
		if got.Household.ID == old.ID || got.Household.UnitID != old.UnitID || got.PreviousHouseholdID == nil || *got.PreviousHouseholdID != old.ID ||
			len(got.CancelledFollowUps) != 1 || got.CancelledFollowUps[0] != h.a.followUp.ID {
			t.Errorf("move-in: got household %+v, previous %v, cancelled %v; want a new household, %d moved out, follow-up %d cancelled",
				got.Household, got.PreviousHouseholdID, got.CancelledFollowUps, old.ID, h.a.followUp.ID)
		}
		if len(u.calls) != 1 || u.calls[0].Args[0].(workflows.FollowUpAction).Action != workflows.VisitMovedOut ||
			u.calls[0].UpdateID != fmt.Sprintf("move-out-%d-followup-%d", old.ID, h.a.followUp.ID) {
			t.Errorf("follow-up update: got %+v, want moved_out under the move-out's key", u.calls)
		}
		prev, err := s.Household(ctx, all, old.ID)
		if err != nil || prev.Status != models.HouseholdMovedOut {
			t.Errorf("previous household: got %+v, %v; want moved out", prev, err)
		}
		var bills listBody[models.HouseholdBill]
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d", old.ID), h.tokens[models.RoleFinance], nil, &bills), http.StatusOK)
		if !slices.ContainsFunc(bills.Items, func(b models.HouseholdBill) bool { return b.ID == bill.ID }) {
			t.Errorf("previous household's bills: got %+v, want its bill %d among them", bills.Items, bill.ID)
		}
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d", got.Household.ID), h.tokens[models.RoleFinance], nil, &bills), http.StatusOK)
		if bills.Total != 0 {
			t.Errorf("new household's bills: got %+v, want none: arrears stay with the household that moved out", bills.Items)
		}
		tc.AssertExpectations(t)
	})
}
