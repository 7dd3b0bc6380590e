package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// staffView is an account as the API shows it: never its password hash, and
// its phone masked (138****5678) unless the caller may see it whole.
type staffView struct {
	models.Staff
	PhoneMasked bool `json:"phone_masked"`
	// OpenWork is the work open in the account's name (store.OpenWork),
	// given when the list is asked for it (workload=true).
	OpenWork *int64 `json:"open_work,omitempty"`
}

func viewStaff(st models.Staff, reveal bool) staffView {
	if !reveal && st.Phone != "" {
		st.Phone = models.MaskPhone(st.Phone)
	}
	return staffView{Staff: st, PhoneMasked: !reveal}
}

// seesStaffPhone reports whether the caller sees st's phone whole: the roles
// that manage staff do, and everyone sees their own.
func (p principal) seesStaffPhone(st models.Staff) bool {
	return p.is(managers...) || p.Staff.ID == st.ID
}

// viewStaff is st as the caller may see it.
func (p principal) viewStaff(st models.Staff) staffView { return viewStaff(st, p.seesStaffPhone(st)) }

// viewMessages masks the addresses of messages sent to staff (their phones)
// as viewStaff masks their accounts; residents' addresses are stored masked.
func (p principal) viewMessages(ms []models.Message) []models.Message {
	for i, m := range ms {
		// An address by id ("staff:7", 企业微信 or the console) shows no phone.
		if m.RecipientKind == models.RecipientStaff && !p.is(managers...) && m.RecipientID != p.Staff.ID && m.Address != "" &&
			!strings.Contains(m.Address, ":") {
			ms[i].Address = models.MaskPhone(m.Address)
		}
	}
	return ms
}

type staffRequest struct {
	// EstateID is required except for company-level accounts, which only a
	// company administrator creates.
	EstateID *uint64     `json:"estate_id"`
	Username string      `json:"username" validate:"required,min=2,max=64"`
	Name     string      `json:"name" validate:"required,max=50"`
	Phone    string      `json:"phone" validate:"max=20"`
	Email    string      `json:"email" validate:"max=254"`
	Role     models.Role `json:"role" validate:"required,oneof=customer_service technician supervisor estate_manager finance legal company_admin"`
	Password string      `json:"password" validate:"required,min=8,max=72"`
}

// manages reports whether the caller may create, change, reset the password
// of or deactivate an account of role r (the scope checks the estate):
// company administrators manage every account, anyone else only the roles
// ranking below their own (models.Role.Rank).
func (p principal) manages(r models.Role) bool {
	return p.is(models.RoleCompanyAdmin) || p.Staff.Role.Outranks(r)
}

// createStaff adds an account. Estate managers add accounts to their own
// estate, of the roles ranking below theirs.
func (s *Server) createStaff(c *gin.Context) {
	var in staffRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	if !p.manages(in.Role) {
		respondError(c, s.log, models.ErrForbidden)
		return
	}
	if in.EstateID == nil && p.Staff.EstateID != nil {
		in.EstateID = p.Staff.EstateID
	}
	if err := checkStaffContact(in.Phone, in.Email); err != nil {
		respondError(c, s.log, err)
		return
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		respondError(c, s.log, models.Invalid("password", "%v", err))
		return
	}
	st := models.Staff{EstateID: in.EstateID, Username: in.Username, Name: in.Name, Phone: in.Phone, Email: in.Email,
		Role: in.Role, PasswordHash: hash, Active: true, MustChangePassword: true}
	if err := s.store.CreateStaff(c.Request.Context(), p.scope(), &st); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(c.Request.Context(), "staff created", "staff_id", st.ID, "role", st.Role, "by", p.Staff.ID)
	c.JSON(http.StatusCreated, p.viewStaff(st))
}

func (s *Server) getStaff(c *gin.Context) {
	serveScoped(s, c, s.store.StaffMember, caller(c).viewStaff)
}

