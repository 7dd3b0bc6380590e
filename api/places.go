package api

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

type buildingRequest struct {
	EstateID uint64 `json:"estate_id" validate:"required"`
	Name     string `json:"name" validate:"required,max=50"`
}

func (in buildingRequest) record() (models.Building, error) {
	return models.Building{EstateID: in.EstateID, Name: in.Name}, nil
}

func (s *Server) createBuilding(c *gin.Context) {
	serveCreate[buildingRequest](s, c, s.store.CreateBuilding, same[models.Building])
}

func (s *Server) getBuilding(c *gin.Context) {
	serveScoped(s, c, s.store.Building, same[models.Building])
}

func (s *Server) listBuildings(c *gin.Context) {
	q := query{c: c}
	f := store.BuildingFilter{EstateID: q.uint("estate_id")}
	serveList(s, c, &q, f, s.store.Buildings, same[models.Building])
}

type unitRequest struct {
	BuildingID uint64 `json:"building_id" validate:"required"`
	Number     string `json:"number" validate:"required,max=20"`
	Floor      int    `json:"floor" validate:"gte=-10,lte=200"`
	// AreaM2 is in m², at most two decimals (models.ParseArea).
	AreaM2       models.Area         `json:"area_m2"`
	PropertyType models.PropertyType `json:"property_type"` // default residential
	Occupancy    models.Occupancy    `json:"occupancy"`     // default occupied
}

func (in unitRequest) record() (models.Unit, error) {
	u := models.Unit{BuildingID: in.BuildingID, Number: in.Number, Floor: in.Floor, Area: in.AreaM2,
		PropertyType: in.PropertyType, Occupancy: in.Occupancy}
	return u, checkUnitKinds(in.PropertyType, in.Occupancy)
}

// checkUnitKinds refuses an unknown property type or occupancy (empty ones
// are left to their defaults or as they were).
func checkUnitKinds(t models.PropertyType, o models.Occupancy) error {
	if t != "" {
		if err := t.Check("property_type"); err != nil {
			return err
		}
	}
	if o != "" {
		return o.Check("occupancy")
	}
	return nil
}

// unitPatch changes what a unit's fees are priced on; each field left out
// stays as it is.
type unitPatch struct {
	Floor        *int                `json:"floor" validate:"omitempty,gte=-10,lte=200"`
	AreaM2       *models.Area        `json:"area_m2"`
	PropertyType models.PropertyType `json:"property_type"`
	Occupancy    models.Occupancy    `json:"occupancy"`
}

func (s *Server) updateUnit(c *gin.Context) {
	var in unitPatch
	id, ok := s.bindWithID(c, &in)
	if !ok {
		return
	}
	if err := checkUnitKinds(in.PropertyType, in.Occupancy); err != nil {
		respondError(c, s.log, err)
		return
	}
	ctx, scope := c.Request.Context(), caller(c).scope()
	u, err := s.store.Unit(ctx, scope, id)
	if err == nil {
		setIf(&u.Floor, in.Floor)
		setIf(&u.Area, in.AreaM2)
		u.PropertyType = cmp.Or(in.PropertyType, u.PropertyType)
		u.Occupancy = cmp.Or(in.Occupancy, u.Occupancy)
		err = s.store.UpdateUnit(ctx, scope, &u)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) createUnit(c *gin.Context) {
	serveCreate[unitRequest](s, c, s.store.CreateUnit, same[models.Unit])
}

func (s *Server) getUnit(c *gin.Context) {
	serveScoped(s, c, s.store.Unit, same[models.Unit])
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

func (in householdRequest) record() (models.Household, error) {
	return models.Household{UnitID: in.UnitID, MovedInOn: in.MovedInOn}, nil
}

// createHousehold answers with the household as it is read back, with its
// building and unit number.
func (s *Server) createHousehold(c *gin.Context) {
	serveCreate[householdRequest](s, c, s.addHousehold, same[models.Household])
}

// addHousehold saves h and reads it back whole.
func (s *Server) addHousehold(ctx context.Context, scope store.Scope, h *models.Household) error {
	if err := s.store.CreateHousehold(ctx, scope, h); err != nil {
		return err
	}
	saved, err := s.store.Household(ctx, scope, h.ID)
	if err == nil {
		*h = saved
	}
	return err
}

func (s *Server) getHousehold(c *gin.Context) {
	serveScoped(s, c, s.store.Household, same[models.Household])
}

func (s *Server) listHouseholds(c *gin.Context) {
	q := query{c: c}
	f := store.HouseholdFilter{
		EstateID: q.uint("estate_id"), BuildingID: q.uint("building_id"), UnitID: q.uint("unit_id"),
		Status: models.HouseholdStatus(q.oneOf("status", string(models.HouseholdActive), string(models.HouseholdMovedOut))),
		Query:  q.search("q", 50),
	}
	page, format := q.sortedPage(store.HouseholdSorts.Fields()), q.format()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[models.Household], error) {
		l, err := s.store.Households(ctx, scope, f, page)
		return listResponse(l, page, same[models.Household]), err
	}, "住户", householdColumns)
}

// householdColumns are the columns of the household export.
var householdColumns = []column[models.Household]{
	{"住户编号", func(h models.Household) string { return strconv.FormatUint(h.ID, 10) }},
	{"楼栋", func(h models.Household) string { return h.Building }},
	{"房号", func(h models.Household) string { return h.UnitNumber }},
	{"状态", func(h models.Household) string { return h.Status.Label() }},
	{"入住日期", func(h models.Household) string { return cellDate(h.MovedInOn) }},
	{"迁出日期", func(h models.Household) string { return cellDate(h.MovedOut) }},
}
