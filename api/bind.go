package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// maxBody bounds a request body; no form of this API needs more.
const maxBody = 1 << 20

// newValidator reports fields by their JSON names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// bindJSON decodes the body into dst, refusing unknown fields, and validates
// it. It answers 400 naming the field and returns false on any problem.
func (s *Server) bindJSON(c *gin.Context, dst any) bool {
	if err := s.decode(c, dst); err != nil {
		respondError(c, s.log, err)
		return false
	}
	return true
}

// bindWithID reads the :id path parameter, then binds the body into dst
// like bindJSON. It answers a problem itself (404 for an ID that names
// nothing) and reports whether to go on.
func (s *Server) bindWithID(c *gin.Context, dst any) (uint64, bool) {
	id, err := pathID(c, "id")
	if err != nil {
		respondError(c, s.log, err)
		return 0, false
	}
	return id, s.bindJSON(c, dst)
}

// bindOptional binds a body the client may leave out: without one, dst
// stays as it is.
func (s *Server) bindOptional(c *gin.Context, dst any) bool {
	return c.Request.ContentLength == 0 || s.bindJSON(c, dst)
}

func (s *Server) decode(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil {
		return models.Invalid("body", "无法读取")
	}
	if len(raw) > maxBody {
		return models.Invalid("body", "超过 %d 字节", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		err = decodeError(err)
		var ve *models.ValidationError
		if errors.As(err, &ve) && ve.Field == "body" {
			// A value's own UnmarshalJSON/UnmarshalText failed: name its field.
			if path, ok := locate(raw, reflect.TypeOf(dst).Elem()); ok && path != "" {
				ve.Field = path
				ve.Reason = strings.TrimPrefix(ve.Reason, unreadable)
			}
		}
		return err
	}
	if dec.More() {
		return models.Invalid("body", "应为一个 JSON 对象")
	}
	if err := s.validate.Struct(dst); err != nil {
		return validationError(err)
	}
	return checkValues(reflect.ValueOf(dst), "", s.now())
}

func decodeError(err error) error {
	var (
		typeErr *json.UnmarshalTypeError
		syntax  *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return models.Invalid(field, "应为%s", describeType(typeErr.Type))
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return models.Invalid("body", "不是有效的 JSON")
	case errors.Is(err, io.EOF):
		return models.Invalid("body", "为空，需要一个 JSON 对象")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if name == "" { // {"": ...}: no name to give back (found by FuzzRequestBodies)
			return models.Invalid("body", "含有一个名字为空的字段，不是已知字段")
		}
		return models.Invalid(name, "不是已知字段")
	}
	// Errors from a field's own UnmarshalJSON/UnmarshalText (durations, dates...).
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return models.Invalid("body", "%s%s", unreadable, strings.TrimPrefix(err.Error(), "json: "))
}

// unreadable opens the reason of a body that does not decode, before the
// decoder's own words (a value's UnmarshalJSON error, named by its field
// once located).
const unreadable = "无法读取："

// locate finds the JSON path of the first value in raw that does not decode
// into its field of t. ok is false when raw decodes whole.
func locate(raw []byte, t reflect.Type) (path string, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	custom := reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
	switch {
	case !custom && t.Kind() == reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", true
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if v, present := obj[name]; present {
				if p, bad := locate(v, f.Type); bad {
					// "tiers" and "[0].contact" join as "tiers[0].contact".
					if p != "" && !strings.HasPrefix(p, "[") {
						p = "." + p
					}
					return name + p, true
				}
			}
		}
		return "", false
	case !custom && t.Kind() == reflect.Slice:
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return "", true
		}
		for i, v := range arr {
			if p, bad := locate(v, t.Elem()); bad {
				return strings.TrimSuffix(fmt.Sprintf("[%d].%s", i, p), "."), true
			}
		}
		return "", false
	}
	return "", json.Unmarshal(raw, reflect.New(t).Interface()) != nil
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true 或 false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.String:
		return "文字"
	case reflect.Slice, reflect.Array:
		return "列表"
	case reflect.Struct, reflect.Map:
		return "对象"
	}
	return t.String()
}

// validationError turns the first failed validator rule into a
// *models.ValidationError.
func validationError(err error) error {
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return models.Invalid("body", "无效")
	}
	fe := errs[0]
	field := fe.Namespace()
	if _, rest, ok := strings.Cut(field, "."); ok {
		field = rest // drop the struct's own name
	}
	reason, known := ruleReasons[fe.Tag()]
	switch {
	case fe.Tag() == "oneof":
		reason = "应为以下之一：" + strings.ReplaceAll(fe.Param(), " ", "、")
	case !known:
		reason = "不符合 " + fe.Tag() + " 规则"
	case strings.Contains(reason, "%s"):
		reason = fmt.Sprintf(reason, fe.Param()) + sizeUnit(fe)
	}
	return models.Invalid(field, "%s", reason)
}

