package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// Role sets of the billing and arrears routes.
var (
	financeRoles  = []models.Role{models.RoleFinance, models.RoleCompanyAdmin}
	disputeRoles  = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance, models.RoleCompanyAdmin}
	planProposers = disputeRoles
)

// nudgeCollection tells a household's collection process that its account
// changed, starting the process if it does not run
// (workflows.SignalCollection: the fact is never lost).
func (s *Server) nudgeCollection(ctx context.Context, householdID uint64, n workflows.CollectionNudge) error {
	all := store.AllEstates()
	h, err := s.store.Household(ctx, all, householdID)
	if err != nil {
		return err
	}
	e, err := s.store.Estate(ctx, all, h.EstateID)
	if err != nil {
		return err
	}
	pol, err := s.store.Policy(ctx, all, h.EstateID)
	if err != nil {
		return err
	}
	if n.At.IsZero() {
		n.At = s.now()
	}
	sctx, cancel := detached(ctx, 30*time.Second)
	defer cancel()
	return workflows.SignalCollection(sctx, s.temporal,
		workflows.CollectionInput{HouseholdID: householdID, EstateID: h.EstateID, Policy: pol.Policy, TimeZone: e.TimeZone}, n)
}

// answerNudged answers a change to a household's account: unless err, the
// change's own error, is set, the household's collection process is told of
// the change (nudgeCollection, the caller acting) and the answer is body
// with status; either error answers instead.
func (s *Server) answerNudged(c *gin.Context, err error, householdID uint64, n workflows.CollectionNudge, status int, body any) {
	if err == nil {
		n.ActorID = caller(c).Staff.ID
		err = s.nudgeCollection(c.Request.Context(), householdID, n)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(status, body)
}

type feeItemRequest struct {
	HouseholdID uint64       `json:"household_id" validate:"required"`
	Name        string       `json:"name" validate:"required,max=50"`
	AmountFen   models.Money `json:"amount_fen" validate:"gt=0,lte=100000000"`
}

func (in feeItemRequest) record() (models.FeeItem, error) {
	return models.FeeItem{HouseholdID: in.HouseholdID, Name: in.Name, AmountFen: in.AmountFen, Active: true}, nil
}

func (s *Server) createFeeItem(c *gin.Context) {
	serveCreate[feeItemRequest](s, c, s.store.CreateFeeItem, same[models.FeeItem])
}

func (s *Server) listFeeItems(c *gin.Context) {
	q := query{c: c}
	f := store.FeeItemFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id")}
	serveList(s, c, &q, f, s.store.FeeItems, same[models.FeeItem])
}

type billRequest struct {
	HouseholdID uint64       `json:"household_id" validate:"required"`
	Period      models.Month `json:"period"`
	AmountFen   models.Money `json:"amount_fen" validate:"gt=0,lte=100000000"`
}

// policyOf reads the policy and time zone of the estate of a household
// inside the caller's scope; an unknown household names field.
func (s *Server) policyOf(ctx context.Context, scope store.Scope, householdID uint64, field string) (models.Household, models.Policy, *time.Location, error) {
	h, err := s.store.Household(ctx, scope, householdID)
	if err != nil {
		return h, models.Policy{}, nil, referenced(err, field, "住户", householdID)
	}
	p, loc, err := s.estatePolicy(ctx, h.EstateID)
	return h, p, loc, err
}

// account is what a household inside scope owes today, in its estate's
// time zone and under its estate's fee terms.
func (s *Server) account(ctx context.Context, scope store.Scope, householdID uint64) (models.Account, error) {
	l, err := s.store.HouseholdLedger(ctx, scope, householdID)
	if err != nil {
		return models.Account{}, err
	}
	pol, loc, err := s.estatePolicy(ctx, l.Household.EstateID)
	if err != nil {
		return models.Account{}, err
	}
	return s.statement(l, pol, loc), nil
}

// statement is what ledger l owes today under the estate's policy pol in
// its time zone loc.
func (s *Server) statement(l store.Ledger, pol models.Policy, loc *time.Location) models.Account {
	bills, pays := l.Arith()
	return models.Statement(bills, pays, models.DateOf(s.now(), loc), pol.Fees)
}

func (s *Server) estatePolicy(ctx context.Context, estateID uint64) (models.Policy, *time.Location, error) {
	all := store.AllEstates()
	e, err := s.store.Estate(ctx, all, estateID)
	if err != nil {
		return models.Policy{}, nil, err
	}
	p, err := s.store.Policy(ctx, all, estateID)
	if err != nil {
		return models.Policy{}, nil, err
	}
	return p.Policy, estateLocation(e), nil
}

// createBill issues one household's bill for a period. The same household
// and period again with the same amount is that bill (200): a client's retry
// after a failed nudge repairs the process; another amount is 409. Either
// way the household's collection process is started or told.
func (s *Server) createBill(c *gin.Context) {
	var in billRequest
	if !s.bindJSON(c, &in) {
		return
	}
	if in.Period == (models.Month{}) {
		respondError(c, s.log, models.Invalid("period", "必填"))
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	_, pol, _, err := s.policyOf(ctx, p.scope(), in.HouseholdID, "household_id")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	status := http.StatusCreated
	b, err := s.store.IssueBill(ctx, p.scope(), in.HouseholdID, in.Period, in.AmountFen, pol.Fees, &p.Staff.ID)
	if errors.Is(err, models.ErrConflict) {
		status = http.StatusOK
		b, err = s.issuedBill(ctx, p.scope(), in)
	}
	s.answerNudged(c, err, b.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeBill, Ref: b.ID}, status, b)
}

// issuedBill is the bill already issued for in's household and period, or
// models.ErrConflict when its amount differs from in's.
func (s *Server) issuedBill(ctx context.Context, scope store.Scope, in billRequest) (models.HouseholdBill, error) {
	l, err := s.store.Bills(ctx, scope, store.BillFilter{HouseholdID: in.HouseholdID, Period: in.Period.String()}, store.Page{Size: 1})
	if err != nil {
		return models.HouseholdBill{}, err
	}
	if len(l.Items) == 0 {
		// Gone between the insert and the read: report the conflict.
		return models.HouseholdBill{}, fmt.Errorf("bill of household %d for %s: %w", in.HouseholdID, in.Period, models.ErrConflict)
	}
	b := l.Items[0]
	if b.AmountFen != in.AmountFen {
		return b, fmt.Errorf("bill of household %d for %s: %w: bill %d of %d fen is issued", in.HouseholdID, in.Period, models.ErrConflict, b.ID, b.AmountFen)
	}
	return b, nil
}

// listBills lists bills (newest period first unless sorted), or exports
// them.
func (s *Server) listBills(c *gin.Context) {
	q := query{c: c}
	f := store.BillFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id"), Period: c.Query("period")}
	if f.Period != "" {
		var m models.Month
		if m.UnmarshalText([]byte(f.Period)) != nil && q.err == nil {
			q.err = models.Invalid("period", "应为月份，格式 YYYY-MM")
		}
	}
	page, format := q.sortedPage(store.BillSorts.Fields()), q.format()
	serveAddressed(s, c, &q, page, format, f, s.store.Bills, func(b models.HouseholdBill) uint64 { return b.HouseholdID },
		func(b models.HouseholdBill, address string) billRow {
			return billRow{HouseholdBill: b, Address: address}
		}, "账单", billColumns())
}

// billRow is a bill in a list, with its household's address ("1栋 101").
type billRow struct {
	models.HouseholdBill
	Address string `json:"address"`
}

// billColumns are the columns of the bill export, one row per bill. What
// else a bill comes to show (its itemised lines, say) joins as a field of
// billRow, filled where the rows are read, and a column here.
func billColumns() []column[billRow] {
	return []column[billRow]{
		{"账单号", func(r billRow) string { return strconv.FormatUint(r.ID, 10) }},
		{"住户", func(r billRow) string { return r.Address }},
		{"账期", func(r billRow) string { return r.Period }},
		{"金额（元）", func(r billRow) string { return r.AmountFen.Yuan() }},
		{"减免滞纳金（元）", func(r billRow) string { return r.WaivedFen.Yuan() }},
		{"到期日", func(r billRow) string { return r.DueOn.Format(time.DateOnly) }},
		{"原到期日", func(r billRow) string { return r.OriginalDueOn.Format(time.DateOnly) }},
		{"异议中", func(r billRow) string { return yesNo(r.Disputed) }},
		{"开具时间", func(r billRow) string { return cellTime(&r.CreatedAt) }},
	}
}

// yesNo shows a flag in an export's cell.
func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func (s *Server) getBill(c *gin.Context) {
	serveScoped(s, c, s.store.Bill, same[models.HouseholdBill])
}

type billingRunRequest struct {
	EstateID uint64       `json:"estate_id" validate:"required"`
	Period   models.Month `json:"period"`
}

// bindBillingRun reads a billing run's estate and period: the period is
// required and the estate must be the caller's.
func (s *Server) bindBillingRun(c *gin.Context) (billingRunRequest, bool) {
	var in billingRunRequest
	if !s.bindJSON(c, &in) {
		return in, false
	}
	err := models.Invalid("period", "必填")
	switch {
	case in.Period != (models.Month{}) && !caller(c).scope().Allows(in.EstateID):
		err = models.Invalid("estate_id", "小区 %d 不存在，或不属于您", in.EstateID)
	case in.Period != (models.Month{}):
		return in, true
	}
	respondError(c, s.log, err)
	return in, false
}

// createBillingRun issues a month's bills to every household of an estate
// from its fee items; running it twice creates only what is missing.
func (s *Server) createBillingRun(c *gin.Context) {
	in, ok := s.bindBillingRun(c)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	pol, _, err := s.estatePolicy(ctx, in.EstateID)
	if err != nil {
		respondError(c, s.log, referenced(err, "estate_id", "小区", in.EstateID))
		return
	}
	run, err := s.store.RunBilling(ctx, p.scope(), in.EstateID, in.Period, pol.Fees, &p.Staff.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	for i, hh := range run.HouseholdIDs {
		if err := s.nudgeCollection(ctx, hh, workflows.CollectionNudge{Kind: workflows.NudgeBill, Ref: run.BillIDs[i], ActorID: p.Staff.ID}); err != nil {
			respondError(c, s.log, err)
			return
		}
	}
	s.log.InfoContext(ctx, "billing run", "estate_id", in.EstateID, "period", in.Period.String(), "created", run.Created, "existing", run.Existing)
	c.JSON(http.StatusCreated, run)
}

type paymentRequest struct {
	HouseholdID uint64                `json:"household_id" validate:"required"`
	AmountFen   models.Money          `json:"amount_fen" validate:"gt=0,lte=1000000000"`
	PaidAt      time.Time             `json:"paid_at" validate:"required"`
	Channel     models.PaymentChannel `json:"channel" validate:"required,oneof=cash wechat alipay bank card deduction"`
	Reference   string                `json:"reference" validate:"required,max=100"`
}

// createPayment records a payment; the same reference twice is one payment
// (200 with the first record). The household's collection is told.
func (s *Server) createPayment(c *gin.Context) {
	var in paymentRequest
	if !s.bindJSON(c, &in) {
		return
	}
	if in.PaidAt.After(s.now().Add(5 * time.Minute)) {
		respondError(c, s.log, models.Invalid("paid_at", "不能晚于现在"))
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	// policyOf refuses a household outside the caller's estates.
	if _, _, _, err := s.policyOf(ctx, p.scope(), in.HouseholdID, "household_id"); err != nil {
		respondError(c, s.log, err)
		return
	}
	got, created, err := s.recordPayment(ctx, models.FeePayment{HouseholdID: in.HouseholdID, AmountFen: in.AmountFen, PaidAt: in.PaidAt,
		Channel: in.Channel, Reference: in.Reference, RecordedBy: p.Staff.ID})
	s.answerNudged(c, err, got.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgePayment, Ref: got.ID}, createdStatus(created), got)
}

// listPayments lists payments (newest first unless sorted), or exports
// them.
func (s *Server) listPayments(c *gin.Context) {
	q := query{c: c}
	f := store.PaymentFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id")}
	page, format := q.sortedPage(store.PaymentSorts.Fields()), q.format()
	serveAddressed(s, c, &q, page, format, f, s.store.Payments, func(p models.FeePayment) uint64 { return p.HouseholdID },
		func(p models.FeePayment, address string) paymentRow {
			return paymentRow{FeePayment: p, Address: address}
		}, "收款", paymentColumns)
}

// paymentRow is a payment in a list, with its household's address.
type paymentRow struct {
	models.FeePayment
	Address string `json:"address"`
}

// paymentColumns are the columns of the payment export.
var paymentColumns = []column[paymentRow]{
	{"收款编号", func(r paymentRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"住户", func(r paymentRow) string { return r.Address }},
	{"金额（元）", func(r paymentRow) string { return r.AmountFen.Yuan() }},
	{"收款时间", func(r paymentRow) string { return cellTime(&r.PaidAt) }},
	{"渠道", func(r paymentRow) string { return r.Channel.Label() }},
	{"凭证号", func(r paymentRow) string { return r.Reference }},
}

type reasonRequest struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// createDispute records a resident's dispute of a bill: 409 invalid_state
// once the bill is less than DisputeBeforeDueDays from due, or already
// disputed. The ladder pauses while it is open.
func (s *Server) createDispute(c *gin.Context) {
	var in reasonRequest
	b, ok := loadAndBind(s, c, s.store.Bill, &in)
	if !ok {
		return
	}
	p := caller(c)
	d, err := s.disputeBill(c.Request.Context(), p.scope(), b, in.Reason, p.Staff.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// disputeBill opens a dispute of bill b inside scope, recorded by staff
// member by (0: the resident, through their link), and tells the
// household's collection process, which pauses while it is open. A bill
// past its dispute window, or disputed already, is a *stateError saying so
// in Chinese.
func (s *Server) disputeBill(ctx context.Context, scope store.Scope, b models.HouseholdBill, reason string, by uint64) (models.BillDispute, error) {
	pol, loc, err := s.estatePolicy(ctx, b.EstateID)
	if err != nil {
		return models.BillDispute{}, err
	}
	d, err := s.store.OpenDispute(ctx, scope, b.ID, reason, by, s.now(), loc, pol.Fees)
	if errors.Is(err, models.ErrInvalidState) {
		due := models.DateOf(b.DueOn, time.UTC)
		err = &stateError{state: "dispute_window_closed", msg: fmt.Sprintf(
			"该账单已不能提出异议：异议须在到期日（%s）%d 天前提出", due, pol.Fees.DisputeBeforeDueDays)}
		if models.DisputeAllowed(due, models.DateOf(s.now(), loc), pol.Fees) {
			err = &stateError{state: "disputed", msg: "该账单已有异议在处理中"}
		}
	}
	if err != nil {
		return d, err
	}
	return d, s.nudgeCollection(ctx, b.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeDispute, Ref: d.ID, ActorID: by})
}

type resolveRequest struct {
	// CorrectedFen is the corrected amount; null upholds the bill.
	CorrectedFen *models.Money `json:"corrected_fen" validate:"omitempty,gte=0,lte=100000000"`
	Resolution   string        `json:"resolution" validate:"required,max=500"`
}

// resolveDispute closes a dispute (finance): corrected or upheld; the bill's
// due date moves by the days it was disputed.
func (s *Server) resolveDispute(c *gin.Context) {
	var in resolveRequest
	d, ok := loadAndBind(s, c, s.store.Dispute, &in)
	if !ok {
		return
	}
	p := caller(c)
	d, err := s.store.ResolveDispute(c.Request.Context(), p.scope(), d.ID, in.CorrectedFen, in.Resolution, p.Staff.ID, s.now())
	if errors.Is(err, models.ErrInvalidState) {
		err = &stateError{state: string(d.Status), msg: "该异议已处理"}
	}
	s.answerNudged(c, err, d.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeResolved, Ref: d.ID}, http.StatusOK, d)
}

type waiverRequest struct {
	AmountFen models.Money `json:"amount_fen" validate:"gt=0,lte=100000000"`
	Reason    string       `json:"reason" validate:"required,max=500"`
}

// createWaiver forgives part or all of a bill's late fee (estate managers).
func (s *Server) createWaiver(c *gin.Context) {
	var in waiverRequest
	b, ok := loadAndBind(s, c, s.store.Bill, &in)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	acc, err := s.account(ctx, p.scope(), b.HouseholdID)
	if err == nil {
		err = models.CheckWaiver(in.AmountFen, b.ID, acc)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	w, err := s.store.WaiveLateFee(ctx, p.scope(), b.ID, in.AmountFen, in.Reason, p.Staff.ID)
	s.answerNudged(c, err, b.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeWaiver, Ref: w.ID}, http.StatusCreated, w)
}

func (s *Server) billingRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/fee-items", summary: "Add a recurring monthly charge to a household", tag: "billing", roles: financeRoles, handler: s.createFeeItem, body: feeItemRequest{}, resp: models.FeeItem{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/fee-items", summary: "Fee items", tag: "billing", roles: everyRole, handler: s.listFeeItems, resp: listBody[models.FeeItem]{}, status: http.StatusOK, query: params(estateQ, param{"household_id", "integer", "only this household"})},
		{method: http.MethodPost, path: "/api/v1/bills", summary: "Issue one household's bill for a month (the same household, month and amount again is that bill: 200; another amount 409); starts or tells its collection", tag: "billing", roles: financeRoles, handler: s.createBill, body: billRequest{}, resp: models.HouseholdBill{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/bills", summary: "Bills, newest period first, with their households' addresses", tag: "billing", roles: everyRole, handler: s.listBills, resp: listBody[billRow]{}, status: http.StatusOK,
			query: exportParams(store.BillSorts.Fields(), estateQ, param{"household_id", "integer", "only this household"}, param{"period", "string", "YYYY-MM"})},
		{method: http.MethodGet, path: "/api/v1/bills/:id", summary: "One bill", tag: "billing", roles: everyRole, handler: s.getBill, resp: models.HouseholdBill{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/billing-runs", summary: "Issue a month's itemised bills to every household of an estate from its fee standards, meter readings and fee items, as the preview shows (safe to run twice)", tag: "billing", roles: financeRoles, handler: s.createBillingRun, body: billingRunRequest{}, resp: models.BillingRun{}, status: http.StatusCreated},
		{method: http.MethodPost, path: "/api/v1/payments", summary: "Record a payment (the same reference twice is one payment: 200)", tag: "billing", roles: financeRoles, handler: s.createPayment, body: paymentRequest{}, resp: models.FeePayment{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/payments", summary: "Payments, newest first, with their households' addresses", tag: "billing", roles: everyRole, handler: s.listPayments, resp: listBody[paymentRow]{}, status: http.StatusOK, query: exportParams(store.PaymentSorts.Fields(), estateQ, param{"household_id", "integer", "only this household"})},
		{method: http.MethodPost, path: "/api/v1/bills/:id/disputes", summary: "A resident disputes a bill (409 once within DisputeBeforeDueDays of due); pauses collection", tag: "billing", roles: disputeRoles, handler: s.createDispute, body: reasonRequest{}, resp: models.BillDispute{}, status: http.StatusCreated, scoped: true},
		{method: http.MethodPost, path: "/api/v1/disputes/:id/resolve", summary: "Finance resolves a dispute: corrected amount or upheld; the due date moves by the disputed days", tag: "billing", roles: financeRoles, handler: s.resolveDispute, body: resolveRequest{}, resp: models.BillDispute{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/collection-rate", summary: "The collection rate (收缴率: collected ÷ billed for the bills of the period, as of today; models.Collection) of a month's bills and of its year's up to it", tag: "billing",
			roles: financeHubRoles, handler: s.collectionRate, resp: collectionRateBody{}, status: http.StatusOK,
			query: []param{{"estate_id", "integer", "this estate (default: your own; every estate you see for company-level staff)"}, {"period", "string", "YYYY-MM, from 2000-01 to this month (default: this month)"}}},
		{method: http.MethodPost, path: "/api/v1/bills/:id/waivers", summary: "Waive part or all of a bill's late fee, with a reason", tag: "billing", roles: managers, handler: s.createWaiver, body: waiverRequest{}, resp: models.LateFeeWaiver{}, status: http.StatusCreated, scoped: true},
	}
}
