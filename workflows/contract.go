package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// ContractInput starts the expiry process of one service contract
// (物业服务合同). Policy is the estate's policy at the start.
type ContractInput struct {
	ContractID uint64
	EstateID   uint64
	Number     string
	// CreatedBy recorded the contract: every reminder tells them too.
	CreatedBy uint64
	// TermStart and TermEnd are the term's first and last days (00:00 UTC).
	TermStart, TermEnd time.Time
	Policy             models.Policy
	TimeZone           string
}

// NewContractInput builds the workflow input of a contract just recorded,
// with the estate's policy and time zone (empty: Asia/Shanghai).
func NewContractInput(c models.Contract, p models.Policy, tz string) ContractInput {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return ContractInput{ContractID: c.ID, EstateID: c.EstateID, Number: c.Number, CreatedBy: c.CreatedBy,
		TermStart: c.TermStart, TermEnd: c.TermEnd, Policy: p, TimeZone: tz}
}

// The actions of ContractAction.Action.
const (
	ContractNegotiate = "negotiate" // renewal talks have begun (续签中), with Note
	ContractRenew     = "renew"     // a new term (TermStart, TermEnd) and what changed: a new version
	ContractHandOver  = "hand_over" // the estate goes to the next company (已移交), with Note: closes
)

// ContractActions are the staff actions of a contract's page, in the order a
// console shows them.
func ContractActions() []string { return []string{ContractRenew, ContractNegotiate, ContractHandOver} }

// ContractAction is a staff action on a contract, sent as the update
// ContractActionUpdate; the caller's update ID makes it idempotent.
type ContractAction struct {
	Action    string
	ActorID   uint64
	ActorRole models.Role
	// TermStart defaults to the day after the current term.
	TermStart, TermEnd *time.Time
	Changes            string
	EffectiveOn        *time.Time
	models.ContractTerms
	Note string
}

// ContractView is the live state of a contract's process.
type ContractView struct {
	ContractID         uint64
	Status             models.ContractStatus
	TermStart, TermEnd time.Time
	EndsAt             time.Time
	RemindersSent      int
	// Deciding: the renewal or hand-over task is open (the last reminder
	// went out, or the term has ended).
	Deciding        bool
	Renewals        int
	EscalationLevel int
	NextTimer       string
	NextTimerAt     *time.Time
	HandOverNote    string
	ClosedAt        *time.Time
	AsOf            time.Time
}

// ContractResult is how a contract's process ended.
type ContractResult struct {
	ContractID uint64
	Status     models.ContractStatus
	Renewals   int
	ClosedAt   time.Time
}

// Contract runs a service contract's expiry: it sleeps to each reminder
// before the term ends and reminds the company, one rung higher up the
// escalation chain each time; after the last one the renewal or hand-over
// task is open; a renewal (a new term, a new version) starts the reminders
// again, a hand-over closes; a term that ends with neither escalates.
func Contract(ctx workflow.Context, in ContractInput) (ContractResult, error) {
	s, err := newContractState(in)
	return runProcess[ContractResult](ctx, s, err)
}

type contractState struct {
	caseCore
	in         ContractInput
	policy     models.ContractPolicy
	start, end time.Time // the term's days
	endsAt     time.Time // the midnight after the last day, in the estate's zone
	status     models.ContractStatus
	reminded   int
	renewing   bool
	deciding   bool
	renewals   int
	level      int
	escalateAt time.Time
	note       string
	closedAt   time.Time
}

func newContractState(in ContractInput) (*contractState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	if in.TermEnd.IsZero() {
		return nil, temporal.NewNonRetryableApplicationError("a contract needs a term", ErrTypeInvalidInput, nil, "term_end")
	}
	core.name(ContractWorkflowID(in.ContractID), "contract:"+strconv.FormatUint(in.ContractID, 10))
	s := &contractState{caseCore: core, in: in, policy: in.Policy.Contract.Effective()}
	s.setTerm(in.TermStart, in.TermEnd)
	return s, nil
}

