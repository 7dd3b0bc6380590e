package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

type planRequest struct {
	HouseholdID uint64              `json:"household_id" validate:"required"`
	Reason      string              `json:"reason" validate:"required,max=500"`
	Instalments []models.Instalment `json:"instalments"`
}

// createPlan records a proposed hardship instalment plan (分期).
func (s *Server) createPlan(c *gin.Context) {
	var in planRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	_, _, loc, err := s.policyOf(ctx, p.scope(), in.HouseholdID, "household_id")
	if err == nil {
		err = models.ValidateInstalments(in.Instalments, models.DateOf(s.now(), loc))
	}
	if err == nil {
		err = s.checkPlanTotal(ctx, p.scope(), in.HouseholdID, in.Instalments)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	plan := models.InstalmentPlan{HouseholdID: in.HouseholdID, Reason: in.Reason, Instalments: in.Instalments, ProposedBy: p.Staff.ID}
	if err := s.store.CreatePlan(ctx, p.scope(), &plan); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, plan)
}

// checkPlanTotal holds a plan's instalments to models.CheckPlanTotal against
// what the household owes today.
func (s *Server) checkPlanTotal(ctx context.Context, scope store.Scope, householdID uint64, list []models.Instalment) error {
	acc, err := s.account(ctx, scope, householdID)
	if err != nil {
		return err
	}
	return models.CheckPlanTotal(list, acc)
}

// approvePlan approves a proposed plan through the household's case: 409
// when the plan is not proposed, there is no open case, or the case's state
// does not allow a plan (already one, or in legal referral).
func (s *Server) approvePlan(c *gin.Context) {
	plan, ok := loadScoped(s, c, s.store.Plan)
	if !ok {
		return
	}
	if plan.Status != models.PlanProposed {
		respondError(c, s.log, &stateError{state: string(plan.Status), msg: "只有待审批的分期方案可以批准"})
		return
	}
	if err := s.checkPlanTotal(c.Request.Context(), caller(c).scope(), plan.HouseholdID, plan.Instalments); err != nil {
		respondError(c, s.log, &stateError{state: string(plan.Status), msg: "分期方案与住户当前欠费已不一致，请重新提出方案"})
		return
	}
	s.caseAction(c, plan.HouseholdID, workflows.CaseAction{Action: workflows.ActPlanApprove, PlanID: plan.ID, Plan: plan.Instalments})
}

type taskOutcomeRequest struct {
	Outcome    models.TaskOutcome `json:"outcome" validate:"required,oneof=reached not_reached promised refuses_complaint hardship wrong_contact"`
	PromisedOn models.Date        `json:"promised_on"`
	Note       string             `json:"note" validate:"max=1000"`
}

// taskOutcome records the outcome of a call or visit through the case.
func (s *Server) taskOutcome(c *gin.Context) {
	var in taskOutcomeRequest
	t, ok := loadAndBind(s, c, s.store.Task, &in)
	if !ok {
		return
	}
	if t.Status != models.TaskOpen {
		respondError(c, s.log, &stateError{state: string(t.Status), msg: "该任务的结果已记录"})
		return
	}
	s.caseAction(c, t.HouseholdID, workflows.CaseAction{Action: workflows.ActTaskOutcome, TaskID: t.ID,
		Outcome: in.Outcome, PromisedOn: in.PromisedOn, Note: in.Note})
}

type legalDecisionRequest struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason" validate:"required,max=500"`
	// Confirm must be true with an approval: the manager has seen the
	// household, the amount and whether the written demand was served
	// (the console asks in a dialog). A rejection needs none.
	Confirm bool `json:"confirm"`
}

// legalDecision approves or rejects legal referral of a household's case.
func (s *Server) legalDecision(c *gin.Context) {
	var in legalDecisionRequest
	h, ok := loadAndBind(s, c, s.store.Household, &in)
	if !ok {
		return
	}
	if in.Approve && !in.Confirm {
		respondError(c, s.log, models.Invalid("confirm", "批准转法务须先确认住户、欠费金额与书面催告送达情况（confirm: true）"))
		return
	}
	s.caseAction(c, h.ID, workflows.CaseAction{Action: workflows.ActLegalDecision, Approve: in.Approve, Reason: in.Reason})
}

