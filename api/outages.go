package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// outageRoles record and change outages: the desk, and technicians who
// restore them.
var outageRoles = []models.Role{models.RoleCustomerService, models.RoleTechnician, models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// answerRoles answer an outage's linked tickets at once (the tickets'
// cancel is a manager's action).
var answerRoles = []models.Role{models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// noticePolicy reads, for a new outage or notice, the policy and time
// zone of estate id: one outside the caller's scope is not found.
func (s *Server) noticePolicy(ctx context.Context, p principal, id uint64) (models.Policy, string, error) {
	if id == 0 {
		return models.Policy{}, "", models.Invalid("estate_id", "必填")
	}
	if !p.scope().Allows(id) {
		return models.Policy{}, "", fmt.Errorf("estate %d: %w", id, models.ErrNotFound)
	}
	pol, loc, err := s.estatePolicy(ctx, id)
	if err != nil {
		return models.Policy{}, "", err
	}
	return pol, loc.String(), nil
}

// outageResponse is an outage just planned, with its workflow.
type outageResponse struct {
	Outage     models.Outage `json:"outage"`
	WorkflowID string        `json:"workflow_id"`
}

// createOutage plans an outage and starts its process, which announces it
// at once to every household of its buildings. A start inside the lead
// time (policy notice.outage_lead) is a 400 on starts_at naming the
// earliest allowed time, unless a manager declares an emergency; anyone
// else declaring one is a 403.
func (s *Server) createOutage(c *gin.Context) {
	var in models.NewOutageRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	pol, tz, err := s.noticePolicy(ctx, p, in.EstateID)
	if err == nil {
		err = in.Validate(s.now(), pol.Notice, p.Staff.Role)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	o := models.Outage{EstateID: in.EstateID, Utility: in.Utility, Buildings: trimAll(in.Buildings), StartsAt: in.StartsAt,
		PlannedEnd: in.EndsAt, Reason: strings.TrimSpace(in.Reason), Emergency: in.Emergency, CreatedBy: p.Staff.ID}
	if err := s.store.CreateOutage(ctx, p.scope(), &o); err != nil {
		respondError(c, s.log, err)
		return
	}
	id := workflows.OutageWorkflowID(o.ID)
	if err := s.startProcess(ctx, id, workflows.Outage, workflows.NewOutageInput(o, pol, tz)); err != nil {
		respondError(c, s.log, fmt.Errorf("start outage %d: %w", o.ID, err))
		return
	}
	s.log.InfoContext(ctx, "outage planned", "outage_id", o.ID, "workflow_id", id, "estate_id", o.EstateID, "emergency", o.Emergency)
	c.JSON(http.StatusCreated, outageResponse{Outage: o, WorkflowID: id})
}

func trimAll(bs []string) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = strings.TrimSpace(b)
	}
	return out
}

var outageColumns = []column[models.Outage]{
	{"编号", func(o models.Outage) string { return strconv.FormatUint(o.ID, 10) }},
	{"类型", func(o models.Outage) string { return o.Utility.Label() }},
	{"楼栋", func(o models.Outage) string { return strings.Join(o.Buildings, "、") }},
	{"开始", func(o models.Outage) string { return cellTime(&o.StartsAt) }},
	{"预计恢复", func(o models.Outage) string { return cellTime(&o.EndsAt) }},
	{"状态", func(o models.Outage) string { return string(o.Status) }},
	{"原因", func(o models.Outage) string { return o.Reason }},
}

// listOutages lists outages, soonest start first unless sorted.
func (s *Server) listOutages(c *gin.Context) {
	q := query{c: c}
	f := store.OutageFilter{EstateID: q.uint("estate_id"), Status: oneOfEnum(&q, "status", models.OutageStatuses()),
		Utility: oneOfEnum(&q, "utility", models.Utilities())}
	if b := q.bool("active"); b != nil {
		f.Active = *b
	}
	page, format := q.sortedPage(store.OutageSorts.Fields()), q.format()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[models.Outage], error) {
		l, err := s.store.Outages(ctx, scope, f, page)
		if err != nil {
			return listBody[models.Outage]{}, err
		}
		return listResponse(l, page, func(o models.Outage) models.Outage { return o }), nil
	}, "停水停电", outageColumns)
}

