package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// route is one entry of the route table: the router, the OpenAPI document and
// the access tests are all generated from it, so none can forget a route.
type route struct {
	method, path string
	summary, tag string
	public       bool
	roles        []models.Role // who may call; ignored when public
	handler      gin.HandlerFunc
	body         any // request body type, nil when none
	// form: the request is a multipart form of these fields (a "file"
	// kind is a file), read by the handler itself.
	form    []param
	resp    any // success body type, nil for 204
	status  int // success status
	query   []param
	actions []string // the values of the path's :action, when it has one
	// scoped: the path's :id names a record that belongs to an estate, so a
	// caller of another estate gets 404 (used by the access tests).
	scoped bool
	// beforePasswordChange: an account that must change its one-time
	// password may still call it (reading itself, changing it, signing out).
	beforePasswordChange bool
	// peopleOnly: a person signed in with a password may call it, an API
	// token never (403): minting and revoking tokens, changing a password,
	// adding and changing staff, revealing a resident's phone.
	peopleOnly bool
	// own: the path's :id names a record of the caller's own (a message in
	// their inbox): anyone else's answers 404, whatever the estate.
	own bool
	// stream: the answer is a stream of server-sent events
	// (text/event-stream) that stays open.
	stream bool
}

// param is a query parameter.
type param struct{ name, kind, desc string }

var (
	pageParams = []param{{"page", "integer", "page number from 1"}, {"page_size", "integer", "items per page, at most 200"}}
	estateQ    = param{"estate_id", "integer", "only this estate"}
)

func params(ps ...param) []param { return append(ps, pageParams...) }

// sortedParams are the parameters of a list callers search, sort, read by
// cursor and export, with ps its filters.
func sortedParams(fields []string, ps ...param) []param {
	return exportParams(fields, append(ps,
		param{"q", "string", "search text: a ticket number (#12), a room (1-101, 1栋101), a resident's name, or words of the record"})...)
}

// exportParams are the parameters of a list callers sort, read by cursor
// and export, with ps its filters (its search among them).
func exportParams(fields []string, ps ...param) []param {
	return params(append(ps,
		param{"sort", "string", "order: one of " + strings.Join(fields, ", ") + "; a leading - for descending (-created_at); ties by id"},
		param{"cursor", "string", "the next_cursor of the page before (keyset pagination; page is then ignored)"},
		param{"before", "string", "the prev_cursor of the page after: reads the page before it (keyset pagination; page is then ignored)"},
		param{"format", "string", "json (default), csv or xlsx: every matching row, in the list's filters and order, as a file with Chinese headers " +
			"(CSV in UTF-8 with a byte-order mark), written as it is read; a file cut short by an error ends with a row whose first cell begins 导出中断"})...)
}

// actionSummary is the summary of a process's action route.
func actionSummary(actions []string) string {
	return "A staff action: " + strings.Join(actions, ", ") + " (Idempotency-Key header: applied once)"
}

func (s *Server) routes() []route {
	var rs []route
	for _, group := range [][]route{
		s.systemRoutes(),
		s.accountRoutes(),
		s.estateRoutes(),
		s.placeRoutes(),
		s.ticketRoutes(),
		s.dashboardRoutes(),
		s.metricsRoutes(),
		s.moveInRoutes(),
		s.billingRoutes(),
		s.paymentNotificationRoutes(),
		s.deliveryReceiptRoutes(),
		s.receiptRoutes(),
		s.reconciliationRoutes(),
		s.arrearsRoutes(),
		s.letterRoutes(),
		s.residentLinkRoutes(),
		s.residentLinkAdminRoutes(),
		s.residentBillRoutes(),
		s.residentDisputeRoutes(),
		s.residentPromiseRoutes(),
		s.lookupRoutes(),
		s.contactRoutes(),
		s.inboxRoutes(),
		s.savedFilterRoutes(),
		s.feeRoutes(),
		s.importRoutes(),
		s.attachmentRoutes(),
		s.residentReportRoutes(),
		s.inspectionRoutes(),
		// Service contracts (物业服务合同).
		s.contractRoutes(),

		s.outageRoutes(),
		s.noticeRoutes(),

		s.surveyRoutes(),
	} {
		rs = append(rs, group...)
	}
	return rs
}

