package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// bcHarness runs one outage or notice workflow with every activity
// mocked: each broadcast batch covers batchOf households of households.
type bcHarness struct {
	t          *testing.T
	env        *testsuite.TestWorkflowEnvironment
	start      time.Time
	households int
	mu         sync.Mutex
	batches    []string // "<time> <key> after=<n>"
	staff      []string
	events     []string
	errs       map[string]error
}

func newBCHarness(t *testing.T, start time.Time, households int) *bcHarness {
	h := &bcHarness{t: t, env: newTestEnv(), start: start, households: households, errs: map[string]error{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	var b *activities.Broadcasts
	var cs *activities.Cases
	var st *activities.Staff
	var n *activities.Notifier
	h.env.OnActivity(b.SendBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BatchInput) (activities.BatchResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.batches = append(h.batches, fmt.Sprintf("%s %s after=%d cap=%v", h.env.Now().In(shanghai).Format("01-02 15:04"), in.Key, in.After, !in.CapSince.IsZero()))
			left := h.households - int(in.After)
			got := min(left, in.Limit)
			if got <= 0 {
				return activities.BatchResult{}, nil
			}
			return activities.BatchResult{Last: in.After + uint64(got), Households: got, Residents: got, Sent: got}, nil
		})
	recordOutage := func(in activities.OutageRecordInput) { h.record(in.Event, string(in.Progress.Status)) }
	h.env.OnActivity(cs.RecordOutage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OutageRecordInput) (activities.RecordResult, error) {
			recordOutage(in)
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(cs.RecordNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeRecordInput) (activities.RecordResult, error) {
			h.record(in.Event, string(in.Progress.Status))
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(st.Brief, mock.Anything, mock.Anything).Return(activities.BriefResult{EstateName: "阳光花园", ServicePhone: "400-800"}, nil)
	roles := map[models.Role][]uint64{models.RoleSupervisor: {supervisor}, models.RoleEstateManager: {manager}, models.RoleCompanyAdmin: {admin}}
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: roles[in.Role]}, nil
		})
	send := func(in activities.SendInput) activities.SendResult {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.staff = append(h.staff, fmt.Sprintf("%s %s %s-%d", h.env.Now().In(shanghai).Format("01-02 15:04"), in.Template, in.RecipientKind, in.RecipientID))
		return activities.SendResult{MessageID: 1, Status: models.MessageSent, Attempts: 1}
	}
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) { return send(in), nil })
	mockEscalations(h.env, &escalationFake{staff: roles, outage: recordOutage, send: send})
	return h
}

func (h *bcHarness) record(ev models.CaseEvent, status string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	line := fmt.Sprintf("%s %s %s>%s", ev.At.In(shanghai).Format("01-02 15:04"), ev.Type, ev.FromStatus, status)
	if n := ev.Detail["households"]; n != "" {
		line += " households=" + n
	}
	h.events = append(h.events, line)
}

// do sends update a at when; its error is kept under label.
func (h *bcHarness) do(when time.Time, label, update string, a any) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(update, label, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.start))
}

