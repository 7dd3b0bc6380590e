package workflows

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// Bounds on one run's history, after which a case continues as new (unless
// the server suggests it sooner): its length in events, and the transitions
// recorded in the run (each is about a dozen events).
const (
	historyLimit          = 10000
	defaultMaxTransitions = 500
)

// CollectionInput starts (or continues) the collection of one household.
// Policy is the estate's policy when the case opened: later changes do not
// move its ladder.
type CollectionInput struct {
	HouseholdID uint64
	EstateID    uint64
	Policy      models.Policy
	TimeZone    string
	// MaxTransitions: continue as new once this run has recorded this many
	// transitions (0: 500), its history holds 10,000 events, or the server
	// suggests it.
	MaxTransitions int
	// Carry is the state handed over by a continue-as-new; nil at the start.
	Carry *CollectionCarry
	// Resume: a refund or reversal started the process (SignalCollection
	// sets it), so a case it opens resumes where the household's previous
	// case stood when that closed (changeResumeAfterReversal).
	Resume bool
}

// The kinds of CollectionNudge.
const (
	NudgeBill     = "bill"             // a bill was issued
	NudgePayment  = "payment"          // a payment was recorded
	NudgeDispute  = "dispute"          // a bill was disputed
	NudgeResolved = "dispute_resolved" // finance resolved a dispute
	NudgeWaiver   = "waiver"           // a late fee was waived
	NudgeReversal = "reversal"         // a payment was refunded or reversed
	// NudgeAdjustment: a credit or debit note changed what a bill owes.
	NudgeAdjustment = "adjustment"
)

// Change IDs of workflow.GetVersion in the collection workflow; the old
// paths stay for the histories in workflows/testdata.
const (
	// changeRecordNudgeOnce, version 1: a nudge the case has already
	// recorded (the same bill or payment posted again, which nudges again
	// in case the first nudge was lost) rereads the account but records no
	// second event. Before it, each repeat added an event.
	changeRecordNudgeOnce = "record-nudge-once"
	// changeOpenOnlyWhenOwed, version 1: a fresh run reads the account
	// before opening a case and opens none when nothing is owed. Before it,
	// a nudge with nothing owed (a payment posted again after the case
	// closed) opened a case that closed at once.
	changeOpenOnlyWhenOwed = "open-only-when-owed"
	// changeCollectionSearchAttributes, version 1: each recorded transition
	// brings the case's search attributes up to date (estate, kind, stage,
	// the highest escalation level of its open tasks, the next step's time),
	// as the other processes do, so that operators find arrears cases in the
	// Temporal UI and CLI. Before it, a collection workflow set none.
	changeCollectionSearchAttributes = "collection-search-attributes"
	// changeOneResidentSender, version 1: a message to the resident leaves
	// the queue once its contact is recorded, so a message queued during
	// that write is sent by the same coroutine, and the case ends only
	// after its last contact is recorded. Before it, the message left the
	// queue first: a message queued during the write started a second
	// sender, both sent it, and the second to finish panicked (slice bounds
	// out of range) on every workflow task.
	changeOneResidentSender = "one-resident-sender"
	// changeNoticeDelivery, version 1: the formal notice step issues the
	// printable letter with a delivery task (送达) for the step's role, and
	// the notice counts as served on the date staff record
	// (ActRecordService). Before it, the letter counted as served when
	// issued.
	changeNoticeDelivery = "notice-delivery"
	// changeResumeAfterReversal, version 1: a case opened by a refund or
	// reversal (CollectionInput.Resume) resumes where the household's
	// previous case stood when the reversed payment closed it: the same
	// step reached, segment and served notice, its ladder clock at the time
	// it had run then (the closed interval counts as paused). Before it,
	// such a case started the ladder over from the first rung. Only fresh
	// runs started with Resume, or holding a reversal among the nudges they
	// open with, take the marker; no earlier history has either.
	changeResumeAfterReversal = "resume-after-reversal"
	// changeContactDelivered, version 1: a message to the resident sent by
	// a channel's gateway is recorded "contact_sent" (no contact yet) and
	// becomes a "contact" (outcome delivered, by the channel that delivered
	// it) once its receipt says so, or "contact_failed" when every channel
	// of its plan failed. Before it, every message sent counted as a
	// contact. Only runs with per-channel gateways (a send result with a
	// delivery awaiting its receipt) take the marker.
	changeContactDelivered = "contact-delivered"
	// changeReleaseRate, version 1: a reminder or a ladder message to the
	// resident draws its slot in the release batch of its estate's channel
	// due at its minute (activities.Collections.ReleaseSlot) and waits for
	// the slot's time (models.ReleaseAt: the policy's rate a second, outside
	// quiet hours) before it is sent, so that month-end reminders of
	// thousands of households go out at the rate the gateway accepts.
	// Before it, every message due at one minute was sent at once.
	changeReleaseRate = "release-rate"
	// changeCollectionOneEscalation, version 1: an overdue task's
	// escalation is one activity (activities.Escalations.Escalate, as a
	// ticket's under "one-escalation") that finds who it tells, records
	// "task_escalated" naming them ("notified") with the task's new level in
	// the same transaction, and sends their messages, under the same keys.
	// Before it, the record, the task's level, the recipients look-up and
	// each message were an activity apiece (issue 15).
	changeCollectionOneEscalation = "collection-one-escalation"
)

