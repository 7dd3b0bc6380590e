package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// Pause reasons.
const (
	PausePromise   = "promise"   // a promise to pay, until Until
	PauseDispute   = "dispute"   // a bill is disputed
	PausePlan      = "plan"      // an instalment plan is being kept
	PauseComplaint = "complaint" // a complaint ticket (Ref) is open
)

// Pause is one reason the ladder stands still.
type Pause struct {
	Reason string
	Ref    uint64
	Since  time.Time
	Until  time.Time // zero: until something happens
}

// SeenBill is when the case learned of a bill.
type SeenBill struct {
	BillID uint64
	At     time.Time
}

// OpenTask is a call or visit waiting for its outcome.
type OpenTask struct {
	TaskID     uint64
	AssigneeID uint64
	Action     models.DunningAction
	DueAt      time.Time
	Level      int       // escalation levels reached
	EscalateAt time.Time // zero past the last level
}

// PendingLetter is a demand letter issued and not yet served, with its
// delivery task (0 when nobody held the step's role).
type PendingLetter struct {
	LetterID uint64
	TaskID   uint64
	// AssigneeID is who holds the delivery task.
	AssigneeID uint64
	IssuedOn   models.Date
}

// ActivePlan is an approved instalment plan being kept.
type ActivePlan struct {
	PlanID      uint64
	Instalments []models.Instalment
	ApprovedAt  time.Time
	PaidBefore  models.Money // Account.Paid when approved
	Kept        int          // instalments checked and kept
}

// PendingContact is a message to the resident sent by a gateway, awaiting
// its receipt to count as a contact.
type PendingContact struct {
	Key      string
	Template string
	Channel  models.Channel
}

// CollectionCarry is the whole state of a case, handed from one run to the
// next by continue-as-new.
type CollectionCarry struct {
	CaseID uint64
	// Seq is the case's revision, the transitions recorded, at the
	// hand-over (during a run the core counts them).
	Seq     int64
	Stage   models.CaseStage
	Segment models.Segment
	Reached int // ladder index of the last step taken, -1 for none
	Seen    []SeenBill
	// Nudged are the nudges recorded, "kind:ref", so that a repeated one
	// is not recorded twice.
	Nudged []string
	// PausedFor is the time finished pauses held the case.
	PausedFor   time.Duration
	PausedSince time.Time // when the current run of pauses began
	Pauses      []Pause
	Reminded    []string // keys of the reminders sent
	Messages    int      // message steps sent
	// Contacting are the messages sent by a gateway that count as contacts
	// once delivered (changeContactDelivered); Delivered counts those
	// delivered.
	Contacting     []PendingContact `json:",omitempty"`
	Delivered      int              `json:",omitempty"`
	NoticeServedAt time.Time
	LegalRemindAt  time.Time
	LegalReminders int
	LegalNotBefore time.Time
	// LegalRequestedAt is when the pending referral was asked for; Legal
	// the matter once it was approved (collection_legal.go).
	LegalRequestedAt time.Time
	Legal            *LegalMatter
	Tasks            []OpenTask
	Letters          []PendingLetter
	Plan             *ActivePlan
	ClosedAt         time.Time
}

// collectionState is the live state of one run.
type collectionState struct {
	caseCore
	in   CollectionInput
	c    CollectionCarry // Seq aside: the core's seq counts, handOver copies it
	acct activities.AccountResult
	// complaints are the complaint tickets whose child workflows this run
	// awaits; done ones are removed.
	complaints []uint64
	// transitions counts the transitions recorded in this run.
	transitions int
	// held are the nudges a fresh run received before opening its case
	// (to see whether a reversal is among them); drain applies them first.
	held []CollectionNudge
}

func newCollectionState(_ workflow.Context, in CollectionInput) (*collectionState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	s := &collectionState{caseCore: core, in: in, c: CollectionCarry{Reached: -1, Stage: models.StageReminding}}
	s.onDelivery = s.delivered
	if in.Carry != nil {
		s.c = *in.Carry
		s.seq = in.Carry.Seq
		s.nameCase(s.c.CaseID)
	}
	return s, nil
}

// nameCase sets the case the run works on: the keys of its journal and
// messages begin "collection-<household>/<case>", their Ref is "case:<case>".
func (s *collectionState) nameCase(id uint64) {
	s.c.CaseID = id
	s.name(fmt.Sprintf("%s/%d", CollectionWorkflowID(s.in.HouseholdID), id), "case:"+s.caseNo())
}

