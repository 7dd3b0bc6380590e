package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
)

// savedFilterRequest saves the current filters of a list under a name.
type savedFilterRequest struct {
	List  string `json:"list" validate:"required"`
	Name  string `json:"name" validate:"required"`
	Query string `json:"query"`
}

// listSavedFilters lists the caller's own saved filters, of one list when
// asked.
func (s *Server) listSavedFilters(c *gin.Context) {
	q := query{c: c}
	list := q.oneOf("list", models.SavedFilterLists...)
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	fs, err := s.store.SavedFilters(c.Request.Context(), caller(c).Staff.ID, list)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listBody[models.SavedFilter]{Items: fs, Total: int64(len(fs)), Page: 1, PageSize: len(fs)})
}

// createSavedFilter saves a filter for the caller (409 for a name the caller
// already gave a filter of that list).
func (s *Server) createSavedFilter(c *gin.Context) {
	var in savedFilterRequest
	if !s.bindJSON(c, &in) {
		return
	}
	f := models.SavedFilter{StaffID: caller(c).Staff.ID, List: in.List, Name: in.Name, Query: in.Query}
	err := f.Normalize()
	if err == nil {
		err = s.store.CreateSavedFilter(c.Request.Context(), &f)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

// deleteSavedFilter deletes one of the caller's saved filters; another
// person's is 404.
func (s *Server) deleteSavedFilter(c *gin.Context) {
	id, err := pathID(c, "id")
	if err == nil {
		err = s.store.DeleteSavedFilter(c.Request.Context(), caller(c).Staff.ID, id)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) savedFilterRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/saved-filters", summary: "Your saved filters (保存的筛选), by list and name", tag: "lists", roles: everyRole, handler: s.listSavedFilters,
			resp: listBody[models.SavedFilter]{}, status: http.StatusOK, query: []param{{"list", "string", "only this list: tickets, follow_ups or arrears"}}},
		{method: http.MethodPost, path: "/api/v1/saved-filters", summary: "Save a list's query string under a name, for yourself (409 for a name you already use on that list)", tag: "lists", roles: everyRole, handler: s.createSavedFilter,
			body: savedFilterRequest{}, resp: models.SavedFilter{}, status: http.StatusCreated},
		{method: http.MethodDelete, path: "/api/v1/saved-filters/:id", summary: "Delete one of your saved filters (another person's is 404)", tag: "lists", roles: everyRole, handler: s.deleteSavedFilter,
			status: http.StatusNoContent, scoped: true},
	}
}