// setTerm starts a term: its reminders from the first, no escalation until
// it ends.
func (s *contractState) setTerm(start, end time.Time) {
	s.start, s.end = start, end
	s.endsAt = models.ContractEnd(end, s.loc)
	s.reminded, s.level, s.deciding, s.renewing = 0, 0, false, false
	s.escalateAt = time.Time{}
	if at, ok := s.in.Policy.Escalation.EscalationAt(s.endsAt, 1); ok {
		s.escalateAt = at
	}
}

const (
	timerContractReminder = "reminder"
	timerContractStatus   = "status"
)

type contractTimer struct {
	at   time.Time
	kind string
}

func (t contractTimer) when() time.Time { return t.at }

// nextTimer is the earliest of: the next reminder, the next change of the
// status by time (expiring, expired), the next escalation once the term
// has ended.
func (s *contractState) nextTimer() contractTimer {
	if s.status.Terminal() {
		return contractTimer{}
	}
	var ts []contractTimer
	if s.reminded < len(s.policy.ReminderDaysBefore) {
		ts = append(ts, contractTimer{at: s.policy.ReminderAt(s.endsAt, s.reminded), kind: timerContractReminder})
	}
	switch s.status {
	case models.ContractActive:
		ts = append(ts, contractTimer{at: s.policy.ExpiringAt(s.endsAt), kind: timerContractStatus})
	case models.ContractExpiring:
		ts = append(ts, contractTimer{at: s.endsAt, kind: timerContractStatus})
	}
	ts = append(ts, contractTimer{at: s.escalateAt, kind: timerEscalate})
	return soonest(ts)
}

func (s *contractState) setup(ctx workflow.Context) error {
	return serve(ctx, ContractProcess(), s.view, s.allowed, s.act, s.check)
}

func (s *contractState) run(ctx workflow.Context) (ContractResult, error) {
	now := workflow.Now(ctx)
	s.status = s.statusAt(now)
	s.write(ctx, s.snapshot(ctx, now, "registered", s.in.CreatedBy, "", map[string]string{
		"term_start": termDay(s.start), "term_end": termDay(s.end)}))
	for !s.status.Terminal() {
		woken, err := s.sleep(ctx, s.nextTimer().at, nil)
		if err != nil {
			return ContractResult{}, err
		}
		if !woken {
			fireDue(ctx, s.nextTimer, s.fire)
		}
	}
	if err := s.waitIdle(ctx); err != nil {
		return ContractResult{}, err
	}
	return ContractResult{ContractID: s.in.ContractID, Status: s.status, Renewals: s.renewals, ClosedAt: s.closedAt}, nil
}

func (s *contractState) statusAt(now time.Time) models.ContractStatus {
	return s.policy.ContractStatusAt(s.endsAt, now, s.renewing, s.status.Terminal())
}

// fire acts on timer t, due at now (see fireDue).
func (s *contractState) fire(ctx workflow.Context, now time.Time, t contractTimer) {
	from := s.status
	switch t.kind {
	case timerContractReminder:
		i, ok := s.policy.DueReminder(s.endsAt, now, s.reminded)
		if !ok { // the term ended first: the rest are moot
			s.reminded = len(s.policy.ReminderDaysBefore)
			return
		}
		s.reminded = i + 1
		s.deciding = s.deciding || s.reminded == len(s.policy.ReminderDaysBefore)
		s.status = s.statusAt(now)
		s.remind(ctx, now, from, i)
	case timerContractStatus:
		s.status = s.statusAt(now)
		s.deciding = s.deciding || !now.Before(s.endsAt)
		s.write(ctx, s.snapshot(ctx, now, string(s.status), 0, from, map[string]string{"term_end": termDay(s.end)}))
	case timerEscalate:
		s.level, s.escalateAt = climb(s.in.Policy.Escalation, s.level, s.escalateAt)
		s.deciding = true
		s.status = s.statusAt(now)
		s.escalate(ctx, now, from)
	}
}

// remind sends reminder i to the rung i of the escalation chain (the last
// rung past it) and the contract's recorder, and records who was told.
func (s *contractState) remind(ctx workflow.Context, now time.Time, from models.ContractStatus, i int) {
	levels := s.in.Policy.Escalation.Levels
	role := levels[min(i, len(levels)-1)].Role
	detail := map[string]string{"reminder": strconv.Itoa(i + 1), "days_before": strconv.Itoa(s.policy.ReminderDaysBefore[i]),
		"role": string(role), "term_end": termDay(s.end)}
	rec := s.snapshot(ctx, now, "reminder", 0, from, detail)
	ids := s.escalationList(ctx, role, s.in.CreatedBy)
	detail["notified"] = idList(ids)
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "contract_expiring", fmt.Sprintf("%s/%d/remind-%d/staff-%d", s.journal, s.renewals, i+1, id),
			map[string]string{"case_no": s.caseNo(), "due": termDay(s.end)})
	}
}

