package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The handlers of a survey campaign's process.
const (
	// SurveyActionUpdate takes a SurveyAction and returns a SurveyView.
	SurveyActionUpdate        = "survey_action"
	SurveyStateQuery          = "survey_state"
	SurveyAllowedActionsQuery = "survey_allowed_actions"
	// SurveyAnsweredSignal carries a SurveyAnswered: the resident page
	// saved a household's answers.
	SurveyAnsweredSignal = "survey_answered"
)

// SurveyProcess describes survey campaigns ("survey-<campaign ID>").
func SurveyProcess() Process {
	return Process{Kind: models.KindSurvey, ActionUpdate: SurveyActionUpdate, StateQuery: SurveyStateQuery,
		AllowedActionsQuery: SurveyAllowedActionsQuery, Actions: SurveyActions(), idPrefix: "survey-"}
}

// SurveyWorkflowID is the workflow ID of campaign id: "survey-<id>".
func SurveyWorkflowID(id uint64) string { return SurveyProcess().WorkflowID(id) }

// The actions of SurveyAction.Action.
const (
	SurveyClose    = "close"    // a manager closes the campaign early (Reason)
	SurveyCancel   = "cancel"   // a manager cancels it before it opens (Reason)
	SurveyCallback = "callback" // the call-back visit of HouseholdID is done (Note)
)

// SurveyActions lists the staff actions in the order a console shows them.
func SurveyActions() []string { return []string{SurveyCallback, SurveyClose, SurveyCancel} }

// SurveyInput starts the process of one campaign. Policy is the estate's at
// creation.
type SurveyInput struct {
	Campaign models.SurveyCampaign
	Policy   models.Policy
	TimeZone string
}

// SurveyAnswered is one household's answers, saved by the resident page.
type SurveyAnswered struct {
	ResponseID  uint64
	HouseholdID uint64
	ResidentID  uint64
	Items       []models.SurveyAnswerItem
	// fromStore: the process found it in the store (reconcile), not in a
	// signal.
	fromStore bool
}

// SurveyAction is a staff action on a campaign (update SurveyActionUpdate).
type SurveyAction struct {
	Action      string
	ActorID     uint64
	ActorRole   models.Role
	Reason      string
	HouseholdID uint64
	Note        string
}

// SurveyView is the live state of a campaign.
type SurveyView struct {
	CampaignID  uint64
	Status      models.SurveyStatus
	OpensAt     time.Time
	ClosesAt    time.Time
	Invited     int
	Responded   int
	RemindAt    []time.Time
	Reminded    int
	TicketIDs   []uint64
	Callbacks   []models.SurveyCallback
	NextTimer   string
	NextTimerAt *time.Time
	ClosedAt    *time.Time
	Reason      string
	AsOf        time.Time
}

// SurveyResult is how a campaign ended.
type SurveyResult struct {
	CampaignID uint64
	Status     models.SurveyStatus
	Invited    int
	Responded  int
	TicketIDs  []uint64
}

// Survey runs a satisfaction survey campaign (满意度调查): it opens at its
// opening, invites its sample in batches within the sending hours, reminds
// the households that have not answered, takes answers (a low one opens a
// complaint ticket or a call-back visit, as the policy says) and closes at
// its closing or when a manager closes it; it ends once the call-backs are
// done.
func Survey(ctx workflow.Context, in SurveyInput) (SurveyResult, error) {
	s, err := newSurveyState(in)
	return runProcess[SurveyResult](ctx, s, err)
}

type surveyState struct {
	caseCore
	in        SurveyInput
	c         models.SurveyCampaign
	p         models.SurveyPolicy
	status    models.SurveyStatus
	inviteAt  time.Time // zero once the invitations went out
	remindAt  []time.Time
	reminded  int
	invited   int
	responded int
	seen      map[uint64]bool // response IDs taken
	answers   []SurveyAnswered
	tickets   []uint64
	callbacks []models.SurveyCallback
	closedAt  time.Time
	reason    string
	// reconciles: the process looks in the store for answers whose signal
	// was lost (changeSurveyReconcile).
	reconciles bool
	// callbackStaff: a call-back is told to customer service and the
	// creator, and one still waiting at the closing time is escalated
	// (changeSurveyCallbackStaff); overdueTold once it was.
	callbackStaff bool
	overdueTold   bool
}