// outageProcess is workflows.OutageView in the API's JSON style.
type outageProcess struct {
	Status          models.OutageStatus `json:"status"`
	EndsAt          time.Time           `json:"ends_at"`
	AnnouncedAt     *time.Time          `json:"announced_at"`
	RemindedAt      *time.Time          `json:"reminded_at"`
	RestoredAt      *time.Time          `json:"restored_at"`
	Households      int                 `json:"households"`
	EscalationLevel int                 `json:"escalation_level"`
	Extensions      int                 `json:"extensions"`
	Note            string              `json:"note,omitempty"`
	Sending         bool                `json:"sending"`
	NextTimer       string              `json:"next_timer"`
	NextTimerAt     *time.Time          `json:"next_timer_at"`
	AsOf            time.Time           `json:"as_of"`
}

func viewOutage(v workflows.OutageView) *outageProcess {
	return &outageProcess{Status: v.Status, EndsAt: v.EndsAt, AnnouncedAt: v.AnnouncedAt, RemindedAt: v.RemindedAt,
		RestoredAt: v.RestoredAt, Households: v.Households, EscalationLevel: v.EscalationLevel, Extensions: v.Extensions,
		Note: v.Note, Sending: v.Sending, NextTimer: v.NextTimer, NextTimerAt: v.NextTimerAt, AsOf: v.AsOf}
}

// outageDetail is an outage with its events, counts of its messages,
// the tickets it explains and its live process.
type outageDetail struct {
	Outage  models.Outage        `json:"outage"`
	Known   string               `json:"known"`
	Events  []models.CaseEvent   `json:"events"`
	Counts  store.RefCounts      `json:"counts"`
	Tickets []store.LinkedTicket `json:"tickets"`
	processDetail[outageProcess]
}

func outageRef(id uint64) string { return fmt.Sprintf("outage:%d", id) }

// getOutage answers an outage's detail. Its messages (one per resident,
// thousands) are counted, not listed.
func (s *Server) getOutage(c *gin.Context) {
	o, ok := loadScoped(s, c, s.store.Outage)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	out := outageDetail{Outage: o, Known: o.Utility.KnownLabel()}
	var err error
	if out.Events, err = s.store.OutageEvents(ctx, p.scope(), o.ID); err == nil {
		if out.Counts, err = s.store.MessageCounts(ctx, outageRef(o.ID)); err == nil {
			out.Tickets, err = s.store.OutageTickets(ctx, p.scope(), o.ID)
		}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out.WorkflowID, out.Messages = workflows.OutageWorkflowID(o.ID), []models.Message{}
	out.Process, out.liveFields = readLive(s, ctx, workflows.Outages(s.temporal), o.ID, p,
		func(v workflows.OutageView) bool { return !v.Status.Terminal() }, viewOutage)
	c.JSON(http.StatusOK, out)
}

// outageActionRequest carries the fields an outage action may take.
type outageActionRequest struct {
	EndsAt *time.Time `json:"ends_at"`
	Note   string     `json:"note" validate:"max=500"`
	Reason string     `json:"reason" validate:"max=200"`
}

func (outageActionRequest) assignee() uint64 { return 0 }

// outageAction applies a staff action (restore, extend, cancel) through
// the outage's workflow update.
func (s *Server) outageAction(c *gin.Context) {
	o, ok := loadScoped(s, c, s.store.Outage)
	if !ok {
		return
	}
	var in outageActionRequest
	broadcastAction(s, c, workflows.Outages(s.temporal), o.ID, &in, actionCase{noun: "停运通知",
		status: string(o.Status), ended: o.Status.Terminal(), estateID: o.EstateID},
		func(action string, p principal) any {
			return workflows.OutageAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, EndsAt: in.EndsAt, Note: in.Note, Reason: in.Reason}
		},
		func(ctx context.Context, scope store.Scope) (string, error) {
			cur, err := s.store.Outage(ctx, scope, o.ID)
			return string(cur.Status), err
		}, viewOutage)
}

// broadcastAction is the action handler of an outage or a notice (pc's
// process, business key key): it reads the request into dst, builds the
// workflow's action for the caller, sends it (current reads the case's
// status once its process has ended) and answers with the new view.
func broadcastAction[V, P any](s *Server, c *gin.Context, pc workflows.Client[V], key uint64, dst actionBody, on actionCase,
	build func(action string, p principal) any, current func(context.Context, store.Scope) (string, error), view func(V) *P) {
	action, updateKey, ok := s.actionRequest(c, pc.Process.Actions, dst, on)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	v, err := act(ctx, pc, key, updateKey, build(action, p), func() (string, error) { return current(ctx, p.scope()) })
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "process action", "workflow_id", pc.Process.WorkflowID(key), "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, view(v))
}

// outageTickets lists the tickets an outage explains.
func (s *Server) outageTickets(c *gin.Context) {
	o, ok := loadScoped(s, c, s.store.Outage)
	if !ok {
		return
	}
	ts, err := s.store.OutageTickets(c.Request.Context(), caller(c).scope(), o.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, ts)
}

