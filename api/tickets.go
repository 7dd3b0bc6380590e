package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// createTicket opens a ticket and starts its process. With an
// Idempotency-Key a repeated request returns the same ticket (200), never a
// second one. The answer is 201 only once the process has started.
func (s *Server) createTicket(c *gin.Context) {
	var in models.NewTicketRequest
	key, ok := s.bindIdempotent(c, &in)
	if !ok {
		return
	}
	p := caller(c)
	in.FirstReceiverID = p.Staff.ID
	t, created, err := s.openTicket(c.Request.Context(), p.scope(), in, key)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(createdStatus(created), t)
}

// openTicket validates in, records the ticket inside scope (once per key)
// and starts its process with the estate's policy: the one path of a ticket
// opened by staff and of one a resident reports through their link.
func (s *Server) openTicket(ctx context.Context, scope store.Scope, in models.NewTicketRequest, key string) (models.Ticket, bool, error) {
	now := s.now()
	if err := in.Validate(now); err != nil {
		return models.Ticket{}, false, err
	}
	estate, err := s.store.Estate(ctx, scope, in.EstateID)
	if err != nil {
		return models.Ticket{}, false, referenced(err, "estate_id", "小区", in.EstateID)
	}
	policy, err := s.store.Policy(ctx, scope, estate.ID)
	if err != nil {
		return models.Ticket{}, false, err
	}
	if in.ReporterPhone != "" {
		// Whoever reported it hears of it: a resident with that phone, or a
		// contact recorded now (a retry finds the same one).
		r, _, err := s.store.ReporterContact(ctx, scope, estate.ID, in.HouseholdID, in.ReporterPhone, in.ReporterName)
		if err != nil {
			return models.Ticket{}, false, err
		}
		in.ResidentID = &r.ID
	}
	t := in.Ticket(now)
	if err := policy.Policy.Repair.CheckAppointment(t.Appointment, now); err != nil {
		return models.Ticket{}, false, err
	}
	if _, err := models.TicketSchedule(policy.Policy, t.Kind, t.Urgency, now, t.Appointment, estateLocation(estate)); err != nil {
		return models.Ticket{}, false, err
	}
	t, created, err := s.store.CreateTicket(ctx, scope, &t, key)
	if err != nil {
		return models.Ticket{}, false, err
	}
	if err := s.startProcess(ctx, workflows.TicketWorkflowID(t.ID), workflows.Ticket,
		workflows.NewTicketInput(t, policy.Policy, estate.TimeZone)); err != nil {
		return models.Ticket{}, false, fmt.Errorf("start ticket %d: %w", t.ID, err)
	}
	s.log.InfoContext(ctx, "ticket opened", "ticket_id", t.ID, "workflow_id", workflows.TicketWorkflowID(t.ID), "estate_id", t.EstateID,
		"urgency", t.Urgency, "channel", t.Channel, "replayed", !created)
	return t, created, nil
}

func estateLocation(e models.Estate) *time.Location {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// listTickets lists tickets (nearest deadline first unless sorted), or
// exports them as CSV.
func (s *Server) listTickets(c *gin.Context) {
	q := query{c: c}
	f := store.TicketFilter{
		EstateID: q.uint("estate_id"), AssigneeID: q.uint("assignee_id"),
		Status: models.TicketStatus(q.oneOf("status", ticketStatuses()...)),
		Kind:   models.TicketKind(q.oneOf("kind", string(models.TicketRepair), string(models.TicketComplaint))),
		Urgency: models.Urgency(q.oneOf("urgency", string(models.UrgencyCritical), string(models.UrgencyUrgent),
			string(models.UrgencyNormal))),
		Now: s.now(), Search: q.search("q", 100),
	}
	if b := q.bool("breached"); b != nil {
		f.Breached = *b
	}
	if b := q.bool("at_risk"); b != nil {
		f.AtRisk = *b
	}
	page, format := q.sortedPage(store.TicketSorts.Fields()), q.format()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[ticketRow], error) {
		return s.ticketRows(ctx, scope, f, page)
	}, "工单", ticketColumns)
}