// changeSurveyCallbackStaff, version 1: a low answer's call-back visit
// (回访) was told to the campaign's creator only, and nobody heard of one
// still not made. Since this change it is told to the estate's customer
// service staff and the creator, and the call-backs still waiting at the
// campaign's closing time (the due date their message gives) are escalated
// once to the estate managers and the creator ("callback_overdue").
// Decided at the start of a run.
const changeSurveyCallbackStaff = "survey-callback-staff"

// changeSurveyReconcile, version 1: the resident page saves an answer and
// then signals it; a signal lost in between (a crash, a failed call) left
// the answer unseen, its low score's complaint or call-back never opened.
// Since this change the process lists the saved answers it has not taken
// (activities.Surveys.UnseenSurveyResponses) after opening, before each
// reminder and before closing, and takes them as signalled ones, once per
// response ID. Decided at the start of a run.
const changeSurveyReconcile = "survey-reconcile"

func newSurveyState(in SurveyInput) (*surveyState, error) {
	core, err := newCaseCore(in.Campaign.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	c := in.Campaign
	if c.ID == 0 || !c.ClosesAt.After(c.OpensAt) {
		return nil, temporal.NewNonRetryableApplicationError("a campaign needs its row and a closing after its opening",
			ErrTypeInvalidInput, nil, "campaign")
	}
	core.name(SurveyWorkflowID(c.ID), "survey:"+strconv.FormatUint(c.ID, 10))
	p := in.Policy.Surveys()
	s := &surveyState{caseCore: core, in: in, c: c, p: p, status: models.SurveyScheduled, seen: map[uint64]bool{},
		remindAt: models.ReminderTimes(p, c.OpensAt, c.ClosesAt, c.Reminders, core.loc), callbacks: []models.SurveyCallback{}}
	s.inviteAt = p.InSendingHours(c.OpensAt, core.loc)
	return s, nil
}

// changeSurveyInviteJitter, version 1: a campaign's invitations are put
// off by models.Jitter of its workflow ID inside the estate's jitter
// window (policy release.jitter_window), kept in the sending hours and
// before the closing, so that the campaigns of many estates opening at one
// hour do not invite at once. Before it, they went at the opening.
const changeSurveyInviteJitter = "survey-invite-jitter"

// jitteredInvite is when the invitations go out with the campaign's
// jitter: the same for the same campaign on every replay; without room
// before the closing, the time unjittered.
func (s *surveyState) jitteredInvite() time.Time {
	at := s.p.InSendingHours(s.inviteAt.Add(models.Jitter(s.journal, s.in.Policy.Release.OrDefault().JitterWindow)), s.loc)
	if !at.Before(s.c.ClosesAt) {
		return s.inviteAt
	}
	return at
}

// surveyTimer is the next moment the process acts unasked.
type surveyTimer struct {
	at   time.Time
	kind string
}

func (t surveyTimer) when() time.Time { return t.at }

const (
	timerSurveyOpen   = "open"
	timerSurveyInvite = "invite"
	timerSurveyRemind = "reminder"
	timerSurveyClose  = "close"
	// timerSurveyCallbacks: call-backs still waiting at the closing time.
	timerSurveyCallbacks = "callbacks_overdue"
)

func (s *surveyState) nextTimer() surveyTimer {
	switch s.status {
	case models.SurveyScheduled:
		return surveyTimer{at: s.c.OpensAt, kind: timerSurveyOpen}
	case models.SurveyOpen:
		ts := []surveyTimer{{at: s.c.ClosesAt, kind: timerSurveyClose}}
		if !s.inviteAt.IsZero() {
			ts = append(ts, surveyTimer{at: s.inviteAt, kind: timerSurveyInvite})
		} else if s.reminded < len(s.remindAt) {
			ts = append(ts, surveyTimer{at: s.remindAt[s.reminded], kind: timerSurveyRemind})
		}
		return soonest(ts)
	case models.SurveyClosed:
		if s.callbackStaff && !s.overdueTold && s.pendingCallbacks() > 0 {
			return surveyTimer{at: s.c.ClosesAt, kind: timerSurveyCallbacks}
		}
	}
	return surveyTimer{}
}

// pendingCallbacks counts the call-back visits not yet made.
func (s *surveyState) pendingCallbacks() int {
	n := 0
	for _, cb := range s.callbacks {
		if cb.DoneAt == nil {
			n++
		}
	}
	return n
}

func (s *surveyState) setup(ctx workflow.Context) error {
	ch := workflow.GetSignalChannel(ctx, SurveyAnsweredSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var a SurveyAnswered
			ch.Receive(ctx, &a)
			s.take(a)
		}
	})
	return serve(ctx, SurveyProcess(), s.view, s.allowed, s.act, s.check)
}

