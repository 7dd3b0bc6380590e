package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// moveInResponse is a registered move-in with its follow-up.
type moveInResponse struct {
	MoveIn     models.MoveIn    `json:"move_in"`
	Household  models.Household `json:"household"`
	Residents  []residentView   `json:"residents"`
	FollowUp   models.FollowUp  `json:"follow_up"`
	WorkflowID string           `json:"workflow_id"`
	// PreviousHouseholdID is the household that moved out of the unit with
	// this move-in (a change of owner or tenant); CancelledFollowUps are
	// its follow-up visits that the move-out cancelled.
	PreviousHouseholdID *uint64  `json:"previous_household_id"`
	CancelledFollowUps  []uint64 `json:"cancelled_follow_ups"`
}

// createMoveIn registers a move-in and starts its follow-up process. With an
// Idempotency-Key a repeated request returns the same registration (200).
// The answer is 201 only once the process has started.
func (s *Server) createMoveIn(c *gin.Context) {
	var in models.MoveInRequest
	key, ok := s.bindIdempotent(c, &in)
	if !ok {
		return
	}
	p := caller(c)
	in.RegisteredBy = p.Staff.ID
	if err := in.Validate(s.now()); err != nil {
		respondError(c, s.log, err)
		return
	}
	ctx := c.Request.Context()
	rec, created, err := s.store.RegisterMoveIn(ctx, p.scope(), in, key)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	if err := s.startProcess(ctx, workflows.FollowUpWorkflowID(rec.MoveIn.ID), workflows.FollowUp,
		workflows.NewFollowUpInput(rec.FollowUp, rec.MoveIn, rec.Household, rec.Policy, rec.Estate.TimeZone)); err != nil {
		respondError(c, s.log, fmt.Errorf("start follow-up of move-in %d: %w", rec.MoveIn.ID, err))
		return
	}
	out := moveInResponse{MoveIn: rec.MoveIn, Household: rec.Household, FollowUp: rec.FollowUp,
		WorkflowID: workflows.FollowUpWorkflowID(rec.MoveIn.ID), Residents: []residentView{}, CancelledFollowUps: []uint64{}}
	if prev := in.PreviousHouseholdID; prev != 0 {
		// The previous household moved out with the registration (a retry
		// with the same key repeats this harmlessly).
		out.PreviousHouseholdID = &prev
		if out.CancelledFollowUps, err = s.endFollowUps(ctx, p, prev, "新住户入住，原住户迁出"); err != nil {
			respondError(c, s.log, fmt.Errorf("end follow-ups of household %d moving out: %w", prev, err))
			return
		}
	}
	for _, r := range rec.Residents {
		out.Residents = append(out.Residents, maskedResident(r))
	}
	s.log.InfoContext(ctx, "move-in registered", "move_in_id", rec.MoveIn.ID, "workflow_id", workflows.FollowUpWorkflowID(rec.MoveIn.ID), "household_id", rec.Household.ID,
		"estate_id", rec.MoveIn.EstateID, "replayed", !created)
	c.JSON(createdStatus(created), out)
}

// listFollowUps lists follow-ups (soonest due first unless sorted), or
// exports them as CSV.
func (s *Server) listFollowUps(c *gin.Context) {
	q := query{c: c}
	f := store.FollowUpFilter{
		EstateID: q.uint("estate_id"), AssigneeID: q.uint("assignee_id"),
		Status: oneOfEnum(&q, "status", models.FollowUpStatuses()), Now: s.now(), Search: q.search("q", 100),
	}
	if b := q.bool("overdue"); b != nil {
		f.Overdue = *b
	}
	if v := c.Query("due_before"); v != "" && q.err == nil {
		f.DueBefore, q.err = parseInstant("due_before", v)
	}
	page, format := q.sortedPage(store.FollowUpSorts.Fields()), q.format()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[followUpRow], error) {
		l, err := s.store.FollowUps(ctx, scope, f, page)
		if err != nil {
			return listBody[followUpRow]{}, err
		}
		var households, staff []uint64
		for _, fu := range l.Items {
			households = append(households, fu.HouseholdID)
			staff = appendID(staff, fu.AssigneeID)
		}
		where, names, err := s.addressesAndNames(ctx, scope, households, staff)
		if err != nil {
			return listBody[followUpRow]{}, err
		}
		return listResponse(l, page, func(fu models.FollowUp) followUpRow {
			r := followUpRow{FollowUp: fu, Address: where[fu.HouseholdID]}
			if fu.AssigneeID != nil {
				r.AssigneeName = names[*fu.AssigneeID]
			}
			return r
		}), nil
	}, "入住回访", followUpColumns)
}