// CollectionNudge tells the case that the household's account changed. The
// case rereads the account from the database: the nudge says only why.
type CollectionNudge struct {
	Kind    string
	Ref     uint64 // the bill, payment, dispute or waiver
	ActorID uint64
	At      time.Time
}

// The actions of CaseAction.Action.
const (
	ActTaskOutcome   = "task_outcome"   // the outcome of a call or visit (TaskID, Outcome...)
	ActPlanApprove   = "plan_approve"   // an estate manager approves a plan (PlanID, Instalments)
	ActLegalDecision = "legal_decision" // an estate manager decides on legal referral (Approve, Reason)
	ActRecordService = "record_service" // staff record a demand letter's service (LetterID, Method, ServedOn...)
	// ActPromise is the resident's promise to pay by PromisedOn, through
	// their link (ActorRole ResidentLinkRole, ActorID the resident): it
	// pauses the ladder as a call's promised outcome does. No history
	// before it holds one (the update refused unknown actions), so it
	// needs no workflow.GetVersion.
	ActPromise = "promise"
)

// CaseAction is a staff action on a case, sent as CollectionActionUpdate.
// The caller's update ID makes it idempotent.
type CaseAction struct {
	Action     string
	ActorID    uint64
	ActorRole  models.Role
	TaskID     uint64
	Outcome    models.TaskOutcome
	PromisedOn models.Date
	Note       string
	PlanID     uint64
	Plan       []models.Instalment
	Approve    bool
	Reason     string
	// The service of a demand letter (ActRecordService).
	LetterID   uint64
	Method     models.DeliveryMethod
	TrackingNo string
	Proof      string
	ServedOn   models.Date
	Legal      LegalEntry // ActLegalDocument, ActLegalOutcome
}

// CaseView is the live state of a case: the query's answer and every
// action's result.
type CaseView struct {
	CaseID         uint64
	HouseholdID    uint64
	Stage          models.CaseStage
	Segment        models.Segment
	StepReached    int
	Ladder         []models.DunningStep
	NextStep       string
	NextStepAt     *time.Time
	OverdueFor     time.Duration // counted by the ladder, paused time left out
	PausedFor      time.Duration
	Pauses         []Pause
	OpenTasks      []OpenTask
	Plan           *ActivePlan
	NoticeServedAt *time.Time
	// Letters are the demand letters awaiting service.
	Letters []PendingLetter
	Owed    models.Money
	AsOf    time.Time
	// LegalSince is when the case went to legal (the referral's request
	// while it awaits a decision); Legal the matter once referred.
	LegalSince *time.Time
	Legal      *LegalMatter
}

// CollectionResult is how a case ended.
type CollectionResult struct {
	CaseID      uint64
	Stage       models.CaseStage
	StepReached int
	ClosedAt    time.Time
}

// Collection runs one household's arrears collection: polite reminders
// before and on the due date, then the estate's dunning ladder counted from
// the oldest unpaid bill, with pauses for promises, disputes, plans and
// complaints, until everything is paid.
//
// The ladder counts from max(00:00 of the day after the oldest unpaid
// bill's original due date in the estate's zone, the moment this process
// learned of that bill), minus every paused interval: arrears imported long
// overdue start at the first rung rather than firing several at once.
func Collection(ctx workflow.Context, in CollectionInput) (CollectionResult, error) {
	s, err := newCollectionState(ctx, in)
	return runProcess[CollectionResult](ctx, s, err)
}