// take queues answer a for the process, once per response ID.
func (s *surveyState) take(a SurveyAnswered) {
	if a.ResponseID == 0 || s.seen[a.ResponseID] {
		return
	}
	s.seen[a.ResponseID] = true
	s.answers = append(s.answers, a)
	s.woken = true
}

// reconcile takes the answers saved in the store that no signal brought
// (see changeSurveyReconcile); a failure is logged and the next look
// finds them.
func (s *surveyState) reconcile(ctx workflow.Context) {
	if !s.reconciles {
		return
	}
	seen := make([]uint64, 0, len(s.seen))
	for id := range s.seen {
		seen = append(seen, id)
	}
	slices.Sort(seen)
	var sv *activities.Surveys
	var res activities.UnseenSurveyResult
	in := activities.UnseenSurveyInput{CampaignID: s.c.ID, Seen: seen}
	if err := workflow.ExecuteActivity(dbCall(ctx), sv.UnseenSurveyResponses, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("unseen survey responses", "campaign", s.c.ID, "error", err)
		return
	}
	for _, r := range res.Responses {
		s.take(SurveyAnswered{ResponseID: r.ID, HouseholdID: r.HouseholdID, ResidentID: r.ResidentID, Items: r.Items, fromStore: true})
	}
}

func (s *surveyState) run(ctx workflow.Context) (SurveyResult, error) {
	s.reconciles = workflow.GetVersion(ctx, changeSurveyReconcile, workflow.DefaultVersion, 1) >= 1
	s.callbackStaff = workflow.GetVersion(ctx, changeSurveyCallbackStaff, workflow.DefaultVersion, 1) >= 1
	s.loadEstate(ctx)
	s.write(ctx, s.snapshot(ctx, workflow.Now(ctx), "created", s.c.CreatedBy, "", map[string]string{
		"opens_at": s.c.OpensAt.Format(time.RFC3339), "closes_at": s.c.ClosesAt.Format(time.RFC3339),
		"reminders": strconv.Itoa(len(s.remindAt))}))
	for !(s.status.Terminal() && s.pendingCallbacks() == 0 && len(s.answers) == 0) {
		if len(s.answers) > 0 {
			a := s.answers[0]
			s.answers = s.answers[1:]
			s.answered(ctx, a)
			continue
		}
		woken, err := s.sleep(ctx, s.nextTimer().at, func() bool { return len(s.answers) > 0 })
		if err != nil {
			return SurveyResult{}, err
		}
		if !woken {
			fireDue(ctx, s.nextTimer, s.fire)
		}
	}
	if err := s.waitIdle(ctx); err != nil {
		return SurveyResult{}, err
	}
	return SurveyResult{CampaignID: s.c.ID, Status: s.status, Invited: s.invited, Responded: s.responded,
		TicketIDs: slices.Clone(s.tickets)}, nil
}

func (s *surveyState) fire(ctx workflow.Context, now time.Time, t surveyTimer) {
	switch t.kind {
	case timerSurveyOpen:
		s.open(ctx, now)
	case timerSurveyInvite:
		s.inviteAt = time.Time{}
		s.sendRound(ctx, 0)
	case timerSurveyRemind:
		s.reminded++
		s.reconcile(ctx)
		s.sendRound(ctx, s.reminded)
	case timerSurveyClose:
		s.close(ctx, now, 0, "closed", "")
	case timerSurveyCallbacks:
		s.callbacksOverdue(ctx, now)
	}
}

