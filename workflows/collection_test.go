package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// A good payer late for the first time climbs the whole ladder: polite
// reminders before and on the due date, two polite messages (sent after
// quiet hours), the call and visit only at GoodPayerPoliteFor (60 days), the
// formal notice at 90 days, and legal referral at 180 days waiting for an
// estate manager, whose approval hands it to legal staff and stops every
// automatic step. A payment in full closes the case.
func TestCollectionGoodPayerWholeLadder(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.act(cday(5, 11, 10, 0), "call", outcome(1, models.OutcomeNotReached, csAgent, models.RoleCustomerService))
	h.act(cday(6, 1, 9, 0), "approve-early", legal(true))
	h.act(cday(6, 10, 10, 0), "serve", served(1, models.Date{Year: 2026, Month: 6, Day: 10}))
	h.act(cday(9, 8, 10, 0), "approve", legal(true))
	var mid, legalView CaseView
	h.query(cday(4, 1, 12, 0), &mid)
	h.query(cday(9, 9, 12, 0), &legalView)
	h.pay(cday(9, 20, 11, 0), 0)
	res := h.run()
	h.wantOK("call", "serve", "approve")
	h.wantRefused("approve-early", ErrTypeInvalidState, string(models.StageDunning))

	wantLines(t, "events", h.lines(), []string{
		"03-01 10:30 opened",
		"03-03 10:00 contact sms/sent payment_reminder_before",
		"03-10 10:00 contact sms/sent payment_reminder_due",
		"03-12 00:00 step sms/queued message",
		"03-12 08:00 contact sms/sent payment_overdue_polite",
		"03-26 00:00 step wechat/queued message",
		"03-26 08:00 contact wechat/sent payment_overdue_second",
		"05-10 00:00 step phone/assigned phone_call",
		"05-10 00:00 step visit/assigned visit",
		"05-11 10:00 task_outcome phone/not_reached",
		// Nobody records the visit: it climbs the escalation chain.
		"05-13 00:00 task_escalated",
		"05-13 00:30 task_escalated",
		"05-13 02:30 task_escalated",
		"06-09 00:00 step letter/awaiting_service formal_notice",
		"06-10 10:00 notice_served letter/in_person",
		"09-07 00:00 legal_requested",
		"09-08 10:00 legal_approved",
		"09-20 11:00 payment",
		"09-20 11:00 closed",
	})
	wantLines(t, "staff messages", h.sendsTo("dunning_task", "legal_approval_needed", "legal_case_assigned"), []string{
		"05-10 00:00 dunning_task staff-11",
		"05-10 00:00 dunning_task staff-31",
		"06-09 00:00 dunning_task staff-61",
		"09-07 00:00 legal_approval_needed staff-31",
		"09-08 10:00 legal_case_assigned staff-51",
	})
	if res.Stage != models.StageClosed || res.StepReached != 5 {
		t.Errorf("result: got %+v, want closed at step 5", res)
	}
	if mid.Segment != models.SegmentGood || mid.StepReached != 1 || mid.NextStep != "phone_call" ||
		!mid.NextStepAt.Equal(cday(5, 10, 0, 0)) || mid.Owed <= 50000 {
		t.Errorf("state on 04-01: got %+v, want good, step 1, phone_call next on 05-10, late fee owed", mid)
	}
	if legalView.Stage != models.StageLegal || legalView.NextStepAt != nil {
		t.Errorf("state after approval: got stage %s next %v, want legal with no automatic step", legalView.Stage, legalView.NextStepAt)
	}
	if len(h.letters) != 1 || h.letters[0].Period != 30*models.Day {
		t.Errorf("demand letters: got %+v, want one giving 30 days", h.letters)
	}
}

