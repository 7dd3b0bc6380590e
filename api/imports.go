package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

func (s *Server) importRoutes() []route {
	kinds := "kind: " + fmt.Sprint(s.kinds.Names())
	return []route{
		{method: http.MethodGet, path: "/api/v1/imports/templates/:kind", summary: "The template of an import kind (" + kinds + "): Chinese headers and one example row", tag: "imports", roles: imports.AnyRoles, handler: s.importTemplate, status: http.StatusOK,
			query: []param{{"format", "string", "xlsx (default) or csv (UTF-8 with BOM)"}}},
		{method: http.MethodPost, path: "/api/v1/imports", summary: "Check (dry_run=true: every bad row with its column and reason, nothing changed) or apply an xlsx/csv file (multipart field file, at most 20 MB). Apply refuses the whole file (400 with the same report) while any row is bad, so nothing is half applied; a good file is stored and applied by a durable process (202), upserting by business key", tag: "imports", roles: imports.AnyRoles, handler: s.createImport, resp: importReport{}, status: http.StatusOK,
			query: []param{{"kind", "string", kinds}, estateQ, {"dry_run", "boolean", "true: only check the file"}}},
		{method: http.MethodGet, path: "/api/v1/imports/:id", summary: "An import's progress: status, rows total/done/failed, the rows that failed", tag: "imports", roles: imports.AnyRoles, handler: s.getImport, resp: importView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/imports/:id/cancel", summary: "Stop an import after the batch it is applying; rows applied are kept (409 when it has ended)", tag: "imports", roles: imports.AnyRoles, handler: s.cancelImport, resp: importView{}, status: http.StatusOK, scoped: true},
	}
}

// importReport is the answer to a file checked (and, unless a dry run,
// stored): its rows and every problem of its bad rows.
type importReport struct {
	Kind      string            `json:"kind"`
	DryRun    bool              `json:"dry_run"`
	RowsTotal int               `json:"rows_total"`
	RowsValid int               `json:"rows_valid"`
	Errors    []models.RowError `json:"errors"`
	// Import is the stored import, when applied.
	Import *importView `json:"import,omitempty"`
}

// importView is an import with its failed rows.
type importView struct {
	models.Import
	Errors []models.RowError `json:"errors"`
}

// importKind reads the kind named by name and checks the caller may import
// it: staff only by a person signed in with a password.
func (s *Server) importKind(c *gin.Context, name string) (*imports.Kind, error) {
	k, ok := s.kinds[name]
	if !ok {
		return nil, models.Invalid("kind", "导入类型应为以下之一：%v", s.kinds.Names())
	}
	p := caller(c)
	if !p.is(k.Roles...) || (k.Name == "staff" && p.token != nil) {
		return nil, models.ErrForbidden
	}
	return k, nil
}

func (s *Server) importTemplate(c *gin.Context) {
	q := query{c: c}
	format := q.oneOf("format", string(imports.XLSX), string(imports.CSV))
	k, err := s.importKind(c, c.Param("kind"))
	if err == nil {
		err = q.err
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	f := imports.Format(format)
	if f == "" {
		f = imports.XLSX
	}
	b, err := imports.Template(k, f)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	ct := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if f == imports.CSV {
		ct = "text/csv; charset=utf-8"
	}
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(k.Label+"导入模板."+string(f)))
	c.Data(http.StatusOK, ct, b)
}

// uploadLimit bounds a request carrying a file: the file and the form
// around it.
const uploadLimit = imports.MaxFileSize + 1<<20

func (s *Server) createImport(c *gin.Context) {
	q := query{c: c}
	estateID := q.uint("estate_id")
	dry := q.bool("dry_run")
	k, err := s.importKind(c, c.Query("kind"))
	switch {
	case err != nil:
	case q.err != nil:
		err = q.err
	case estateID == 0:
		err = models.Invalid("estate_id", "必填")
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	e, err := s.store.Estate(ctx, p.scope(), estateID)
	if err != nil {
		respondError(c, s.log, referenced(err, "estate_id", "小区", estateID))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, uploadLimit)
	fh, err := c.FormFile("file")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || (err == nil && fh.Size > imports.MaxFileSize):
		s.fileTooLarge(c)
		return
	case err != nil:
		respondError(c, s.log, models.Invalid("file", "请以 multipart/form-data 上传文件（字段 file）"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	defer f.Close()
	rows, err := imports.ReadAll(f)
	if err == nil {
		var env *imports.Env
		env, err = imports.LoadEnv(ctx, s.store, k, e, rows, p.manages, s.today(e))
		if err == nil {
			var checked imports.Checked
			checked, err = k.Check(rows, env)
			if err == nil {
				s.answerImport(c, k, e, fh.Filename, dry != nil && *dry, checked)
				return
			}
		}
	}
	var fe *imports.FileError
	switch {
	case errors.Is(err, imports.ErrTooLarge):
		s.fileTooLarge(c)
	case errors.As(err, &fe):
		respondError(c, s.log, models.Invalid("file", "%s", fe.Reason))
	default:
		respondError(c, s.log, err)
	}
}

// today is the date now in the estate's time zone.
func (s *Server) today(e models.Estate) models.Date {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return models.DateOf(s.now(), loc)
}

func (s *Server) fileTooLarge(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, errorBody{Error: errorDetail{Code: codeInvalidInput,
		Message: fmt.Sprintf("文件超过 %d MB 上限", imports.MaxFileSize>>20), Field: "file"}})
}

// answerImport answers a checked file: the report of a dry run; a refusal
// (400 with the report) when a row is bad; else the import stored and its
// process started (202).
func (s *Server) answerImport(c *gin.Context, k *imports.Kind, e models.Estate, name string, dry bool, checked imports.Checked) {
	rep := importReport{Kind: k.Name, DryRun: dry, RowsTotal: checked.Total, RowsValid: checked.Valid, Errors: checked.Errors}
	if dry {
		c.JSON(http.StatusOK, rep)
		return
	}
	if len(checked.Errors) > 0 {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{
			"error": errorDetail{Code: codeInvalidInput, Field: "file",
				Message: fmt.Sprintf("文件有 %d 行错误，未导入任何行；请修改后重新上传", checked.Total-checked.Valid)},
			"kind": rep.Kind, "rows_total": rep.RowsTotal, "rows_valid": rep.RowsValid, "errors": rep.Errors})
		return
	}
	p := caller(c)
	imp := models.Import{EstateID: e.ID, Kind: k.Name, FileName: name, CreatedBy: p.Staff.ID}
	ctx := c.Request.Context()
	if err := s.store.CreateImport(ctx, p.scope(), &imp, checked.Rows); err != nil {
		respondError(c, s.log, err)
		return
	}
	if err := s.startProcess(ctx, workflows.ImportWorkflowID(imp.ID), workflows.Import, workflows.ImportInput{ImportID: imp.ID}); err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "import started", "import_id", imp.ID, "kind", k.Name, "rows", imp.Total, "by", p.Staff.ID)
	rep.Import = &importView{Import: imp, Errors: []models.RowError{}}
	c.JSON(http.StatusAccepted, rep)
}

// maxImportErrors bounds the failed rows an import's view lists.
const maxImportErrors = 200

// serveImport answers with the import the path's :id names inside the
// caller's scope, after act (when set) changes it.
func (s *Server) serveImport(c *gin.Context, act func(ctx context.Context, scope store.Scope, imp models.Import) (models.Import, error)) {
	ctx := c.Request.Context()
	scope := caller(c).scope()
	id, err := pathID(c, "id")
	var imp models.Import
	if err == nil {
		imp, err = s.store.Import(ctx, scope, id)
	}
	if err == nil && act != nil {
		imp, err = act(ctx, scope, imp)
	}
	var errs []models.RowError
	if err == nil {
		errs, err = s.store.ImportErrors(ctx, imp.ID, maxImportErrors)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, importView{Import: imp, Errors: errs})
}

func (s *Server) getImport(c *gin.Context) { s.serveImport(c, nil) }

// cancelImport asks a running import to stop after its current batch.
func (s *Server) cancelImport(c *gin.Context) {
	s.serveImport(c, func(ctx context.Context, scope store.Scope, imp models.Import) (models.Import, error) {
		if imp.Status != models.ImportRunning {
			return imp, &stateError{state: string(imp.Status), msg: "导入已结束，无法取消"}
		}
		return s.store.RequestImportCancel(ctx, scope, imp.ID)
	})
}