// handOver is the whole state of the case for the next run.
func (s *collectionState) handOver() CollectionCarry {
	carry := s.c
	carry.Seq = s.seq
	return carry
}

// start opens the case (or picks it up after a continue-as-new) and reads
// the account.
func (s *collectionState) start(ctx workflow.Context, signals workflow.ReceiveChannel) error {
	now := workflow.Now(ctx)
	fresh := s.in.Carry == nil
	readFirst := fresh && workflow.GetVersion(ctx, changeOpenOnlyWhenOwed, workflow.DefaultVersion, 1) >= 1
	if readFirst {
		if s.refresh(ctx, now) && s.paidUp() {
			// Nothing owed (a repeated payment, a prepayment): no case is
			// opened. The nudges are spent: the account read covers them.
			var n CollectionNudge
			for signals.ReceiveAsync(&n) {
			}
			s.c.Stage = models.StageClosed // and CaseID stays 0: no case
			return nil
		}
	}
	if fresh {
		info := workflow.GetInfo(ctx)
		var res activities.OpenCaseResult
		err := workflow.ExecuteActivity(dbCall(ctx), s.a().OpenCase, activities.OpenCaseInput{
			HouseholdID: s.in.HouseholdID, WorkflowID: info.WorkflowExecution.ID,
			Key: info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID, OpenedAt: now,
		}).Get(ctx, &res)
		if err != nil {
			return fmt.Errorf("open case of household %d: %w", s.in.HouseholdID, err)
		}
		s.nameCase(res.CaseID)
	}
	if !readFirst {
		s.refresh(ctx, now)
	}
	if fresh {
		s.c.Segment = models.Classify(s.acct.History, s.in.Policy.Dunning)
		s.record(ctx, "opened", 0, "", "", map[string]string{"segment": string(s.c.Segment)})
		var n CollectionNudge
		for signals.ReceiveAsync(&n) {
			s.held = append(s.held, n)
		}
		resume := s.in.Resume || slices.ContainsFunc(s.held, func(n CollectionNudge) bool { return n.Kind == NudgeReversal })
		if resume && workflow.GetVersion(ctx, changeResumeAfterReversal, workflow.DefaultVersion, 1) >= 1 {
			s.resume(ctx, now)
		}
	}
	s.drain(ctx, signals)
	s.settle(ctx, now)
	return nil
}

// resume carries over where the household's previous case stood when it
// closed: a refund or reversal opened this one, so the arrears are those
// it had been collecting. The step reached, the segment (never gentler)
// and the served notice carry over; the bills overdue while it ran count
// from when it opened, and the time it stood closed counts as paused, so
// the ladder's clock stands where it stood and the next rung comes when it
// would have; reminders whose time has passed are not sent late. Without a
// previous case it changes nothing.
func (s *collectionState) resume(ctx workflow.Context, now time.Time) {
	var prev activities.PreviousCaseResult
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().PreviousCase, activities.PreviousCaseInput{
		HouseholdID: s.in.HouseholdID, Before: s.c.CaseID}).Get(ctx, &prev)
	if err != nil {
		workflow.GetLogger(ctx).Error("read previous case", "household", s.in.HouseholdID, "error", err)
		return
	}
	if !prev.Found || prev.ClosedAt.After(now) {
		return
	}
	s.c.Reached = prev.StepReached
	if segmentRank(prev.Segment) > segmentRank(s.c.Segment) {
		s.c.Segment = prev.Segment
	}
	if prev.NoticeServedAt != nil {
		s.c.NoticeServedAt = *prev.NoticeServedAt
	}
	for i, seen := range s.c.Seen {
		b := slices.IndexFunc(s.acct.Open, func(o activities.OpenBill) bool { return o.BillID == seen.BillID })
		if b >= 0 && s.acct.Open[b].OriginalDue.AddDays(1).In(s.loc).Before(prev.ClosedAt) && prev.OpenedAt.Before(seen.At) {
			s.c.Seen[i].At = prev.OpenedAt
		}
	}
	for _, t := range s.reminders() {
		if !t.at.After(now) {
			s.c.Reminded = append(s.c.Reminded, t.key) // the closed case sent them, or their time is past
		}
	}
	s.c.PausedFor += now.Sub(prev.ClosedAt)
	s.restage()
	s.record(ctx, "reopened", 0, "", "", map[string]string{"from_case": strconv.FormatUint(prev.CaseID, 10),
		"step_reached": strconv.Itoa(prev.StepReached), "closed_for": now.Sub(prev.ClosedAt).String()})
}

