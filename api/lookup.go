package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// maxLookupQuery bounds the text of a caller lookup, in characters.
const maxLookupQuery = 50

// lookupTicket is a ticket as a lookup shows it: enough to say what it is
// about and where it stands.
type lookupTicket struct {
	ID          uint64              `json:"id"`
	Status      models.TicketStatus `json:"status"`
	Kind        models.TicketKind   `json:"kind"`
	Urgency     models.Urgency      `json:"urgency"`
	Category    string              `json:"category"`
	Summary     string              `json:"summary"`
	HouseholdID *uint64             `json:"household_id"`
}

// summaryRunes bounds a ticket's summary: the start of its description.
const summaryRunes = 40

func viewLookupTicket(t models.Ticket) lookupTicket {
	summary := []rune(t.Description)
	if len(summary) > summaryRunes {
		summary = append(summary[:summaryRunes], '…')
	}
	return lookupTicket{ID: t.ID, Status: t.Status, Kind: t.Kind, Urgency: t.Urgency, Category: t.Category,
		Summary: string(summary), HouseholdID: t.HouseholdID}
}

// lookupHousehold is a household found for a caller: its address, its
// residents (owners first; phones masked), what it owes
// today (models.Statement, as the arrears answer), its open tickets, its
// follow-ups not yet finished, and the console page of the household.
type lookupHousehold struct {
	models.Household
	Address     string            `json:"address"`
	Residents   []residentView    `json:"residents"`
	OwedFen     models.Money      `json:"owed_fen"`
	OpenTickets []lookupTicket    `json:"open_tickets"`
	FollowUps   []models.FollowUp `json:"follow_ups"`
	Link        string            `json:"link"`
}

// viewLookupHousehold is f without what it owes.
func viewLookupHousehold(f store.CallerHousehold) lookupHousehold {
	h := lookupHousehold{Household: f.Household, Address: f.Address(),
		Residents: make([]residentView, len(f.Residents)), OpenTickets: make([]lookupTicket, len(f.OpenTickets)),
		FollowUps: f.FollowUps, Link: "#/arrears/" + strconv.FormatUint(f.ID, 10)}
	for i, r := range f.Residents {
		h.Residents[i] = maskedResident(r)
	}
	for i, t := range f.OpenTickets {
		h.OpenTickets[i] = viewLookupTicket(t)
	}
	return h
}

// lookupAnswer is the answer to a caller lookup (来电查询): how the text was
// read, whether phones were searched (for the roles that see them only),
// the households it finds, and the ticket with its number if any.
type lookupAnswer struct {
	Kinds         []models.LookupKind `json:"kinds"`
	PhoneSearched bool                `json:"phone_searched"`
	Households    []lookupHousehold   `json:"households"`
	Ticket        *lookupTicket       `json:"ticket"`
}

// lookup finds a caller by what staff typed or pasted (models.ParseLookup):
// households inside the caller's estates by a resident's whole phone (for
// the roles that may reveal phones only), name or room, and a ticket by number.
func (s *Server) lookup(c *gin.Context) {
	q := query{c: c}
	text := strings.TrimSpace(q.search("q", maxLookupQuery))
	if q.err == nil && text == "" {
		q.err = models.Invalid("q", "必填")
	}
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	l := models.ParseLookup(text)
	byPhone := p.is(phoneRoles...)
	found, err := s.store.LookupHouseholds(ctx, p.scope(), l, byPhone)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out := lookupAnswer{Kinds: l.Kinds, PhoneSearched: byPhone && l.Has(models.LookupPhone),
		Households: make([]lookupHousehold, 0, len(found))}
	if out.Kinds == nil {
		out.Kinds = []models.LookupKind{}
	}
	// Each estate's policy is read once, however many of its households
	// are found.
	type rules struct {
		pol models.Policy
		loc *time.Location
	}
	estates := map[uint64]rules{}
	for _, f := range found {
		h := viewLookupHousehold(f)
		l, err := s.store.HouseholdLedger(ctx, p.scope(), f.ID)
		r, read := estates[f.EstateID]
		if err == nil && !read {
			r.pol, r.loc, err = s.estatePolicy(ctx, f.EstateID)
			estates[f.EstateID] = r
		}
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		h.OwedFen = s.statement(l, r.pol, r.loc).Total
		out.Households = append(out.Households, h)
	}
	if l.Has(models.LookupTicket) {
		t, err := s.store.Ticket(ctx, p.scope(), l.TicketID)
		switch {
		case err == nil:
			v := viewLookupTicket(t)
			out.Ticket = &v
		case !errors.Is(err, models.ErrNotFound):
			respondError(c, s.log, err)
			return
		}
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) lookupRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/lookup", summary: "Find a caller (来电查询): households by a resident's whole phone (roles that may reveal phones only), name or room (1-101, 1栋101, 1号楼101), each with its residents (phones masked), what it owes today, open tickets and follow-ups; and a ticket by number (#12)",
			tag: "residents", roles: everyRole, handler: s.lookup, resp: lookupAnswer{}, status: http.StatusOK,
			query: []param{{"q", "string", "a phone number, room, ticket number or name; at most 50 characters"}}},
	}
}