// legalDocumentRequest is a document of a legal matter (起诉状, 证据...).
type legalDocumentRequest struct {
	Kind      string      `json:"kind" validate:"required,oneof=complaint evidence judgment mediation other"`
	Name      string      `json:"name" validate:"required,max=100"`
	Reference string      `json:"reference" validate:"max=100"`
	Date      models.Date `json:"date"`
	Note      string      `json:"note" validate:"max=1000"`
}

// legalDocument adds a document to the legal matter of a household's case.
func (s *Server) legalDocument(c *gin.Context) {
	var in legalDocumentRequest
	h, ok := loadAndBind(s, c, s.store.Household, &in)
	if !ok {
		return
	}
	s.caseAction(c, h.ID, workflows.CaseAction{Action: workflows.ActLegalDocument, Note: in.Note,
		Legal: workflows.LegalEntry{Kind: in.Kind, Name: in.Name, Ref: in.Reference, On: in.Date}})
}

// legalOutcomeRequest is an outcome of a legal matter: 起诉 (court,
// case_no), 调解, 和解 (amount_fen), 撤回 (reason).
type legalOutcomeRequest struct {
	Outcome   string       `json:"outcome" validate:"required,oneof=filed mediated settled withdrawn"`
	Date      models.Date  `json:"date"`
	Court     string       `json:"court" validate:"max=100"`
	CaseNo    string       `json:"case_no" validate:"max=50"`
	AmountFen models.Money `json:"amount_fen" validate:"gte=0,lte=1000000000"` // models.MaxAmountFen
	Reason    string       `json:"reason" validate:"max=500"`
	Note      string       `json:"note" validate:"max=1000"`
}

// legalOutcome records an outcome of the legal matter of a household's case.
func (s *Server) legalOutcome(c *gin.Context) {
	var in legalOutcomeRequest
	h, ok := loadAndBind(s, c, s.store.Household, &in)
	if !ok {
		return
	}
	s.caseAction(c, h.ID, workflows.CaseAction{Action: workflows.ActLegalOutcome, Note: in.Note, Reason: in.Reason,
		Legal: workflows.LegalEntry{Kind: in.Outcome, On: in.Date, Court: in.Court, CaseNo: in.CaseNo, AmountFen: in.AmountFen}})
}

// caseAction sends a staff action to the household's open case as an
// update (Idempotency-Key as its ID) and answers with the case's live view.
func (s *Server) caseAction(c *gin.Context, householdID uint64, a workflows.CaseAction) {
	p := caller(c)
	ctx := c.Request.Context()
	key, err := s.idempotent(c, a)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	a.ActorID, a.ActorRole = p.Staff.ID, p.Staff.Role
	v, err := s.actOnCase(ctx, p.scope(), householdID, key, a)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, viewCase(v))
}

// actOnCase sends a, its actor set, to the open collection case of
// householdID inside scope under update key key: a household without one
// is a *stateError.
func (s *Server) actOnCase(ctx context.Context, scope store.Scope, householdID uint64, key string, a workflows.CaseAction) (workflows.CaseView, error) {
	cs, err := s.store.LatestCase(ctx, scope, householdID)
	if errors.Is(err, models.ErrNotFound) || err == nil && cs.Stage == models.StageClosed {
		err = &stateError{state: string(models.StageClosed), msg: "该住户没有进行中的催缴案件"}
	}
	if err != nil {
		return workflows.CaseView{}, err
	}
	v, err := act(ctx, workflows.Collections(s.temporal), householdID, key, a, func() (string, error) {
		return string(models.StageClosed), nil
	})
	if err != nil {
		return v, err
	}
	s.log.InfoContext(ctx, "case action", "household_id", householdID, "workflow_id", workflows.CollectionWorkflowID(householdID), "action", a.Action, "by", a.ActorID, "role", a.ActorRole)
	return v, nil
}

