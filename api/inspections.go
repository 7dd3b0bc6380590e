package api

import (
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
		{method: http.MethodGet, path: "/api/v1/inspection-plans", summary: "Inspection and maintenance plans (巡检/维保计划), by cursor", tag: "inspections", roles: everyRole, handler: s.listInspectionPlans,
			resp: listBody[models.InspectionPlan]{}, status: http.StatusOK,
			query: keysetParams(store.InspectionPlanSorts.Fields(), estateQ, param{"equipment_id", "integer", "only this equipment"},
				param{"cadence", "string", "daily, weekly, monthly, quarterly or yearly"})},
		{method: http.MethodPost, path: "/api/v1/inspection-plans", summary: "Add a plan (checklist, cadence in the estate's time zone, working days only, assignee role or person) and start its workflow", tag: "inspections",
			roles: managersAndSupervisors, handler: s.createInspectionPlan, body: inspectionPlanRequest{}, resp: models.InspectionPlan{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/inspection-plans/:id", summary: "One plan", tag: "inspections", roles: everyRole, handler: s.getInspectionPlan,
			resp: models.InspectionPlan{}, status: http.StatusOK, scoped: true},
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
