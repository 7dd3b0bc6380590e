package api

import (
	"encoding"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// openAPI serves the OpenAPI 3 description generated from the route table.
func (s *Server) openAPI(c *gin.Context) {
	c.JSON(http.StatusOK, s.openAPIDocument())
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIDocument describes every route of the table, its roles, parameters,
// request and response bodies and error responses.
func (s *Server) openAPIDocument() map[string]any {
	g := schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, r := range s.routes() {
		p := pathParam.ReplaceAllString(r.path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{
			"summary":     r.summary,
			"tags":        []string{r.tag},
			"operationId": strings.ToLower(r.method) + strings.NewReplacer("/", "_", "-", "_", ".", "_", "{", "by_", "}", "").Replace(p),
		}
		var ps []any
		for _, m := range pathParam.FindAllStringSubmatch(r.path, -1) {
			schema := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
			if m[1] == "action" {
				schema = map[string]any{"type": "string", "enum": r.actions}
			}
			ps = append(ps, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, q := range r.query {
			ps = append(ps, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": q.kind}})
		}
		if len(ps) > 0 {
			op["parameters"] = ps
		}
		if r.body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.body))}}}
		}
		if len(r.form) > 0 {
			props, required := map[string]any{}, []string{}
			for _, f := range r.form {
				schema := map[string]any{"type": f.kind, "description": f.desc}
				if f.kind == "file" {
					schema = map[string]any{"type": "string", "format": "binary", "description": f.desc}
				}
				props[f.name], required = schema, append(required, f.name)
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "properties": props, "required": required}}}}
		}
		ok := map[string]any{"description": http.StatusText(r.status)}
		if r.resp != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.resp))}}
		}
		if r.stream {
			ok["content"] = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		responses := map[string]any{strconv.Itoa(r.status): ok}
		errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		for code, desc := range errorResponses(r) {
			resp := map[string]any{"description": desc}
			for k, v := range errRef {
				resp[k] = v
			}
			responses[strconv.Itoa(code)] = resp
		}
		op["responses"] = responses
		if !r.public {
			roles := make([]string, len(r.roles))
			for i, role := range r.roles {
				roles[i] = string(role)
			}
			op["x-roles"] = roles
			// x-api-tokens: which integration tokens may call it.
			switch {
			case r.peopleOnly:
				op["x-api-tokens"] = "none"
			case r.method == http.MethodGet:
				op["x-api-tokens"] = "read, write"
			default:
				op["x-api-tokens"] = "write"
			}
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		}
		paths[p][strings.ToLower(r.method)] = op
	}
	g.defs["Error"] = g.schema(reflect.TypeOf(errorBody{}))
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "物业 process service API",
			"version":     "1",
			"description": "Repair tickets, arrears collection and new-resident follow-up for property-management companies. Errors: {\"error\":{\"code\",\"message\",\"field\",\"state\"}}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "a session token from POST /api/v1/sessions, or an integration token (scope read: GET routes only; scope write: every route but those for people, see x-api-tokens)"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
	}
}

func errorResponses(r route) map[int]string {
	out := map[int]string{http.StatusInternalServerError: "internal error"}
	if r.body != nil || len(r.query) > 0 || len(r.form) > 0 {
		out[http.StatusBadRequest] = "invalid input; field names it"
	}
	if !r.public {
		out[http.StatusUnauthorized] = "not signed in"
		out[http.StatusForbidden] = "your role may not do this"
	}
	if strings.Contains(r.path, ":") {
		out[http.StatusNotFound] = "no such record in your estates"
	}
	if r.method == http.MethodPost || r.method == http.MethodPut || r.method == http.MethodPatch {
		out[http.StatusConflict] = "duplicate, or the current state does not allow this"
	}
	return out
}

// schemaGen turns Go types into OpenAPI schemas, naming structs once under
// components/schemas.
type schemaGen struct{ defs map[string]any }

var (
	timeType          = reflect.TypeOf(time.Time{})
	textMarshalerType = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

var nonName = regexp.MustCompile(`[^A-Za-z0-9]+`)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		s := g.schema(t.Elem())
		if _, ref := s["$ref"]; ref {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Implements(textMarshalerType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t.Name())
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, done := g.defs[name]; done {
			return ref
		}
		g.defs[name] = map[string]any{} // placeholder against recursion
		props, required := map[string]any{}, []string{}
		g.fields(t, props, &required)
		def := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			slices.Sort(required)
			def["required"] = required
		}
		g.defs[name] = def
		return ref
	}
	return map[string]any{}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, props, required)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		rules := f.Tag.Get("validate")
		for _, rule := range strings.Split(rules, ",") {
			if rule == "required" {
				*required = append(*required, name)
			}
			if vals, ok := strings.CutPrefix(rule, "oneof="); ok {
				if _, ref := s["$ref"]; !ref {
					s["enum"] = strings.Fields(vals)
				}
			}
		}
		props[name] = s
	}
}

// schemaName names a Go type's schema: a generic instance is named after
// its argument, "listBody[github.com/…/models.Ticket]" as "TicketList".
func schemaName(goName string) string {
	if base, arg, ok := strings.Cut(goName, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndex(arg, ".")+1:]
		if base == "listBody" {
			return schemaName(arg) + "List"
		}
		return schemaName(base + "_" + arg)
	}
	return strings.Trim(nonName.ReplaceAllString(goName, "_"), "_")
}