// caseView is workflows.CaseView in the API's JSON style.
type caseView struct {
	CaseID         uint64                `json:"case_id"`
	Stage          models.CaseStage      `json:"stage"`
	Segment        models.Segment        `json:"segment"`
	StepReached    int                   `json:"step_reached"`
	Ladder         []models.DunningStep  `json:"ladder"`
	NextStep       string                `json:"next_step"`
	NextStepAt     *time.Time            `json:"next_step_at"`
	OverdueSeconds int64                 `json:"overdue_seconds"`
	PausedSeconds  int64                 `json:"paused_seconds"`
	Pauses         []pauseView           `json:"pauses"`
	OpenTasks      []workflows.OpenTask  `json:"open_tasks"`
	Plan           *workflows.ActivePlan `json:"plan"`
	NoticeServedAt *time.Time            `json:"notice_served_at"`
	// PendingLetters are the demand letters awaiting service.
	PendingLetters []workflows.PendingLetter `json:"pending_letters"`
	OwedFen        models.Money              `json:"owed_fen"`
	AsOf           time.Time                 `json:"as_of"`
	// LegalSince is when the case went to legal (or asked to); Legal its
	// legal matter once referred.
	LegalSince *time.Time             `json:"legal_since"`
	Legal      *workflows.LegalMatter `json:"legal"`
}

type pauseView struct {
	Reason string     `json:"reason"`
	Ref    uint64     `json:"ref,omitempty"`
	Since  time.Time  `json:"since"`
	Until  *time.Time `json:"until,omitempty"`
}

func viewCase(v workflows.CaseView) *caseView {
	out := &caseView{CaseID: v.CaseID, Stage: v.Stage, Segment: v.Segment, StepReached: v.StepReached, Ladder: v.Ladder,
		NextStep: v.NextStep, NextStepAt: v.NextStepAt, OverdueSeconds: int64(v.OverdueFor / time.Second),
		PausedSeconds: int64(v.PausedFor / time.Second), Pauses: []pauseView{}, OpenTasks: v.OpenTasks, Plan: v.Plan,
		NoticeServedAt: v.NoticeServedAt, PendingLetters: v.Letters, OwedFen: v.Owed, AsOf: v.AsOf, LegalSince: v.LegalSince, Legal: v.Legal}
	if out.PendingLetters == nil {
		out.PendingLetters = []workflows.PendingLetter{}
	}
	if out.OpenTasks == nil {
		out.OpenTasks = []workflows.OpenTask{}
	}
	for _, p := range v.Pauses {
		pv := pauseView{Reason: p.Reason, Ref: p.Ref, Since: p.Since}
		if !p.Until.IsZero() {
			u := p.Until
			pv.Until = &u
		}
		out.Pauses = append(out.Pauses, pv)
	}
	return out
}

// limitationView is the limitation warning of the evidence pack (Civil Code
// arts. 188, 195).
type limitationView struct {
	Warn       bool   `json:"warn"`
	LapsesOn   string `json:"lapses_on"`
	LastDemand string `json:"last_demand"`
	DebtSince  string `json:"debt_since"`
}

// arrearsView is a household's arrears at a glance, and the evidence pack
// handed to legal staff: every bill with what it owes today, every contact
// and transition, every call and visit with its outcome, disputes, plans,
// the date of every written demand and the limitation warning.
type arrearsView struct {
	HouseholdID uint64 `json:"household_id"`
	// Contact is whom to call (电话催缴): the household's residents,
	// phones masked, and their service needs.
	Contact *householdContact      `json:"contact"`
	AsOf    models.Date            `json:"as_of"`
	Account models.Account         `json:"account"`
	Case    *models.CollectionCase `json:"case"`
	Process *caseView              `json:"process"`
	// Standing is what is true of the household today: days overdue, the
	// stage in words that agree with it, since when and why the ladder
	// counts (models.StandingOf).
	Standing models.Standing `json:"standing"`
	// History is every case event; Contacts those that were contacts with
	// the household (models.IsContact), not new bills or payments.
	History       []models.CaseEvent      `json:"history"`
	Contacts      []models.CaseEvent      `json:"contacts"`
	Messages      []models.Message        `json:"messages"`
	Tasks         []models.CollectionTask `json:"tasks"`
	Disputes      []models.BillDispute    `json:"disputes"`
	Plans         []models.InstalmentPlan `json:"plans"`
	DemandLetters []models.DemandLetter   `json:"demand_letters"`
	Limitation    limitationView          `json:"limitation"`
	// liveFields: the case actions the caller may take now
	// (workflows.CollectionActions) come from the live process.
	liveFields
	// AccountActions are the account's own actions (accountActions) the
	// caller may take now.
	AccountActions []string `json:"account_actions"`
}

