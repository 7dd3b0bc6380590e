package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// sessionCookie carries the session token for the browser console.
const sessionCookie = "wuye_session"

// principal is the signed-in caller.
type principal struct {
	Staff models.Staff
	// viaCookie marks a browser session, which needs CSRF protection.
	viaCookie bool
	// token is the API token the request came with; nil for a session.
	token *models.APIToken
}

// scope is the set of estates the caller may see.
func (p principal) scope() store.Scope {
	if p.Staff.EstateID == nil {
		return store.AllEstates()
	}
	return store.Estates(*p.Staff.EstateID)
}

func (p principal) is(roles ...models.Role) bool { return slices.Contains(roles, p.Staff.Role) }

// Role sets used by the route table.
var (
	everyRole  = models.Roles()
	deskRoles  = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}
	managers   = []models.Role{models.RoleEstateManager, models.RoleCompanyAdmin}
	legalRoles = []models.Role{models.RoleLegal, models.RoleEstateManager, models.RoleCompanyAdmin}
	adminOnly  = []models.Role{models.RoleCompanyAdmin}
	phoneRoles = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance}
	// unitEditors change what a unit's fees are priced on (area, type,
	// occupancy): the desk that registers units and finance that bills them.
	unitEditors = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance, models.RoleCompanyAdmin}
)

const principalKey = "wuye.principal"

func caller(c *gin.Context) principal {
	p, _ := c.Get(principalKey)
	return p.(principal)
}

// Messages of the refusals of API tokens.
const (
	msgTokenNotForAccounts = "接口令牌不能管理账号或令牌，也不能显示住户号码，请用密码登录后操作"
	msgTokenReadOnly       = "此接口令牌只能读取"
)

// authenticate resolves the session cookie or bearer token into a principal
// and checks the route's roles: 401 without valid credentials, 403 for a role
// the route does not admit, and 403 password_change_required for an account
// still on its one-time password, except on the routes that let it change it.
// An API token gets 403 on the routes for people only and, read-scoped, on
// every route but GET.
func (s *Server) authenticate(r route) gin.HandlerFunc {
	roles, beforePasswordChange := r.roles, r.beforePasswordChange
	return func(c *gin.Context) {
		token, viaCookie := bearer(c)
		if token == "" {
			c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: errorDetail{Code: codeUnauthorized, Message: "请先登录"}})
			return
		}
		ctx := c.Request.Context()
		var (
			st  models.Staff
			tok *models.APIToken
			err error
		)
		if strings.HasPrefix(token, auth.APITokenPrefix) {
			var t models.APIToken
			st, t, err = s.store.TokenStaff(ctx, auth.Digest(token))
			tok = &t
		} else {
			st, err = s.store.SessionStaff(ctx, auth.Digest(token))
		}
		if errors.Is(err, models.ErrNotFound) {
			c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: errorDetail{Code: codeUnauthorized, Message: "登录已失效，请重新登录"}})
			return
		}
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		p := principal{Staff: st, viaCookie: viaCookie, token: tok}
		if viaCookie && !sameOrigin(c.Request) {
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: errorDetail{Code: codeForbidden, Message: "已拒绝跨站请求"}})
			return
		}
		if st.MustChangePassword && !beforePasswordChange {
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: errorDetail{Code: codePasswordChange,
				Message: "请先修改初始密码（PUT /api/v1/me/password）"}})
			return
		}
		if !p.is(roles...) {
			respondError(c, s.log, models.ErrForbidden)
			return
		}
		if p.token != nil && r.peopleOnly {
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: errorDetail{Code: codeForbidden, Message: msgTokenNotForAccounts}})
			return
		}
		if p.token != nil && p.token.Scope != models.ScopeWrite && r.method != http.MethodGet {
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: errorDetail{Code: codeForbidden, Message: msgTokenReadOnly}})
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// bearer returns the token from "Authorization: Bearer" or, failing that, the
// session cookie.
func bearer(c *gin.Context) (token string, viaCookie bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if t, err := c.Cookie(sessionCookie); err == nil {
		return t, true
	}
	return "", false
}

