package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// Inspections and preventive maintenance (巡检/维保): the equipment ledger,
// the plans (each run by its own workflow) and the occurrences they start.

// equipmentRequest adds an entry to the ledger; dates are "YYYY-MM-DD".
type equipmentRequest struct {
	EstateID       uint64               `json:"estate_id" validate:"required"`
	Code           string               `json:"code"`
	Name           string               `json:"name"`
	Type           models.EquipmentType `json:"type"`
	Location       string               `json:"location"`
	Maker          string               `json:"maker"`
	InstalledOn    models.Date          `json:"installed_on"`
	Contractor     string               `json:"contractor"`
	StatutoryDueOn models.Date          `json:"statutory_due_on"`
}

// optDate is d as a time (midnight UTC), nil for the zero date.
func optDate(d models.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := models.DateTime(d)
	return &t
}

func (s *Server) createEquipment(c *gin.Context) {
	var in equipmentRequest
	if !s.bindJSON(c, &in) {
		return
	}
	e := models.Equipment{EstateID: in.EstateID, Code: in.Code, Name: in.Name, Type: in.Type, Location: in.Location,
		Maker: in.Maker, InstalledOn: optDate(in.InstalledOn), Contractor: in.Contractor, StatutoryDueOn: optDate(in.StatutoryDueOn), Active: true}
	ctx := c.Request.Context()
	err := e.Validate(s.now())
	if err == nil {
		err = s.store.CreateEquipment(ctx, caller(c).scope(), &e)
	}
	if err == nil && e.StatutoryDueOn != nil {
		// One daily check per estate warns of statutory dates.
		err = s.startProcess(ctx, workflows.StatutoryWorkflowID(e.EstateID), workflows.StatutoryCheck,
			workflows.StatutoryCheckInput{EstateID: e.EstateID})
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}

// equipmentPatch edits a ledger entry; each field left out stays as it is.
// A date "" clears it. active false retires the entry (报废/停用) for good,
// and deactivates its plans with it.
type equipmentPatch struct {
	Code           *string              `json:"code"`
	Name           *string              `json:"name"`
	Type           models.EquipmentType `json:"type"`
	Location       *string              `json:"location"`
	Maker          *string              `json:"maker"`
	InstalledOn    *models.Date         `json:"installed_on"`
	Contractor     *string              `json:"contractor"`
	StatutoryDueOn *models.Date         `json:"statutory_due_on"`
	Active         *bool                `json:"active"`
}

// updateEquipment edits or retires a ledger entry, validated as a new one;
// retired equipment is not edited (409). Retiring ends the workflows of
// the plans it deactivated.
func (s *Server) updateEquipment(c *gin.Context) {
	var in equipmentPatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	ctx, scope, now := c.Request.Context(), caller(c).scope(), s.now()
	e, retired, err := s.store.UpdateEquipment(ctx, scope, id, func(e *models.Equipment) error {
		if !e.Active {
			return &stateError{state: "retired", msg: "设备已报废停用，不能再修改"}
		}
		setIf(&e.Code, in.Code)
		setIf(&e.Name, in.Name)
		e.Type = cmp.Or(in.Type, e.Type)
		setIf(&e.Location, in.Location)
		setIf(&e.Maker, in.Maker)
		setIf(&e.Contractor, in.Contractor)
		setIf(&e.Active, in.Active)
		if in.InstalledOn != nil {
			e.InstalledOn = optDate(*in.InstalledOn)
		}
		if in.StatutoryDueOn != nil {
			e.StatutoryDueOn = optDate(*in.StatutoryDueOn)
		}
		return e.Validate(now)
	})
	if err == nil && e.Active && e.StatutoryDueOn != nil {
		err = s.startProcess(ctx, workflows.StatutoryWorkflowID(e.EstateID), workflows.StatutoryCheck,
			workflows.StatutoryCheckInput{EstateID: e.EstateID})
	}
	for _, planID := range retired {
		if err == nil {
			_, err = s.revisePlan(ctx, models.InspectionPlan{ID: planID, EstateID: e.EstateID, Active: false})
		}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "equipment updated", "equipment_id", e.ID, "active", e.Active, "plans_deactivated", len(retired), "by", caller(c).Staff.ID)
	c.JSON(http.StatusOK, e)
}

// revisePlan brings the workflow of plan p, saved already, in line with
// it, even if the client has gone away meanwhile.
func (s *Server) revisePlan(ctx context.Context, p models.InspectionPlan) (workflows.PlanView, error) {
	rctx, cancel := detached(ctx, workflows.UpdateTimeout+5*time.Second)
	defer cancel()
	return workflows.RevisePlan(rctx, s.temporal, p)
}

func (s *Server) getEquipment(c *gin.Context) {
	serveScoped(s, c, s.store.Equipment, same[models.Equipment])
}

func (s *Server) listEquipment(c *gin.Context) {
	q := query{c: c}
	f := store.EquipmentFilter{EstateID: q.uint("estate_id"), Type: oneOfEnum(&q, "type", models.EquipmentTypes())}
	if d := q.uint("statutory_within_days"); d > 0 && d <= 366 {
		f.StatutoryBefore = s.now().Add(time.Duration(d) * models.Day)
	}
	serveSorted(s, c, &q, store.EquipmentSorts.Fields(), f, s.store.Equipments)
}

// serveSorted answers a sorted list read by cursor (keyset pagination).
func serveSorted[F, T any](s *Server, c *gin.Context, q *query, fields []string, f F,
	read func(context.Context, store.Scope, F, store.Page) (store.List[T], error)) {
	page := q.sortedPage(fields)
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	l, err := read(c.Request.Context(), caller(c).scope(), f, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listResponse(l, page, same[T]))
}

// inspectionPlanRequest adds an inspection plan; starts_on is "YYYY-MM-DD", at
// "HH:MM" in the estate's time zone.
type inspectionPlanRequest struct {
	EstateID     uint64                 `json:"estate_id" validate:"required"`
	EquipmentID  *uint64                `json:"equipment_id"`
	Name         string                 `json:"name"`
	Cadence      models.Cadence         `json:"cadence"`
	StartsOn     models.Date            `json:"starts_on"`
	At           string                 `json:"at"`
	WorkdaysOnly bool                   `json:"workdays_only"`
	Checklist    []models.ChecklistItem `json:"checklist"`
	AssigneeRole models.Role            `json:"assignee_role"`
	AssigneeID   *uint64                `json:"assignee_id"`
	DueWithin    models.Duration        `json:"due_within"`
}

func (s *Server) createInspectionPlan(c *gin.Context) {
	var in inspectionPlanRequest
	if !s.bindJSON(c, &in) {
		return
	}
	ctx, scope := c.Request.Context(), caller(c).scope()
	p := models.InspectionPlan{EstateID: in.EstateID, EquipmentID: in.EquipmentID, Name: in.Name, Cadence: in.Cadence,
		StartsOn: models.DateTime(in.StartsOn), At: in.At, WorkdaysOnly: in.WorkdaysOnly, Checklist: in.Checklist,
		AssigneeRole: in.AssigneeRole, AssigneeID: in.AssigneeID, DueWithin: in.DueWithin, Active: true}
	if in.StartsOn.IsZero() {
		p.StartsOn = models.DateTime(models.DateOf(s.now(), nil))
	}
	err := p.Validate(s.now())
	if err == nil && p.AssigneeID != nil {
		err = s.checkAssignee(ctx, scope, *p.AssigneeID, p.EstateID)
	}
	if err == nil {
		err = s.store.CreateInspectionPlan(ctx, scope, &p)
	}
	if err == nil {
		err = s.startProcess(ctx, workflows.PlanWorkflowID(p.ID), workflows.InspectionPlanRun, workflows.InspectionPlanInput{PlanID: p.ID})
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

// inspectionPlanPatch edits a plan; each field left out stays as it is.
// active false deactivates the plan (its workflow ends; occurrences already
// started go on), active true reactivates it. A deactivated plan takes
// nothing but {"active": true}. assignee_id 0 clears the person.
type inspectionPlanPatch struct {
	Name         *string                `json:"name"`
	Cadence      models.Cadence         `json:"cadence"`
	StartsOn     *models.Date           `json:"starts_on"`
	At           *string                `json:"at"`
	WorkdaysOnly *bool                  `json:"workdays_only"`
	Checklist    []models.ChecklistItem `json:"checklist"`
	AssigneeRole *models.Role           `json:"assignee_role"`
	AssigneeID   *uint64                `json:"assignee_id"`
	DueWithin    *models.Duration       `json:"due_within"`
	Active       *bool                  `json:"active"`
}

// edits reports whether the patch changes anything but active.
func (in inspectionPlanPatch) edits() bool {
	return in.Name != nil || in.Cadence != "" || in.StartsOn != nil || in.At != nil || in.WorkdaysOnly != nil ||
		in.Checklist != nil || in.AssigneeRole != nil || in.AssigneeID != nil || in.DueWithin != nil
}

// apply edits p by the patch.
func (in inspectionPlanPatch) apply(p *models.InspectionPlan) {
	setIf(&p.Name, in.Name)
	p.Cadence = cmp.Or(in.Cadence, p.Cadence)
	if in.StartsOn != nil {
		p.StartsOn = models.DateTime(*in.StartsOn)
	}
	setIf(&p.At, in.At)
	setIf(&p.WorkdaysOnly, in.WorkdaysOnly)
	if in.Checklist != nil {
		p.Checklist = in.Checklist
	}
	setIf(&p.AssigneeRole, in.AssigneeRole)
	if in.AssigneeID != nil {
		p.AssigneeID = in.AssigneeID
		if *in.AssigneeID == 0 {
			p.AssigneeID = nil
		}
	}
	setIf(&p.DueWithin, in.DueWithin)
	setIf(&p.Active, in.Active)
}

// inspectionPlanEdited is a plan as saved, with its next occurrence as
// its workflow computed it (absent when the plan no longer runs).
type inspectionPlanEdited struct {
	models.InspectionPlan
	NextOccurrence *time.Time `json:"next_occurrence,omitempty"`
}

// updateInspectionPlan edits, deactivates or reactivates a plan, validated
// as a new one, and revises its running workflow: the next occurrence is
// computed afresh. 409 for editing a deactivated plan or reactivating one
// whose equipment is retired.
func (s *Server) updateInspectionPlan(c *gin.Context) {
	var in inspectionPlanPatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	ctx, scope, now := c.Request.Context(), caller(c).scope(), s.now()
	var err error
	if in.AssigneeID != nil && *in.AssigneeID != 0 {
		var cur models.InspectionPlan
		if cur, err = s.store.InspectionPlan(ctx, scope, id); err == nil {
			err = s.checkAssignee(ctx, scope, *in.AssigneeID, cur.EstateID)
		}
	}
	if err == nil && in.Active != nil && *in.Active {
		err = s.checkEquipmentActive(ctx, scope, id)
	}
	var p models.InspectionPlan
	if err == nil {
		p, err = s.store.UpdateInspectionPlan(ctx, scope, id, func(p *models.InspectionPlan) error {
			if !p.Active && (in.edits() || in.Active == nil || !*in.Active) {
				return &stateError{state: "inactive", msg: "巡检计划已停用，请先启用再修改"}
			}
			in.apply(p)
			return p.Validate(now)
		})
	}
	out := inspectionPlanEdited{InspectionPlan: p}
	if err == nil {
		var v workflows.PlanView
		if v, err = s.revisePlan(ctx, p); err == nil && v.Active && !v.Next.IsZero() {
			out.NextOccurrence = &v.Next
		}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "inspection plan updated", "plan_id", p.ID, "active", p.Active, "by", caller(c).Staff.ID)
	c.JSON(http.StatusOK, out)
}

// checkEquipmentActive refuses (409) to reactivate plan id when its
// equipment is retired; the store checks it again in the edit's
// transaction, this says why.
func (s *Server) checkEquipmentActive(ctx context.Context, scope store.Scope, id uint64) error {
	cur, err := s.store.InspectionPlan(ctx, scope, id)
	if err != nil || cur.Active || cur.EquipmentID == nil {
		return err
	}
	e, err := s.store.Equipment(ctx, scope, *cur.EquipmentID)
	if err == nil && !e.Active {
		err = &stateError{state: "retired", msg: "设备已报废停用，其巡检计划不能再启用"}
	}
	return err
}

func (s *Server) getInspectionPlan(c *gin.Context) {
	serveScoped(s, c, s.store.InspectionPlan, same[models.InspectionPlan])
}

func (s *Server) listInspectionPlans(c *gin.Context) {
	q := query{c: c}
	f := store.InspectionPlanFilter{EstateID: q.uint("estate_id"), EquipmentID: q.uint("equipment_id"),
		Cadence: oneOfEnum(&q, "cadence", models.Cadences())}
	serveSorted(s, c, &q, store.InspectionPlanSorts.Fields(), f, s.store.InspectionPlans)
}

func (s *Server) listInspections(c *gin.Context) {
	q := query{c: c}
	f := store.InspectionFilter{EstateID: q.uint("estate_id"), PlanID: q.uint("plan_id"), EquipmentID: q.uint("equipment_id"),
		AssigneeID: q.uint("assignee_id"), Status: oneOfEnum(&q, "status", models.InspectionStatuses()), Now: s.now()}
	if b := q.bool("overdue"); b != nil {
		f.Overdue = *b
	}
	if b := q.bool("open_findings"); b != nil {
		f.OpenFindings = *b
	}
	serveSorted(s, c, &q, store.InspectionSorts.Fields(), f, s.store.Inspections)
}

// inspectionDetail is an occurrence with its journal and live process.
type inspectionDetail struct {
	Inspection models.Inspection  `json:"inspection"`
	Events     []models.CaseEvent `json:"events"`
	processDetail[workflows.InspectionView]
}

func inspectionRef(id uint64) string { return fmt.Sprintf("inspection:%d", id) }

func (s *Server) getInspection(c *gin.Context) {
	in, ok := loadScoped(s, c, s.store.Inspection)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	out := inspectionDetail{Inspection: in}
	var err error
	if out.Events, err = s.store.InspectionEvents(ctx, p.scope(), in.ID); err == nil {
		out.processDetail, err = readDetail(s, ctx, workflows.NewClient[workflows.InspectionView](s.temporal, workflows.InspectionProcess()),
			in.ID, p, inspectionRef(in.ID), func(v workflows.InspectionView) bool { return !v.Status.Terminal() },
			func(v workflows.InspectionView) *workflows.InspectionView { return &v })
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// inspectionActionRequest carries the fields any action may take; the
// workflow's validator says which the action needs.
type inspectionActionRequest struct {
	Results    []models.ChecklistResult `json:"results"`
	Findings   []findingRequest         `json:"findings"`
	No         int                      `json:"no"`
	Note       string                   `json:"note" validate:"max=500"`
	AssigneeID uint64                   `json:"assignee_id"`
	Reason     string                   `json:"reason" validate:"max=150"`
}

func (in inspectionActionRequest) assignee() uint64 { return in.AssigneeID }

// findingRequest is a finding (隐患) staff record: severity (major,
// moderate, minor), text, and whether a repair ticket takes it over (with
// its urgency; empty: normal).
type findingRequest struct {
	Severity   models.Severity `json:"severity"`
	Text       string          `json:"text"`
	OpenTicket bool            `json:"open_ticket"`
	Urgency    models.Urgency  `json:"urgency"`
}

// inspectionAction applies a staff action through the occurrence's
// workflow update: 409 with the current state, 403 for the role, 400
// naming the field.
func (s *Server) inspectionAction(c *gin.Context) {
	row, ok := loadScoped(s, c, s.store.Inspection)
	if !ok {
		return
	}
	var in inspectionActionRequest
	action, key, ok := s.actionRequest(c, workflows.InspectionActions(), &in, actionCase{noun: "巡检任务",
		status: string(row.Status), ended: row.Status.Terminal(), estateID: row.EstateID})
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	a := workflows.InspectionAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, Results: in.Results,
		No: in.No, Note: in.Note, AssigneeID: in.AssigneeID, Reason: in.Reason}
	for _, f := range in.Findings {
		a.Findings = append(a.Findings, workflows.FindingInput(f))
	}
	view, err := act(ctx, workflows.NewClient[workflows.InspectionView](s.temporal, workflows.InspectionProcess()), row.ID, key, a,
		func() (string, error) {
			cur, err := s.store.Inspection(ctx, p.scope(), row.ID)
			return string(cur.Status), err
		})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "inspection action", "inspection_id", row.ID, "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, view)
}

// inspectionSummary is the estate dashboard's inspection part.
type inspectionSummary = store.InspectionCounts

// readInspections counts an estate's overdue inspections, open findings
// and statutory inspections due within its first warning.
func (s *Server) readInspections(ctx context.Context, scope store.Scope, estateID uint64) (*inspectionSummary, error) {
	if estateID == 0 {
		return nil, nil
	}
	pol, err := s.store.Policy(ctx, scope, estateID)
	if err != nil {
		return nil, err
	}
	days := 0
	for _, d := range pol.Policy.Inspection.WarnDays() {
		days = max(days, d)
	}
	n, err := s.store.InspectionCountsOf(ctx, scope, estateID, s.now(), time.Duration(days)*models.Day)
	return &n, err
}

func (s *Server) inspectionRoutes() []route {
	insQ := []param{estateQ, {"plan_id", "integer", "only this plan"}, {"equipment_id", "integer", "only this equipment"},
		{"assignee_id", "integer", "assigned to this staff member"}, {"status", "string", "open, missed, rectifying, completed or skipped"},
		{"overdue", "boolean", "not done past the due time"}, {"open_findings", "boolean", "with a finding (隐患) still to rectify"}}
	return []route{
		{method: http.MethodGet, path: "/api/v1/equipment", summary: "The equipment ledger (设备台账), by cursor", tag: "inspections", roles: everyRole, handler: s.listEquipment,
			resp: listBody[models.Equipment]{}, status: http.StatusOK,
			query: keysetParams(store.EquipmentSorts.Fields(), estateQ, param{"type", "string", "lift, pump, fire, gate, generator or other"},
				param{"statutory_within_days", "integer", "only active equipment whose statutory inspection is due within this many days (1..366)"})},
		{method: http.MethodPost, path: "/api/v1/equipment", summary: "Add equipment to the ledger (dates YYYY-MM-DD; a statutory due date starts the estate's daily statutory check)", tag: "inspections",
			roles: deskRoles, handler: s.createEquipment, body: equipmentRequest{}, resp: models.Equipment{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/equipment/:id", summary: "One piece of equipment", tag: "inspections", roles: everyRole, handler: s.getEquipment,
			resp: models.Equipment{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/equipment/:id", summary: "Edit equipment (fields left out stay; a date \"\" clears it) or retire it with active false, which deactivates its plans; retired equipment is not edited (409)", tag: "inspections",
			roles: deskRoles, handler: s.updateEquipment, body: equipmentPatch{}, resp: models.Equipment{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/inspection-plans", summary: "Inspection and maintenance plans (巡检/维保计划), by cursor", tag: "inspections", roles: everyRole, handler: s.listInspectionPlans,
			resp: listBody[models.InspectionPlan]{}, status: http.StatusOK,
			query: keysetParams(store.InspectionPlanSorts.Fields(), estateQ, param{"equipment_id", "integer", "only this equipment"},
				param{"cadence", "string", "daily, weekly, monthly, quarterly or yearly"})},
		{method: http.MethodPost, path: "/api/v1/inspection-plans", summary: "Add a plan (checklist, cadence in the estate's time zone, working days only, assignee role or person) and start its workflow", tag: "inspections",
			roles: managersAndSupervisors, handler: s.createInspectionPlan, body: inspectionPlanRequest{}, resp: models.InspectionPlan{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/inspection-plans/:id", summary: "One plan", tag: "inspections", roles: everyRole, handler: s.getInspectionPlan,
			resp: models.InspectionPlan{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/inspection-plans/:id", summary: "Edit a plan (fields left out stay), deactivate it (active false: its workflow ends, started occurrences go on) or reactivate it; its workflow computes the next occurrence afresh. A deactivated plan takes only active true (409 otherwise)", tag: "inspections",
			roles: managersAndSupervisors, handler: s.updateInspectionPlan, body: inspectionPlanPatch{}, resp: inspectionPlanEdited{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/inspections", summary: "Inspection occurrences (巡检/维保任务), soonest due first unless sorted, by cursor", tag: "inspections", roles: everyRole,
			handler: s.listInspections, resp: listBody[models.Inspection]{}, status: http.StatusOK, query: keysetParams(store.InspectionSorts.Fields(), insQ...)},
		{method: http.MethodGet, path: "/api/v1/inspections/:id", summary: "An occurrence with its live process state, events and messages", tag: "inspections", roles: everyRole,
			handler: s.getInspection, resp: inspectionDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/inspections/:id/actions/:action", summary: actionSummary(workflows.InspectionActions()), tag: "inspections",
			roles: everyRole, handler: s.inspectionAction, body: inspectionActionRequest{}, resp: workflows.InspectionView{}, status: http.StatusOK, scoped: true,
			actions: workflows.InspectionActions()},
	}
}

// managersAndSupervisors may set up plans.
var managersAndSupervisors = []models.Role{models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// keysetParams are the parameters of a list callers sort and read by
// cursor, with ps its filters.
func keysetParams(fields []string, ps ...param) []param {
	return params(append(ps,
		param{"sort", "string", "order: one of " + strings.Join(fields, ", ") + "; a leading - for descending; ties by id"},
		param{"cursor", "string", "the next_cursor of the page before (keyset pagination; page is then ignored)"},
		param{"before", "string", "the prev_cursor of the page after: reads the page before it"})...)
}