// answerRequest is the answer to every ticket an outage explained.
type answerRequest struct {
	Note string `json:"note" validate:"max=200"`
}

// answerResult says how each linked ticket was answered: answered, or
// skipped with the ticket's state (already closed).
type answerResult struct {
	Answered []uint64          `json:"answered"`
	Skipped  map[uint64]string `json:"skipped"`
}

// answerOutageTickets answers, once the outage is restored, every ticket
// it explained that is still open: each is closed (the ticket's cancel)
// with the note "已知停水，已恢复供水" unless given; a ticket closed
// meanwhile is skipped. Repeating it is harmless (fixed update IDs).
func (s *Server) answerOutageTickets(c *gin.Context) {
	var in answerRequest
	o, ok := loadScoped(s, c, s.store.Outage)
	if !ok || !s.bindOptional(c, &in) {
		return
	}
	if o.Status != models.OutageRestored {
		respondError(c, s.log, &stateError{state: string(o.Status), msg: "停运恢复后才能统一答复关联工单"})
		return
	}
	note := strings.TrimSpace(in.Note)
	if note == "" {
		note = fmt.Sprintf("%s，已于%s恢复%s", o.Utility.KnownLabel(), cellTime(o.RestoredAt), o.Utility.Restored())
	}
	p := caller(c)
	ctx, cancel := detached(c.Request.Context(), 60*time.Second)
	defer cancel()
	ts, err := s.store.OutageTickets(ctx, p.scope(), o.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out := answerResult{Answered: []uint64{}, Skipped: map[uint64]string{}}
	for _, t := range ts {
		if t.AnsweredAt != nil || t.Status.Terminal() {
			out.Skipped[t.ID] = string(t.Status)
			continue
		}
		a := workflows.TicketAction{Action: workflows.ActCancel, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, Reason: note}
		_, err := workflows.Tickets(s.temporal).Act(ctx, t.ID, fmt.Sprintf("outage-%d-answer-ticket-%d", o.ID, t.ID), a)
		switch {
		case err == nil:
			out.Answered = append(out.Answered, t.ID)
		case refusedByState(err):
			out.Skipped[t.ID] = string(t.Status)
		default:
			respondError(c, s.log, fmt.Errorf("answer ticket %d of outage %d: %w", t.ID, o.ID, err))
			return
		}
	}
	if err := s.store.MarkOutageTicketsAnswered(ctx, o.ID, out.Answered, s.now()); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "outage tickets answered", "outage_id", o.ID, "answered", len(out.Answered), "by", p.Staff.ID)
	c.JSON(http.StatusOK, out)
}

func (s *Server) outageRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/outages", summary: "Plan an outage (停水停电): utility, buildings, start and end, reason; announced at once to every household of the buildings. A start inside the lead time (policy notice.outage_lead) is refused unless a manager declares an emergency", tag: "outages",
			roles: outageRoles, handler: s.createOutage, body: models.NewOutageRequest{}, resp: outageResponse{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/outages", summary: "Outages, soonest start first unless sorted; by cursor, as CSV", tag: "outages", roles: everyRole, handler: s.listOutages,
			resp: listBody[models.Outage]{}, status: http.StatusOK,
			query: sortedParams(store.OutageSorts.Fields(), estateQ, param{"status", "string", "announced, ongoing, overdue, restored or cancelled"},
				param{"utility", "string", "water, power, gas or lift"}, param{"active", "boolean", "not yet restored nor cancelled"})},
		{method: http.MethodGet, path: "/api/v1/outages/:id", summary: "An outage with its live process, events, message counts and the tickets it explains", tag: "outages",
			roles: everyRole, handler: s.getOutage, resp: outageDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/outages/:id/actions/:action", summary: actionSummary(workflows.OutageActions()), tag: "outages",
			roles: outageRoles, handler: s.outageAction, body: outageActionRequest{}, resp: outageProcess{}, status: http.StatusOK, scoped: true, actions: workflows.OutageActions()},
		{method: http.MethodGet, path: "/api/v1/outages/:id/tickets", summary: "The repair tickets an outage explains (已知停水), oldest link first", tag: "outages",
			roles: everyRole, handler: s.outageTickets, resp: []store.LinkedTicket{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/outages/:id/answer-tickets", summary: "Once restored, answer every open ticket the outage explains at once (each closed with the note)", tag: "outages",
			roles: answerRoles, handler: s.answerOutageTickets, body: answerRequest{}, resp: answerResult{}, status: http.StatusOK, scoped: true},
	}
}