// callbacksOverdue escalates, once, the call-backs not made by the
// campaign's closing time: the estate managers and the creator are told
// which households wait.
func (s *surveyState) callbacksOverdue(ctx workflow.Context, now time.Time) {
	s.overdueTold = true
	var households []uint64
	for _, cb := range s.callbacks {
		if cb.DoneAt == nil {
			households = append(households, cb.HouseholdID)
		}
	}
	ids := s.escalationList(ctx, models.RoleEstateManager, s.c.CreatedBy)
	s.write(ctx, s.snapshot(ctx, now, "callback_overdue", 0, s.status, map[string]string{
		"households": idList(households), "notified": idList(ids)}))
	for _, id := range ids {
		s.notifyStaff(ctx, id, "followup_overdue", activities.StaffKey(s.wfID()+"/callbacks-overdue", id),
			map[string]string{"case_no": s.caseNo(), "topic": fmt.Sprintf("满意度低分回访 %d户未完成", len(households)),
				"due": s.clock(s.c.ClosesAt)})
	}
}

// open draws the sample and opens the campaign; the invitations wait for
// the sending hours.
func (s *surveyState) open(ctx workflow.Context, now time.Time) {
	var sv *activities.Surveys
	var drawn activities.DrawSurveyResult
	in := activities.DrawSurveyInput{CampaignID: s.c.ID, EstateID: s.c.EstateID, Sample: s.c.Sample}
	if err := workflow.ExecuteActivity(dbCall(ctx), sv.DrawSurveySample, in).Get(ctx, &drawn); err != nil {
		workflow.GetLogger(ctx).Error("draw survey sample", "campaign", s.c.ID, "error", err)
	}
	s.status, s.invited = models.SurveyOpen, drawn.Invited
	if s.inviteAt.Before(now) {
		s.inviteAt = s.p.InSendingHours(now, s.loc)
	}
	if workflow.GetVersion(ctx, changeSurveyInviteJitter, workflow.DefaultVersion, 1) >= 1 {
		s.inviteAt = s.jitteredInvite()
	}
	// Reminders already past at the opening (a late start) are skipped.
	for s.reminded < len(s.remindAt) && !s.remindAt[s.reminded].After(s.inviteAt) {
		s.reminded++
	}
	s.write(ctx, s.snapshot(ctx, now, "opened", 0, models.SurveyScheduled, map[string]string{
		"invited": strconv.Itoa(s.invited), "invite_at": s.inviteAt.Format(time.RFC3339)}))
	s.reconcile(ctx)
}

// sendRound sends the invitations (round 0) or reminder round n in
// batches of the policy's size, one activity each, and records the round.
func (s *surveyState) sendRound(ctx workflow.Context, round int) {
	var sv *activities.Surveys
	params := map[string]string{"estate": s.estateName, "title": s.c.Title, "closes": s.clock(s.c.ClosesAt),
		"service_phone": s.servicePhone}
	in := activities.SurveyBatchInput{CampaignID: s.c.ID, EstateID: s.c.EstateID, Reminder: round, Limit: s.p.InviteBatch,
		Params: params, ClosesAt: s.c.ClosesAt}
	sent, skipped, batches := 0, 0, 0
	for {
		var res activities.SurveyBatchResult
		if err := workflow.ExecuteActivity(surveyBatch(ctx), sv.SendSurveyBatch, in).Get(ctx, &res); err != nil {
			workflow.GetLogger(ctx).Error("survey batch", "campaign", s.c.ID, "round", round, "after", in.After, "error", err)
			break
		}
		batches++
		sent, skipped, in.After = sent+res.Sent, skipped+res.Skipped, res.Last
		if res.Done {
			break
		}
	}
	typ := "invited"
	if round > 0 {
		typ = "reminded"
	}
	s.write(ctx, s.snapshot(ctx, workflow.Now(ctx), typ, 0, s.status, map[string]string{
		"round": strconv.Itoa(round), "sent": strconv.Itoa(sent), "skipped": strconv.Itoa(skipped), "batches": strconv.Itoa(batches)}))
}

