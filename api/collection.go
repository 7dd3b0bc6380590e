package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
)

// financeHubRoles see the finance hub (收费管理) and its collection rate.
var financeHubRoles = []models.Role{models.RoleFinance, models.RoleEstateManager, models.RoleCompanyAdmin}

// collectionRateBody is the collection rate (收缴率, models.Collection) of
// an estate's bills, or of every estate the caller sees, as of today:
// those of one month, and those of its year up to it.
type collectionRateBody struct {
	// EstateID is 0 for every estate the caller sees.
	EstateID uint64         `json:"estate_id"`
	AsOf     string         `json:"as_of"` // today, YYYY-MM-DD, in the estate's time zone
	Month    collectionView `json:"month"`
	Year     collectionView `json:"year"`
}

// collectionView is a models.Collection with its span and rate.
type collectionView struct {
	From string `json:"from"` // YYYY-MM
	To   string `json:"to"`   // YYYY-MM
	models.Collection
	// RateBP is collected ÷ billed in basis points (8750 is 87.50 %); null
	// when nothing is billed.
	RateBP *int64 `json:"rate_bp"`
}

func viewCollection(c models.Collection) collectionView {
	v := collectionView{From: c.From.String(), To: c.To.String(), Collection: c}
	if bp, ok := c.RateBP(); ok {
		v.RateBP = &bp
	}
	return v
}

// collectionRate answers the collection rate of a month (period, by default
// this one) and of its year up to it, for estate_id (by default the
// caller's own estate; every estate the caller sees for company-level
// staff).
func (s *Server) collectionRate(c *gin.Context) {
	q := query{c: c}
	estateID := q.uint("estate_id")
	period := c.Query("period")
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	if estateID == 0 && p.Staff.EstateID != nil {
		estateID = *p.Staff.EstateID
	}
	loc, err := time.LoadLocation(s.defaultTZ)
	if err != nil {
		loc = time.UTC
	}
	if estateID != 0 {
		e, err := s.store.Estate(ctx, p.scope(), estateID)
		if err != nil {
			respondError(c, s.log, referenced(err, "estate_id", "小区", estateID))
			return
		}
		loc = estateLocation(e)
	}
	today := models.DateOf(s.now(), loc)
	this := models.Month{Year: today.Year, Month: today.Month}
	month := this
	if period != "" {
		if month.UnmarshalText([]byte(period)) != nil {
			respondError(c, s.log, models.Invalid("period", "应为月份，格式 YYYY-MM"))
			return
		}
		if month.Year < 2000 || month.String() > this.String() {
			respondError(c, s.log, models.Invalid("period", "应在 2000-01 至本月（%s）之间", this))
			return
		}
	}
	from, to := models.YearOf(month)
	cs, err := s.store.Collections(ctx, p.scope(), estateID, today, []models.Collection{{From: month, To: month}, {From: from, To: to}})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, collectionRateBody{EstateID: estateID, AsOf: today.String(), Month: viewCollection(cs[0]), Year: viewCollection(cs[1])})
}
