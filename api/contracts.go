package api

import (
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

// contractRequest records an estate's service contract (物业服务合同).
type contractRequest struct {
	EstateID uint64 `json:"estate_id"`
	models.ContractRecord
	TermStart     models.Date         `json:"term_start"`
	TermEnd       models.Date         `json:"term_end"`
	FeeStandardID *uint64             `json:"fee_standard_id"`
	ServiceLevel  models.ServiceLevel `json:"service_level"`
	// SignedOn is when the first version took effect (default: term_start).
	SignedOn models.Date `json:"signed_on"`
}

// createContract records a contract and its first version and starts its
// expiry process: 201 once the process has started.
func (s *Server) createContract(c *gin.Context) {
	var in contractRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p, ctx, now := caller(c), c.Request.Context(), s.now()
	terms := models.ContractTerms{FeeStandardID: in.FeeStandardID, ServiceLevel: in.ServiceLevel}
	err := in.ContractRecord.Validate()
	if err == nil && in.EstateID == 0 {
		err = models.Invalid("estate_id", "必填")
	}
	if err == nil {
		err = terms.Validate()
	}
	var pol models.Policy
	var loc *time.Location
	if err == nil && !p.scope().Allows(in.EstateID) {
		err = models.Invalid("estate_id", "没有小区 %d", in.EstateID)
	}
	if err == nil {
		if pol, loc, err = s.estatePolicy(ctx, in.EstateID); errors.Is(err, models.ErrNotFound) {
			err = models.Invalid("estate_id", "没有小区 %d", in.EstateID)
		}
	}
	term := models.ContractTerm{Start: models.ContractDate(in.TermStart), End: models.ContractDate(in.TermEnd)}
	if in.TermStart.IsZero() {
		term.Start = time.Time{}
	}
	if in.TermEnd.IsZero() {
		term.End = time.Time{}
	}
	if err == nil {
		err = pol.Contract.CheckTerm(term, time.Time{}, now)
	}
	signed := term.Start
	if err == nil && !in.SignedOn.IsZero() {
		signed = models.ContractDate(in.SignedOn)
		err = models.CheckTime("signed_on", signed, now)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	ct := models.Contract{EstateID: in.EstateID, ContractRecord: in.ContractRecord, ContractTerms: terms, CreatedBy: p.Staff.ID,
		ContractProgress: models.ContractProgress{TermStart: term.Start, TermEnd: term.End}}
	ct.Status = pol.Contract.ContractStatusAt(models.ContractEnd(term.End, loc), now, false, false)
	v := models.ContractVersion{Key: "signed", EffectiveOn: signed, Changes: "签订合同"}
	if err := s.store.CreateContract(ctx, &ct, &v); err != nil {
		var open *store.OpenContractError
		if errors.As(err, &open) {
			err = &stateError{state: string(open.Status), msg: fmt.Sprintf("该小区的合同 %d 尚未移交", open.ContractID)}
		}
		respondError(c, s.log, err)
		return
	}
	if err := s.startProcess(ctx, workflows.ContractWorkflowID(ct.ID), workflows.Contract,
		workflows.NewContractInput(ct, pol, loc.String())); err != nil {
		respondError(c, s.log, fmt.Errorf("start contract %d: %w", ct.ID, err))
		return
	}
	s.log.InfoContext(ctx, "contract recorded", "contract_id", ct.ID, "estate_id", ct.EstateID, "by", p.Staff.ID)
	c.JSON(http.StatusCreated, ct)
}

// listContracts lists contracts, the term ending soonest first unless
// sorted.
func (s *Server) listContracts(c *gin.Context) {
	q := query{c: c}
	f := store.ContractFilter{EstateID: q.uint("estate_id"), Status: oneOfEnum(&q, "status", models.ContractStatuses())}
	if v := c.Query("ends_before"); v != "" && q.err == nil {
		f.EndsBefore, q.err = parseInstant("ends_before", v)
	}
	page := q.sortedPage(store.ContractSorts.Fields())
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	l, err := s.store.Contracts(c.Request.Context(), caller(c).scope(), f, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listResponse(l, page, func(ct models.Contract) models.Contract { return ct }))
}

// contractDetail is a contract with its versions, its journal, its live
// process state and the messages sent about it.
type contractDetail struct {
	Contract models.Contract          `json:"contract"`
	Versions []models.ContractVersion `json:"versions"`
	Events   []models.CaseEvent       `json:"events"`
	processDetail[contractProcess]
}

// contractProcess is workflows.ContractView in the API's JSON style.
type contractProcess struct {
	Status          models.ContractStatus `json:"status"`
	TermStart       time.Time             `json:"term_start"`
	TermEnd         time.Time             `json:"term_end"`
	EndsAt          time.Time             `json:"ends_at"`
	RemindersSent   int                   `json:"reminders_sent"`
	Deciding        bool                  `json:"deciding"`
	Renewals        int                   `json:"renewals"`
	EscalationLevel int                   `json:"escalation_level"`
	NextTimer       string                `json:"next_timer"`
	NextTimerAt     *time.Time            `json:"next_timer_at"`
	HandOverNote    string                `json:"hand_over_note,omitempty"`
	ClosedAt        *time.Time            `json:"closed_at"`
	AsOf            time.Time             `json:"as_of"`
}

func viewContract(v workflows.ContractView) *contractProcess {
	return &contractProcess{Status: v.Status, TermStart: v.TermStart, TermEnd: v.TermEnd, EndsAt: v.EndsAt,
		RemindersSent: v.RemindersSent, Deciding: v.Deciding, Renewals: v.Renewals, EscalationLevel: v.EscalationLevel,
		NextTimer: v.NextTimer, NextTimerAt: v.NextTimerAt, HandOverNote: v.HandOverNote, ClosedAt: v.ClosedAt, AsOf: v.AsOf}
}

func contractRef(id uint64) string { return "contract:" + strconv.FormatUint(id, 10) }

// getContract answers a contract's detail.
func (s *Server) getContract(c *gin.Context) {
	ct, ok := loadScoped(s, c, s.store.Contract)
	if !ok {
		return
	}
	p, ctx := caller(c), c.Request.Context()
	out := contractDetail{Contract: ct}
	var err error
	if out.Versions, err = s.store.ContractVersions(ctx, p.scope(), ct.ID); err == nil {
		out.Events, err = s.store.ContractEvents(ctx, p.scope(), ct.ID)
	}
	if err == nil {
		out.processDetail, err = readDetail(s, ctx, workflows.Contracts(s.temporal), ct.ID, p, contractRef(ct.ID),
			func(v workflows.ContractView) bool { return !v.Status.Terminal() }, viewContract)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// listContractVersions answers a contract's versions, oldest first.
func (s *Server) listContractVersions(c *gin.Context) {
	id, err := pathID(c, "id")
	var vs []models.ContractVersion
	if err == nil {
		vs, err = s.store.ContractVersions(c.Request.Context(), caller(c).scope(), id)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listBody[models.ContractVersion]{Items: vs, Total: int64(len(vs)), Page: 1, PageSize: len(vs)})
}

// contractVersionRequest is a supplementary agreement (补充协议): what
// changed from when, and the terms from then on; the term itself changes
// only by a renewal (the renew action).
type contractVersionRequest struct {
	EffectiveOn   models.Date         `json:"effective_on"`
	Changes       string              `json:"changes"`
	FeeStandardID *uint64             `json:"fee_standard_id"`
	ServiceLevel  models.ServiceLevel `json:"service_level"`
}

// addContractVersion records a supplementary agreement (Idempotency-Key: a
// retry returns the same version, 200).
func (s *Server) addContractVersion(c *gin.Context) {
	ct, ok := loadScoped(s, c, s.store.Contract)
	if !ok {
		return
	}
	var in contractVersionRequest
	key, ok := s.bindIdempotent(c, &in)
	if !ok {
		return
	}
	p, ctx, now := caller(c), c.Request.Context(), s.now()
	terms := models.ContractTerms{FeeStandardID: in.FeeStandardID, ServiceLevel: in.ServiceLevel}
	err := models.CheckChanges(in.Changes)
	if err == nil && in.EffectiveOn.IsZero() {
		err = models.Invalid("effective_on", "必填")
	}
	if err == nil {
		err = models.CheckTime("effective_on", models.ContractDate(in.EffectiveOn), now)
	}
	if err == nil {
		err = terms.Validate()
	}
	if err == nil && ct.Status.Terminal() {
		err = &stateError{state: string(ct.Status), msg: "合同已移交"}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	if key == "" {
		key = fmt.Sprintf("api-%d-%d", p.Staff.ID, now.UnixNano())
	}
	v := models.ContractVersion{ContractID: ct.ID, Key: key, EffectiveOn: models.ContractDate(in.EffectiveOn), Changes: in.Changes,
		ContractTerms: terms, CreatedBy: p.Staff.ID}
	created, err := s.store.AddContractVersion(ctx, p.scope(), &v)
	if errors.Is(err, models.ErrInvalidState) {
		err = &stateError{state: string(models.ContractHandedOver), msg: "合同已移交"}
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(createdStatus(created), v)
}

// contractActionRequest carries the fields any contract action may take;
// the process's validator says which the action needs.
type contractActionRequest struct {
	TermStart     *models.Date        `json:"term_start"`
	TermEnd       *models.Date        `json:"term_end"`
	EffectiveOn   *models.Date        `json:"effective_on"`
	Changes       string              `json:"changes" validate:"max=2000"`
	FeeStandardID *uint64             `json:"fee_standard_id"`
	ServiceLevel  models.ServiceLevel `json:"service_level"`
	Note          string              `json:"note" validate:"max=500"`
}

func (in contractActionRequest) assignee() uint64 { return 0 }

// contractDateOf is d as a contract date, nil for none.
func contractDateOf(d *models.Date) *time.Time {
	if d == nil || d.IsZero() {
		return nil
	}
	t := models.ContractDate(*d)
	return &t
}

// contractAction applies a staff action through the contract's process.
func (s *Server) contractAction(c *gin.Context) {
	ct, ok := loadScoped(s, c, s.store.Contract)
	if !ok {
		return
	}
	var in contractActionRequest
	action, key, ok := s.actionRequest(c, workflows.ContractActions(), &in, actionCase{noun: "合同",
		status: string(ct.Status), ended: ct.Status.Terminal(), estateID: ct.EstateID})
	if !ok {
		return
	}
	p, ctx := caller(c), c.Request.Context()
	a := workflows.ContractAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, TermStart: contractDateOf(in.TermStart),
		TermEnd: contractDateOf(in.TermEnd), EffectiveOn: contractDateOf(in.EffectiveOn), Changes: in.Changes, Note: in.Note,
		ContractTerms: models.ContractTerms{FeeStandardID: in.FeeStandardID, ServiceLevel: in.ServiceLevel}}
	view, err := act(ctx, workflows.Contracts(s.temporal), ct.ID, key, a, func() (string, error) {
		cur, err := s.store.Contract(ctx, p.scope(), ct.ID)
		return string(cur.Status), err
	})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "contract action", "contract_id", ct.ID, "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, viewContract(view))
}

func (s *Server) contractRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/contracts", summary: "Record an estate's service contract (物业服务合同): parties, term, fee standard, service level; its first version; starts its expiry process (reminders before the end, renewal or hand-over). 409 while the estate's contract is not handed over", tag: "contracts",
			roles: managers, handler: s.createContract, body: contractRequest{}, resp: models.Contract{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/contracts", summary: "Service contracts, the term ending soonest first unless sorted", tag: "contracts", roles: dashboardRoles, handler: s.listContracts,
			resp: listBody[models.Contract]{}, status: http.StatusOK,
			query: sortedParams(store.ContractSorts.Fields(), estateQ, param{"status", "string", "active, expiring, expired, renewing or handed_over"},
				param{"ends_before", "string", "the term ends before this time or date"})},
		{method: http.MethodGet, path: "/api/v1/contracts/:id", summary: "A service contract with its versions, events, live process state and messages", tag: "contracts",
			roles: dashboardRoles, handler: s.getContract, resp: contractDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/contracts/:id/versions", summary: "A service contract's versions (signing, renewals, supplementary agreements 补充协议), oldest first", tag: "contracts",
			roles: dashboardRoles, handler: s.listContractVersions, resp: listBody[models.ContractVersion]{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/contracts/:id/versions", summary: "Record a supplementary agreement (补充协议): what changed, from when, the fee standard and service level from then on (Idempotency-Key header: a retry returns the same version)", tag: "contracts",
			roles: managers, handler: s.addContractVersion, body: contractVersionRequest{}, resp: models.ContractVersion{}, status: http.StatusCreated, scoped: true},
		{method: http.MethodPost, path: "/api/v1/contracts/:id/actions/:action", summary: actionSummary(workflows.ContractActions()), tag: "contracts",
			roles: dashboardRoles, handler: s.contractAction, body: contractActionRequest{}, resp: contractProcess{}, status: http.StatusOK, scoped: true, actions: workflows.ContractActions()},
	}
}