// answered counts a household's answers and acts on its low ones.
func (s *surveyState) answered(ctx workflow.Context, a SurveyAnswered) {
	s.responded++
	now := workflow.Now(ctx)
	detail := map[string]string{"response_id": strconv.FormatUint(a.ResponseID, 10), "household_id": strconv.FormatUint(a.HouseholdID, 10)}
	if a.fromStore {
		detail["found"] = "store" // its signal was lost
	}
	if low, ok := models.LowAnswers(s.p, s.c.Questionnaire, a.Items); ok {
		detail["low"] = strings.Join(low.QuestionIDs, ",")
		detail["opens"] = string(low.Opens)
		switch low.Opens {
		case models.LowOpensComplaint:
			if id := s.openComplaint(ctx, a, low, now); id != 0 {
				s.tickets = append(s.tickets, id)
				detail["ticket_id"] = strconv.FormatUint(id, 10)
			}
		case models.LowOpensVisit:
			s.callbacks = append(s.callbacks, models.SurveyCallback{ResponseID: a.ResponseID, HouseholdID: a.HouseholdID,
				QuestionIDs: low.QuestionIDs})
			key := fmt.Sprintf("%s/callback/response-%d", s.wfID(), a.ResponseID)
			params := map[string]string{"case_no": s.caseNo(), "topic": "满意度低分回访 住户" + strconv.FormatUint(a.HouseholdID, 10),
				"due": s.clock(s.c.ClosesAt)}
			if !s.callbackStaff {
				s.notifyStaff(ctx, s.c.CreatedBy, "followup_reminder", key, params)
				break
			}
			ids := s.escalationList(ctx, models.RoleCustomerService, s.c.CreatedBy)
			detail["notified"] = idList(ids)
			for _, id := range ids {
				s.notifyStaff(ctx, id, "followup_reminder", activities.StaffKey(key, id), params)
			}
		}
	}
	s.write(ctx, s.snapshot(ctx, now, "answered", 0, s.status, detail))
}

// openComplaint opens the complaint ticket of a low response, once per
// response, and starts its process as an abandoned child.
func (s *surveyState) openComplaint(ctx workflow.Context, a SurveyAnswered, low models.LowAnswer, now time.Time) uint64 {
	var tk *activities.Tickets
	areas := make([]string, len(low.Areas))
	for i, ar := range low.Areas {
		areas[i] = ar.Label()
	}
	in := activities.VisitTicketInput{
		Key: fmt.Sprintf("%s/response-%d", s.wfID(), a.ResponseID), EstateID: s.c.EstateID, Kind: models.TicketComplaint,
		Urgency: models.UrgencyNormal, Category: "满意度调查",
		Description: fmt.Sprintf("%s：%s 评分%d分及以下（最低%d分），请联系住户了解原因并改进。", s.c.Title, strings.Join(areas, "、"),
			s.p.LowScoreThreshold, low.Lowest),
		HouseholdID: a.HouseholdID, ResidentID: a.ResidentID, Channel: models.ReportApp, ReceiverID: s.c.CreatedBy, ReportedAt: now,
	}
	var res activities.OpenedTicket
	if err := workflow.ExecuteActivity(dbCall(ctx), tk.OpenVisitTicket, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("open survey complaint", "campaign", s.c.ID, "response", a.ResponseID, "error", err)
		return 0
	}
	if err := startTicket(ctx, res).GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("start survey complaint", "ticket", res.Ticket.ID, "error", err)
	}
	return res.Ticket.ID
}

// close ends the campaign: at its closing, by a manager (actor), or
// cancelled before it opened.
func (s *surveyState) close(ctx workflow.Context, now time.Time, actor uint64, typ, reason string) {
	if typ == "closed" && s.reconciles {
		// The answers saved until now count before the close is recorded.
		s.reconcile(ctx)
		for len(s.answers) > 0 {
			a := s.answers[0]
			s.answers = s.answers[1:]
			s.answered(ctx, a)
		}
	}
	from := s.status
	s.status, s.closedAt, s.reason, s.inviteAt = models.SurveyClosed, now, reason, time.Time{}
	if typ == "cancelled" {
		s.status = models.SurveyCancelled
	}
	s.write(ctx, s.snapshot(ctx, now, typ, actor, from, map[string]string{"reason": reason,
		"invited": strconv.Itoa(s.invited), "responded": strconv.Itoa(s.responded)}))
}