// setup registers the handlers (see process).
func (s *collectionState) setup(ctx workflow.Context) error {
	return serve(ctx, CollectionProcess(), s.view, func(ctx workflow.Context, in AllowedActionsInput) []string {
		return s.allowed(workflow.Now(ctx), in)
	}, s.act, func(ctx workflow.Context, a CaseAction) error { return s.check(workflow.Now(ctx), a) })
}

// run wakes for the next timer, a nudge or an action until the case closes
// or continues as new.
func (s *collectionState) run(ctx workflow.Context) (CollectionResult, error) {
	signals := workflow.GetSignalChannel(ctx, CollectionSignal)
	if err := s.start(ctx, signals); err != nil {
		return CollectionResult{}, err
	}
	if s.c.CaseID == 0 {
		// Started with nothing owed: no case was opened.
		return CollectionResult{Stage: models.StageClosed, StepReached: -1, ClosedAt: workflow.Now(ctx)}, nil
	}
	nudged := func() bool { return signals.Len() > 0 }
	for s.c.Stage != models.StageClosed {
		// Woken or not, the nudges are read and the due timers fired.
		if _, err := s.sleep(ctx, s.nextTimer(workflow.Now(ctx)).at, nudged); err != nil {
			return CollectionResult{}, err
		}
		s.drain(ctx, signals)
		fireDue(ctx, func() collectionTimer { return s.nextTimer(workflow.Now(ctx)) }, s.fire)
		if s.c.Stage == models.StageClosed {
			break
		}
		if s.shouldContinueAsNew(ctx) {
			if err := s.waitIdle(ctx); err != nil {
				return CollectionResult{}, err
			}
			if signals.Len() > 0 {
				continue // handle them in this run, then try again
			}
			carry := s.handOver()
			in := s.in
			in.Carry = &carry
			return CollectionResult{}, workflow.NewContinueAsNewError(ctx, Collection, in)
		}
	}
	if err := s.waitIdle(ctx); err != nil {
		return CollectionResult{}, err
	}
	if signals.Len() > 0 {
		// A fact arrived as the case closed (a new bill): a fresh case reads
		// the account again, so nothing is lost; the nudges are spent here.
		var n CollectionNudge
		in := s.in
		for signals.ReceiveAsync(&n) {
			in = resumeInput(in, n) // a reversal: the fresh case resumes this one
		}
		in.Carry = nil
		return CollectionResult{}, workflow.NewContinueAsNewError(ctx, Collection, in)
	}
	return CollectionResult{CaseID: s.c.CaseID, Stage: s.c.Stage, StepReached: s.c.Reached, ClosedAt: s.c.ClosedAt}, nil
}

// drain takes every nudge waiting on the channel and applies them with one
// reread of the account.
func (s *collectionState) drain(ctx workflow.Context, ch workflow.ReceiveChannel) {
	nudges := s.held
	s.held = nil
	for {
		var n CollectionNudge
		if !ch.ReceiveAsync(&n) {
			break
		}
		nudges = append(nudges, n)
	}
	if len(nudges) == 0 {
		return
	}
	now := workflow.Now(ctx)
	s.refresh(ctx, now)
	for _, n := range nudges {
		key := n.Kind + ":" + strconv.FormatUint(n.Ref, 10)
		if slices.Contains(s.c.Nudged, key) && workflow.GetVersion(ctx, changeRecordNudgeOnce, workflow.DefaultVersion, 1) >= 1 {
			continue // a repeated request's nudge: the account is reread, the fact is already recorded
		}
		s.c.Nudged = append(s.c.Nudged, key)
		detail := map[string]string{"ref": strconv.FormatUint(n.Ref, 10)}
		s.record(ctx, n.Kind, n.ActorID, "", "", detail)
	}
	s.settle(ctx, now)
}

// shouldContinueAsNew: the history is long, and nothing is under way that
// a new run could not pick up (a complaint's child workflow is awaited here).
func (s *collectionState) shouldContinueAsNew(ctx workflow.Context) bool {
	if s.complaintPending() {
		return false
	}
	info := workflow.GetInfo(ctx)
	limit := s.in.MaxTransitions
	if limit <= 0 {
		limit = defaultMaxTransitions
	}
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= historyLimit || s.transitions >= limit
}

// IsContinueAsNew reports whether err is a workflow's continue-as-new.
func IsContinueAsNew(err error) bool {
	var can *workflow.ContinueAsNewError
	return errors.As(err, &can)
}
