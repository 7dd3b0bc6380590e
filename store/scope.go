package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// Scope is the set of estates a caller may see. Records outside it are
// reported as not found, never as forbidden, so their existence does not leak.
type Scope struct {
	all       bool
	estateIDs []uint64
}

// AllEstates is the scope of company-level staff and of the service itself.
func AllEstates() Scope { return Scope{all: true} }

// Estates is the scope of staff who belong to the given estates.
func Estates(ids ...uint64) Scope { return Scope{estateIDs: slices.Clone(ids)} }

// All reports whether the scope covers every estate.
func (s Scope) All() bool { return s.all }

// Allows reports whether estateID is inside the scope.
func (s Scope) Allows(estateID uint64) bool {
	return s.all || slices.Contains(s.estateIDs, estateID)
}

// EstateIDs lists the estates of a limited scope (nil for AllEstates).
func (s Scope) EstateIDs() []uint64 { return slices.Clone(s.estateIDs) }

// where limits q to rows whose column is inside the scope.
func (s Scope) where(q *gorm.DB, column string) *gorm.DB {
	if s.all {
		return q
	}
	if len(s.estateIDs) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where(column+" IN ?", s.estateIDs)
}

// Page selects one page of a list: the one after the cursor After when set,
// else page Number (from 1), in the order Sort (lists that take one).
type Page struct {
	Number int
	Size   int
	Sort   Sort
	After  string
	// Before reads the page before a cursor (a List.Prev) instead.
	Before string
	// Batch marks one batch of an export walking a sorted list by cursor:
	// no total is counted (List.Total stays 0), and Size may reach
	// MaxBatchSize.
	Batch bool
}

// MaxPageSize bounds a page so that one request cannot read a whole table.
const MaxPageSize = 200

// MaxBatchSize bounds a batch of an export (Page.Batch).
const MaxBatchSize = 1000

// size is the number of records on the page.
func (p Page) size() int {
	if p.Size <= 0 {
		return 20
	}
	if p.Batch {
		return min(p.Size, MaxBatchSize)
	}
	return min(p.Size, MaxPageSize)
}

func (p Page) apply(q *gorm.DB) *gorm.DB {
	size := p.size()
	return q.Limit(size).Offset((max(p.Number, 1) - 1) * size)
}

// List is one page of records and the number of records on all pages. Next
// is the cursor of the following page of a sorted list, "" on its last;
// Prev the cursor of the page before, "" on its first.
type List[T any] struct {
	Items []T
	Total int64
	Next  string
	Prev  string
}

// list counts q's rows and reads one page of them into a List.
func list[T any](q *gorm.DB, page Page, order string) (List[T], error) {
	var out List[T]
	if err := q.Count(&out.Total).Error; err != nil {
		return out, translate(err)
	}
	out.Items = []T{}
	if err := page.apply(q.Order(order)).Find(&out.Items).Error; err != nil {
		return out, translate(err)
	}
	return out, nil
}

// queryIn starts a query on the records of type T inside scope, in estate
// estateID unless it is 0.
func queryIn[T any](s *Store, ctx context.Context, scope Scope, estateID uint64) *gorm.DB {
	return match(scope.where(s.reader(ctx).Model(new(T)), "estate_id"), "estate_id", estateID)
}

// listIn reads one page of the records of type T inside scope (and in
// estate estateID unless it is 0) that meet every cond, in order.
func listIn[T any](s *Store, ctx context.Context, scope Scope, estateID uint64, page Page, order string, conds ...cond) (List[T], error) {
	return list[T](narrow(queryIn[T](s, ctx, scope, estateID), conds), page, order)
}

// narrow applies every cond to q.
func narrow(q *gorm.DB, conds []cond) *gorm.DB {
	for _, c := range conds {
		q = c(q)
	}
	return q
}

// sortedIn is listIn for the lists callers sort (sortedList): keys are the
// list's sort keys, def its default order.
func sortedIn[T any](s *Store, ctx context.Context, scope Scope, estateID uint64, page Page, keys SortKeys[T], def Sort, conds ...cond) (List[T], error) {
	return sortedList(narrow(queryIn[T](s, ctx, scope, estateID), conds), page, keys, def)
}

// scoped reads the record of type T with id inside scope (its estate_id in
// it), what naming it in the error: "ticket 12: not found".
func scoped[T any](s *Store, ctx context.Context, scope Scope, id uint64, what string) (T, error) {
	var v T
	if err := scope.where(s.db.WithContext(ctx), "estate_id").First(&v, id).Error; err != nil {
		return v, fmt.Errorf("%s %d: %w", what, id, translate(err))
	}
	return v, nil
}

// match narrows q to rows whose column equals v, unless v is its type's zero
// value: the zero fields of a list filter match everything.
func match[T comparable](q *gorm.DB, column string, v T) *gorm.DB {
	var zero T
	if v == zero {
		return q
	}
	return q.Where(column+" = ?", v)
}

// cond narrows a list query (listIn).
type cond func(q *gorm.DB) *gorm.DB

// eq is match as a cond: column = v, unless v is its type's zero value.
func eq[T comparable](column string, v T) cond {
	return func(q *gorm.DB) *gorm.DB { return match(q, column, v) }
}

// when is the cond query with args if on, else none.
func when(on bool, query string, args ...any) cond {
	return func(q *gorm.DB) *gorm.DB {
		if !on {
			return q
		}
		return q.Where(query, args...)
	}
}