// A repeat late payer is fast-tracked (every step at 50 %); a payment in
// full after the phone call ends the case at once: no visit, no notice.
func TestCollectionRepeatPayerPaymentMidLadderEndsIt(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.pay(cday(3, 27, 15, 0), 0)
	res := h.run()
	wantLines(t, "events", h.lines(), []string{
		"03-11 09:00 opened",
		// 21:00 is before quiet hours (21:30-08:00): sent at once.
		"03-11 21:00 step sms/queued message",
		"03-11 21:00 contact sms/sent payment_overdue_polite",
		"03-18 21:00 step wechat/queued message",
		"03-18 21:00 contact wechat/sent payment_overdue_second",
		"03-26 09:00 step phone/assigned phone_call",
		"03-27 15:00 payment",
		"03-27 15:00 closed",
	})
	if res.StepReached != 2 || len(h.tasks) != 1 {
		t.Errorf("got step %d and %d tasks, want step 2 and one task", res.StepReached, len(h.tasks))
	}
	if ev := h.records[0].Event; ev.Detail["segment"] != string(models.SegmentFastTrack) {
		t.Errorf("segment: got %q, want fast_track", ev.Detail["segment"])
	}
}

// Arrears imported long overdue start at the first rung when the case
// learns of them, not five steps at once.
func TestCollectionImportedArrearsStartAtFirstRung(t *testing.T) {
	h := newColl(t, collInput(), cday(9, 1, 9, 0), bill(1, 1, 40000))
	h.pay(cday(9, 3, 9, 0), 0)
	h.run()
	wantLines(t, "steps", h.lines("step"), []string{
		"09-02 09:00 step sms/queued message",
	})
}

// A promise to pay pauses the ladder until the promised day is over; the
// next step moves by the time paused.
func TestCollectionPromisePausesAndShiftsTheNextStep(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	a := outcome(1, models.OutcomePromised, csAgent, models.RoleCustomerService)
	a.PromisedOn = models.Date{Year: 2026, Month: 4, Day: 5}
	h.act(cday(3, 27, 10, 0), "promise", a)
	h.pay(cday(4, 25, 9, 0), 0)
	h.run()
	h.wantOK("promise")
	// Visit was due at +30d = 04-10 09:00; paused 03-27 10:00 → 04-06 00:00 (9d14h).
	wantLines(t, "events", h.lines("step", "task_outcome", "resumed"), []string{
		"03-11 21:00 step sms/queued message",
		"03-18 21:00 step wechat/queued message",
		"03-26 09:00 step phone/assigned phone_call",
		"03-27 10:00 task_outcome phone/promised",
		"04-06 00:00 resumed promise",
		"04-19 23:00 step visit/assigned visit",
	})
}

// A dispute pauses the ladder for its whole length, and resolution moves
// the bill's due date by as much: collection resumes where it stopped.
func TestCollectionDisputePausesAndResumes(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.dispute(cday(3, 4, 10, 30), 1, true, 0)
	h.dispute(cday(3, 20, 10, 30), 1, false, 16)
	var paused CaseView
	h.query(cday(3, 12, 12, 0), &paused)
	h.pay(cday(4, 20, 9, 0), 0)
	h.run()
	// Due 03-10 → 03-26 for the money; the first step 03-12 00:00 + 16 days.
	wantLines(t, "events", h.lines(), []string{
		"03-01 10:30 opened",
		"03-03 10:00 contact sms/sent payment_reminder_before",
		"03-04 10:30 dispute",
		"03-04 10:30 paused dispute",
		"03-20 10:30 dispute_resolved",
		"03-20 10:30 resumed dispute",
		"03-26 10:00 contact sms/sent payment_reminder_due",
		"03-28 00:00 step sms/queued message",
		"03-28 08:00 contact sms/sent payment_overdue_polite",
		"04-11 00:00 step wechat/queued message",
		"04-11 08:00 contact wechat/sent payment_overdue_second",
		"04-20 09:00 payment",
		"04-20 09:00 closed",
	})
	if paused.Stage != models.StagePaused || len(paused.Pauses) != 1 || paused.Pauses[0].Reason != PauseDispute || paused.NextStep != "" {
		t.Errorf("state while disputed: got %+v, want paused by the dispute with no next step", paused)
	}
}

