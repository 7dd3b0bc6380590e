package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// feeRoles set fee standards and record meter readings.
var feeRoles = []models.Role{models.RoleFinance, models.RoleEstateManager, models.RoleCompanyAdmin}

// versionRequest is a fee standard's price and terms from a period.
type versionRequest struct {
	UnitPrice     models.Price          `json:"unit_price"`
	PropertyTypes []models.PropertyType `json:"property_types"`
	// VacantPercent is the share billed for a vacant unit; absent: 100.
	VacantPercent *int   `json:"vacant_percent"`
	ValidFrom     string `json:"valid_from"`
	ValidTo       string `json:"valid_to"`
}

func (in versionRequest) version() models.FeeStandardVersion {
	v := models.FeeStandardVersion{UnitPrice: in.UnitPrice, PropertyTypes: in.PropertyTypes, VacantPercent: 100,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo}
	if in.VacantPercent != nil {
		v.VacantPercent = *in.VacantPercent
	}
	return v
}

// feeStandardRequest is a standard and its first version (the fields of
// versionRequest, spelled out so that a bad value is named by its field).
type feeStandardRequest struct {
	EstateID      uint64                `json:"estate_id" validate:"required"`
	Name          string                `json:"name" validate:"required,max=50"`
	Method        models.PricingMethod  `json:"method" validate:"required"`
	MeterKind     models.MeterKind      `json:"meter_kind"`
	UnitPrice     models.Price          `json:"unit_price"`
	PropertyTypes []models.PropertyType `json:"property_types"`
	VacantPercent *int                  `json:"vacant_percent"`
	ValidFrom     string                `json:"valid_from"`
	ValidTo       string                `json:"valid_to"`
}

// createFeeStandard adds an estate's fee standard with its first version;
// the same name twice in an estate is 409.
func (s *Server) createFeeStandard(c *gin.Context) {
	var in feeStandardRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	std := models.FeeStandard{EstateID: in.EstateID, Name: in.Name, Method: in.Method, MeterKind: in.MeterKind}
	v := versionRequest{UnitPrice: in.UnitPrice, PropertyTypes: in.PropertyTypes, VacantPercent: in.VacantPercent, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo}
	if err := s.store.CreateFeeStandard(c.Request.Context(), p.scope(), &std, v.version(), &p.Staff.ID); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, std)
}

// addFeeStandardVersion changes a standard's price or terms from a later
// period; issued bills keep theirs.
func (s *Server) addFeeStandardVersion(c *gin.Context) {
	var in versionRequest
	std, ok := loadAndBind(s, c, s.store.FeeStandard, &in)
	if !ok {
		return
	}
	p := caller(c)
	got, err := s.store.AddFeeStandardVersion(c.Request.Context(), p.scope(), std.ID, in.version(), &p.Staff.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, got)
}

func (s *Server) listFeeStandards(c *gin.Context) {
	q := query{c: c}
	serveList(s, c, &q, store.FeeStandardFilter{EstateID: q.uint("estate_id")}, s.store.FeeStandards, same[models.FeeStandard])
}

func (s *Server) getFeeStandard(c *gin.Context) {
	serveScoped(s, c, s.store.FeeStandard, same[models.FeeStandard])
}

type readingRequest struct {
	UnitID uint64           `json:"unit_id" validate:"required"`
	Kind   models.MeterKind `json:"kind" validate:"required"`
	Period string           `json:"period" validate:"required"`
	Value  models.Quantity  `json:"value"`
	// Previous is the value before the first reading of a meter (e.g. at
	// handover); later readings follow the unit's last one.
	Previous models.Quantity `json:"previous"`
}