// Account actions: the household's bills and plans, beside its case's
// process. Each is named after the form that takes it.
const (
	actPayment = "payment" // POST /api/v1/payments
	actDispute = "dispute" // POST /api/v1/bills/:id/disputes
	actResolve = "resolve" // POST /api/v1/disputes/:id/resolve
	actPlan    = "plan"    // POST /api/v1/plans
	actWaiver  = "waiver"  // POST /api/v1/bills/:id/waivers
)

// accountActions are the account actions p may take on the household now:
// the roles of each one's route allow p, and the account holds something
// to act on (a bill still inside its dispute window). The
// console shows these and no others.
func accountActions(p principal, v arrearsView) []string {
	openDispute := func(d models.BillDispute) bool { return d.Status == models.DisputeOpen }
	disputable := func(l models.AccountLine) bool { return l.Disputable }
	out := []string{}
	for _, a := range []struct {
		name  string
		roles []models.Role
		ok    bool
	}{
		{actPayment, financeRoles, true},
		{actDispute, disputeRoles, slices.ContainsFunc(v.Account.Lines, disputable)},
		{actResolve, financeRoles, slices.ContainsFunc(v.Disputes, openDispute)},
		{actPlan, planProposers, v.Account.Total > 0},
		{actWaiver, managers, slices.ContainsFunc(v.Account.Lines, models.AccountLine.Waivable)},
	} {
		if a.ok && p.is(a.roles...) {
			out = append(out, a.name)
		}
	}
	return out
}