// A kept instalment plan pauses the ladder and reminds before each
// instalment; a missed one (after the grace) breaks the plan and the ladder
// resumes at the step it had reached, moved by the plan's time.
func TestCollectionPlanKeptThenBroken(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.act(cday(3, 20, 10, 0), "by-desk", CaseAction{Action: ActPlanApprove, ActorID: csAgent, ActorRole: models.RoleCustomerService, PlanID: 5,
		Plan: []models.Instalment{{Due: models.Date{Year: 2026, Month: 4, Day: 1}, AmountFen: 20000}}})
	plan := CaseAction{Action: ActPlanApprove, ActorID: manager, ActorRole: models.RoleEstateManager, PlanID: 5, Plan: []models.Instalment{
		{Due: models.Date{Year: 2026, Month: 4, Day: 1}, AmountFen: 20000},
		{Due: models.Date{Year: 2026, Month: 5, Day: 1}, AmountFen: 35000},
	}}
	h.act(cday(3, 20, 11, 0), "approve", plan)
	h.act(cday(3, 21, 11, 0), "again", plan)
	h.pay(cday(4, 1, 15, 0), 20000)
	h.pay(cday(5, 20, 9, 0), 0)
	h.run()
	h.wantOK("approve")
	h.wantRefused("by-desk", ErrTypeForbidden, "")
	h.wantRefused("again", ErrTypeInvalidState, string(models.StagePaused))
	wantLines(t, "events", h.lines("step", "plan_approved", "instalment_kept", "plan_broken", "paused", "resumed"), []string{
		"03-11 21:00 step sms/queued message",
		"03-18 21:00 step wechat/queued message",
		"03-20 11:00 plan_approved",
		"04-07 00:00 instalment_kept",
		"05-07 00:00 plan_broken",
		// The call was due at +15d = 03-26 09:00, moved by the 47d13h of the plan.
		"05-12 22:00 step phone/assigned phone_call",
	})
	wantLines(t, "instalment reminders", h.sendsTo("payment_reminder_before", "payment_reminder_due"), []string{
		"03-25 10:00 payment_reminder_before resident-3",
		"04-01 10:00 payment_reminder_due resident-3",
		"04-24 10:00 payment_reminder_before resident-3",
		"05-01 10:00 payment_reminder_due resident-3",
	})
	if len(h.plans) != 2 || h.plans[0].To != models.PlanActive || h.plans[1].To != models.PlanBroken {
		t.Errorf("plan statuses: got %+v, want active then broken", h.plans)
	}
}

// Rejecting legal referral keeps collecting: the referral is asked again
// after the formal notice period; nobody deciding is reminded.
func TestCollectionLegalRejectedKeepsCollecting(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	for _, id := range []uint64{1, 2} {
		h.act(cday(4, 26, 10, int(id)), "task", outcome(id, models.OutcomeReached, csAgent, models.RoleCustomerService))
	}
	// Fast track: notice at +45d (04-25 09:00), legal at +90d (06-09 09:00).
	h.act(cday(4, 26, 11, 0), "serve", served(1, models.Date{Year: 2026, Month: 4, Day: 26}))
	h.act(cday(6, 10, 10, 0), "reject", legal(false))
	h.act(cday(6, 11, 10, 0), "approve-after-reject", legal(true))
	h.pay(cday(7, 20, 9, 0), 0)
	h.run()
	h.wantOK("serve", "reject")
	h.wantRefused("approve-after-reject", ErrTypeInvalidState, string(models.StageDunning))
	wantLines(t, "legal", h.lines("legal_requested", "legal_rejected", "legal_approved"), []string{
		"06-09 09:00 legal_requested",
		"06-10 10:00 legal_rejected",
		"07-10 10:00 legal_requested",
	})
	wantLines(t, "reminders to decide", h.sendsTo("legal_approval_needed"), []string{
		"06-09 09:00 legal_approval_needed staff-31",
		"07-10 10:00 legal_approval_needed staff-31",
		"07-13 10:00 legal_approval_needed staff-31",
		"07-16 10:00 legal_approval_needed staff-31",
		"07-19 10:00 legal_approval_needed staff-31",
	})
}

