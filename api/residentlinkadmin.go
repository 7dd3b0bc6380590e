package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// linkRoles may issue, list and revoke residents' links: the desk and
// finance, who talk to residents about repairs and bills.
var linkRoles = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance, models.RoleCompanyAdmin}

// issueLinkRequest asks for a link for a resident: its purpose, the ticket
// or bill it is about (confirm and rate need a ticket; dispute and promise
// may name a bill), how long it lasts (hours, default 7 days, at most 90)
// and a note of what it is for.
type issueLinkRequest struct {
	Purpose   models.LinkPurpose `json:"purpose" validate:"required"`
	SubjectID uint64             `json:"subject_id"`
	TTLHours  int                `json:"ttl_hours" validate:"min=0,max=2160"`
	Note      string             `json:"note" validate:"max=100"`
}

// residentLinkView is a link as staff see it: its state now, with its uses
// (in the list) and, while it can be used, its URL to send.
type residentLinkView struct {
	models.ResidentLink
	State models.LinkState         `json:"state"`
	URL   string                   `json:"url,omitempty"`
	Uses  []models.ResidentLinkUse `json:"uses"`
}

// linkView is l at now, with its URL while it is active.
func (s *Server) linkView(l models.ResidentLink, uses []models.ResidentLinkUse, now time.Time) residentLinkView {
	v := residentLinkView{ResidentLink: l, State: l.State(now), Uses: uses}
	if v.Uses == nil {
		v.Uses = []models.ResidentLinkUse{}
	}
	if v.State == models.LinkActive && s.links != nil {
		v.URL = s.links.LinkURL(auth.PagePath(string(l.Purpose)), l.ID)
	}
	return v
}

// issueLink issues a link for the resident of the path, for the caller.
func (s *Server) issueLink(c *gin.Context) {
	var in issueLinkRequest
	r, ok := loadScoped(s, c, s.store.Resident)
	if !ok || !s.bindJSON(c, &in) {
		return
	}
	if s.links == nil {
		respondError(c, s.log, &stateError{state: "links_off", msg: "未配置住户链接，无法发放"})
		return
	}
	p, now := caller(c), s.now()
	l := models.ResidentLink{ResidentID: r.ID, Purpose: in.Purpose, SubjectID: in.SubjectID, CreatedBy: p.Staff.ID, Note: in.Note}
	if in.TTLHours > 0 {
		l.ExpiresAt = now.Add(time.Duration(in.TTLHours) * time.Hour)
	}
	if err := s.store.CreateResidentLink(c.Request.Context(), p.scope(), &l, now); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, s.linkView(l, nil, now))
}

// listResidentLinks lists the resident's links, latest first, each with
// its uses.
func (s *Server) listResidentLinks(c *gin.Context) {
	r, ok := loadScoped(s, c, s.store.Resident)
	if !ok {
		return
	}
	q := query{c: c}
	now := s.now()
	serveList(s, c, &q, r.ID, s.store.ResidentLinks, func(l store.ResidentLinkWithUses) residentLinkView {
		return s.linkView(l.ResidentLink, l.Uses, now)
	})
}

// revokeLink revokes a link: it opens nothing from now on. Revoking it
// again answers it as it is.
func (s *Server) revokeLink(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	p, now := caller(c), s.now()
	l, err := s.store.RevokeResidentLink(c.Request.Context(), p.scope(), id, p.Staff.ID, now)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(c.Request.Context(), "resident link revoked", "link_id", l.ID, "staff_id", p.Staff.ID)
	c.JSON(http.StatusOK, s.linkView(l, nil, now))
}

func (s *Server) residentLinkAdminRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/residents/:id/links", summary: "Issue a resident a signed link (住户链接) for one purpose: my_bill, dispute, promise, rate, confirm or report; " +
			"subject_id names the ticket (confirm, rate: required) or bill (dispute, promise: optional) of the resident's household; answers the link with its url",
			tag: "resident-links", roles: linkRoles, handler: s.issueLink, body: issueLinkRequest{}, resp: residentLinkView{}, status: http.StatusCreated, scoped: true},
		{method: http.MethodGet, path: "/api/v1/residents/:id/links", summary: "The resident's links, latest first, each with its state and every use (action, refused, client address, time)",
			tag: "resident-links", roles: linkRoles, handler: s.listResidentLinks, resp: listBody[residentLinkView]{}, status: http.StatusOK, scoped: true, query: params()},
		{method: http.MethodPost, path: "/api/v1/resident-links/:id/revoke", summary: "Revoke a resident's link: it opens nothing from now on (again: no change)",
			tag: "resident-links", roles: linkRoles, handler: s.revokeLink, resp: residentLinkView{}, status: http.StatusOK, scoped: true},
	}
}