// getArrears answers what a household owes today (models.Statement), its
// case's stage and next step, its full contact history and the live process.
func (s *Server) getArrears(c *gin.Context) {
	l, ok := loadScoped(s, c, s.store.HouseholdLedger)
	if !ok {
		return
	}
	id := l.Household.ID
	p := caller(c)
	ctx := c.Request.Context()
	pol, loc, err := s.estatePolicy(ctx, l.Household.EstateID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	today := models.DateOf(s.now(), loc)
	bills, pays := l.Arith()
	out := arrearsView{HouseholdID: id, AsOf: today, Account: models.Statement(bills, pays, today, pol.Fees),
		Messages: []models.Message{}, Tasks: []models.CollectionTask{}}
	out.AllowedActions = []string{}
	if out.Contact, err = s.householdContact(ctx, p.scope(), id); err == nil {
		out.History, err = s.store.HouseholdEvents(ctx, p.scope(), id)
	}
	if err == nil {
		if out.Disputes, err = s.store.Disputes(ctx, p.scope(), id); err == nil {
			if out.Plans, err = s.store.Plans(ctx, p.scope(), id); err == nil {
				out.DemandLetters, err = s.store.DemandLetters(ctx, p.scope(), id)
			}
		}
	}
	if err == nil {
		var tasks store.List[models.CollectionTask]
		tasks, err = s.store.Tasks(ctx, p.scope(), store.TaskFilter{HouseholdID: id}, store.Page{Size: store.MaxPageSize})
		out.Tasks = tasks.Items
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	cs, err := s.store.LatestCase(ctx, p.scope(), id)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		respondError(c, s.log, err)
		return
	default:
		out.Case = &cs
		if out.Messages, err = s.caseMessages(ctx, p, fmt.Sprintf("case:%d", cs.ID)); err != nil {
			respondError(c, s.log, err)
			return
		}
		if cs.Stage != models.StageClosed {
			out.Process, out.liveFields = readLive(s, ctx, workflows.Collections(s.temporal), id, p,
				func(v workflows.CaseView) bool { return v.Stage != models.StageClosed }, viewCase)
		}
	}
	var facts *models.CaseFacts
	if v := out.Process; v != nil {
		facts = &models.CaseFacts{Stage: v.Stage, OverdueFor: time.Duration(v.OverdueSeconds) * time.Second,
			PausedFor: time.Duration(v.PausedSeconds) * time.Second, AsOf: v.AsOf}
	}
	out.Standing = models.StandingOf(out.Account, facts, today, loc)
	out.AccountActions = accountActions(p, out)
	out.Contacts = []models.CaseEvent{}
	for _, e := range out.History {
		if models.IsContact(e) {
			out.Contacts = append(out.Contacts, e)
		}
	}
	var lastDemand models.Date
	for _, d := range out.DemandLetters {
		if on, ok := d.ServedDate(); ok && on.After(lastDemand) {
			lastDemand = on // a letter awaiting service interrupts nothing yet
		}
	}
	var since models.Date
	if out.Account.OldestUnpaidDue != nil {
		since = *out.Account.OldestUnpaidDue
	}
	warn, lapses := models.LimitationWarning(lastDemand, since, today)
	out.Limitation = limitationView{Warn: warn, LapsesOn: lapses.String(), LastDemand: lastDemand.String(), DebtSince: since.String()}
	c.JSON(http.StatusOK, out)
}

// arrearsList is the managers' list: cases oldest unpaid bill first, with
// totals per stage over every matching case.
type arrearsList struct {
	listBody[caseRow]
	Totals []store.StageTotal `json:"totals"`
}

// caseRow is a case in a list, with its household's address ("1栋 101")
// and the stage to show (models.ShownStage).
type caseRow struct {
	models.CollectionCase
	Address    string           `json:"address"`
	ShownStage models.CaseStage `json:"shown_stage"`
	// AssigneeName is who holds the case's open call or visit (处理人).
	AssigneeName string `json:"assignee_name,omitempty"`
}

// listArrears lists the open cases (or those of one stage), oldest unpaid
// bill first unless sorted, or exports them as CSV.
func (s *Server) listArrears(c *gin.Context) {
	q := query{c: c}
	f := store.CaseFilter{EstateID: q.uint("estate_id"), Stage: oneOfEnum(&q, "stage", models.Stages()), Open: true,
		Search: q.search("q", 100), AssigneeID: q.uint("assignee_id")}
	page, format := q.sortedPage(store.CaseSorts.Fields()), q.format()
	if b := q.bool("legal"); b != nil {
		f.Legal = *b
	}
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	read := func(ctx context.Context, page store.Page) (listBody[caseRow], error) {
		return s.caseRows(ctx, scope, f, page)
	}
	if format != "" {
		exportRows(s, c, format, page, read, "欠费催缴", caseColumns)
		return
	}
	ctx := c.Request.Context()
	rows, err := read(ctx, page)
	var totals []store.StageTotal
	if err == nil {
		totals, err = s.store.CaseTotals(ctx, scope, f)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, arrearsList{listBody: rows, Totals: totals})
}

// caseRows reads one page of cases with their addresses and shown stages.
func (s *Server) caseRows(ctx context.Context, scope store.Scope, f store.CaseFilter, page store.Page) (listBody[caseRow], error) {
	l, err := s.store.Cases(ctx, scope, f, page)
	if err != nil {
		return listBody[caseRow]{}, err
	}
	households, caseIDs := make([]uint64, len(l.Items)), make([]uint64, len(l.Items))
	for i, cs := range l.Items {
		households[i], caseIDs[i] = cs.HouseholdID, cs.ID
	}
	assignees, err := s.store.OpenTaskAssignees(ctx, caseIDs)
	if err != nil {
		return listBody[caseRow]{}, err
	}
	staff := make([]uint64, 0, len(assignees))
	for _, id := range assignees {
		staff = append(staff, id)
	}
	where, names, err := s.addressesAndNames(ctx, scope, households, staff)
	if err != nil {
		return listBody[caseRow]{}, err
	}
	zones := map[uint64]*time.Location{}
	for _, cs := range l.Items {
		if _, ok := zones[cs.EstateID]; !ok {
			if _, zones[cs.EstateID], err = s.estatePolicy(ctx, cs.EstateID); err != nil {
				return listBody[caseRow]{}, err
			}
		}
	}
	now := s.now()
	return listResponse(l, page, func(cs models.CollectionCase) caseRow {
		days := 0
		if cs.OldestDueOn != nil {
			days = models.DateOf(now, zones[cs.EstateID]).DaysSince(models.DateOf(*cs.OldestDueOn, time.UTC))
		}
		return caseRow{CollectionCase: cs, Address: where[cs.HouseholdID], ShownStage: models.ShownStage(cs.Stage, days),
			AssigneeName: names[assignees[cs.ID]]}
	}), nil
}

// caseColumns are the columns of the arrears export.
var caseColumns = []column[caseRow]{
	{"案件号", func(r caseRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"住户", func(r caseRow) string { return r.Address }},
	{"阶段", func(r caseRow) string { return r.ShownStage.Label() }},
	{"欠费金额（元）", func(r caseRow) string { return r.OwedFen.Yuan() }},
	{"最早欠费到期日", func(r caseRow) string {
		if r.OldestDueOn == nil {
			return ""
		}
		return r.OldestDueOn.Format("2006-01-02")
	}},
	{"处理人", func(r caseRow) string { return r.AssigneeName }},
	{"下一步时间", func(r caseRow) string { return cellTime(r.NextStepAt) }},
	{"立案时间", func(r caseRow) string { return cellTime(&r.OpenedAt) }},
}

func (s *Server) listTasks(c *gin.Context) {
	q := query{c: c}
	f := store.TaskFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id"), AssigneeID: q.uint("assignee_id"),
		Status: models.TaskStatus(q.oneOf("status", string(models.TaskOpen), string(models.TaskDone), string(models.TaskClosed)))}
	serveList(s, c, &q, f, s.store.Tasks, same[models.CollectionTask])
}

func (s *Server) arrearsRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/arrears", summary: "Open collection cases with their household's address, oldest unpaid bill first unless sorted, with totals per stage; searchable, by cursor, as CSV", tag: "arrears", roles: everyRole, handler: s.listArrears,
			resp: arrearsList{}, status: http.StatusOK, query: sortedParams(store.CaseSorts.Fields(), estateQ, param{"stage", "string", "only this stage (closed included)"},
				param{"legal", "boolean", "only cases awaiting or referred to legal (legal_pending and legal)"},
				param{"assignee_id", "integer", "with an open call or visit assigned to this staff member"})},
		{method: http.MethodGet, path: "/api/v1/households/:id/arrears", summary: "What a household owes today with its breakdown, its case's stage and next step, its contact history, live process state and evidence (demands, limitation warning)", tag: "arrears",
			roles: everyRole, handler: s.getArrears, resp: arrearsView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/households/:id/arrears/legal-decision", summary: "An estate manager approves (with confirm: true, else 400) or rejects legal referral (409 unless it awaits a decision and the formal notice's period has passed)", tag: "arrears",
			roles: managers, handler: s.legalDecision, body: legalDecisionRequest{}, resp: caseView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/households/:id/arrears/legal-documents", summary: "Legal staff add a document (起诉状, 证据, 判决书, 调解书) to the matter of a case referred to legal (409 unless it is in legal)", tag: "arrears",
			roles: legalRoles, handler: s.legalDocument, body: legalDocumentRequest{}, resp: caseView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/households/:id/arrears/legal-outcome", summary: "Legal staff record the matter's outcome: filed (起诉), mediated (调解), settled (和解) or withdrawn (撤回), dated (409 when the matter's state does not allow it)", tag: "arrears",
			roles: legalRoles, handler: s.legalOutcome, body: legalOutcomeRequest{}, resp: caseView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/plans", summary: "Propose a hardship instalment plan, with a reason", tag: "arrears", roles: planProposers, handler: s.createPlan, body: planRequest{}, resp: models.InstalmentPlan{}, status: http.StatusCreated},
		{method: http.MethodPost, path: "/api/v1/plans/:id/approve", summary: "An estate manager approves a proposed plan: the ladder pauses while it is kept", tag: "arrears", roles: managers, handler: s.approvePlan, resp: caseView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/collection-tasks", summary: "Dunning calls and visits, earliest due first", tag: "arrears", roles: everyRole, handler: s.listTasks, resp: listBody[models.CollectionTask]{}, status: http.StatusOK,
			query: params(estateQ, param{"household_id", "integer", "only this household"}, param{"assignee_id", "integer", "assigned to this staff member"}, param{"status", "string", "open, done or closed"})},
		{method: http.MethodPost, path: "/api/v1/collection-tasks/:id/outcome", summary: "Record a call's or visit's outcome (Idempotency-Key header: applied once)", tag: "arrears", roles: deskRoles, handler: s.taskOutcome, body: taskOutcomeRequest{}, resp: caseView{}, status: http.StatusOK, scoped: true},
	}
}