// The same bill posted again nudges the case again (in case the first
// nudge was lost): the case rereads the account but records the bill once.
func TestCollectionRepeatedNudgeRecordedOnce(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.issue(cday(4, 1, 9, 0), bill(2, 3, 50000))
	h.at(cday(4, 1, 9, 5), func() { h.nudge(NudgeBill, 2) })
	h.pay(cday(4, 2, 9, 0), 0)
	h.run()
	wantLines(t, "events", h.lines("bill", "payment", "closed"), []string{
		"04-01 09:00 bill",
		"04-02 09:00 payment",
		"04-02 09:00 closed",
	})
}

// A nudge when nothing is owed (the payment posted again after the case
// closed, a prepayment) opens no case: the run reads the account and ends.
func TestCollectionNothingOwedOpensNoCase(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30))
	h.at(cday(3, 1, 10, 30), func() { h.nudge(NudgePayment, 7) })
	res := h.run()
	h.env.AssertNotCalled(t, "OpenCase", mockAny, mockAny)
	if len(h.records) != 0 || len(h.sends) != 0 || res.Stage != models.StageClosed || res.CaseID != 0 {
		t.Errorf("got %d records, %d messages, result %+v; want no case at all", len(h.records), len(h.sends), res)
	}
}

// A bill issued while a case is open joins it: it gets its own reminders
// and the case closes only when both are paid.
func TestCollectionNewBillJoinsOpenCase(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.issue(cday(4, 1, 9, 0), bill(2, 3, 50000))
	h.pay(cday(4, 2, 9, 0), 0) // pays only what is owed on 04-02, bill 2 included
	h.run()
	wantLines(t, "events", h.lines("bill", "payment", "closed"), []string{
		"04-01 09:00 bill",
		"04-02 09:00 payment",
		"04-02 09:00 closed",
	})
	h2 := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h2.issue(cday(4, 1, 9, 0), bill(2, 3, 50000))
	h2.pay(cday(4, 2, 9, 0), 50000+10000) // the first bill and its fee, not the second
	h2.pay(cday(4, 15, 9, 0), 0)
	h2.run()
	wantLines(t, "reminders of the second bill", h2.sendsTo("payment_reminder_before", "payment_reminder_due"), []string{
		"03-03 10:00 payment_reminder_before resident-3",
		"03-10 10:00 payment_reminder_due resident-3",
		"04-03 10:00 payment_reminder_before resident-3",
		"04-10 10:00 payment_reminder_due resident-3",
	})
}

// The task validator: only open tasks, the assignee or the desk, a valid
// outcome, a promised date in range.
func TestCollectionTaskOutcomeChecks(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.act(cday(3, 26, 10, 0), "unknown-task", outcome(9, models.OutcomeReached, csAgent, models.RoleCustomerService))
	h.act(cday(3, 26, 10, 1), "tech", outcome(1, models.OutcomeReached, tech, models.RoleTechnician))
	h.act(cday(3, 26, 10, 2), "bad-outcome", outcome(1, "shouted", csAgent, models.RoleCustomerService))
	h.act(cday(3, 26, 10, 3), "no-date", outcome(1, models.OutcomePromised, csAgent, models.RoleCustomerService))
	h.act(cday(3, 26, 10, 4), "ok", outcome(1, models.OutcomeHardship, csAgent, models.RoleCustomerService))
	h.act(cday(3, 26, 10, 5), "twice", outcome(1, models.OutcomeHardship, csAgent, models.RoleCustomerService))
	h.pay(cday(3, 27, 9, 0), 0)
	h.run()
	h.wantRefused("unknown-task", ErrTypeInvalidState, string(models.StageDunning))
	h.wantRefused("tech", ErrTypeForbidden, "")
	h.wantRefused("bad-outcome", ErrTypeInvalidInput, "outcome")
	h.wantRefused("no-date", ErrTypeInvalidInput, "promised_on")
	h.wantOK("ok")
	h.wantRefused("twice", ErrTypeInvalidState, string(models.StageDunning))
}

