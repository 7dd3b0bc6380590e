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
// names no field) among keys: after page.After's row when it is set (keyset
// pagination: as fast deep in a list as at its top), else at page.Number.
// List.Next is the cursor of the following page, "" on the last.
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
	if !page.Batch {
		if err := q.Count(&out.Total).Error; err != nil {
			return out, translate(err)
		}
	}
	dir, op := "ASC", ">"
	if sort.Desc {
		dir, op = "DESC", "<"
	}
	order := key.Column + " " + dir + ", id " + dir
	if key.Nullable {
		order = key.Column + " IS NULL, " + order
	}
	size := page.size()
	if page.After != "" {
		v, id, err := decodeCursor(page.After, sort)
		if err != nil {
			return out, err
		}
		col := key.Column
		switch {
		case v == nil:
			q = q.Where(col+" IS NULL AND id "+op+" ?", id)
		case key.Nullable:
			q = q.Where("("+col+" IS NULL OR "+col+" "+op+" ? OR ("+col+" = ? AND id "+op+" ?))", v, v, id)
		default:
			// The leading "col op= v" lets the database read a range of
			// col's index instead of testing every row.
			q = q.Where(col+" "+op+"= ? AND ("+col+" "+op+" ? OR id "+op+" ?)", v, v, id)
		}
	} else {
		q = q.Offset((max(page.Number, 1) - 1) * size)
	}
	out.Items = []T{}
	if err := q.Order(order).Limit(size + 1).Find(&out.Items).Error; err != nil {
		return out, translate(err)
	}
	if len(out.Items) > size {
		out.Items = out.Items[:size]
		last := out.Items[size-1]
		out.Next = encodeCursor(sort, key.Value(last), keys["id"].Value(last).(uint64))
	}
	return out, nil
}

// idKey is the "id" sort key of a list of T.
func idKey[T any](id func(T) uint64) SortKey[T] {
	return SortKey[T]{Column: "id", Value: func(t T) any { return id(t) }}
}