// sameOrigin protects cookie sessions against cross-site requests: a state-
// changing request must come from this site (Origin or Sec-Fetch-Site say so).
func sameOrigin(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		return err == nil && u.Host == r.Host
	}
	return true // not a browser: no ambient cookie risk beyond the token itself
}

type signInRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=72"`
}

type signInResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Staff     staffView `json:"staff"`
}

// signIn checks a username and password and opens a session, returned both
// as a bearer token and as an HttpOnly cookie.
//
// Failed sign-ins are throttled per username and per client address
// (models.SignInKey.Throttle): past a few failures each one locks the key for
// an exponentially growing time, and while either key is locked every
// attempt, the right password included, gets 429 too_many_attempts with
// Retry-After, before any password is checked. An unknown username is
// counted and locked exactly like a known one, so neither answer tells
// whether the account exists. A success clears the username's failures (not
// the address's). The counts live in the database, shared by every replica.
func (s *Server) signIn(c *gin.Context) {
	var in signInRequest
	if !s.bindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	now := s.now()
	keys := []models.SignInKey{models.AccountKey(in.Username), models.AddressKey(c.ClientIP())}
	until, err := s.store.SignInLockedUntil(ctx, now, keys...)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	if !until.IsZero() {
		s.tooManyAttempts(c, until.Sub(now))
		return
	}
	st, err := s.store.StaffByUsername(ctx, in.Username)
	switch {
	case errors.Is(err, models.ErrNotFound):
		auth.BurnPasswordCheck(in.Password)
		s.signInFailed(c, now, keys)
		return
	case err != nil:
		respondError(c, s.log, err)
		return
	}
	if !auth.CheckPassword(st.PasswordHash, in.Password) || !st.Active {
		s.signInFailed(c, now, keys)
		return
	}
	if err := s.store.ClearSignInFailures(ctx, keys[0]); err != nil {
		respondError(c, s.log, err)
		return
	}
	token, digest, err := auth.NewToken(auth.SessionPrefix)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	expires := s.now().Add(s.sessionTTL)
	if err := s.store.CreateSession(ctx, st.ID, digest, expires); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "signed in", "staff_id", st.ID)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secureCookies, SameSite: http.SameSiteLaxMode,
	})
	c.JSON(http.StatusCreated, signInResponse{Token: token, ExpiresAt: expires.UTC(), Staff: viewStaff(st, true)})
}

// signInFailed counts a failed sign-in against each key, logs and counts
// every lock it sets (never the password), and answers 401.
func (s *Server) signInFailed(c *gin.Context, now time.Time, keys []models.SignInKey) {
	ctx := c.Request.Context()
	for _, k := range keys {
		f, err := s.store.RecordSignInFailure(ctx, k, now)
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		if f.LockedUntil != nil {
			s.log.WarnContext(ctx, "sign-in locked", "kind", k.Kind, "key", k.Key, "failures", f.Failures,
				"locked_for", f.LockedUntil.Sub(now))
			s.signInLockouts.WithLabelValues(k.Kind).Inc()
		}
	}
	c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: errorDetail{Code: codeUnauthorized, Message: "用户名或密码错误"}})
}

// tooManyAttempts answers 429 with the whole seconds left in Retry-After.
func (s *Server) tooManyAttempts(c *gin.Context, left time.Duration) {
	c.Header("Retry-After", strconv.FormatInt(int64(max(math.Ceil(left.Seconds()), 1)), 10))
	c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{Error: errorDetail{Code: codeTooManyAttempts,
		Message: "登录失败次数过多，请稍后再试"}})
}

// signOut ends the caller's session.
func (s *Server) signOut(c *gin.Context) {
	token, _ := bearer(c)
	if err := s.store.DeleteSession(c.Request.Context(), auth.Digest(token)); err != nil {
		respondError(c, s.log, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	c.Status(http.StatusNoContent)
}

// me is the signed-in account.
func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, viewStaff(caller(c).Staff, true))
}

type changePasswordRequest struct {
	Current string `json:"current_password" validate:"required,max=72"`
	New     string `json:"new_password" validate:"required,min=8,max=72"`
}