// createReading records one meter reading: 201 when recorded (ok or
// flagged for review), 200 when the same value was recorded before, 409
// when another value was.
func (s *Server) createReading(c *gin.Context) {
	var in readingRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	by := p.Staff.ID
	res, err := s.store.RecordReadings(c.Request.Context(), p.scope(), []models.MeterReading{{UnitID: in.UnitID, Kind: in.Kind, Period: in.Period,
		Value: in.Value, Previous: in.Previous, RecordedBy: &by}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		respondError(c, s.log, referenced(err, "unit_id", "房屋", in.UnitID))
		return
	}
	switch res[0].Outcome {
	case store.ReadingConflict:
		respondError(c, s.log, &stateError{state: string(res[0].Reading.Status), msg: "该房屋本期此表已录入不同读数 " + res[0].Reading.Value.Decimal()})
	case store.ReadingUnchanged:
		c.JSON(http.StatusOK, res[0].Reading)
	default:
		c.JSON(http.StatusCreated, res[0].Reading)
	}
}

func (s *Server) listReadings(c *gin.Context) {
	q := query{c: c}
	f := store.ReadingFilter{EstateID: q.uint("estate_id"), UnitID: q.uint("unit_id"), Period: c.Query("period"),
		Status: models.ReadingStatus(q.oneOf("status", string(models.ReadingOK), string(models.ReadingFlagged), string(models.ReadingAccepted)))}
	checkPeriodQuery(&q, f.Period)
	serveList(s, c, &q, f, s.store.Readings, same[models.MeterReading])
}

// checkPeriodQuery refuses a period query parameter that is not YYYY-MM.
func checkPeriodQuery(q *query, period string) {
	var m models.Month
	if period != "" && m.UnmarshalText([]byte(period)) != nil && q.err == nil {
		q.err = models.Invalid("period", "应为月份，格式 YYYY-MM")
	}
}

type acceptReadingRequest struct {
	// Value corrects the reading; absent accepts it as read.
	Value *models.Quantity `json:"value"`
	Note  string           `json:"note" validate:"max=500"`
}

// acceptReading is finance accepting (or correcting) a flagged reading; one
// not flagged is 409.
func (s *Server) acceptReading(c *gin.Context) {
	var in acceptReadingRequest
	r, ok := loadAndBind(s, c, s.store.Reading, &in)
	if !ok {
		return
	}
	p := caller(c)
	got, err := s.store.AcceptReading(c.Request.Context(), p.scope(), r.ID, in.Value, in.Note, p.Staff.ID, s.now())
	if errors.Is(err, models.ErrInvalidState) {
		err = &stateError{state: string(r.Status), msg: "只有待复核的读数可以确认"}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, got)
}

// previewBillingRun shows what a billing run would issue, writing nothing.
func (s *Server) previewBillingRun(c *gin.Context) {
	in, ok := s.bindBillingRun(c)
	if !ok {
		return
	}
	pre, err := s.store.PreviewBilling(c.Request.Context(), caller(c).scope(), in.EstateID, in.Period)
	if err != nil {
		respondError(c, s.log, referenced(err, "estate_id", "小区", in.EstateID))
		return
	}
	c.JSON(http.StatusOK, pre)
}

type adjustmentRequest struct {
	// AmountFen is negative for a credit note (红字冲减), positive for a
	// debit note (补收).
	AmountFen models.Money `json:"amount_fen" validate:"required"`
	Reason    string       `json:"reason" validate:"required,max=500"`
}

// createAdjustment records a credit or debit note on a bill and tells the
// household's collection.
func (s *Server) createAdjustment(c *gin.Context) {
	var in adjustmentRequest
	b, ok := loadAndBind(s, c, s.store.Bill, &in)
	if !ok {
		return
	}
	p := caller(c)
	a, err := s.store.AdjustBill(c.Request.Context(), p.scope(), b.ID, in.AmountFen, in.Reason, p.Staff.ID)
	s.answerNudged(c, err, b.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeAdjustment, Ref: a.ID}, http.StatusCreated, a)
}

func (s *Server) listAdjustments(c *gin.Context) {
	b, ok := loadScoped(s, c, s.store.Bill)
	if !ok {
		return
	}
	l, err := s.store.Adjustments(c.Request.Context(), caller(c).scope(), b.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

func (s *Server) feeRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/fee-standards", summary: "Add an estate's fee standard (收费标准) with its first version (the same name twice: 409)", tag: "fees", roles: feeRoles, handler: s.createFeeStandard, body: feeStandardRequest{}, resp: models.FeeStandard{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/fee-standards", summary: "Fee standards with their versions, by name", tag: "fees", roles: everyRole, handler: s.listFeeStandards, resp: listBody[models.FeeStandard]{}, status: http.StatusOK, query: params(estateQ)},
		{method: http.MethodGet, path: "/api/v1/fee-standards/:id", summary: "One fee standard with its versions", tag: "fees", roles: everyRole, handler: s.getFeeStandard, resp: models.FeeStandard{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/fee-standards/:id/versions", summary: "Change a standard's price or terms from a later period (the previous version ends the month before; issued bills keep theirs)", tag: "fees", roles: feeRoles, handler: s.addFeeStandardVersion, body: versionRequest{}, resp: models.FeeStandard{}, status: http.StatusCreated, scoped: true},
		{method: http.MethodPost, path: "/api/v1/meter-readings", summary: "Record a meter reading (抄表); below the last one or beyond the policy's ratio of the recent average it is flagged for review (the same value again: 200; another: 409)", tag: "fees", roles: feeRoles, handler: s.createReading, body: readingRequest{}, resp: models.MeterReading{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/meter-readings", summary: "Meter readings, newest period first", tag: "fees", roles: everyRole, handler: s.listReadings, resp: listBody[models.MeterReading]{}, status: http.StatusOK,
			query: params(estateQ, param{"unit_id", "integer", "only this unit"}, param{"period", "string", "YYYY-MM"}, param{"status", "string", "ok, flagged or accepted"})},
		{method: http.MethodPost, path: "/api/v1/meter-readings/:id/accept", summary: "Finance accepts (or corrects) a flagged reading, so it bills (not flagged: 409)", tag: "fees", roles: financeRoles, handler: s.acceptReading, body: acceptReadingRequest{}, resp: models.MeterReading{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/billing-runs/preview", summary: "What a billing run would issue: lines per household, totals per item, households skipped and why (writes nothing)", tag: "billing", roles: financeRoles, handler: s.previewBillingRun, body: billingRunRequest{}, resp: models.BillingPreview{}, status: http.StatusOK},
		{method: http.MethodPost, path: "/api/v1/bills/:id/adjustments", summary: "A credit (negative) or debit note on an issued bill, with a reason; tells its collection", tag: "billing", roles: financeRoles, handler: s.createAdjustment, body: adjustmentRequest{}, resp: models.BillAdjustment{}, status: http.StatusCreated, scoped: true},
		{method: http.MethodGet, path: "/api/v1/bills/:id/adjustments", summary: "A bill's credit and debit notes", tag: "billing", roles: everyRole, handler: s.listAdjustments, resp: []models.BillAdjustment{}, status: http.StatusOK, scoped: true},
	}
}