// changeContractOneEscalation, version 1: the escalation of a term ended
// undecided is one activity (activities.Escalations.Escalate, as a
// ticket's under "one-escalation"), with the same event and messages.
// Before it, the recipients look-up, the record and each message were an
// activity apiece (issue 15). Reminders keep their own activities.
const changeContractOneEscalation = "contract-one-escalation"

// escalate tells the rung reached that the term has ended with no
// decision.
func (s *contractState) escalate(ctx workflow.Context, now time.Time, from models.ContractStatus) {
	role := s.in.Policy.Escalation.Levels[s.level-1].Role
	detail := map[string]string{"level": strconv.Itoa(s.level), "role": string(role), "term_end": termDay(s.end)}
	rec := s.snapshot(ctx, now, "escalation", 0, from, detail)
	prefix := fmt.Sprintf("%s/%d/escalate-%d", s.journal, s.renewals, s.level)
	params := map[string]string{"case_no": s.caseNo(), "due": termDay(s.end)}
	if workflow.GetVersion(ctx, changeContractOneEscalation, workflow.DefaultVersion, 1) >= 1 {
		s.escalateOnce(ctx, activities.EscalateInput{Contract: &rec, Role: role, Owner: s.in.CreatedBy}, "contract_undecided", prefix, params)
		return
	}
	ids := s.escalationList(ctx, role, s.in.CreatedBy)
	detail["notified"] = idList(ids)
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "contract_undecided", activities.StaffKey(prefix, id), params)
	}
}

