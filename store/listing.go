package store

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// SortKey is a column a list may be sorted on: the list's whitelist maps
// the names callers use (API field names) to these.
type SortKey[T any] struct {
	// Column is the column in SQL.
	Column string
	// Nullable columns sort their NULLs last in either direction.
	Nullable bool
	// Value is a row's value in Column (a nil pointer for NULL), for the
	// cursor that follows the row.
	Value func(T) any
}

// Sort orders a list by the sort key named Field (the list's default when
// empty), descending when Desc; the id breaks ties, in the same direction.
type Sort struct {
	Field string
	Desc  bool
}

// String is the sort as callers write it: "field" or "-field".
func (s Sort) String() string {
	if s.Desc {
		return "-" + s.Field
	}
	return s.Field
}

// SortKeys is a list's whitelist of sort keys; every list has "id".
type SortKeys[T any] map[string]SortKey[T]

// Fields are the names of the keys.
func (k SortKeys[T]) Fields() []string {
	out := make([]string, 0, len(k))
	for f := range k {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// cursor is what a next_cursor token holds: the sort it was made under and
// the last row's sort value and id.
type cursor struct {
	Sort  string `json:"s"`
	Kind  string `json:"k,omitempty"` // "t" time, "i" integer, "s" text; "" for NULL
	Value string `json:"v,omitempty"`
	ID    uint64 `json:"id"`
}

// encodeCursor makes the token that follows a row with sort value v and id.
func encodeCursor(sort Sort, v any, id uint64) string {
	c := cursor{Sort: sort.String(), ID: id}
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv = reflect.Value{}
			break
		}
		rv = rv.Elem()
	}
	if rv.IsValid() {
		switch x := rv.Interface().(type) {
		case time.Time:
			c.Kind, c.Value = "t", x.UTC().Format(time.RFC3339Nano)
		default:
			switch rv.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				c.Kind, c.Value = "i", strconv.FormatInt(rv.Int(), 10)
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				c.Kind, c.Value = "i", strconv.FormatUint(rv.Uint(), 10)
			default:
				c.Kind, c.Value = "s", rv.String()
			}
		}
	}
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a token made under sort: its sort value (nil for
// NULL) and id.
func decodeCursor(token string, sort Sort) (any, uint64, error) {
	bad := models.Invalid("cursor", "翻页标记无效或已过期，请从第一页重新加载")
	b, err := base64.RawURLEncoding.DecodeString(token)
	var c cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.Sort != sort.String() || c.ID == 0 {
		return nil, 0, bad
	}
	switch c.Kind {
	case "":
		return nil, c.ID, nil
	case "t":
		t, err := time.Parse(time.RFC3339Nano, c.Value)
		if err != nil {
			return nil, 0, bad
		}
		return t.UTC(), c.ID, nil
	case "i":
		n, err := strconv.ParseInt(c.Value, 10, 64)
		if err != nil {
			return nil, 0, bad
		}
		return n, c.ID, nil
	case "s":
		return c.Value, c.ID, nil
	}
	return nil, 0, bad
}

// sortedList reads one page of q's rows sorted by page.Sort (def when it
// names no field) among keys: after page.After's row, or before
// page.Before's, when one is set (keyset pagination), else at page.Number.
// Every read walks an index on the sort column and id (the estate's first):
// a nullable column is read in two runs, its values then its NULLs by id,
// rather than ordered by "col IS NULL", which no index serves. List.Next and
// List.Prev are the cursors of the following and preceding pages, "" at
// either end.
func sortedList[T any](q *gorm.DB, page Page, keys SortKeys[T], def Sort) (List[T], error) {
	var out List[T]
	sort := page.Sort
	if sort.Field == "" {
		sort = def
	}
	key, ok := keys[sort.Field]
	if !ok {
		return out, models.Invalid("sort", "不能按 %q 排序", sort.Field)
	}
	base := q.Session(&gorm.Session{})
	if !page.Batch {
		if err := base.Count(&out.Total).Error; err != nil {
			return out, translate(err)
		}
	}
	back := page.Before != ""
	token := page.After
	if back {
		if page.After != "" {
			return out, models.Invalid("before", "不能与 cursor 同时使用")
		}
		token = page.Before
	}
	var (
		at  *keyset
		err error
	)
	if token != "" {
		at = &keyset{}
		if at.v, at.id, err = decodeCursor(token, sort); err != nil {
			return out, err
		}
	}
	runs := sortRuns(key, sort.Desc != back, back, at)
	size := page.size()
	offset := 0
	if at == nil {
		offset = (max(page.Number, 1) - 1) * size
	}
	out.Items = []T{}
	for i, run := range runs {
		need := size + 1 - len(out.Items)
		if need <= 0 {
			break
		}
		rq := run(base.Session(&gorm.Session{}))
		if offset > 0 && i < len(runs)-1 {
			var n int64
			if err := rq.Session(&gorm.Session{}).Count(&n).Error; err != nil {
				return out, translate(err)
			}
			if int64(offset) >= n {
				offset -= int(n)
				continue
			}
		}
		items, err := readRun[T](rq, offset, need, keys["id"])
		if err != nil {
			return out, translate(err)
		}
		offset = 0
		out.Items = append(out.Items, items...)
	}
	more := len(out.Items) > size
	if more {
		out.Items = out.Items[:size]
	}
	if back {
		slices.Reverse(out.Items)
	}
	if len(out.Items) == 0 {
		return out, nil
	}
	cur := func(t T) string { return encodeCursor(sort, key.Value(t), keys["id"].Value(t).(uint64)) }
	first, last := out.Items[0], out.Items[len(out.Items)-1]
	switch {
	case back:
		if more {
			out.Prev = cur(first)
		}
		out.Next = cur(last)
	default:
		if more {
			out.Next = cur(last)
		}
		if at != nil || page.Number > 1 {
			out.Prev = cur(first)
		}
	}
	return out, nil
}

// readRun reads up to limit rows of the ordered query q after skipping
// offset. A deep page reads the ids first, off the index that orders q
// (skipping rows costs a step of the index each, not a row read), then
// its rows by id.
func readRun[T any](q *gorm.DB, offset, limit int, id SortKey[T]) ([]T, error) {
	var items []T
	if offset == 0 {
		err := q.Limit(limit).Find(&items).Error
		return items, err
	}
	var ids []uint64
	if err := q.Session(&gorm.Session{}).Offset(offset).Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return items, nil
	}
	if err := q.Session(&gorm.Session{NewDB: true}).Where("id IN ?", ids).Find(&items).Error; err != nil {
		return nil, err
	}
	at := make(map[uint64]int, len(ids))
	for i, v := range ids {
		at[v] = i
	}
	slices.SortFunc(items, func(a, b T) int { return at[id.Value(a).(uint64)] - at[id.Value(b).(uint64)] })
	return items, nil
}

