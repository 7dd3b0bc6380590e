package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// residentView is a resident as every answer shows them: the phone masked
// (138****5678). The whole number comes only from revealPhone, which
// records who asked.
type residentView struct {
	models.Resident
	PhoneMasked bool `json:"phone_masked"`
}

func maskedResident(r models.Resident) residentView {
	r.Phone = models.MaskPhone(r.Phone)
	return residentView{Resident: r, PhoneMasked: true}
}

type residentRequest struct {
	HouseholdID uint64              `json:"household_id" validate:"required"`
	Name        string              `json:"name" validate:"required,max=50"`
	Phone       string              `json:"phone" validate:"required,max=20"`
	Role        models.ResidentRole `json:"role" validate:"required,oneof=owner tenant"`
	residentContact
}

// residentContact is how a resident is reached: an email address, the
// preferred channel, when to contact them in words and as a window.
type residentContact struct {
	Email            string                `json:"email" validate:"omitempty,max=254,email"`
	PreferredChannel models.Channel        `json:"preferred_channel"`
	ContactTimes     string                `json:"contact_times" validate:"max=100"`
	ContactWindow    *models.ContactWindow `json:"contact_window"`
}

func (in residentContact) check() error {
	n := models.ServiceNeeds{PreferredChannel: in.PreferredChannel, ContactWindow: in.ContactWindow}
	return n.Validate("")
}

func (in residentRequest) record() (models.Resident, error) {
	r := models.Resident{HouseholdID: in.HouseholdID, Name: in.Name, Phone: in.Phone, Role: in.Role,
		Email: in.Email, PreferredChannel: in.PreferredChannel, ContactTimes: in.ContactTimes, ContactWindow: in.ContactWindow}
	if err := models.CheckPhone("phone", in.Phone); err != nil {
		return r, err
	}
	return r, in.check()
}

func (s *Server) createResident(c *gin.Context) {
	serveCreate[residentRequest](s, c, s.store.CreateResident, maskedResident)
}

// ownerFile is the owner file (业主档案) of a resident: the resident (phone
// masked), the household and its
// address, the service needs and move-in, the follow-up visits with their
// records, the tickets of the resident or household, the messages sent to
// the resident, and the household's bills.
type ownerFile struct {
	residentView
	Household models.Household `json:"household"`
	Address   string           `json:"address"`
	// ServiceNeeds are those of the latest move-in; null without one.
	ServiceNeeds *models.ServiceNeeds   `json:"service_needs"`
	MoveIns      []models.MoveIn        `json:"move_ins"`
	FollowUps    []models.FollowUp      `json:"follow_ups"`
	Tickets      []models.Ticket        `json:"tickets"`
	Messages     []models.Message       `json:"messages"`
	Bills        []models.HouseholdBill `json:"bills"`
}

// getResident returns a resident's owner file.
func (s *Server) getResident(c *gin.Context) {
	r, ok := loadScoped(s, c, s.store.Resident)
	if !ok {
		return
	}
	out, err := s.ownerFile(c.Request.Context(), caller(c).scope(), r)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out.residentView = maskedResident(r)
	c.JSON(http.StatusOK, out)
}

func (s *Server) ownerFile(ctx context.Context, scope store.Scope, r models.Resident) (ownerFile, error) {
	out := ownerFile{MoveIns: []models.MoveIn{}, FollowUps: []models.FollowUp{}, Bills: []models.HouseholdBill{}}
	estate, err := s.store.Estate(ctx, scope, r.EstateID)
	if err != nil {
		return out, err
	}
	all := store.Page{Size: store.MaxPageSize}
	// A reporter contact (报事人) is in no household: their file holds
	// their tickets and messages only.
	if r.HouseholdID != 0 {
		if err := s.householdFile(ctx, scope, r.HouseholdID, &out); err != nil {
			return out, err
		}
	}
	parts := []string{estate.Name, estate.Address, out.Household.Address()}
	out.Address = strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " ")
	if out.Tickets, err = s.store.ResidentTickets(ctx, scope, r.ID, r.HouseholdID); err != nil {
		return out, err
	}
	msgs, err := s.store.Messages(ctx, scope, store.MessageFilter{RecipientKind: models.RecipientResident, RecipientID: r.ID}, all)
	if err != nil {
		return out, err
	}
	out.Messages = msgs.Items
	if err := s.store.WithDeliveries(ctx, out.Messages); err != nil {
		return out, err
	}
	return out, nil
}