// sizeUnit is the unit a size rule (min, max, len…) counts in for fe's
// field: characters of a text, items of a list; a number's bound has none.
func sizeUnit(fe validator.FieldError) string {
	switch fe.Tag() {
	case "min", "gte", "max", "lte", "len":
	default:
		return ""
	}
	switch fe.Kind() {
	case reflect.String:
		return " 个字"
	case reflect.Slice, reflect.Array, reflect.Map:
		return " 项"
	}
	return ""
}

// ruleReasons says what a validator rule asks of a field, in Chinese; the
// rule's parameter, if it takes one, fills the %s.
var ruleReasons = map[string]string{
	"required": "必填",
	"numeric":  "只能包含数字",
	"min":      "不能少于 %s",
	"gte":      "不能少于 %s",
	"max":      "不能超过 %s",
	"lte":      "不能超过 %s",
	"gt":       "应大于 %s",
	"len":      "应为 %s",
}

// query reads optional query parameters, collecting the first problem.
type query struct {
	c   *gin.Context
	err error
}

func (q *query) uint(name string) uint64 {
	v := q.c.Query(name)
	if v == "" || q.err != nil {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 || n > math.MaxInt64 {
		q.err = models.Invalid(name, "应为 1 到 %d 的整数", int64(math.MaxInt64))
	}
	return n
}

func (q *query) int(name string, lo, hi int) int {
	v := q.c.Query(name)
	if v == "" || q.err != nil {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.err = models.Invalid(name, "应为 %d 到 %d 的整数", lo, hi)
	}
	return n
}

func (q *query) bool(name string) *bool {
	v := q.c.Query(name)
	if v == "" || q.err != nil {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.err = models.Invalid(name, "应为 true 或 false")
		return nil
	}
	return &b
}

func (q *query) oneOf(name string, allowed ...string) string {
	v := q.c.Query(name)
	if v == "" || q.err != nil {
		return v
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	q.err = models.Invalid(name, "应为以下之一：%s", strings.Join(allowed, "、"))
	return ""
}

// oneOfEnum is oneOf over the values of an enum of the models: name's
// value when it is one of allowed, else "" (and a 400 naming name).
func oneOfEnum[T ~string](q *query, name string, allowed []T) T {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return T(q.oneOf(name, names...))
}

// search reads free text of at most maxRunes characters.
func (q *query) search(name string, maxRunes int) string {
	v := q.c.Query(name)
	if q.err == nil && utf8.RuneCountInString(v) > maxRunes {
		q.err = models.Invalid(name, "不能超过 %d 个字", maxRunes)
	}
	return v
}

func (q *query) page() store.Page {
	return store.Page{Number: q.int("page", 1, 1_000_000), Size: q.int("page_size", 1, store.MaxPageSize)}
}

// sortedPage reads the page of a list callers sort: page, cursor (the
// next_cursor of the page before) or before (the prev_cursor of the page
// after), page_size, and sort: one of fields, ascending, or descending with
// a leading "-" ("-created_at").
func (q *query) sortedPage(fields []string) store.Page {
	p := q.page()
	p.After = q.search("cursor", 500)
	p.Before = q.search("before", 500)
	v := q.c.Query("sort")
	if v == "" || q.err != nil {
		return p
	}
	p.Sort = store.Sort{Field: strings.TrimPrefix(v, "-"), Desc: strings.HasPrefix(v, "-")}
	if !slices.Contains(fields, p.Sort.Field) {
		q.err = models.Invalid("sort", "只能按以下字段排序（前加 - 为倒序）：%s", strings.Join(fields, ", "))
	}
	return p
}

// format reads the form a list is asked in: "" for a page as JSON (json,
// the default), else formatCSV or formatXLSX for an export of every row.
func (q *query) format() string {
	if f := q.oneOf("format", "json", formatCSV, formatXLSX); f != "json" {
		return f
	}
	return ""
}

// pathID reads the :id path parameter.
// IDs above 2^63−1 exist in no table (the databases' keys are signed), so
// they are not found, like any other unknown ID.
func pathID(c *gin.Context, name string) (uint64, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || n == 0 || n > math.MaxInt64 {
		return 0, fmt.Errorf("path %s %q: %w", name, c.Param(name), models.ErrNotFound)
	}
	return n, nil
}

// listBody is the JSON shape of every list.
type listBody[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	// NextCursor reads the following page of a sorted list (cursor=...);
	// absent on its last page and on lists that are not sorted.
	NextCursor string `json:"next_cursor,omitempty"`
	// PrevCursor reads the page before (before=...); absent on the first.
	PrevCursor string `json:"prev_cursor,omitempty"`
}

func listResponse[T, V any](l store.List[T], p store.Page, view func(T) V) listBody[V] {
	out := listBody[V]{Items: make([]V, 0, len(l.Items)), Total: l.Total, Page: max(p.Number, 1), PageSize: p.Size, NextCursor: l.Next, PrevCursor: l.Prev}
	if out.PageSize <= 0 {
		out.PageSize = 20
	}
	for _, it := range l.Items {
		out.Items = append(out.Items, view(it))
	}
	return out
}

func same[T any](t T) T { return t }