// changePassword sets a new password for the caller. Every session of the
// account ends, this one included: the caller signs in again with it; every
// API token of the account is revoked.
func (s *Server) changePassword(c *gin.Context) {
	var in changePasswordRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	if !auth.CheckPassword(p.Staff.PasswordHash, in.Current) {
		respondError(c, s.log, models.Invalid("current_password", "不正确"))
		return
	}
	if in.New == in.Current {
		respondError(c, s.log, models.Invalid("new_password", "新密码不能与当前密码相同"))
		return
	}
	hash, err := auth.HashPassword(in.New)
	if err != nil {
		respondError(c, s.log, models.Invalid("new_password", "%v", err))
		return
	}
	no := false
	if _, err := s.store.UpdateStaff(c.Request.Context(), store.AllEstates(), p.Staff.ID,
		store.StaffUpdate{PasswordHash: &hash, MustChangePassword: &no}); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type createTokenRequest struct {
	Name string `json:"name" validate:"required,max=100"`
	// Scope is read (GET routes only, the default) or write.
	Scope models.TokenScope `json:"scope" validate:"omitempty,oneof=read write"`
	// StaffID is the account the token acts as; empty means the caller.
	StaffID   uint64     `json:"staff_id"`
	ExpiresAt *time.Time `json:"expires_at"`
}

type createTokenResponse struct {
	Token string          `json:"token"`
	Info  models.APIToken `json:"info"`
}

// createToken issues an integration token; the token itself is shown once.
// Managers issue tokens for themselves; company administrators also for
// accounts ranking below their own. Only a person signed in with a password
// issues tokens (the route is peopleOnly), so no token descends from another.
func (s *Server) createToken(c *gin.Context) {
	var in createTokenRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	owner := p.Staff
	if in.StaffID != 0 && in.StaffID != p.Staff.ID {
		if !p.is(models.RoleCompanyAdmin) {
			respondError(c, s.log, models.ErrForbidden)
			return
		}
		st, err := s.store.StaffMember(ctx, p.scope(), in.StaffID)
		if err != nil {
			respondError(c, s.log, referenced(err, "staff_id", "员工", in.StaffID))
			return
		}
		if !p.Staff.Role.Outranks(st.Role) {
			respondError(c, s.log, models.ErrForbidden)
			return
		}
		owner = st
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		respondError(c, s.log, models.Invalid("expires_at", "应晚于现在"))
		return
	}
	token, digest, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	if in.Scope == "" {
		in.Scope = models.ScopeRead
	}
	t := models.APIToken{StaffID: owner.ID, Name: in.Name, Prefix: token[:8], Scope: in.Scope, TokenHash: digest, ExpiresAt: in.ExpiresAt}
	if err := s.store.CreateAPIToken(ctx, &t); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "API token issued", "token_id", t.ID, "staff_id", owner.ID, "scope", t.Scope, "by", p.Staff.ID)
	c.JSON(http.StatusCreated, createTokenResponse{Token: token, Info: t})
}

// listTokens lists the tokens of the accounts the caller manages.
func (s *Server) listTokens(c *gin.Context) {
	q := query{c: c}
	serveList(s, c, &q, q.uint("staff_id"), s.store.APITokens, same[models.APIToken])
}

// revokeToken revokes a token at once: one of the caller's own, or of an
// account the caller manages.
func (s *Server) revokeToken(c *gin.Context) {
	p := caller(c)
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	var (
		t     models.APIToken
		owner models.Staff
	)
	if err == nil {
		t, err = s.store.APIToken(ctx, p.scope(), id)
	}
	if err == nil {
		owner, err = s.store.StaffMember(ctx, p.scope(), t.StaffID)
	}
	if err == nil && owner.ID != p.Staff.ID && !p.manages(owner.Role) {
		err = models.ErrForbidden
	}
	if err == nil {
		err = s.store.RevokeAPIToken(ctx, p.scope(), id)
	}
	if err != nil {
		respondError(c, s.log, fmt.Errorf("revoke token: %w", err))
		return
	}
	s.log.InfoContext(ctx, "API token revoked", "token_id", id, "staff_id", owner.ID, "by", p.Staff.ID)
	c.Status(http.StatusNoContent)
}
