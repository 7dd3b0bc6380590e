package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

var estateCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

type estateRequest struct {
	Code         string `json:"code" validate:"required,max=32"`
	Name         string `json:"name" validate:"required,max=100"`
	Address      string `json:"address" validate:"max=255"`
	TimeZone     string `json:"time_zone" validate:"max=64"`
	ServicePhone string `json:"service_phone" validate:"max=32"`
}

// createEstate adds an estate with the default policy (company administrators).
func (s *Server) createEstate(c *gin.Context) {
	var in estateRequest
	if !s.bindJSON(c, &in) {
		return
	}
	if !estateCode.MatchString(in.Code) {
		respondError(c, s.log, models.Invalid("code", "只能包含字母、数字、- 和 _（最多 32 个）"))
		return
	}
	if in.TimeZone == "" {
		in.TimeZone = s.defaultTZ
	}
	if err := models.CheckTimeZone("time_zone", in.TimeZone); err != nil {
		respondError(c, s.log, err)
		return
	}
	p := caller(c)
	e := models.Estate{Code: in.Code, Name: in.Name, Address: in.Address, TimeZone: in.TimeZone, ServicePhone: in.ServicePhone}
	pol := models.DefaultPolicy()
	if err := s.store.CreateEstate(c.Request.Context(), &e, pol, &p.Staff.ID); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.syncBillingSchedule(c.Request.Context(), e, pol)
	c.JSON(http.StatusCreated, e)
}

func (s *Server) listEstates(c *gin.Context) {
	q := query{c: c}
	page := q.page()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	l, err := s.store.Estates(c.Request.Context(), caller(c).scope(), page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listResponse(l, page, same[models.Estate]))
}

func (s *Server) getEstate(c *gin.Context) {
	serveScoped(s, c, s.store.Estate, same[models.Estate])
}

type estatePatch struct {
	Name         *string `json:"name" validate:"omitempty,min=1,max=100"`
	Address      *string `json:"address" validate:"omitempty,max=255"`
	TimeZone     *string `json:"time_zone" validate:"omitempty,max=64"`
	ServicePhone *string `json:"service_phone" validate:"omitempty,max=32"`
}

// updateEstate changes an estate's name, address, time zone or hotline.
func (s *Server) updateEstate(c *gin.Context) {
	var in estatePatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	scope := caller(c).scope()
	e, err := s.store.Estate(ctx, scope, id)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	if in.TimeZone != nil {
		if err := models.CheckTimeZone("time_zone", *in.TimeZone); err != nil {
			respondError(c, s.log, err)
			return
		}
		e.TimeZone = *in.TimeZone
	}
	setIf(&e.Name, in.Name)
	setIf(&e.Address, in.Address)
	setIf(&e.ServicePhone, in.ServicePhone)
	if err := s.store.UpdateEstate(ctx, scope, &e); err != nil {
		respondError(c, s.log, err)
		return
	}
	if in.TimeZone != nil {
		if pol, err := s.store.Policy(ctx, scope, e.ID); err != nil {
			s.log.ErrorContext(ctx, "billing schedule: read policy", "estate_id", e.ID, "err", err)
		} else {
			s.syncBillingSchedule(ctx, e, pol.Policy)
		}
	}
	c.JSON(http.StatusOK, e)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// syncBillingSchedule brings the estate's billing schedule in line with its
// policy. The estate or policy is saved already: a failure is logged, and
// the next start of the service converges it.
func (s *Server) syncBillingSchedule(ctx context.Context, e models.Estate, p models.Policy) {
	if s.temporal == nil {
		s.log.WarnContext(ctx, "billing schedule: Temporal not configured", "estate_id", e.ID)
		return
	}
	sctx, cancel := detached(ctx, 30*time.Second)
	defer cancel()
	if err := workflows.SyncBillingSchedule(sctx, s.temporal, e, p.Fees, p.Release.OrDefault().JitterWindow); err != nil {
		s.log.ErrorContext(ctx, "billing schedule", "estate_id", e.ID, "err", err)
	}
}

// getPolicy returns an estate's current policy and its version.
func (s *Server) getPolicy(c *gin.Context) {
	serveScoped(s, c, s.store.Policy, same[models.EstatePolicy])
}

type policyRequest struct {
	// Version is the version the editor started from; a different current
	// version means someone else changed the policy meanwhile (409).
	Version int           `json:"version" validate:"gte=0"`
	Policy  models.Policy `json:"policy"`
}

// putPolicy replaces an estate's policy after validating it. Running
// processes keep the policy they started with.
func (s *Server) putPolicy(c *gin.Context) {
	var in policyRequest
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	if err := in.Policy.Validate(); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			err = models.Invalid("policy."+ve.Field, "%s", ve.Reason)
		}
		respondError(c, s.log, err)
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	out, err := s.store.SetPolicy(ctx, p.scope(), id, in.Version, in.Policy, &p.Staff.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "policy changed", "estate_id", id, "version", out.Version, "by", p.Staff.ID)
	if e, err := s.store.Estate(ctx, p.scope(), id); err != nil {
		s.log.ErrorContext(ctx, "billing schedule: read estate", "estate_id", id, "err", err)
	} else {
		s.syncBillingSchedule(ctx, e, out.Policy)
	}
	c.JSON(http.StatusOK, out)
}

// listPolicyChanges lists who changed an estate's policy, newest first.
func (s *Server) listPolicyChanges(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	q := query{c: c}
	serveList(s, c, &q, id, s.store.PolicyChanges, same[models.PolicyChange])
}