// keyset is a cursor's row: its sort value (nil for NULL) and id.
type keyset struct {
	v  any
	id uint64
}

// sortRuns are the queries that read, one after the other, the rows after
// at (every row when nil) walking descending when desc: one run on the sort
// column and id, or for a nullable column the values, then the NULLs by id
// (the other way round walking back, since NULLs sort last either way).
func sortRuns[T any](key SortKey[T], desc, back bool, at *keyset) []func(*gorm.DB) *gorm.DB {
	dir, op := "ASC", ">"
	if desc {
		dir, op = "DESC", "<"
	}
	col := key.Column
	values := func(q *gorm.DB) *gorm.DB {
		if key.Nullable {
			q = q.Where(col + " IS NOT NULL")
		}
		if at != nil && at.v != nil {
			// The leading "col op= v" lets the database read a range of
			// col's index instead of testing every row.
			q = q.Where(col+" "+op+"= ? AND ("+col+" "+op+" ? OR id "+op+" ?)", at.v, at.v, at.id)
		}
		return q.Order(col + " " + dir + ", id " + dir)
	}
	if !key.Nullable {
		return []func(*gorm.DB) *gorm.DB{values}
	}
	nulls := func(q *gorm.DB) *gorm.DB {
		q = q.Where(col + " IS NULL")
		if at != nil && at.v == nil {
			q = q.Where("id "+op+" ?", at.id)
		}
		return q.Order("id " + dir)
	}
	switch {
	case at != nil && at.v == nil && !back: // past every value
		return []func(*gorm.DB) *gorm.DB{nulls}
	case at != nil && at.v != nil && back: // before every NULL
		return []func(*gorm.DB) *gorm.DB{values}
	case back:
		return []func(*gorm.DB) *gorm.DB{nulls, values}
	}
	return []func(*gorm.DB) *gorm.DB{values, nulls}
}

// idKey is the "id" sort key of a list of T.
func idKey[T any](id func(T) uint64) SortKey[T] {
	return SortKey[T]{Column: "id", Value: func(t T) any { return id(t) }}
}