// followUpRow is a follow-up in a list, with its household's address and
// its assignee's name (处理人).
type followUpRow struct {
	models.FollowUp
	Address      string `json:"address,omitempty"`
	AssigneeName string `json:"assignee_name,omitempty"`
}

// followUpColumns are the columns of the follow-up export.
var followUpColumns = []column[followUpRow]{
	{"编号", func(r followUpRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"住户", func(r followUpRow) string { return r.Address }},
	{"状态", func(r followUpRow) string { return r.Status.Label() }},
	{"处理人", func(r followUpRow) string { return r.AssigneeName }},
	{"回访期限", func(r followUpRow) string { return cellTime(&r.DueAt) }},
	{"入住时间", func(r followUpRow) string { return cellTime(&r.MovedInAt) }},
	{"回访小结", func(r followUpRow) string { return r.Summary }},
}

// parseInstant reads an RFC 3339 time or a date (midnight UTC).
func parseInstant(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, models.Invalid(name, "应为时间（如 2026-03-31T18:00:00+08:00）或日期（如 2026-03-31）")
}

// followUpDetail is a follow-up with whom to call (the household's
// contact), its live process state, events and messages.
type followUpDetail struct {
	FollowUp models.FollowUp    `json:"follow_up"`
	Contact  *householdContact  `json:"contact"`
	Events   []models.CaseEvent `json:"events"`
	processDetail[followUpProcess]
}

// followUpProcess is workflows.FollowUpView in the API's JSON style.
type followUpProcess struct {
	Status          models.FollowUpStatus    `json:"status"`
	AssigneeID      uint64                   `json:"assignee_id"`
	MovedInAt       time.Time                `json:"moved_in_at"`
	DueAt           time.Time                `json:"due_at"`
	Overdue         bool                     `json:"overdue"`
	ScheduledAt     *time.Time               `json:"scheduled_at"`
	Attempts        []models.FollowUpAttempt `json:"attempts"`
	AttemptsLeft    int                      `json:"attempts_left"`
	EscalationLevel int                      `json:"escalation_level"`
	Visit           *models.FollowUpVisit    `json:"visit"`
	Tickets         []visitTicketView        `json:"tickets"`
	Summary         string                   `json:"summary,omitempty"`
	CancelReason    string                   `json:"cancel_reason,omitempty"`
	NextTimer       string                   `json:"next_timer"`
	NextTimerAt     *time.Time               `json:"next_timer_at"`
	ClosedAt        *time.Time               `json:"closed_at"`
	AsOf            time.Time                `json:"as_of"`
}

type visitTicketView struct {
	TicketID uint64              `json:"ticket_id"`
	Item     int                 `json:"item"`
	Closed   bool                `json:"closed"`
	Status   models.TicketStatus `json:"status"`
}

func viewFollowUp(v workflows.FollowUpView) *followUpProcess {
	out := &followUpProcess{
		Status: v.Status, AssigneeID: v.AssigneeID, MovedInAt: v.MovedInAt, DueAt: v.DueAt, Overdue: v.Overdue,
		ScheduledAt: v.ScheduledAt, Attempts: v.Attempts, AttemptsLeft: v.AttemptsLeft, EscalationLevel: v.EscalationLevel,
		Visit: v.Visit, Tickets: []visitTicketView{}, Summary: v.Summary, CancelReason: v.CancelReason,
		NextTimer: v.NextTimer, NextTimerAt: v.NextTimerAt, ClosedAt: v.ClosedAt, AsOf: v.AsOf,
	}
	if out.Attempts == nil {
		out.Attempts = []models.FollowUpAttempt{}
	}
	for _, t := range v.Tickets {
		out.Tickets = append(out.Tickets, visitTicketView{TicketID: t.TicketID, Item: t.Item, Closed: t.Closed, Status: t.Status})
	}
	return out
}

// getFollowUp returns the follow-up record, its live process state, its
// events and every message sent about it.
func (s *Server) getFollowUp(c *gin.Context) {
	f, ok := loadScoped(s, c, s.store.FollowUp)
	if !ok {
		return
	}
	var err error
	p := caller(c)
	ctx := c.Request.Context()
	out := followUpDetail{FollowUp: f}
	if out.Contact, err = s.householdContact(ctx, p.scope(), f.HouseholdID); err == nil {
		out.Events, err = s.store.FollowUpEvents(ctx, p.scope(), f.ID)
	}
	if err == nil {
		out.processDetail, err = readDetail(s, ctx, workflows.FollowUps(s.temporal), f.MoveInID, p, followUpRef(f.ID),
			func(v workflows.FollowUpView) bool { return !v.Status.Terminal() }, viewFollowUp)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func followUpRef(id uint64) string { return fmt.Sprintf("followup:%d", id) }

// followUpActionRequest carries the fields any action may take; the
// workflow's validator says which the action needs.
type followUpActionRequest struct {
	// At is the agreed time of a schedule; NextAt the next try after a
	// failed attempt (default: the rest of the window shared among the
	// tries left).
	At         *time.Time            `json:"at"`
	NextAt     *time.Time            `json:"next_at"`
	AssigneeID uint64                `json:"assignee_id"`
	Reason     string                `json:"reason" validate:"max=500"`
	Outcome    models.AttemptOutcome `json:"outcome" validate:"omitempty,oneof=not_home not_reachable"`
	Note       string                `json:"note" validate:"max=500"`
	// Visit is the record of a visit; visited_at defaults to now, channel
	// to in_person.
	Visit *models.FollowUpVisit `json:"visit"`
}

func (in followUpActionRequest) assignee() uint64 { return in.AssigneeID }

// followUpAction applies a staff action through the follow-up's workflow
// update, the Idempotency-Key header being the update's ID. A refused action
// answers at once: 409 with the current state, 403 for the role, 400 naming
// the field.
func (s *Server) followUpAction(c *gin.Context) {
	f, ok := loadScoped(s, c, s.store.FollowUp)
	if !ok {
		return
	}
	var in followUpActionRequest
	action, key, ok := s.actionRequest(c, workflows.FollowUpActions(), &in, actionCase{noun: "回访",
		status: string(f.Status), ended: f.Status.Terminal(), estateID: f.EstateID, assignees: deskRoles})
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	a := workflows.FollowUpAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, At: in.At,
		AssigneeID: in.AssigneeID, Reason: in.Reason, Outcome: in.Outcome, Note: in.Note, Visit: in.Visit}
	if action == workflows.VisitAttempt {
		a.At = in.NextAt
	}
	if v := a.Visit; v != nil {
		if v.VisitedAt.IsZero() {
			v.VisitedAt = s.now()
		}
		if v.Channel == "" {
			v.Channel = models.VisitInPerson
		}
		for i := range v.Items {
			v.Items[i].TicketID = nil // set by the process only
		}
	}
	view, err := act(ctx, workflows.FollowUps(s.temporal), f.MoveInID, key, a, func() (string, error) {
		cur, err := s.store.FollowUp(ctx, p.scope(), f.ID)
		return string(cur.Status), err
	})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "follow-up action", "follow_up_id", f.ID, "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, viewFollowUp(view))
}

type moveOutRequest struct {
	MovedOutAt *time.Time `json:"moved_out_at"`
	Reason     string     `json:"reason" validate:"max=150"`
}

type moveOutResponse struct {
	Household models.Household `json:"household"`
	// CancelledFollowUps are the follow-ups the move-out cancelled.
	CancelledFollowUps []uint64 `json:"cancelled_follow_ups"`
}

// moveOut marks a household moved out and cancels its follow-up visits not
// yet made. It is safe to repeat: a household already moved out stays as it
// was, and each cancellation is an update with a fixed ID.
func (s *Server) moveOut(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	var in moveOutRequest
	if !s.bindOptional(c, &in) {
		return
	}
	now := s.now()
	at := now
	if in.MovedOutAt != nil {
		if in.MovedOutAt.After(now.Add(time.Minute)) {
			respondError(c, s.log, models.Invalid("moved_out_at", "不能晚于现在"))
			return
		}
		at = *in.MovedOutAt
	}
	p := caller(c)
	ctx := c.Request.Context()
	h, err := s.store.MoveOut(ctx, p.scope(), id, at)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out := moveOutResponse{Household: h}
	if out.CancelledFollowUps, err = s.endFollowUps(ctx, p, h.ID, in.Reason); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "household moved out", "household_id", h.ID, "cancelled", len(out.CancelledFollowUps))
	c.JSON(http.StatusOK, out)
}

// endFollowUps cancels the follow-up visits not yet made of a household
// that moved out (the workflow's moved_out action) and returns those it
// cancelled. Each cancellation is an update with a fixed ID, so repeating
// it is harmless; a visit made, or a process ended, meanwhile is skipped.
func (s *Server) endFollowUps(ctx context.Context, p principal, householdID uint64, reason string) ([]uint64, error) {
	// The household has moved out in the store: finish even if the client
	// has gone away meanwhile.
	ctx, cancel := detached(ctx, 30*time.Second)
	defer cancel()
	open, err := s.store.FollowUps(ctx, p.scope(), store.FollowUpFilter{HouseholdID: householdID, AwaitingVisit: true}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	cancelled := []uint64{}
	for _, f := range open.Items {
		key := fmt.Sprintf("move-out-%d-followup-%d", householdID, f.ID)
		_, err := workflows.FollowUps(s.temporal).Act(ctx, f.MoveInID, key,
			workflows.FollowUpAction{Action: workflows.VisitMovedOut, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, Reason: reason})
		switch {
		case err == nil:
			cancelled = append(cancelled, f.ID)
		case refusedByState(err):
			// The visit was made, or the process ended, meanwhile: nothing to cancel.
		default:
			return cancelled, fmt.Errorf("cancel follow-up %d: %w", f.ID, err)
		}
	}
	return cancelled, nil
}

func (s *Server) moveInRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/move-ins", summary: "Register a move-in: household (existing, or created in a unit; in an occupied unit previous_household_id moves out, its open follow-up visits cancelled, its bills kept), residents, needs; sends the welcome and starts the follow-up visit (Idempotency-Key header: a retry returns the same registration)", tag: "move-ins",
			roles: deskRoles, handler: s.createMoveIn, body: models.MoveInRequest{}, resp: moveInResponse{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/follow-ups", summary: "Follow-up visits after move-in, soonest due first unless sorted, with address and assignee's name; searchable, by cursor, as CSV", tag: "move-ins", roles: everyRole, handler: s.listFollowUps,
			resp: listBody[followUpRow]{}, status: http.StatusOK,
			query: sortedParams(store.FollowUpSorts.Fields(), estateQ, param{"status", "string", "pending, scheduled, tickets_open, completed, unreachable or cancelled"},
				param{"assignee_id", "integer", "assigned to this staff member"}, param{"due_before", "string", "due before this time or date"},
				param{"overdue", "boolean", "the window has ended and the visit is not made"})},
		{method: http.MethodGet, path: "/api/v1/follow-ups/:id", summary: "A follow-up visit with its live process state, events and messages", tag: "move-ins",
			roles: everyRole, handler: s.getFollowUp, resp: followUpDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/follow-ups/:id/actions/:action", summary: actionSummary(workflows.FollowUpActions()), tag: "move-ins",
			roles: deskRoles, handler: s.followUpAction, body: followUpActionRequest{}, resp: followUpProcess{}, status: http.StatusOK, scoped: true, actions: workflows.FollowUpActions()},
		{method: http.MethodPost, path: "/api/v1/households/:id/move-out", summary: "Mark a household moved out; cancels its follow-up visits not yet made", tag: "move-ins",
			roles: deskRoles, handler: s.moveOut, body: moveOutRequest{}, resp: moveOutResponse{}, status: http.StatusOK, scoped: true},
	}
}