func (s *Server) listStaff(c *gin.Context) {
	q := query{c: c}
	f := store.StaffFilter{EstateID: q.uint("estate_id"), Role: oneOfEnum(&q, "role", models.Roles()), Active: q.bool("active")}
	workload := q.bool("workload")
	if workload == nil || !*workload {
		serveList(s, c, &q, f, s.store.Staff, caller(c).viewStaff)
		return
	}
	// With each account's open work, for choosing whom to give work to.
	var open map[uint64]int64
	read := func(ctx context.Context, scope store.Scope, f store.StaffFilter, page store.Page) (store.List[models.Staff], error) {
		l, err := s.store.Staff(ctx, scope, f, page)
		if err != nil {
			return l, err
		}
		ids := make([]uint64, len(l.Items))
		for i, st := range l.Items {
			ids[i] = st.ID
		}
		open, err = s.store.OpenWork(ctx, ids)
		return l, err
	}
	serveList(s, c, &q, f, read, func(st models.Staff) staffView {
		v := caller(c).viewStaff(st)
		n := open[st.ID]
		v.OpenWork = &n
		return v
	})
}

type staffPatch struct {
	Name   *string      `json:"name" validate:"omitempty,min=1,max=50"`
	Phone  *string      `json:"phone" validate:"omitempty,max=20"`
	Email  *string      `json:"email" validate:"omitempty,max=254"`
	Role   *models.Role `json:"role" validate:"omitempty,oneof=customer_service technician supervisor estate_manager finance legal company_admin"`
	Active *bool        `json:"active"`
	// Password resets the account's password; the owner must change it at
	// the next sign-in and every open session ends.
	Password *string `json:"password" validate:"omitempty,min=8,max=72"`
}

// updateStaff changes an account. Estate managers change accounts ranking
// below their own and give only such roles. Nobody changes their own role or
// deactivates themselves, so an estate cannot lose its last manager by a slip,
// nor sets their own password here: PUT /me/password asks for the current one.
func (s *Server) updateStaff(c *gin.Context) {
	var in staffPatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	target, err := s.store.StaffMember(ctx, p.scope(), id)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	self := id == p.Staff.ID
	if (!self && !p.manages(target.Role)) || (in.Role != nil && *in.Role != target.Role && !p.manages(*in.Role)) {
		respondError(c, s.log, models.ErrForbidden)
		return
	}
	if self && ((in.Role != nil && *in.Role != p.Staff.Role) || (in.Active != nil && !*in.Active)) {
		respondError(c, s.log, models.Invalid("role", "不能修改自己的角色，也不能停用自己"))
		return
	}
	if self && in.Password != nil {
		respondError(c, s.log, models.Invalid("password", "请在“修改密码”中修改自己的密码（PUT /api/v1/me/password）"))
		return
	}
	if err := checkStaffContact(deref(in.Phone), deref(in.Email)); err != nil {
		respondError(c, s.log, err)
		return
	}
	u := store.StaffUpdate{Name: in.Name, Phone: in.Phone, Email: in.Email, Role: in.Role, Active: in.Active}
	if in.Password != nil {
		hash, err := auth.HashPassword(*in.Password)
		if err != nil {
			respondError(c, s.log, models.Invalid("password", "%v", err))
			return
		}
		yes := true
		u.PasswordHash, u.MustChangePassword = &hash, &yes
	}
	st, err := s.store.UpdateStaff(ctx, p.scope(), id, u)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "staff updated", "staff_id", id, "by", p.Staff.ID)
	c.JSON(http.StatusOK, p.viewStaff(st))
}

// checkStaffContact checks the phone and email an account is given (empty:
// none).
func checkStaffContact(phone, email string) error {
	if phone != "" {
		if err := models.CheckPhone("phone", phone); err != nil {
			return err
		}
	}
	if email != "" {
		return models.CheckEmail("email", email)
	}
	return nil
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