// refresh rereads the account and notes the bills first seen now; false
// when the account could not be read (the last one read is kept).
func (s *collectionState) refresh(ctx workflow.Context, now time.Time) bool {
	var res activities.AccountResult
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().Account, activities.AccountInput{
		HouseholdID: s.in.HouseholdID, AsOf: now, TimeZone: s.in.TimeZone,
		Fees: s.in.Policy.Fees, Dunning: s.in.Policy.Dunning,
	}).Get(ctx, &res)
	if err != nil {
		workflow.GetLogger(ctx).Error("read account", "household", s.in.HouseholdID, "error", err)
		return false // keep the last account read
	}
	s.acct = res
	joined := false
	for _, b := range res.Open {
		if !slices.ContainsFunc(s.c.Seen, func(x SeenBill) bool { return x.BillID == b.BillID }) {
			s.c.Seen = append(s.c.Seen, SeenBill{BillID: b.BillID, At: now})
			joined = true
		}
	}
	if joined && s.c.Segment != "" {
		// A bill joining an open case may make the arrears large or the
		// payer a repeat one; a case never moves to a gentler segment.
		if seg := models.Classify(res.History, s.in.Policy.Dunning); segmentRank(seg) > segmentRank(s.c.Segment) {
			s.c.Segment = seg
		}
	}
	return true
}

// paidUp reports whether the account last read owes nothing.
func (s *collectionState) paidUp() bool {
	return len(s.acct.Open) == 0 && s.acct.Account.Total == 0
}

func segmentRank(s models.Segment) int {
	switch s {
	case models.SegmentGood:
		return 0
	case models.SegmentFastTrack:
		return 2
	}
	return 1
}

// settle acts on the account just read: a dispute pauses the ladder while
// any bill is disputed, and a paid-up account closes the case.
func (s *collectionState) settle(ctx workflow.Context, now time.Time) {
	disputed := slices.ContainsFunc(s.acct.Open, func(b activities.OpenBill) bool { return b.Disputed })
	switch i := s.pauseIndex(PauseDispute); {
	case disputed && i < 0:
		s.pause(Pause{Reason: PauseDispute, Since: now})
		s.record(ctx, "paused", 0, "", "", map[string]string{"reason": PauseDispute})
	case !disputed && i >= 0:
		held := s.unpause(i, now)
		s.record(ctx, "resumed", 0, "", "", map[string]string{"reason": PauseDispute, "held": held.String()})
	}
	if s.paidUp() {
		s.close(ctx, now)
	}
}

// anchor is the moment the ladder counts from: max(the oldest unpaid bill
// became overdue, the case learned of it). ok is false with nothing unpaid.
func (s *collectionState) anchor() (at time.Time, oldest activities.OpenBill, ok bool) {
	for _, b := range s.acct.Open {
		if !ok || b.OriginalDue.Before(oldest.OriginalDue) {
			oldest, ok = b, true
		}
	}
	if !ok {
		return time.Time{}, oldest, false
	}
	at = oldest.OriginalDue.AddDays(1).In(s.loc)
	for _, seen := range s.c.Seen {
		if seen.BillID == oldest.BillID && seen.At.After(at) {
			at = seen.At
		}
	}
	return at, oldest, true
}

// overdueFor is how long the ladder has run at now: since the anchor, less
// the whole time any pause held the case (overlapping pauses count once).
// A pause counts in full, also before the bill fell due: a dispute opened
// before the due date moves the bill's due date by its whole length, and
// the ladder with it.
func (s *collectionState) overdueFor(now time.Time) (time.Duration, bool) {
	at, _, ok := s.anchor()
	if !ok {
		return 0, false
	}
	d := now.Sub(at) - s.c.PausedFor
	if len(s.c.Pauses) > 0 && now.After(s.c.PausedSince) {
		d -= now.Sub(s.c.PausedSince)
	}
	return d, true
}

func (s *collectionState) pauseIndex(reason string) int {
	return slices.IndexFunc(s.c.Pauses, func(p Pause) bool { return p.Reason == reason })
}