func outageInput(start, end time.Time) OutageInput {
	return OutageInput{OutageID: 3, EstateID: 1, Utility: models.UtilityWater, Buildings: []string{"1栋", "2栋"},
		StartsAt: start, EndsAt: end, Reason: "管网检修", CreatedBy: receiver, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
}

func TestOutageAnnounceRemindRestore(t *testing.T) {
	h := newBCHarness(t, at(2, 10, 0), 450)
	h.do(at(3, 11, 30), "restore", OutageActionUpdate, OutageAction{Action: OutageRestore, ActorID: tech, ActorRole: models.RoleTechnician, Note: "管道已修复"})
	h.env.ExecuteWorkflow(Outage, outageInput(at(3, 9, 0), at(3, 13, 0)))
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if h.errs["restore"] != nil {
		t.Fatalf("restore: %v", h.errs["restore"])
	}
	var res OutageResult
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Status != models.OutageRestored || res.Households != 450 {
		t.Errorf("result: got %+v, %v", res, err)
	}
	wantLines(t, "batches", h.batches, []string{
		"03-02 10:00 outage-3/announce after=0 cap=false",
		"03-02 10:00 outage-3/announce after=200 cap=false",
		"03-02 10:00 outage-3/announce after=400 cap=false",
		"03-03 08:00 outage-3/reminder after=0 cap=false",
		"03-03 08:00 outage-3/reminder after=200 cap=false",
		"03-03 08:00 outage-3/reminder after=400 cap=false",
		"03-03 11:30 outage-3/restored after=0 cap=false",
		"03-03 11:30 outage-3/restored after=200 cap=false",
		"03-03 11:30 outage-3/restored after=400 cap=false",
	})
	wantLines(t, "events", h.events, []string{
		"03-02 10:00 planned >announced",
		"03-02 10:00 announced announced>announced households=450",
		"03-03 08:00 reminded announced>announced households=450",
		"03-03 09:00 started announced>ongoing",
		"03-03 11:30 restored ongoing>restored",
		"03-03 11:30 told restored>restored households=450",
	})
}

func TestOutageOverdueEscalatesThenExtendAndCancelRules(t *testing.T) {
	h := newBCHarness(t, at(2, 10, 0), 10)
	ext := at(3, 16, 0)
	h.do(at(2, 11, 0), "cancel by tech", OutageActionUpdate, OutageAction{Action: OutageCancel, ActorID: tech, ActorRole: models.RoleTechnician, Reason: "x"})
	h.do(at(2, 11, 0), "restore too early", OutageActionUpdate, OutageAction{Action: OutageRestore, ActorID: tech, ActorRole: models.RoleTechnician})
	bad := at(3, 12, 0)
	h.do(at(3, 10, 0), "extend earlier", OutageActionUpdate, OutageAction{Action: OutageExtend, ActorID: receiver, ActorRole: models.RoleCustomerService, EndsAt: &bad})
	h.do(at(3, 13, 45), "extend", OutageActionUpdate, OutageAction{Action: OutageExtend, ActorID: receiver, ActorRole: models.RoleCustomerService, EndsAt: &ext})
	h.do(at(3, 17, 0), "restore", OutageActionUpdate, OutageAction{Action: OutageRestore, ActorID: receiver, ActorRole: models.RoleCustomerService})
	h.env.ExecuteWorkflow(Outage, outageInput(at(3, 9, 0), at(3, 13, 0)))
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	wantAppErr(t, h.errs["cancel by tech"], ErrTypeForbidden, "")
	wantAppErr(t, h.errs["restore too early"], ErrTypeInvalidState, "announced")
	wantAppErr(t, h.errs["extend earlier"], ErrTypeInvalidInput, "ends_at")
	if h.errs["extend"] != nil || h.errs["restore"] != nil {
		t.Fatalf("extend, restore: %v, %v", h.errs["extend"], h.errs["restore"])
	}
	wantLines(t, "events", h.events, []string{
		"03-02 10:00 planned >announced",
		"03-02 10:00 announced announced>announced households=10",
		"03-03 08:00 reminded announced>announced households=10",
		"03-03 09:00 started announced>ongoing",
		"03-03 13:00 overdue ongoing>overdue",
		"03-03 13:00 escalation overdue>overdue",
		"03-03 13:30 escalation overdue>overdue",
		"03-03 13:45 extended overdue>ongoing",
		"03-03 13:45 told ongoing>ongoing households=10",
		"03-03 16:00 overdue ongoing>overdue",
		"03-03 16:00 escalation overdue>overdue",
		"03-03 17:00 restored overdue>restored",
		"03-03 17:00 told restored>restored households=10",
	})
	wantLines(t, "staff", h.staff, []string{
		"03-03 13:00 outage_overdue staff-9",
		"03-03 13:00 outage_overdue staff-21",
		"03-03 13:30 outage_overdue staff-9",
		"03-03 13:30 outage_overdue staff-31",
		"03-03 16:00 outage_overdue staff-9",
		"03-03 16:00 outage_overdue staff-41", // the chain goes on climbing
	})
}

func TestOutageCancelledByManager(t *testing.T) {
	h := newBCHarness(t, at(2, 23, 0), 5)
	h.do(at(2, 23, 30), "cancel", OutageActionUpdate, OutageAction{Action: OutageCancel, ActorID: manager, ActorRole: models.RoleEstateManager, Reason: "施工改期"})
	h.env.ExecuteWorkflow(Outage, outageInput(at(4, 9, 0), at(4, 12, 0)))
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// Not an emergency: the announcement waited for the quiet hours to
	// end, and by then the outage was cancelled: nobody is told either.
	wantLines(t, "batches", h.batches, nil)
	wantLines(t, "events", h.events, []string{
		"03-02 23:00 planned >announced",
		"03-02 23:30 cancelled announced>cancelled",
	})
}

func TestEmergencyOutageIgnoresQuietHours(t *testing.T) {
	h := newBCHarness(t, at(2, 23, 0), 5)
	in := outageInput(at(2, 23, 0), at(3, 2, 0))
	in.Emergency = true
	h.do(at(3, 1, 0), "restore", OutageActionUpdate, OutageAction{Action: OutageRestore, ActorID: tech, ActorRole: models.RoleTechnician})
	h.env.ExecuteWorkflow(Outage, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, "batches", h.batches, []string{
		"03-02 23:00 outage-3/announce after=0 cap=false",
		"03-03 01:00 outage-3/restored after=0 cap=false",
	})
}

func TestNoticePublishesThenExpires(t *testing.T) {
	h := newBCHarness(t, at(2, 10, 0), 250)
	in := NoticeInput{NoticeID: 4, EstateID: 1, Title: "消防演练", Body: "周六上午", PublishAt: at(2, 12, 0), ExpiresAt: at(9, 12, 0),
		CreatedBy: receiver, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
	h.do(at(2, 11, 0), "withdraw by cs", NoticeActionUpdate, NoticeAction{Action: NoticeWithdraw, ActorID: receiver, ActorRole: models.RoleCustomerService, Reason: "x"})
	h.env.ExecuteWorkflow(Notice, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	wantAppErr(t, h.errs["withdraw by cs"], ErrTypeForbidden, "")
	wantLines(t, "batches", h.batches, []string{
		"03-02 12:00 notice-4/publish after=0 cap=true",
		"03-02 12:00 notice-4/publish after=200 cap=true",
	})
	wantLines(t, "events", h.events, []string{
		"03-02 10:00 scheduled >scheduled",
		"03-02 12:00 published scheduled>published",
		"03-02 12:00 sent published>published households=250",
		"03-09 12:00 expired published>expired",
	})
}

func TestNoticeWithdrawn(t *testing.T) {
	h := newBCHarness(t, at(2, 10, 0), 3)
	in := NoticeInput{NoticeID: 4, EstateID: 1, Title: "停车场维修", Body: "b", PublishAt: at(2, 10, 0), ExpiresAt: at(9, 12, 0), Emergency: true,
		CreatedBy: manager, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
	h.do(at(3, 9, 0), "withdraw", NoticeActionUpdate, NoticeAction{Action: NoticeWithdraw, ActorID: manager, ActorRole: models.RoleEstateManager, Reason: "已完工"})
	h.env.ExecuteWorkflow(Notice, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res NoticeResult
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Status != models.NoticeWithdrawn {
		t.Errorf("result: got %+v, %v", res, err)
	}
	wantLines(t, "batches", h.batches, []string{"03-02 10:00 notice-4/publish after=0 cap=false"})
}

// wantAppErr checks err is an application error of type typ whose first
// detail (the field or the status) is detail ("": not checked).
func wantAppErr(t *testing.T, err error, typ, detail string) {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != typ {
		t.Errorf("got %v, want a %s error", err, typ)
		return
	}
	var got string
	if detail != "" && (ae.Details(&got) != nil || got != detail) {
		t.Errorf("got detail %q, want %q", got, detail)
	}
}
