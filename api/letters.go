package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// serviceRoles record a demand letter's service: finance (who holds the
// delivery task by default) and the service desk.
var serviceRoles = []models.Role{models.RoleFinance, models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// getLetter answers a demand letter with its printable content and its
// service.
func (s *Server) getLetter(c *gin.Context) {
	l, ok := loadScoped(s, c, s.store.DemandLetter)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, l)
}

type serviceRequest struct {
	DeliveryMethod models.DeliveryMethod `json:"delivery_method"`
	TrackingNo     string                `json:"tracking_no"`
	DeliveryProof  string                `json:"delivery_proof"`
	ServedOn       models.Date           `json:"served_on"`
}

// recordService records how and when a letter awaiting service was served,
// through the household's case (its validator checks the fields): 409 when
// the letter was served already.
func (s *Server) recordService(c *gin.Context) {
	var in serviceRequest
	l, ok := loadAndBind(s, c, s.store.DemandLetter, &in)
	if !ok {
		return
	}
	if !l.AwaitsService {
		respondError(c, s.log, &stateError{state: "served", msg: "该催缴函已记录送达"})
		return
	}
	s.caseAction(c, l.HouseholdID, workflows.CaseAction{Action: workflows.ActRecordService, LetterID: l.ID,
		Method: in.DeliveryMethod, TrackingNo: in.TrackingNo, Proof: in.DeliveryProof, ServedOn: in.ServedOn})
}

func (s *Server) letterRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/letters/:id", summary: "A demand letter (催缴函) with its printable content (amounts in figures and in words, legal basis, reply period) and its service", tag: "arrears",
			roles: everyRole, handler: s.getLetter, resp: models.DemandLetter{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/letters/:id/service", summary: "Record a demand letter's service (上门送达, 邮寄 with its tracking number, 张贴 with a photo reference): the formal notice's period counts from the served date (Idempotency-Key header: applied once; 409 when served already)", tag: "arrears",
			roles: serviceRoles, handler: s.recordService, body: serviceRequest{}, resp: caseView{}, status: http.StatusOK, scoped: true},
	}
}