func (s *collectionState) pause(p Pause) {
	if i := s.pauseIndex(p.Reason); i >= 0 {
		s.c.Pauses[i].Until, s.c.Pauses[i].Ref = p.Until, p.Ref // a new promise replaces the old
	} else {
		if len(s.c.Pauses) == 0 {
			s.c.PausedSince = p.Since
		}
		s.c.Pauses = append(s.c.Pauses, p)
	}
	s.restage()
}

// unpause ends pause i at now and returns how long that pause lasted. The
// ladder's clock restarts once no pause is left.
func (s *collectionState) unpause(i int, now time.Time) time.Duration {
	p := s.c.Pauses[i]
	s.c.Pauses = slices.Delete(s.c.Pauses, i, i+1)
	if len(s.c.Pauses) == 0 {
		s.c.PausedFor += max(now.Sub(s.c.PausedSince), 0)
		s.c.PausedSince = time.Time{}
	}
	s.restage()
	return max(now.Sub(p.Since), 0)
}

// restage derives the stage from the state; legal stages and closed stay.
func (s *collectionState) restage() {
	switch s.c.Stage {
	case models.StageLegalPending, models.StageLegal, models.StageClosed:
		return
	}
	switch {
	case len(s.c.Pauses) > 0:
		s.c.Stage = models.StagePaused
	case s.c.Reached >= 0:
		s.c.Stage = models.StageDunning
	default:
		s.c.Stage = models.StageReminding
	}
}

func (s *collectionState) ladder() []models.DunningStep {
	return models.Ladder(s.in.Policy.Dunning, s.c.Segment)
}

// timer is the next moment the case acts without being asked.
type collectionTimer struct {
	at   time.Time
	kind string
	key  string // the reminder's key
	task int    // index into Tasks
	step int    // ladder index
	text string // for views: "reminder bill-3/d-7", "phone_call"
	due  models.Date
	amt  models.Money
	what string // the period or instalment the reminder is about
}

const (
	timerReminder   = "reminder"
	timerStep       = "step"
	timerTaskEsc    = "task_escalation"
	timerLegalAgain = "legal_reminder"
	timerPromiseEnd = "promise_end"
	timerPlanCheck  = "plan_check"
)

// reminderHour is the local time of day polite reminders are planned for.
const reminderHour = 10 * time.Hour

// maxWait bounds a timer so that far-off steps never overflow.
const maxWait = 10 * 365 * 24 * time.Hour

// nextTimer returns the earliest pending timer at now; zero when none.
func (s *collectionState) nextTimer(now time.Time) collectionTimer {
	var ts []collectionTimer
	switch s.c.Stage {
	case models.StageClosed, models.StageLegal:
		return collectionTimer{}
	case models.StageLegalPending:
		ts = append(ts, collectionTimer{at: s.c.LegalRemindAt, kind: timerLegalAgain, text: "legal decision reminder"})
	}
	ts = append(ts, s.reminders()...)
	if len(s.c.Pauses) == 0 && s.c.Stage != models.StageLegalPending {
		if d, ok := s.overdueFor(now); ok {
			ladder := s.ladder()
			if i, wait, ok := models.NextStep(ladder, s.c.Reached, d); ok {
				at := now.Add(min(wait, maxWait))
				if ladder[i].Action == models.ActionLegalReferral && s.c.LegalNotBefore.After(at) {
					at = s.c.LegalNotBefore
				}
				ts = append(ts, collectionTimer{at: at, kind: timerStep, step: i, text: string(ladder[i].Action)})
			}
		}
	}
	for i, t := range s.c.Tasks {
		ts = append(ts, collectionTimer{at: t.EscalateAt, kind: timerTaskEsc, task: i, text: fmt.Sprintf("escalate task %d", t.TaskID)})
	}
	if i := s.pauseIndex(PausePromise); i >= 0 {
		ts = append(ts, collectionTimer{at: s.c.Pauses[i].Until, kind: timerPromiseEnd, text: "promise ends"})
	}
	if p := s.c.Plan; p != nil && p.Kept < len(p.Instalments) {
		at := p.Instalments[p.Kept].Due.AddDays(1).In(s.loc).Add(s.in.Policy.Dunning.InstalmentGrace.Std())
		ts = append(ts, collectionTimer{at: at, kind: timerPlanCheck, text: fmt.Sprintf("instalment %d check", p.Kept+1)})
	}
	return soonest(ts)
}