// ticketRows reads one page of tickets with their addresses, assignees and
// contacts.
func (s *Server) ticketRows(ctx context.Context, scope store.Scope, f store.TicketFilter, page store.Page) (listBody[ticketRow], error) {
	l, err := s.store.Tickets(ctx, scope, f, page)
	if err != nil {
		return listBody[ticketRow]{}, err
	}
	var households, staff, residents []uint64
	for _, t := range l.Items {
		households = appendID(households, t.HouseholdID)
		staff = appendID(staff, t.AssigneeID)
		residents = appendID(residents, t.ResidentID)
	}
	where, names, err := s.addressesAndNames(ctx, scope, households, staff)
	if err != nil {
		return listBody[ticketRow]{}, err
	}
	contacts, err := s.store.ResidentsByID(ctx, scope, residents)
	if err != nil {
		return listBody[ticketRow]{}, err
	}
	return listResponse(l, page, func(t models.Ticket) ticketRow {
		r := ticketRow{Ticket: t}
		if t.HouseholdID != nil {
			r.Address = where[*t.HouseholdID]
		}
		if t.AssigneeID != nil {
			r.AssigneeName = names[*t.AssigneeID]
		}
		if t.ResidentID != nil {
			if res, ok := contacts[*t.ResidentID]; ok {
				r.Contact, r.ContactPhone = res.Name, models.MaskPhone(res.Phone)
			}
		}
		return r
	}), nil
}

// appendID appends *id to ids unless id is nil.
func appendID(ids []uint64, id *uint64) []uint64 {
	if id == nil {
		return ids
	}
	return append(ids, *id)
}

// ticketRow is a ticket in a list, with its household's address, its
// assignee's name and its contact (phone masked).
type ticketRow struct {
	models.Ticket
	// Address is the household's building and unit ("1栋 101"); empty for a
	// common-area ticket.
	Address string `json:"address,omitempty"`
	// AssigneeName is the name of the staff member handling it (处理人).
	AssigneeName string `json:"assignee_name,omitempty"`
	Contact      string `json:"contact,omitempty"`
	ContactPhone string `json:"contact_phone,omitempty"`
}