// householdFile fills the household's part of an owner file: the
// household, its move-ins and service needs, follow-ups and bills.
func (s *Server) householdFile(ctx context.Context, scope store.Scope, householdID uint64, out *ownerFile) error {
	var err error
	if out.Household, err = s.store.Household(ctx, scope, householdID); err != nil {
		return err
	}
	if out.MoveIns, err = s.store.MoveInsOfHousehold(ctx, scope, householdID); err != nil {
		return err
	}
	out.ServiceNeeds = latestNeeds(out.MoveIns)
	all := store.Page{Size: store.MaxPageSize}
	fus, err := s.store.FollowUps(ctx, scope, store.FollowUpFilter{HouseholdID: householdID}, all)
	if err != nil {
		return err
	}
	out.FollowUps = fus.Items
	bills, err := s.store.Bills(ctx, scope, store.BillFilter{HouseholdID: householdID}, all)
	if err != nil {
		return err
	}
	out.Bills = bills.Items
	return nil
}

// listResidents always masks phones. q matches names, and whole phone
// numbers only for the roles that may reveal phones: for the others a number finds
// nobody, so that a search cannot confirm a number the list masks.
// Its export shows them as the list does.
func (s *Server) listResidents(c *gin.Context) {
	q := query{c: c}
	f := store.ResidentFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id"), Query: q.search("q", 50),
		MatchPhone: caller(c).is(phoneRoles...)}
	page, format := q.sortedPage(store.ResidentSorts.Fields()), q.format()
	serveAddressed(s, c, &q, page, format, f, s.store.Residents, func(r models.Resident) uint64 { return r.HouseholdID },
		func(r models.Resident, address string) residentRow {
			return residentRow{residentView: maskedResident(r), Address: address}
		}, "住户成员", residentColumns)
}

// residentRow is a resident in a list (phone masked), with their
// household's address.
type residentRow struct {
	residentView
	Address string `json:"address"`
}

// residentColumns are the columns of the resident export.
var residentColumns = []column[residentRow]{
	{"编号", func(r residentRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"住户", func(r residentRow) string { return r.Address }},
	{"姓名", func(r residentRow) string { return r.Name }},
	{"电话", func(r residentRow) string { return r.Phone }},
	{"身份", func(r residentRow) string { return r.Role.Label() }},
}

type residentPatch struct {
	Name             *string              `json:"name" validate:"omitempty,min=1,max=50"`
	Phone            *string              `json:"phone" validate:"omitempty,max=20"`
	Role             *models.ResidentRole `json:"role" validate:"omitempty,oneof=owner tenant"`
	Email            *string              `json:"email" validate:"omitempty,max=254"`
	PreferredChannel *models.Channel      `json:"preferred_channel"`
	ContactTimes     *string              `json:"contact_times" validate:"omitempty,max=100"`
	// ContactWindow replaces the window; {"from":"","to":""} clears it.
	ContactWindow *models.ContactWindow `json:"contact_window"`
}

// contact is the patch's contact fields applied to r, checked.
func (in residentPatch) contact(r models.Resident) (models.Resident, error) {
	setIf(&r.Email, in.Email)
	setIf(&r.PreferredChannel, in.PreferredChannel)
	setIf(&r.ContactTimes, in.ContactTimes)
	if w := in.ContactWindow; w != nil {
		r.ContactWindow = w
		if w.From == "" && w.To == "" {
			r.ContactWindow = nil
		}
	}
	if r.Email != "" {
		if err := models.CheckEmail("email", r.Email); err != nil {
			return r, err
		}
	}
	return r, residentContact{PreferredChannel: r.PreferredChannel, ContactWindow: r.ContactWindow}.check()
}

func (s *Server) updateResident(c *gin.Context) {
	var in residentPatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	if in.Phone != nil {
		if err := models.CheckPhone("phone", *in.Phone); err != nil {
			respondError(c, s.log, err)
			return
		}
	}
	p := caller(c)
	ctx := c.Request.Context()
	r, err := s.store.Resident(ctx, p.scope(), id)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	setIf(&r.Name, in.Name)
	setIf(&r.Phone, in.Phone)
	setIf(&r.Role, in.Role)
	if r, err = in.contact(r); err != nil {
		respondError(c, s.log, err)
		return
	}
	if err := s.store.UpdateResident(ctx, p.scope(), &r); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, maskedResident(r))
}
