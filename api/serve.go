package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/store"
)

// The shapes most handlers take: read one record, list records, add one.
// Each answers any problem itself through respondError.

// reader reads one record by ID inside a scope (store.Store's getters).
type reader[T any] func(context.Context, store.Scope, uint64) (T, error)

// loadScoped reads the record named by the :id path parameter inside the
// caller's estates with read, answering the error itself (404 for an absent
// record or one of another estate) and reporting whether to go on.
func loadScoped[T any](s *Server, c *gin.Context, read reader[T]) (T, bool) {
	var v T
	id, err := pathID(c, "id")
	if err == nil {
		v, err = read(c.Request.Context(), caller(c).scope(), id)
	}
	if err != nil {
		respondError(c, s.log, err)
		return v, false
	}
	return v, true
}

// loadAndBind reads the record named by :id like loadScoped, then binds the
// body into dst like bindJSON.
func loadAndBind[T any](s *Server, c *gin.Context, read reader[T], dst any) (T, bool) {
	v, ok := loadScoped(s, c, read)
	return v, ok && s.bindJSON(c, dst)
}

// serveScoped answers a request for the record named by :id inside the
// caller's estates, shown through view.
func serveScoped[T, V any](s *Server, c *gin.Context, read reader[T], view func(T) V) {
	if v, ok := loadScoped(s, c, read); ok {
		c.JSON(http.StatusOK, view(v))
	}
}

// serveList answers a list request: the first problem with q's parameters is
// a 400; otherwise one page of read(f) inside the caller's estates, each item
// shown through view.
func serveList[F, T, V any](s *Server, c *gin.Context, q *query, f F,
	read func(context.Context, store.Scope, F, store.Page) (store.List[T], error), view func(T) V) {
	page := q.page()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	l, err := read(c.Request.Context(), caller(c).scope(), f, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listResponse(l, page, view))
}

// serveAddressed answers a sorted list of records of households (serveRows),
// each shown by view beside its household's address: read lists them inside
// the caller's scope under filter f, household names a record's household.
func serveAddressed[F, T, V any](s *Server, c *gin.Context, q *query, page store.Page, format string, f F,
	read func(context.Context, store.Scope, F, store.Page) (store.List[T], error), household func(T) uint64,
	view func(T, string) V, name string, cols []column[V]) {
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[V], error) {
		l, err := read(ctx, scope, f, page)
		if err != nil {
			return listBody[V]{}, err
		}
		ids := make([]uint64, len(l.Items))
		for i, it := range l.Items {
			ids[i] = household(it)
		}
		where, err := s.store.HouseholdAddresses(ctx, scope, ids)
		if err != nil {
			return listBody[V]{}, err
		}
		return listResponse(l, page, func(it T) V { return view(it, where[household(it)]) }), nil
	}, name, cols)
}

// createdStatus is the status of an answer with a record: 201 when the
// request made it, 200 when a repeated request found it made.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// newRecord is a request body that adds a record of type T: record makes
// the record, or says what in the body is invalid beyond its tags.
type newRecord[T any] interface {
	record() (T, error)
}

// serveCreate answers a request that adds a record inside the caller's
// estates: the body is bound into an In, the record it makes saved with
// save, and the answer is 201 with the record shown through view.
func serveCreate[In newRecord[T], T, V any](s *Server, c *gin.Context,
	save func(context.Context, store.Scope, *T) error, view func(T) V) {
	var in In
	if !s.bindJSON(c, &in) {
		return
	}
	rec, err := in.record()
	if err == nil {
		err = save(c.Request.Context(), caller(c).scope(), &rec)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, view(rec))
}

// addressesAndNames reads what a list's rows show beside their records: the
// addresses of households (inside scope) and the names of staff, one query
// each.
func (s *Server) addressesAndNames(ctx context.Context, scope store.Scope, households, staff []uint64) (where, names map[uint64]string, err error) {
	if where, err = s.store.HouseholdAddresses(ctx, scope, households); err != nil {
		return nil, nil, err
	}
	if names, err = s.store.StaffNames(ctx, staff); err != nil {
		return nil, nil, err
	}
	return where, names, nil
}