// ticketColumns are the columns of the ticket export.
var ticketColumns = []column[ticketRow]{
	{"工单号", func(r ticketRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"类型", func(r ticketRow) string { return r.Kind.Label() }},
	{"紧急程度", func(r ticketRow) string { return r.Urgency.Label() }},
	{"类别", func(r ticketRow) string { return r.Category }},
	{"描述", func(r ticketRow) string { return r.Description }},
	{"地址", func(r ticketRow) string { return cmp.Or(r.Address, r.Location) }},
	{"联系人", func(r ticketRow) string { return r.Contact }},
	{"联系电话", func(r ticketRow) string { return r.ContactPhone }},
	{"状态", func(r ticketRow) string { return r.Status.Label() }},
	{"处理人", func(r ticketRow) string { return r.AssigneeName }},
	{"下一时限", func(r ticketRow) string { return cellTime(r.NextDueAt) }},
	{"登记时间", func(r ticketRow) string { return cellTime(&r.ReportedAt) }},
}

func ticketStatuses() []string {
	out := []string{}
	for _, st := range []models.TicketStatus{models.StatusNew, models.StatusAssigned, models.StatusAccepted,
		models.StatusInProgress, models.StatusAcknowledged, models.StatusAnswered, models.StatusOnHold,
		models.StatusCompleted, models.StatusReturnVisit, models.StatusClosed, models.StatusCancelled} {
		out = append(out, string(st))
	}
	return out
}

// ticketDetail is a ticket with whom to call about it (its household's
// contact, and its resident when not of it: a reporter recorded by phone;
// null for a ticket of neither), its live process state, timeline,
// escalations and messages.
type ticketDetail struct {
	Ticket      models.Ticket      `json:"ticket"`
	Contact     *householdContact  `json:"contact"`
	Timeline    []models.CaseEvent `json:"timeline"`
	Escalations []models.CaseEvent `json:"escalations"`
	processDetail[processView]
}

// processView is workflows.TicketView in the API's JSON style.
type processView struct {
	Status          models.TicketStatus `json:"status"`
	AssigneeID      uint64              `json:"assignee_id"`
	FirstReceiverID uint64              `json:"first_receiver_id"`
	Deadlines       []deadlineView      `json:"deadlines"`
	HeldSeconds     int64               `json:"held_seconds"`
	OnHoldSince     *time.Time          `json:"on_hold_since"`
	HoldReason      models.HoldReason   `json:"hold_reason,omitempty"`
	EscalationLevel int                 `json:"escalation_level"`
	NextTimer       string              `json:"next_timer"`
	NextTimerAt     *time.Time          `json:"next_timer_at"`
	ReopenCount     int                 `json:"reopen_count"`
	ConfirmBy       *time.Time          `json:"confirm_by"`
	ReturnVisitBy   *time.Time          `json:"return_visit_by"`
	Score           int                 `json:"score"`
	FollowUpID      uint64              `json:"follow_up_id,omitempty"`
	// Hurries counts the resident's 催单, the last at HurriedAt.
	Hurries   int        `json:"hurries"`
	HurriedAt *time.Time `json:"hurried_at,omitempty"`
	AsOf      time.Time  `json:"as_of"`
}

type deadlineView struct {
	Milestone   models.Milestone `json:"milestone"`
	Round       int              `json:"round"`
	Due         time.Time        `json:"due"`
	LeftSeconds int64            `json:"left_seconds"`
	Done        bool             `json:"done"`
	DoneAt      *time.Time       `json:"done_at"`
	Warned      bool             `json:"warned"`
	Level       int              `json:"escalation_level"`
}

func viewProcess(v workflows.TicketView) *processView {
	out := &processView{
		Status: v.Status, AssigneeID: v.AssigneeID, FirstReceiverID: v.FirstReceiverID,
		HeldSeconds: int64(v.HeldFor / time.Second), OnHoldSince: v.OnHoldSince, HoldReason: v.HoldReason,
		EscalationLevel: v.EscalationLevel, NextTimer: v.NextTimer, NextTimerAt: v.NextTimerAt,
		ReopenCount: v.ReopenCount, ConfirmBy: v.ConfirmBy, ReturnVisitBy: v.ReturnVisitBy,
		Score: v.Score, FollowUpID: v.FollowUpID, Hurries: v.Hurries, HurriedAt: v.HurriedAt, AsOf: v.AsOf, Deadlines: []deadlineView{},
	}
	for _, d := range v.Deadlines {
		out.Deadlines = append(out.Deadlines, deadlineView{Milestone: d.Milestone, Round: d.Round, Due: d.Due,
			LeftSeconds: int64(d.Left / time.Second), Done: d.Done, DoneAt: d.DoneAt, Warned: d.Warned, Level: d.Level})
	}
	return out
}

// getTicket returns the ticket record, its live process state, its timeline
// (every event), its escalations and every message sent about it. When the
// live state cannot be read, the answer is still 200 with the record, and
// process_health says whether the process is stuck on a failing task.
func (s *Server) getTicket(c *gin.Context) {
	t, ok := loadScoped(s, c, s.store.Ticket)
	if !ok {
		return
	}
	var err error
	p := caller(c)
	ctx := c.Request.Context()
	out := ticketDetail{Ticket: t, Escalations: []models.CaseEvent{}}
	if t.HouseholdID != nil {
		out.Contact, err = s.householdContact(ctx, p.scope(), *t.HouseholdID)
	}
	if err == nil {
		out.Contact, err = s.withReporter(ctx, p.scope(), t, out.Contact)
	}
	if err == nil {
		out.Timeline, err = s.store.TicketEvents(ctx, p.scope(), t.ID)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	for _, e := range out.Timeline {
		if strings.HasPrefix(e.Type, "escalat") {
			out.Escalations = append(out.Escalations, e)
		}
	}
	out.processDetail, err = readDetail(s, ctx, workflows.Tickets(s.temporal), t.ID, p, ticketRef(t.ID),
		func(v workflows.TicketView) bool { return !v.Status.Terminal() }, viewProcess)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// withReporter adds the ticket's resident to its contact c when c does not
// hold them: a reporter (报事人) recorded by phone, or a resident of another
// household, is reached there too (phone masked).
func (s *Server) withReporter(ctx context.Context, scope store.Scope, t models.Ticket, c *householdContact) (*householdContact, error) {
	if t.ResidentID == nil {
		return c, nil
	}
	if c != nil && slices.ContainsFunc(c.Residents, func(r residentView) bool { return r.ID == *t.ResidentID }) {
		return c, nil
	}
	r, err := s.store.Resident(ctx, scope, *t.ResidentID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return c, nil
	case err != nil:
		return c, err
	}
	if c == nil {
		c = &householdContact{Residents: []residentView{}}
	}
	c.Residents = append(c.Residents, maskedResident(r))
	return c, nil
}

func ticketRef(id uint64) string { return fmt.Sprintf("ticket:%d", id) }

// ticketActionRequest carries the fields any action may take; the workflow's
// validator says which the action needs.
type ticketActionRequest struct {
	AssigneeID uint64            `json:"assignee_id"`
	Reason     string            `json:"reason" validate:"max=500"`
	Note       string            `json:"note" validate:"max=2000"`
	HoldReason models.HoldReason `json:"hold_reason" validate:"omitempty,oneof=waiting_parts resident_absent resident_appointment"`
	Summary    string            `json:"summary" validate:"max=2000"`
	Materials  string            `json:"materials" validate:"max=1000"`
	ChargeFen  models.Money      `json:"charge_fen" validate:"gte=0,lte=100000000"`
	Accepted   bool              `json:"accepted"`
	Score      int               `json:"score" validate:"gte=0,lte=5"`
	Comments   string            `json:"comments" validate:"max=2000"`
}

func (in ticketActionRequest) assignee() uint64 { return in.AssigneeID }

// ticketAction applies a staff action through the ticket's workflow update.
// The Idempotency-Key header becomes the update's ID, so an action repeated
// with the same key is applied once. A refused action answers at once: 409
// with the current state, 403 for the role, 400 naming the field.
func (s *Server) ticketAction(c *gin.Context) {
	t, ok := loadScoped(s, c, s.store.Ticket)
	if !ok {
		return
	}
	var in ticketActionRequest
	action, key, ok := s.actionRequest(c, workflows.TicketActions(), &in, actionCase{noun: "工单",
		status: string(t.Status), ended: t.Status.Terminal(), estateID: t.EstateID})
	if !ok {
		return
	}
	if action == workflows.ActAnswer {
		// The answer goes to the resident as it is: 400 before the process.
		if err := models.CheckComplaintAnswer("note", in.Note); err != nil {
			respondError(c, s.log, err)
			return
		}
	}
	p := caller(c)
	ctx := c.Request.Context()
	if action == workflows.ActClaim && p.is(models.RoleTechnician) {
		// 抢单: the process checks the role and that nobody has the ticket
		// yet (409 with the status); only an active technician of the
		// ticket's own estate may take it.
		if err := s.checkAssignee(ctx, p.scope(), p.Staff.ID, t.EstateID, models.RoleTechnician); err != nil {
			respondError(c, s.log, fmt.Errorf("claim ticket %d by staff %d: %w", t.ID, p.Staff.ID, models.ErrForbidden))
			return
		}
	}
	view, err := act(ctx, workflows.Tickets(s.temporal), t.ID, key, workflows.TicketAction{
		Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, AssigneeID: in.AssigneeID,
		Reason: in.Reason, Note: in.Note, HoldReason: in.HoldReason, Summary: in.Summary, Materials: in.Materials,
		ChargeFen: in.ChargeFen, Accepted: in.Accepted, Score: in.Score, Comments: in.Comments,
	}, func() (string, error) {
		cur, err := s.store.Ticket(ctx, p.scope(), t.ID)
		return string(cur.Status), err
	})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "ticket action", "ticket_id", t.ID, "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, viewProcess(view))
}

func (s *Server) ticketRoutes() []route {
	desk := []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}
	return []route{
		{method: http.MethodPost, path: "/api/v1/tickets", summary: "Open a repair ticket or complaint and start its process (Idempotency-Key header: a retry returns the same ticket); without resident_id, reporter_phone (and reporter_name) reaches the reporter: the estate's resident with that phone, or a contact (报事人) recorded for it", tag: "tickets",
			roles: desk, handler: s.createTicket, body: models.NewTicketRequest{}, resp: models.Ticket{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/tickets", summary: "Tickets, nearest deadline first unless sorted, each with its household's address, assignee's name (处理人) and contact (phone masked); searchable, by cursor, as CSV", tag: "tickets", roles: everyRole, handler: s.listTickets,
			resp: listBody[ticketRow]{}, status: http.StatusOK,
			query: sortedParams(store.TicketSorts.Fields(), estateQ, param{"status", "string", "ticket status"}, param{"kind", "string", "repair or complaint"},
				param{"urgency", "string", "critical, urgent or normal"}, param{"assignee_id", "integer", "assigned to this staff member"},
				param{"breached", "boolean", "a deadline has passed"}, param{"at_risk", "boolean", "past the warning point of its next deadline"})},
		{method: http.MethodGet, path: "/api/v1/tickets/:id", summary: "A ticket with its live process state (process_health says when the process is stuck on a failing task), timeline, escalations and messages", tag: "tickets",
			roles: everyRole, handler: s.getTicket, resp: ticketDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/tickets/:id/actions/:action", summary: actionSummary(workflows.TicketActions()), tag: "tickets",
			roles: everyRole, handler: s.ticketAction, body: ticketActionRequest{}, resp: processView{}, status: http.StatusOK, scoped: true, actions: workflows.TicketActions()},
	}
}
