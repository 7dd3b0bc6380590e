package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

type buildingRequest struct {
	EstateID uint64 `json:"estate_id" validate:"required"`
	Name     string `json:"name" validate:"required,max=50"`
}

func (s *Server) createBuilding(c *gin.Context) {
	var in buildingRequest
	if !s.bindJSON(c, &in) {
		return
	}
	b := models.Building{EstateID: in.EstateID, Name: in.Name}
	if err := s.store.CreateBuilding(c.Request.Context(), caller(c).scope(), &b); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}

func (s *Server) getBuilding(c *gin.Context) {
	b, ok := loadScoped(s, c, s.store.Building)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, b)
}

func (s *Server) listBuildings(c *gin.Context) {
	q := query{c: c}
	f := store.BuildingFilter{EstateID: q.uint("estate_id")}
	serveList(s, c, &q, f, s.store.Buildings, same[models.Building])
}

type unitRequest struct {
	BuildingID uint64  `json:"building_id" validate:"required"`
	Number     string  `json:"number" validate:"required,max=20"`
	Floor      int     `json:"floor" validate:"gte=-10,lte=200"`
	AreaM2     float64 `json:"area_m2" validate:"gte=0,lte=100000"`
}

func (s *Server) createUnit(c *gin.Context) {
	var in unitRequest
	if !s.bindJSON(c, &in) {
		return
	}
	u := models.Unit{BuildingID: in.BuildingID, Number: in.Number, Floor: in.Floor, AreaM2: in.AreaM2}
	if err := s.store.CreateUnit(c.Request.Context(), caller(c).scope(), &u); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

func (s *Server) getUnit(c *gin.Context) {
	u, ok := loadScoped(s, c, s.store.Unit)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) listUnits(c *gin.Context) {
	q := query{c: c}
	f := store.UnitFilter{EstateID: q.uint("estate_id"), BuildingID: q.uint("building_id")}
	serveList(s, c, &q, f, s.store.Units, same[models.Unit])
}

type householdRequest struct {
	UnitID    uint64     `json:"unit_id" validate:"required"`
	MovedInOn *time.Time `json:"moved_in_on"`
}

func (s *Server) createHousehold(c *gin.Context) {
	var in householdRequest
	if !s.bindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	scope := caller(c).scope()
	h := models.Household{UnitID: in.UnitID, MovedInOn: in.MovedInOn}
	if err := s.store.CreateHousehold(ctx, scope, &h); err != nil {
		respondError(c, s.log, err)
		return
	}
	h, err := s.store.Household(ctx, scope, h.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, h)
}

func (s *Server) getHousehold(c *gin.Context) {
	h, ok := loadScoped(s, c, s.store.Household)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) listHouseholds(c *gin.Context) {
	q := query{c: c}
	f := store.HouseholdFilter{
		EstateID: q.uint("estate_id"), BuildingID: q.uint("building_id"), UnitID: q.uint("unit_id"),
		Status: models.HouseholdStatus(q.oneOf("status", string(models.HouseholdActive), string(models.HouseholdMovedOut))),
		Query:  q.search("q", 50),
	}
	serveList(s, c, &q, f, s.store.Households, same[models.Household])
}
