package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// householdContact is whom to call about a household (联系人), as the
// ticket, follow-up and arrears answers carry it: its residents, owners
// first, with their phones masked, and the service needs of its latest
// move-in (null without one). A whole number comes only from revealPhone.
type householdContact struct {
	HouseholdID  uint64               `json:"household_id"`
	Residents    []residentView       `json:"residents"`
	ServiceNeeds *models.ServiceNeeds `json:"service_needs"`
}

// householdContact reads the contact of household id inside scope.
func (s *Server) householdContact(ctx context.Context, scope store.Scope, id uint64) (*householdContact, error) {
	rs, err := s.store.Residents(ctx, scope, store.ResidentFilter{HouseholdID: id}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	moveIns, err := s.store.MoveInsOfHousehold(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	out := &householdContact{HouseholdID: id, Residents: make([]residentView, 0, len(rs.Items)), ServiceNeeds: latestNeeds(moveIns)}
	owner := func(r models.Resident) int {
		if r.Role == models.ResidentOwner {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(rs.Items, func(a, b models.Resident) int { return owner(a) - owner(b) })
	for _, r := range rs.Items {
		out.Residents = append(out.Residents, maskedResident(r))
	}
	return out, nil
}

// latestNeeds are the service needs of the latest of moveIns (newest
// first), or nil without one.
func latestNeeds(moveIns []models.MoveIn) *models.ServiceNeeds {
	if len(moveIns) == 0 {
		return nil
	}
	needs := moveIns[0].Needs
	return &needs
}

// phoneRevealRequest says where a number was revealed from.
type phoneRevealRequest struct {
	Ref string `json:"ref" validate:"max=100"`
}

// phoneReveal is a revealed number: the only answer that carries a
// resident's whole phone.
type phoneReveal struct {
	ResidentID  uint64    `json:"resident_id"`
	HouseholdID uint64    `json:"household_id"`
	Phone       string    `json:"phone"`
	RevealedAt  time.Time `json:"revealed_at"`
}

// revealPhone answers a resident's whole phone number (显示号码) and
// records who revealed it, when and from where.
func (s *Server) revealPhone(c *gin.Context) {
	var in phoneRevealRequest
	r, ok := loadScoped(s, c, s.store.Resident)
	if !ok || !s.bindOptional(c, &in) {
		return
	}
	p := caller(c)
	rec := models.PhoneReveal{ResidentID: r.ID, StaffID: p.Staff.ID, Ref: in.Ref, RevealedAt: s.now()}
	if err := s.store.RecordPhoneReveal(c.Request.Context(), p.scope(), &rec); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, phoneReveal{ResidentID: r.ID, HouseholdID: r.HouseholdID, Phone: r.Phone, RevealedAt: rec.RevealedAt})
}

// phoneRevealView is a reveal as the log shows it: with the names of the
// staff member and of the resident (whose phone stays masked), and the
// household's address.
type phoneRevealView struct {
	models.PhoneReveal
	StaffName     string `json:"staff_name"`
	ResidentName  string `json:"resident_name"`
	ResidentPhone string `json:"resident_phone"`
	Address       string `json:"address"`
}

// listPhoneReveals is the reveal log (查看记录), latest first.
func (s *Server) listPhoneReveals(c *gin.Context) {
	q := query{c: c}
	f := store.PhoneRevealFilter{EstateID: q.uint("estate_id"), StaffID: q.uint("staff_id"), ResidentID: q.uint("resident_id")}
	serveList(s, c, &q, f, s.phoneReveals, same[phoneRevealView])
}

// phoneReveals reads one page of the reveal log inside scope, with the
// names of the staff members and residents.
func (s *Server) phoneReveals(ctx context.Context, scope store.Scope, f store.PhoneRevealFilter, page store.Page) (store.List[phoneRevealView], error) {
	out := store.List[phoneRevealView]{Items: []phoneRevealView{}}
	l, err := s.store.PhoneReveals(ctx, scope, f, page)
	if err != nil {
		return out, err
	}
	out.Total = l.Total
	var staffIDs, residentIDs, households []uint64
	for _, r := range l.Items {
		staffIDs, residentIDs, households = append(staffIDs, r.StaffID), append(residentIDs, r.ResidentID), append(households, r.HouseholdID)
	}
	// The log is inside scope: its staff may be of the company level.
	where, staff, err := s.addressesAndNames(ctx, scope, households, staffIDs)
	if err != nil {
		return out, err
	}
	residents, err := s.store.ResidentsByID(ctx, scope, residentIDs)
	if err != nil {
		return out, err
	}
	for _, r := range l.Items {
		res := residents[r.ResidentID]
		out.Items = append(out.Items, phoneRevealView{PhoneReveal: r, StaffName: staff[r.StaffID],
			ResidentName: res.Name, ResidentPhone: models.MaskPhone(res.Phone), Address: where[r.HouseholdID]})
	}
	return out, nil
}

func (s *Server) contactRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/residents/:id/phone-reveal", summary: "Reveal a resident's whole phone number (显示号码), for the roles that call residents; every reveal is recorded (who, whose, when, ref: the page it came from)",
			tag: "residents", roles: phoneRoles, handler: s.revealPhone, body: phoneRevealRequest{}, resp: phoneReveal{}, status: http.StatusOK, scoped: true, peopleOnly: true},
		{method: http.MethodGet, path: "/api/v1/phone-reveals", summary: "The log of phone reveals, latest first, with the staff member's and resident's names", tag: "residents", roles: managers,
			handler: s.listPhoneReveals, resp: listBody[phoneRevealView]{}, status: http.StatusOK,
			query: params(estateQ, param{"staff_id", "integer", "only this staff member's reveals"}, param{"resident_id", "integer", "only this resident's number"})},
	}
}