// check is the validator of ContractActionUpdate: the status, then the
// role (managers), then the action's fields.
func (s *contractState) check(ctx workflow.Context, a ContractAction) error {
	if err := checkActor(a.ActorID, a.ActorRole); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	var input func() error
	switch a.Action {
	case ContractNegotiate:
		if s.renewing && !s.status.Terminal() {
			return invalidState(s.status, "合同已在续签中")
		}
		input = func() error { return contractText("note", a.Note, 500, false) }
	case ContractRenew:
		input = func() error {
			if err := contractText("changes", a.Changes, 2000, false); err != nil {
				return err
			}
			if a.ServiceLevel != "" || a.FeeStandardID != nil {
				if err := fieldErr(a.ContractTerms.Validate()); err != nil {
					return err
				}
			}
			if a.TermEnd == nil {
				return invalidInput("term_end", "必填")
			}
			return fieldErr(s.policy.CheckTerm(s.newTerm(a), s.end, now))
		}
	case ContractHandOver:
		input = func() error { return contractText("note", a.Note, 500, true) }
	default:
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case s.status.Terminal():
		return invalidState(s.status, "合同已移交")
	case !isManager(a.ActorRole):
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此合同执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	return input()
}

// newTerm is the term a renewal asks for: from the day after the current
// one unless it says.
func (s *contractState) newTerm(a ContractAction) models.ContractTerm {
	t := models.ContractTerm{Start: s.end.AddDate(0, 0, 1)}
	if a.TermStart != nil {
		t.Start = *a.TermStart
	}
	if a.TermEnd != nil {
		t.End = *a.TermEnd
	}
	return t
}

// act is the handler of ContractActionUpdate.
func (s *contractState) act(ctx workflow.Context, a ContractAction) (ContractView, error) {
	now := workflow.Now(ctx)
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	detail := actionDetail(ctx, map[string]string{"note": a.Note, "changes": a.Changes})
	typ := a.Action
	switch a.Action {
	case ContractNegotiate:
		s.renewing = true
		s.status = s.statusAt(now)
	case ContractRenew:
		t := s.newTerm(a)
		prevEnd := s.end
		s.setTerm(t.Start, t.End)
		s.renewals++
		s.status = s.statusAt(now)
		for s.reminded < len(s.policy.ReminderDaysBefore) && !s.policy.ReminderAt(s.endsAt, s.reminded).After(now) {
			s.reminded++ // a short renewal: reminders already past are skipped
		}
		detail["term_start"], detail["term_end"], detail["previous_term_end"] = termDay(t.Start), termDay(t.End), termDay(prevEnd)
		typ = "renewed"
		v := models.ContractVersion{ContractID: s.in.ContractID, Key: fmt.Sprintf("%s/renew-%d", s.journal, s.renewals),
			EffectiveOn: t.Start, Changes: a.Changes, TermStart: t.Start, TermEnd: t.End, ContractTerms: a.ContractTerms, CreatedBy: a.ActorID}
		if a.EffectiveOn != nil {
			v.EffectiveOn = *a.EffectiveOn
		}
		if v.Changes == "" {
			v.Changes = "续签"
		}
		rec := s.snapshot(ctx, now, typ, a.ActorID, from, detail)
		var c *activities.Cases
		var got models.ContractVersion
		if err := workflow.ExecuteActivity(dbCall(ctx), c.AddContractVersion, v).Get(ctx, &got); err != nil {
			workflow.GetLogger(ctx).Error("add contract version", "contract", s.in.ContractID, "error", err)
		} else {
			detail["version"] = strconv.Itoa(got.Version)
		}
		s.woken = true
		s.write(ctx, rec)
		return s.view(workflow.Now(ctx)), nil
	case ContractHandOver:
		s.status, s.note, s.closedAt, s.deciding = models.ContractHandedOver, a.Note, now, false
		typ = "handed_over"
	}
	s.woken = true
	s.write(ctx, s.snapshot(ctx, now, typ, a.ActorID, from, detail))
	return s.view(workflow.Now(ctx)), nil
}

func (s *contractState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, ContractActions(), func(name string) error {
		return s.check(ctx, ContractAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}

func (s *contractState) progress() models.ContractProgress {
	p := models.ContractProgress{Status: s.status, TermStart: s.start, TermEnd: s.end, RemindersSent: s.reminded,
		EscalationLevel: s.level, HandOverNote: s.note, ClosedAt: optTime(s.closedAt), Revision: s.seq}
	if !s.status.Terminal() && s.reminded < len(s.policy.ReminderDaysBefore) {
		p.NextReminderAt = optTime(s.policy.ReminderAt(s.endsAt, s.reminded))
	}
	return p
}

func (s *contractState) view(now time.Time) ContractView {
	v := ContractView{ContractID: s.in.ContractID, Status: s.status, TermStart: s.start, TermEnd: s.end, EndsAt: s.endsAt,
		RemindersSent: s.reminded, Deciding: s.deciding, Renewals: s.renewals, EscalationLevel: s.level,
		HandOverNote: s.note, ClosedAt: optTime(s.closedAt), AsOf: now}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.kind, optTime(t.at)
	}
	return v
}

// snapshot takes the next revision of the read model and its event, and
// brings the search attributes up to date.
func (s *contractState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.ContractStatus, detail map[string]string) activities.RecordContractInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due := time.Time{}
	if !s.status.Terminal() {
		due = s.endsAt
	}
	s.upsert(ctx, "contract", string(s.status), s.level, due)
	return activities.RecordContractInput{ContractID: s.in.ContractID, Progress: s.progress(), Event: ev}
}

func (s *contractState) write(ctx workflow.Context, in activities.RecordContractInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordContract, in, in.Event.Key)
}

func (s *contractState) caseNo() string { return "合同" + s.in.Number }

// termDay shows a term's day: "2027-06-30".
func termDay(t time.Time) string { return t.Format(time.DateOnly) }

// contractText checks a text field of at most n characters.
func contractText(field, text string, n int, required bool) error {
	if required && text == "" {
		return invalidInput(field, "必填")
	}
	return visitMaxText(field, text, n)
}

// fieldErr turns a model's *ValidationError into the update's InvalidInput.
func fieldErr(err error) error {
	if err == nil {
		return nil
	}
	if ve, ok := err.(*models.ValidationError); ok {
		return invalidInput(ve.Field, ve.Reason)
	}
	return invalidInput("action", err.Error())
}