func (s *Server) systemRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/healthz", summary: "Process is up", tag: "system", public: true, handler: s.healthz, status: http.StatusOK},
		{method: http.MethodGet, path: "/readyz", summary: "Database and Temporal, its namespace included, both answer (503 naming the one that does not)", tag: "system", public: true, handler: s.readyz, resp: Readiness{}, status: http.StatusOK},
		{method: http.MethodGet, path: "/api/v1/openapi.json", summary: "This document", tag: "system", public: true, handler: s.openAPI, status: http.StatusOK},
	}
}

func (s *Server) accountRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/sessions", summary: "Sign in with username and password", tag: "accounts", public: true, handler: s.signIn, body: signInRequest{}, resp: signInResponse{}, status: http.StatusCreated},
		{method: http.MethodDelete, path: "/api/v1/sessions/current", summary: "Sign out", tag: "accounts", roles: everyRole, handler: s.signOut, status: http.StatusNoContent, beforePasswordChange: true},
		{method: http.MethodGet, path: "/api/v1/me", summary: "The signed-in account", tag: "accounts", roles: everyRole, handler: s.me, resp: staffView{}, status: http.StatusOK, beforePasswordChange: true},
		{method: http.MethodPut, path: "/api/v1/me/password", summary: "Change the signed-in account's password", tag: "accounts", roles: everyRole, handler: s.changePassword, body: changePasswordRequest{}, status: http.StatusNoContent, beforePasswordChange: true, peopleOnly: true},
		{method: http.MethodGet, path: "/api/v1/tokens", summary: "Integration tokens of the accounts you manage", tag: "accounts", roles: managers, handler: s.listTokens, resp: listBody[models.APIToken]{}, status: http.StatusOK, query: params(param{"staff_id", "integer", "only this account's tokens"})},
		{method: http.MethodPost, path: "/api/v1/tokens", summary: "Issue an integration token (shown once)", tag: "accounts", roles: managers, handler: s.createToken, body: createTokenRequest{}, resp: createTokenResponse{}, status: http.StatusCreated, peopleOnly: true},
		{method: http.MethodDelete, path: "/api/v1/tokens/:id", summary: "Revoke an integration token", tag: "accounts", roles: managers, handler: s.revokeToken, status: http.StatusNoContent, scoped: true, peopleOnly: true},
		{method: http.MethodGet, path: "/api/v1/staff", summary: "Staff accounts (phones whole for managers, masked for others)", tag: "accounts", roles: everyRole, handler: s.listStaff, resp: listBody[staffView]{}, status: http.StatusOK,
			query: params(estateQ, param{"role", "string", "only this role"}, param{"active", "boolean", "only active or inactive accounts"},
				param{"workload", "boolean", "with each account's open work (open_work: tickets, follow-up visits, collection tasks)"})},
		{method: http.MethodPost, path: "/api/v1/staff", summary: "Add a staff account", tag: "accounts", roles: managers, handler: s.createStaff, body: staffRequest{}, resp: staffView{}, status: http.StatusCreated, peopleOnly: true},
		{method: http.MethodGet, path: "/api/v1/staff/:id", summary: "One staff account", tag: "accounts", roles: everyRole, handler: s.getStaff, resp: staffView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/staff/:id", summary: "Change, deactivate or reset the password of a staff account", tag: "accounts", roles: managers, handler: s.updateStaff, body: staffPatch{}, resp: staffView{}, status: http.StatusOK, scoped: true, peopleOnly: true},
	}
}