func (s *surveyState) act(ctx workflow.Context, a SurveyAction) (SurveyView, error) {
	now := workflow.Now(ctx)
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	switch a.Action {
	case SurveyClose:
		s.close(ctx, now, a.ActorID, "closed", a.Reason)
	case SurveyCancel:
		s.close(ctx, now, a.ActorID, "cancelled", a.Reason)
	case SurveyCallback:
		for i := range s.callbacks {
			cb := &s.callbacks[i]
			if cb.HouseholdID == a.HouseholdID && cb.DoneAt == nil {
				at := now
				cb.DoneAt, cb.DoneBy, cb.Note = &at, a.ActorID, a.Note
				break
			}
		}
		detail := actionDetail(ctx, map[string]string{"note": a.Note})
		detail["household_id"] = strconv.FormatUint(a.HouseholdID, 10)
		s.write(ctx, s.snapshot(ctx, now, "callback", a.ActorID, s.status, detail))
	}
	s.woken = true
	return s.view(workflow.Now(ctx)), nil
}

// check is the validator of SurveyActionUpdate: state, then role, then
// input.
func (s *surveyState) check(_ workflow.Context, a SurveyAction) error {
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !a.ActorRole.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", a.ActorRole))
	}
	var state bool
	var allowed bool
	var input func() error
	switch a.Action {
	case SurveyClose:
		state, allowed = s.status == models.SurveyOpen, isManager(a.ActorRole)
		input = func() error { return visitMaxText("reason", a.Reason, 200) }
	case SurveyCancel:
		state, allowed = s.status == models.SurveyScheduled, isManager(a.ActorRole)
		input = func() error {
			if err := needText("reason", a.Reason); err != nil {
				return err
			}
			return visitMaxText("reason", a.Reason, 200)
		}
	case SurveyCallback:
		state, allowed = s.pendingCallbacks() > 0, isDesk(a.ActorRole)
		input = func() error {
			if err := needID("household_id", a.HouseholdID); err != nil {
				return err
			}
			if !slices.ContainsFunc(s.callbacks, func(cb models.SurveyCallback) bool {
				return cb.HouseholdID == a.HouseholdID && cb.DoneAt == nil
			}) {
				return invalidInput("household_id", "该住户没有待处理的回访")
			}
			return visitMaxText("note", a.Note, 500)
		}
	default:
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case !state:
		return invalidState(s.status, "调查在当前状态下不能执行此操作")
	case !allowed:
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此调查执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	return input()
}

func (s *surveyState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, SurveyActions(), func(name string) error {
		return s.check(ctx, SurveyAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}

func (s *surveyState) progress() models.SurveyProgress {
	var next *time.Time
	if t := s.nextTimer(); !t.at.IsZero() {
		next = optTime(t.at)
	}
	return models.SurveyProgress{Status: s.status, Invited: s.invited, Responded: s.responded, Reminders: s.reminded,
		TicketIDs: slices.Clone(s.tickets), Callbacks: slices.Clone(s.callbacks), NextAt: next, ClosedAt: optTime(s.closedAt),
		Reason: s.reason, Revision: s.seq}
}

func (s *surveyState) view(now time.Time) SurveyView {
	v := SurveyView{CampaignID: s.c.ID, Status: s.status, OpensAt: s.c.OpensAt, ClosesAt: s.c.ClosesAt, Invited: s.invited,
		Responded: s.responded, RemindAt: slices.Clone(s.remindAt), Reminded: s.reminded, TicketIDs: slices.Clone(s.tickets),
		Callbacks: slices.Clone(s.callbacks), ClosedAt: optTime(s.closedAt), Reason: s.reason, AsOf: now}
	if v.TicketIDs == nil {
		v.TicketIDs = []uint64{}
	}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.kind, optTime(t.at)
	}
	return v
}

// snapshot takes the next revision of the read model and its event.
func (s *surveyState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.SurveyStatus, detail map[string]string) activities.SurveyRecordInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due := time.Time{}
	if s.status == models.SurveyOpen {
		due = s.c.ClosesAt
	}
	s.upsert(ctx, "survey", string(s.status), 0, due)
	return activities.SurveyRecordInput{CampaignID: s.c.ID, Progress: s.progress(), Event: ev}
}

func (s *surveyState) write(ctx workflow.Context, in activities.SurveyRecordInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordSurvey, in, in.Event.Key)
}

func (s *surveyState) wfID() string   { return SurveyWorkflowID(s.c.ID) }
func (s *surveyState) caseNo() string { return "调查" + strconv.FormatUint(s.c.ID, 10) }
