package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// collectionRecordingPolicy climbs the dunning ladder in seconds, without
// quiet hours.
func collectionRecordingPolicy(p *models.Policy) {
	recordingPolicy(p)
	secondScaleDunning(p)
}

// overdueToCall issues a bill long overdue to the recording's household and
// waits until the ladder has sent two messages and assigned the call.
func (r *ticketRecording) overdueToCall() arrearsDetail {
	r.t.Helper()
	fin := r.as[models.RoleFinance]
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	var d arrearsDetail
	waitFor(r.t, 45*time.Second, "two messages and a call", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return len(d.Tasks) == 1 && countContacts(d.History) >= 2
	})
	return d
}

// recordCollectionPaid: an overdue bill climbs to the call; a payment in
// full closes the case.
func recordCollectionPaid(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-PAID", collectionRecordingPolicy)
	d := r.overdueToCall()
	r.as[models.RoleFinance].mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": d.Account.Total,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "wechat", "reference": "wx-rec-1"}, nil, http.StatusCreated)
	r.waitCollectionClosed()
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionReversedV1: the case climbs to the call, a payment in
// full closes it, then finance reverses the payment; the process the
// reversal starts resumes where the closed case stood (the recorded run).
func recordCollectionReversedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-REV", collectionRecordingPolicy)
	d := r.overdueToCall()
	fin := r.as[models.RoleFinance]
	var paid models.FeePayment
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": d.Account.Total,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "wechat", "reference": "wx-rec-rev"}, &paid, http.StatusCreated)
	r.waitCollectionClosed()
	fin.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/payments/%d/reversal", paid.ID), map[string]any{"reason": "银行退回"}, nil, http.StatusCreated)
	waitFor(t, 30*time.Second, "the reversal to reopen the case", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage != models.StageClosed
	})
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionPromiseOpen: the call's outcome is a promise to pay (an
// update), which pauses the ladder; the case is left running.
func recordCollectionPromiseOpen(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-PROM", collectionRecordingPolicy)
	d := r.overdueToCall()
	promised := models.DateOf(time.Now().AddDate(0, 0, 10), time.UTC)
	r.as[models.RoleCustomerService].mustCall(http.MethodPost, fmt.Sprintf("/api/v1/collection-tasks/%d/outcome", d.Tasks[0].ID),
		map[string]any{"outcome": models.OutcomePromised, "promised_on": promised, "note": "下周付清"}, nil, http.StatusOK)
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionReminding: a bill not yet due opens a case that waits to
// remind before the due date.
func recordCollectionReminding(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-REM", collectionRecordingPolicy)
	period := fmt.Sprintf("%d-01", time.Now().Year()+1)
	r.as[models.RoleFinance].mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": period, "amount_fen": 30000}, nil, http.StatusCreated)
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionRepeatBillV1: the same bill is posted twice (the repeat
// nudges again but is recorded once), then paid in full.
func recordCollectionRepeatBillV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-REP", collectionRecordingPolicy)
	fin := r.as[models.RoleFinance]
	bill := map[string]any{"household_id": r.house, "period": "2025-02", "amount_fen": 30000}
	fin.mustCall(http.MethodPost, "/api/v1/bills", bill, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", bill, nil, http.StatusOK)
	var d arrearsDetail
	waitFor(t, 30*time.Second, "both nudges handled", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return d.Case != nil && d.Account.Total > 0
	})
	settle(t, a.Temporal, workflows.CollectionWorkflowID(r.house))
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": d.Account.Total,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "wechat", "reference": "wx-rec-rep"}, nil, http.StatusCreated)
	r.waitCollectionClosed()
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
	bills := 0
	for _, e := range d.History {
		if e.Type == workflows.NudgeBill {
			bills++
		}
	}
	if bills != 1 {
		t.Fatalf("bill events: got %d, want the repeated bill recorded once", bills)
	}
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionNothingOwedV1: a prepayment of a household that owes
// nothing starts a collection run that reads the account and opens no case.
func recordCollectionNothingOwedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-NONE", collectionRecordingPolicy)
	r.as[models.RoleFinance].mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": 10000,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "cash", "reference": "cash-rec-pre"}, nil, http.StatusCreated)
	id := workflows.CollectionWorkflowID(r.house)
	waitFor(t, 30*time.Second, "the run to end", func() bool {
		d, err := a.Temporal.DescribeWorkflowExecution(context.Background(), id, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	var d arrearsDetail
	r.as[models.RoleFinance].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
	if d.Case != nil {
		t.Fatalf("case: got %+v, want none for a household that owes nothing", d.Case)
	}
	return []string{id}
}

// recordBillingRun: the scheduled billing run of an estate with one fee
// item bills its household and starts the household's collection; both
// histories are kept.
func recordBillingRun(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-BILL", recordingPolicy)
	r.as[models.RoleFinance].mustCall(http.MethodPost, "/api/v1/fee-items", map[string]any{"household_id": r.house, "name": "物业费", "amount_fen": 25000}, nil, http.StatusCreated)
	res := runBilling(t, a, r.estateID)
	if res.Created != 1 {
		t.Fatalf("billing run: got %+v, want one bill created", res)
	}
	return []string{workflows.BillingRunWorkflowID(r.estateID), workflows.CollectionWorkflowID(r.house)}
}

// runBilling runs the estate's billing run now, as its schedule would, and
// waits for its result.
func runBilling(t *testing.T, a *App, estateID uint64) workflows.BillingRunResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.BillingRunWorkflowID(estateID), TaskQueue: workflows.TaskQueue},
		workflows.BillingRun, workflows.BillingRunInput{EstateID: estateID, TimeZone: "Asia/Shanghai", BillingDay: 1})
	if err != nil {
		t.Fatalf("start billing run: %v", err)
	}
	var res workflows.BillingRunResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("billing run: %v", err)
	}
	return res
}

// waitCollectionClosed waits for the household's case to close.
func (r *ticketRecording) waitCollectionClosed() {
	r.t.Helper()
	var d arrearsDetail
	waitFor(r.t, 30*time.Second, "the case to close", func() bool {
		r.as[models.RoleFinance].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageClosed
	})
}

// noticeDunning is a recording policy whose ladder reaches the formal
// notice (for finance) within seconds and legal referral soon after.
func noticeDunning(p *models.Policy) {
	collectionRecordingPolicy(p)
	s := func(d time.Duration) models.Duration { return models.Duration(d) }
	p.Dunning.Steps = []models.DunningStep{
		{After: s(2 * time.Second), Action: models.ActionMessage, Channel: models.ChannelSMS, Template: "payment_overdue_polite"},
		{After: s(4 * time.Second), Action: models.ActionFormalNotice, Channel: models.ChannelLetter, Role: models.RoleFinance},
		{After: s(10 * time.Second), Action: models.ActionLegalReferral, Role: models.RoleLegal},
	}
	p.Dunning.GoodPayerPoliteFor = s(time.Second)
	p.Dunning.FormalNoticePeriod = s(2 * time.Second)
}

// recordCollectionNoticeServedV1 (after "notice-delivery", collection,
// version 1): the formal notice issues a letter with a delivery task; the
// legal step waits until finance records the service, then asks an estate
// manager, and the case is left waiting for the decision.
func recordCollectionNoticeServedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-NOTICE", noticeDunning)
	fin := r.as[models.RoleFinance]
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	var d struct {
		DemandLetters []models.DemandLetter `json:"demand_letters"`
		History       []models.CaseEvent    `json:"history"`
	}
	deferred := func() bool {
		for _, e := range d.History {
			if e.Type == "legal_deferred" {
				return true
			}
		}
		return false
	}
	waitFor(t, 45*time.Second, "a letter awaiting service and the legal step deferred", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return len(d.DemandLetters) == 1 && d.DemandLetters[0].AwaitsService && deferred()
	})
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	fin.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/letters/%d/service", d.DemandLetters[0].ID), map[string]any{
		"delivery_method": models.DeliveryPost, "tracking_no": "SF-REC-1", "served_on": models.DateOf(time.Now(), zone),
	}, nil, http.StatusOK)
	var c arrearsDetail
	waitFor(t, 30*time.Second, "the legal step asked after the service", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &c, http.StatusOK)
		return c.Case != nil && c.Case.Stage == models.StageLegalPending
	})
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionResidentPromiseV1: the case climbs to the call; the
// resident promises to pay through their link (the collection action
// promise, which no earlier history holds).
func recordCollectionResidentPromiseV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-RPROM", collectionRecordingPolicy)
	r.overdueToCall()
	on := models.DateOf(time.Now().AddDate(0, 0, 10), time.FixedZone("CST", 8*3600))
	if code, body := r.followLink(http.MethodPost, r.link(models.LinkPromise, 0), url.Values{"promised_on": {on.String()}}); code != http.StatusOK {
		t.Fatalf("promise by link: got %d %q", code, body)
	}
	return []string{workflows.CollectionWorkflowID(r.house)}
}

// recordCollectionTaskEscalatedV1: the call nobody records is due in
// seconds and climbs to the supervisor, then the estate manager, each
// escalation one Escalate activity ("collection-one-escalation", version
// 1); a payment in full closes the case.
func recordCollectionTaskEscalatedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-COLL-ESC", func(p *models.Policy) {
		collectionRecordingPolicy(p)
		p.Dunning.TaskDue = models.Duration(2 * time.Second)
	})
	d := r.overdueToCall()
	fin := r.as[models.RoleFinance]
	waitFor(t, 45*time.Second, "the call escalated twice", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", r.house), nil, &d, http.StatusOK)
		return escalationsNotified(d.History, "task_escalated") == 2 && len(d.Tasks) == 1 && d.Tasks[0].EscalationLevel == 2
	})
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": d.Account.Total,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "wechat", "reference": "wx-rec-esc"}, nil, http.StatusCreated)
	r.waitCollectionClosed()
	return []string{workflows.CollectionWorkflowID(r.house)}
}