func (t collectionTimer) when() time.Time { return t.at }

// reminders lists the polite reminders still to send: Fees.ReminderDaysBefore
// days before each open bill's due date and on it, or, while a plan is kept,
// before and on each instalment's date instead. A reminder whose time passed
// before the case learned of its bill (or approved its plan) is not sent late.
func (s *collectionState) reminders() []collectionTimer {
	var out []collectionTimer
	days := append([]int{0}, s.in.Policy.Fees.ReminderDaysBefore...)
	add := func(key string, due models.Date, amount models.Money, what string, since time.Time) {
		for _, d := range days {
			k := fmt.Sprintf("%s/d-%d", key, d)
			at := due.AddDays(-d).In(s.loc).Add(reminderHour)
			if slices.Contains(s.c.Reminded, k) || at.Before(since) {
				continue
			}
			out = append(out, collectionTimer{at: at, kind: timerReminder, key: k, due: due, amt: amount, what: what,
				text: "reminder " + k})
		}
	}
	if p := s.c.Plan; p != nil {
		for i, in := range p.Instalments[p.Kept:] {
			add(fmt.Sprintf("plan-%d/%d", p.PlanID, p.Kept+i+1), in.Due, in.AmountFen, fmt.Sprintf("分期第%d期", p.Kept+i+1), p.ApprovedAt)
		}
		return out
	}
	for _, b := range s.acct.Open {
		if b.Disputed {
			continue
		}
		since := time.Time{}
		for _, seen := range s.c.Seen {
			if seen.BillID == b.BillID {
				since = seen.At
			}
		}
		add(fmt.Sprintf("bill-%d", b.BillID), b.Due, b.Outstanding, models.FormatPeriod(b.Period), since)
	}
	return out
}

// progress is the read model's copy of the state at revision Seq.
func (s *collectionState) progress(now time.Time) models.CaseProgress {
	p := models.CaseProgress{Stage: s.c.Stage, Segment: s.c.Segment, StepReached: s.c.Reached,
		OwedFen: s.acct.Account.Total, CheckedAt: optTime(now), NoticeServedAt: optTime(s.c.NoticeServedAt),
		ClosedAt: optTime(s.c.ClosedAt), Revision: s.seq, LegalStatus: s.legalStatus(), LegalSince: optTime(s.legalSince())}
	if _, oldest, ok := s.anchor(); ok {
		p.OldestDueOn = optTime(models.DateTime(oldest.OriginalDue))
	}
	if len(s.c.Pauses) > 0 {
		p.PausedReason = s.c.Pauses[0].Reason
		p.PausedUntil = optTime(s.c.Pauses[0].Until)
	}
	if t := s.nextTimer(now); !t.at.IsZero() {
		p.NextStep, p.NextStepAt = t.kind, optTime(t.at)
		if t.kind == timerStep {
			p.NextStep = t.text
		}
	}
	return p
}

// view is the state as the query and the actions show it, at now.
func (s *collectionState) view(now time.Time) CaseView {
	v := CaseView{CaseID: s.c.CaseID, HouseholdID: s.in.HouseholdID, Stage: s.c.Stage, Segment: s.c.Segment,
		StepReached: s.c.Reached, Ladder: s.ladder(), PausedFor: s.c.PausedFor, Pauses: slices.Clone(s.c.Pauses),
		OpenTasks: slices.Clone(s.c.Tasks), NoticeServedAt: optTime(s.c.NoticeServedAt), Letters: slices.Clone(s.c.Letters),
		Owed: s.acct.Account.Total, AsOf: now, LegalSince: optTime(s.legalSince())}
	if s.c.Legal != nil {
		m := *s.c.Legal
		m.Documents, m.Outcomes = slices.Clone(m.Documents), slices.Clone(m.Outcomes)
		v.Legal = &m
	}
	if s.c.Plan != nil {
		p := *s.c.Plan
		v.Plan = &p
	}
	if d, ok := s.overdueFor(now); ok {
		v.OverdueFor = d
	}
	if t := s.nextTimer(now); !t.at.IsZero() {
		v.NextStep, v.NextStepAt = t.text, optTime(t.at)
	}
	return v
}

func (s *collectionState) complaintPending() bool { return len(s.complaints) > 0 }

// a is the activities receiver for typed method references.
func (s *collectionState) a() *activities.Collections { return nil }