func (s *Server) estateRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/estates", summary: "Estates you can see", tag: "estates", roles: everyRole, handler: s.listEstates, resp: listBody[models.Estate]{}, status: http.StatusOK, query: params()},
		{method: http.MethodPost, path: "/api/v1/estates", summary: "Add an estate (with the default policy)", tag: "estates", roles: adminOnly, handler: s.createEstate, body: estateRequest{}, resp: models.Estate{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/estates/:id", summary: "One estate", tag: "estates", roles: everyRole, handler: s.getEstate, resp: models.Estate{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/estates/:id", summary: "Change an estate's name, address, time zone or hotline", tag: "estates", roles: managers, handler: s.updateEstate, body: estatePatch{}, resp: models.Estate{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/estates/:id/policy", summary: "The estate's policy (SLA tiers, escalation, calendar, fees, dunning ladder, follow-up, quiet hours)", tag: "policy", roles: everyRole, handler: s.getPolicy, resp: models.EstatePolicy{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPut, path: "/api/v1/estates/:id/policy", summary: "Replace the estate's policy (validated; running processes keep theirs)", tag: "policy", roles: managers, handler: s.putPolicy, body: policyRequest{}, resp: models.EstatePolicy{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/estates/:id/policy/changes", summary: "Who changed the policy, and to what", tag: "policy", roles: everyRole, handler: s.listPolicyChanges, resp: listBody[models.PolicyChange]{}, status: http.StatusOK, query: params(), scoped: true},
	}
}

func (s *Server) placeRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/buildings", summary: "Buildings", tag: "places", roles: everyRole, handler: s.listBuildings, resp: listBody[models.Building]{}, status: http.StatusOK, query: params(estateQ)},
		{method: http.MethodPost, path: "/api/v1/buildings", summary: "Add a building", tag: "places", roles: deskRoles, handler: s.createBuilding, body: buildingRequest{}, resp: models.Building{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/buildings/:id", summary: "One building", tag: "places", roles: everyRole, handler: s.getBuilding, resp: models.Building{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/units", summary: "Units", tag: "places", roles: everyRole, handler: s.listUnits, resp: listBody[models.Unit]{}, status: http.StatusOK, query: params(estateQ, param{"building_id", "integer", "only this building"})},
		{method: http.MethodPost, path: "/api/v1/units", summary: "Add a unit to a building", tag: "places", roles: deskRoles, handler: s.createUnit, body: unitRequest{}, resp: models.Unit{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/units/:id", summary: "One unit", tag: "places", roles: everyRole, handler: s.getUnit, resp: models.Unit{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/units/:id", summary: "Change a unit's floor, area (m², two decimals), property type or occupancy (issued bills keep theirs)", tag: "places", roles: unitEditors, handler: s.updateUnit, body: unitPatch{}, resp: models.Unit{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/households", summary: "Households, searchable by unit number or resident name", tag: "places", roles: everyRole, handler: s.listHouseholds, resp: listBody[models.Household]{}, status: http.StatusOK,
			query: exportParams(store.HouseholdSorts.Fields(), estateQ, param{"building_id", "integer", "only this building"}, param{"unit_id", "integer", "only this unit"}, param{"status", "string", "active or moved_out"}, param{"q", "string", "unit number or resident name"})},
		{method: http.MethodPost, path: "/api/v1/households", summary: "Register a household in a unit", tag: "places", roles: deskRoles, handler: s.createHousehold, body: householdRequest{}, resp: models.Household{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/households/:id", summary: "One household", tag: "places", roles: everyRole, handler: s.getHousehold, resp: models.Household{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/residents", summary: "Residents (phones masked, in the list and its export alike), with their households' addresses", tag: "residents", roles: everyRole, handler: s.listResidents, resp: listBody[residentRow]{}, status: http.StatusOK,
			query: exportParams(store.ResidentSorts.Fields(), estateQ, param{"household_id", "integer", "only this household"}, param{"q", "string", "name, or a whole phone number for the roles that may reveal phones"})},
		{method: http.MethodPost, path: "/api/v1/residents", summary: "Add a resident to a household", tag: "residents", roles: deskRoles, handler: s.createResident, body: residentRequest{}, resp: residentView{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/residents/:id", summary: "The owner file (业主档案): the resident (phone masked; POST …/phone-reveal for the whole number), household and address, service needs, move-in, follow-ups with visit records, tickets, messages, bills", tag: "residents", roles: everyRole, handler: s.getResident, resp: ownerFile{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPatch, path: "/api/v1/residents/:id", summary: "Change a resident's name, phone or role", tag: "residents", roles: deskRoles, handler: s.updateResident, body: residentPatch{}, resp: residentView{}, status: http.StatusOK, scoped: true},
	}
}