// A refusal because of a service complaint opens a complaint ticket as a
// child workflow and pauses collection until it closes.
func TestCollectionComplaintPausesUntilTicketCloses(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.env.OnWorkflow(Ticket, mockAny, mockAny).After(5*24*time.Hour).Return(TicketResult{TicketID: 77, Status: models.StatusClosed}, nil)
	a := outcome(1, models.OutcomeRefusesComplaint, csAgent, models.RoleCustomerService)
	a.Note = "电梯长期故障"
	h.act(cday(3, 26, 10, 0), "refuse", a)
	h.pay(cday(4, 29, 9, 0), 0)
	h.run()
	h.wantOK("refuse")
	wantLines(t, "events", h.lines("task_outcome", "complaint_opened", "resumed", "step"), []string{
		"03-11 21:00 step sms/queued message",
		"03-18 21:00 step wechat/queued message",
		"03-26 09:00 step phone/assigned phone_call",
		"03-26 10:00 task_outcome phone/refuses_complaint",
		"03-26 10:00 complaint_opened",
		"03-31 10:00 resumed complaint",
		// Visit was due at +30d = 04-10 09:00, moved by the 5 days.
		"04-15 09:00 step visit/assigned visit",
	})
}

// Continue-as-new hands the whole state to the next run: nothing is taken
// twice and the ladder goes on from where it was.
func TestCollectionContinueAsNewKeepsState(t *testing.T) {
	in := collInput()
	in.MaxTransitions = 8
	old, pays := lateHistory(2)
	h := newColl(t, in, cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	h.env.ExecuteWorkflow(Collection, h.in)
	err := h.env.GetWorkflowError()
	if !IsContinueAsNew(err) {
		t.Fatalf("first run: got %v, want continue-as-new", err)
	}
	var next CollectionInput
	if !decodeContinueAsNew(t, err, &next) || next.Carry == nil {
		t.Fatalf("continue-as-new input: got none")
	}
	carry := *next.Carry
	if carry.CaseID != caseID || carry.Reached < 0 || len(carry.Seen) != 1 || carry.Segment != models.SegmentFastTrack {
		t.Errorf("carry: got %+v, want case 7, a step reached, the bill seen, fast_track", carry)
	}

	// The next run, from the time the first ended.
	next.MaxTransitions = 0
	h2 := newColl(t, next, h.env.Now().In(shanghai), append(old, bill(1, 2, 50000))...)
	h2.pays = pays
	h2.pay(h.env.Now().In(shanghai).Add(60*24*time.Hour), 0)
	h2.run()
	got := h2.lines("step", "opened")
	if len(got) == 0 || got[0] == "opened" {
		t.Fatalf("second run: got %v, want steps and no second opening", got)
	}
	for _, l := range h2.records {
		if l.Event.Type == "opened" {
			t.Errorf("second run opened the case again")
		}
		if l.Event.Type == "step" && l.Event.Detail["step"] <= itoa(carry.Reached) {
			t.Errorf("second run repeated step %s (first run reached %d)", l.Event.Detail["step"], carry.Reached)
		}
	}
	if h2.records[0].Progress.Revision <= carry.Seq {
		t.Errorf("revision after continue-as-new: got %d, want above %d", h2.records[0].Progress.Revision, carry.Seq)
	}
}

// A bill issued while the closing case still runs its last activities is
// not lost: the run continues as new with a fresh case (no carried state),
// which reads the account again and collects the new bill.
func TestCollectionBillArrivingAsTheCaseClosesStartsAFreshCase(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.pay(cday(3, 5, 9, 0), 0)
	h.onClose = func() {
		h.mu.Lock()
		h.addBill(bill(2, 3, 50000))
		h.mu.Unlock()
		h.env.SignalWorkflow(CollectionSignal, CollectionNudge{Kind: NudgeBill, Ref: 2})
	}
	h.env.ExecuteWorkflow(Collection, h.in)
	err := h.env.GetWorkflowError()
	if !IsContinueAsNew(err) {
		t.Fatalf("closing run: got %v, want continue-as-new for a fresh case", err)
	}
	var next CollectionInput
	if !decodeContinueAsNew(t, err, &next) || next.Carry != nil || next.HouseholdID != hhID {
		t.Fatalf("next input: got %+v, want household %d with no carried state", next, hhID)
	}
	wantLines(t, "closing case", h.lines("payment", "closed", "bill"), []string{
		"03-05 09:00 payment",
		"03-05 09:00 closed",
	})

	// The fresh case opens owing the new bill and reminds of it.
	start := h.env.Now().In(shanghai)
	h2 := newColl(t, next, start, h.bills...)
	h2.pays = h.pays
	var v CaseView
	h2.query(start.Add(time.Minute), &v)
	h2.pay(cday(4, 11, 9, 0), 0)
	h2.run()
	if v.Owed != 50000 || v.Stage != models.StageReminding {
		t.Errorf("fresh case: got owed %d at %s, want 50000 reminding", v.Owed, v.Stage)
	}
	wantLines(t, "fresh case", h2.lines("opened", "contact", "payment", "closed"), []string{
		"03-05 09:00 opened",
		"04-03 10:00 contact sms/sent payment_reminder_before",
		"04-10 10:00 contact sms/sent payment_reminder_due",
		"04-11 09:00 payment",
		"04-11 09:00 closed",
	})
}

// Messages held by quiet hours go out in order, and each contact is
// recorded with its own message's channel: a WeChat step and an SMS
// reminder queued behind it.
func TestCollectionQueuedContactsKeepTheirChannels(t *testing.T) {
	in := collInput()
	in.Policy.QuietHours = models.QuietHours{Start: "21:00", End: "10:30"}
	// Due 04-02: its reminder of 03-26 10:00 waits behind the 00:00 step.
	later := models.Bill{ID: 2, Period: models.Month{Year: 2026, Month: 3}, Due: models.DateOf(cday(4, 2, 0, 0), shanghai), Principal: 30000}
	h := newColl(t, in, cday(3, 1, 10, 30), bill(1, 2, 50000), later)
	h.pay(cday(3, 27, 9, 0), 0)
	h.run()
	wantLines(t, "contacts of 03-26", slices.DeleteFunc(h.lines("contact"), func(l string) bool { return !strings.HasPrefix(l, "03-26") }), []string{
		"03-26 10:30 contact wechat/sent payment_overdue_second",
		"03-26 10:30 contact sms/sent payment_reminder_before",
	})
}

// A message queued while the contact of the one before is being recorded
// is sent once, by the one sender. The first ladder step's message goes
// out a second before quiet hours (10:00-11:00; a second, as it draws its
// release slot first: changeReleaseRate) and its contact is
// recorded slowly; bill 2's reminder falls due at 10:00, during that
// write, and waits for 11:00. Before the fix it started a second sender:
// both slept until 11:00, both sent it, and the second to finish panicked
// (slice bounds out of range) on every workflow task.
func TestCollectionMessageQueuedWhileAContactIsRecorded(t *testing.T) {
	in := collInput()
	in.Policy.QuietHours = models.QuietHours{Start: "10:00", End: "11:00"}
	steps := in.Policy.Dunning.Steps
	// The ladder counts from 02-11 00:00, the day after bill 1 fell due.
	steps[0].After = models.Duration(cday(3, 3, 10, 0).Sub(cday(2, 11, 0, 0)) - time.Second)
	steps[1].After = models.Duration(25 * models.Day)
	h := newColl(t, in, cday(2, 1, 9, 0), bill(1, 1, 50000), bill(2, 2, 50000))
	h.onRecord = func(r activities.RecordCaseInput) {
		if r.Event.Type == "contact" && r.Event.Detail["template"] == "payment_overdue_polite" {
			time.Sleep(50 * time.Millisecond) // a slow write: the reminder's timer fires meanwhile
		}
	}
	h.pay(cday(3, 5, 9, 0), 0)
	h.run()
	wantLines(t, "messages", h.sendsTo(), []string{
		"02-03 11:00 payment_reminder_before resident-3",
		"02-10 11:00 payment_reminder_due resident-3",
		"03-03 09:59 payment_overdue_polite resident-3",
		"03-03 11:00 payment_reminder_before resident-3",
	})
	wantLines(t, "contacts", h.lines("contact"), []string{
		"02-03 11:00 contact sms/sent payment_reminder_before",
		"02-10 11:00 contact sms/sent payment_reminder_due",
		"03-03 09:59 contact sms/sent payment_overdue_polite",
		"03-03 11:00 contact sms/sent payment_reminder_before",
	})
}

// The formal notice is not served when it is issued: the legal step waits
// (legal_deferred) until finance records the service, and the notice's
// period counts from the served date, not the issue date.
func TestCollectionNoticeServedWhenRecorded(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	h.act(cday(5, 11, 10, 0), "call", outcome(1, models.OutcomeReached, csAgent, models.RoleCustomerService))
	h.act(cday(5, 11, 10, 1), "visit", outcome(2, models.OutcomeReached, manager, models.RoleEstateManager))
	var issued, after CaseView
	h.query(cday(6, 9, 12, 0), &issued)
	// Legal referral falls due on 09-07 with nothing served: it waits.
	h.act(cday(9, 10, 15, 0), "serve", CaseAction{Action: ActRecordService, ActorID: clerk, ActorRole: models.RoleFinance,
		LetterID: 1, Method: models.DeliveryPost, TrackingNo: "SF1234", ServedOn: models.Date{Year: 2026, Month: 9, Day: 9}})
	h.query(cday(9, 10, 16, 0), &after)
	h.pay(cday(10, 20, 9, 0), 0)
	h.run()
	h.wantOK("call", "visit", "serve")
	wantLines(t, "notice and legal", h.lines("step", "notice_served", "legal_deferred", "legal_requested"), []string{
		"03-12 00:00 step sms/queued message",
		"03-26 00:00 step wechat/queued message",
		"05-10 00:00 step phone/assigned phone_call",
		"05-10 00:00 step visit/assigned visit",
		"06-09 00:00 step letter/awaiting_service formal_notice",
		"09-07 00:00 legal_deferred",
		"09-10 15:00 notice_served letter/post",
		// 30 days from the served date (09-09), not from the issue (06-09).
		"10-09 00:00 legal_requested",
	})
	if issued.NoticeServedAt != nil || len(issued.Letters) != 1 || issued.Letters[0].TaskID != 3 || issued.Letters[0].AssigneeID != clerk {
		t.Errorf("after issue: got served %v, letters %+v; want none served, letter 1 with task 3 for the clerk", issued.NoticeServedAt, issued.Letters)
	}
	if len(h.tasks) != 3 || h.tasks[2].Action != models.ActionFormalNotice || h.tasks[2].Role != models.RoleFinance {
		t.Errorf("tasks: got %+v, want the third a delivery task for finance", h.tasks)
	}
	if after.NoticeServedAt == nil || !after.NoticeServedAt.Equal(cday(9, 9, 0, 0)) || len(after.Letters) != 0 ||
		slices.ContainsFunc(after.OpenTasks, func(t OpenTask) bool { return t.Action == models.ActionFormalNotice }) {
		t.Errorf("after service: got served %v, letters %+v, tasks %+v; want served 09-09 and nothing pending", after.NoticeServedAt, after.Letters, after.OpenTasks)
	}
	if len(h.services) != 1 || h.services[0].TrackingNo != "SF1234" || h.services[0].By != clerk || h.services[0].ServedOn.String() != "2026-09-09" {
		t.Errorf("services: got %+v, want the post one of 09-09 by the clerk", h.services)
	}
}

// The service validator: only a letter awaiting service in this case
// (409), by the delivery task's holder or the desk (403), with a known
// method, a tracking number for post and a served date from the issue to
// today (400 naming the field); the delivery task takes no call outcome.
func TestCollectionRecordServiceValidator(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	d := func(m, day int) models.Date { return models.Date{Year: 2026, Month: time.Month(m), Day: day} }
	at := cday(6, 12, 10, 0)
	post := served(1, d(6, 11))
	post.Method = models.DeliveryPost
	byLawyer := served(1, d(6, 11))
	byLawyer.ActorID, byLawyer.ActorRole = lawyer, models.RoleLegal
	h.act(at, "unknown letter", served(9, d(6, 11)))
	h.act(at, "tomorrow", served(1, d(6, 13)))
	h.act(at, "before issue", served(1, d(6, 8)))
	h.act(at, "post without tracking", post)
	h.act(at, "lawyer", byLawyer)
	h.act(at, "outcome on delivery", outcome(3, models.OutcomeReached, clerk, models.RoleFinance))
	h.act(at.Add(time.Minute), "ok", served(1, d(6, 9)))
	h.act(at.Add(2*time.Minute), "again", served(1, d(6, 9)))
	h.pay(cday(6, 20, 9, 0), 0)
	h.run()
	h.wantOK("ok")
	h.wantRefused("unknown letter", ErrTypeInvalidState, string(models.StageDunning))
	h.wantRefused("again", ErrTypeInvalidState, string(models.StageDunning))
	h.wantRefused("outcome on delivery", ErrTypeInvalidState, string(models.StageDunning))
	h.wantRefused("tomorrow", ErrTypeInvalidInput, "served_on")
	h.wantRefused("before issue", ErrTypeInvalidInput, "served_on")
	h.wantRefused("post without tracking", ErrTypeInvalidInput, "tracking_no")
	h.wantRefused("lawyer", ErrTypeForbidden, "")
}

// The resident's own promise through their link pauses the ladder exactly
// as a call's promised outcome does; nobody else may send it, the resident
// nothing else, and a date out of range is refused.
func TestCollectionResidentPromisePausesAsACallsDoes(t *testing.T) {
	old, pays := lateHistory(2)
	h := newColl(t, collInput(), cday(3, 11, 9, 0), append(old, bill(1, 2, 50000))...)
	h.pays = pays
	promise := func(by uint64, role models.Role, on models.Date) CaseAction {
		return CaseAction{Action: ActPromise, ActorID: by, ActorRole: role, PromisedOn: on}
	}
	h.act(cday(3, 27, 9, 0), "by staff", promise(csAgent, models.RoleCustomerService, models.Date{Year: 2026, Month: 4, Day: 5}))
	h.act(cday(3, 27, 9, 10), "too far", promise(7, ResidentLinkRole, models.Date{Year: 2026, Month: 9, Day: 5}))
	h.act(cday(3, 27, 9, 20), "the past", promise(7, ResidentLinkRole, models.Date{Year: 2026, Month: 3, Day: 26}))
	h.act(cday(3, 27, 9, 30), "another action", CaseAction{Action: ActTaskOutcome, ActorID: 7, ActorRole: ResidentLinkRole, TaskID: 1, Outcome: models.OutcomeReached})
	h.act(cday(3, 27, 10, 0), "promise", promise(7, ResidentLinkRole, models.Date{Year: 2026, Month: 4, Day: 5}))
	h.pay(cday(4, 25, 9, 0), 0)
	h.run()
	h.wantOK("promise")
	h.wantRefused("by staff", ErrTypeForbidden, "")
	h.wantRefused("too far", ErrTypeInvalidInput, "promised_on")
	h.wantRefused("the past", ErrTypeInvalidInput, "promised_on")
	h.wantRefused("another action", ErrTypeForbidden, "")
	wantLines(t, "events", h.lines("step", "promise", "resumed"), []string{
		"03-11 21:00 step sms/queued message",
		"03-18 21:00 step wechat/queued message",
		"03-26 09:00 step phone/assigned phone_call",
		"03-27 10:00 promise /promised",
		"04-06 00:00 resumed promise",
		"04-19 23:00 step visit/assigned visit",
	})
}
