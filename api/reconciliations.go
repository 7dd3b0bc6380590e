package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/statement"
	"github.com/wuye/wuye/store"
)

// reconReaders read reconciliations: finance and the managers who answer
// for the estate's money. Uploading a statement is finance's (financeRoles).
var reconReaders = []models.Role{models.RoleFinance, models.RoleEstateManager, models.RoleCompanyAdmin}

// statementChannels are the channels a provider sends statements of.
var statementChannels = []string{string(models.PayWeChat), string(models.PayAlipay), string(models.PayBank), string(models.PayCard)}

// maxStatementDays is how far back a statement's day may lie.
const maxStatementDays = 366

// reconcileForm is the multipart form of an upload (documented in OpenAPI;
// read by uploadStatement).
var reconcileForm = []param{
	{"estate_id", "integer", "the estate whose payments the statement covers"},
	{"channel", "string", "the provider's channel: " + strings.Join(statementChannels, ", ")},
	{"day", "string", "the day the statement covers, YYYY-MM-DD in the estate's time zone, within the last 366 days"},
	{"file", "file", "the statement: CSV in UTF-8 or GBK/GB18030, at most 10 MB, header transaction_id, amount, time[, status] (or 交易单号, 交易金额, 交易时间, 交易状态)"},
}

// uploadStatement reconciles an uploaded statement file with the estate's
// payments of its channel on its day: 201 with the mismatches, or 200 with
// the reconciliation of the same file made before. Nothing is stored when
// the form or the file is wrong (400 naming what).
func (s *Server) uploadStatement(c *gin.Context) {
	// The file and the form's few small fields.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, models.MaxStatementBytes+64<<10)
	form, err := c.MultipartForm()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			respondError(c, s.log, models.Invalid("file", "文件超过 %d MB", models.MaxStatementBytes>>20))
			return
		}
		respondError(c, s.log, models.Invalid("file", "应以 multipart/form-data 上传对账单文件"))
		return
	}
	defer form.RemoveAll() //nolint:errcheck // temporary files only
	p := caller(c)
	ctx := c.Request.Context()
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	estateID, err := strconv.ParseUint(value("estate_id"), 10, 64)
	if err != nil || estateID == 0 || !p.scope().Allows(estateID) {
		respondError(c, s.log, models.Invalid("estate_id", "小区 %q 不存在，或不属于您", value("estate_id")))
		return
	}
	e, err := s.store.Estate(ctx, p.scope(), estateID)
	if err != nil {
		respondError(c, s.log, referenced(err, "estate_id", "小区", estateID))
		return
	}
	loc := estateLocation(e)
	channel := value("channel")
	if !slices.Contains(statementChannels, channel) {
		respondError(c, s.log, models.Invalid("channel", "应为以下之一：%s", strings.Join(statementChannels, "、")))
		return
	}
	today := models.DateOf(s.now(), loc)
	day, err := models.ParseDate(value("day"))
	if err != nil || day.After(today) || day.Before(today.AddDays(-maxStatementDays)) {
		respondError(c, s.log, models.Invalid("day", "应为 %s 到 %s 之间的日期（YYYY-MM-DD）", today.AddDays(-maxStatementDays), today))
		return
	}
	files := form.File["file"]
	if len(files) != 1 {
		respondError(c, s.log, models.Invalid("file", "必填，且只能上传一个文件"))
		return
	}
	data, err := readUpload(files[0], models.MaxStatementBytes, "文件")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	f, err := statement.Read(files[0].Filename, data, loc)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	r, created, err := s.store.Reconcile(ctx, p.scope(), store.Statement{EstateID: estateID, Channel: models.PaymentChannel(channel), Day: day, Loc: loc,
		Rows: f.Rows, Digest: f.Digest, FileName: files[0].Filename, Source: models.SourceUpload, By: &p.Staff.ID})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "reconciliation", "estate_id", estateID, "channel", channel, "day", day.String(), "created", created, "mismatches", r.MismatchCount)
	c.JSON(createdStatus(created), r)
}

// readUpload reads the uploaded file (a 文件, an 图片: what) of form field
// "file", of at most limit bytes.
func readUpload(fh *multipart.FileHeader, limit int64, what string) ([]byte, error) {
	if fh.Size > limit {
		return nil, models.Invalid("file", "%s超过 %d MB", what, limit>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, models.Invalid("file", "无法读取")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, models.Invalid("file", "无法读取")
	}
	return data, nil
}

func (s *Server) listReconciliations(c *gin.Context) {
	q := query{c: c}
	f := store.ReconciliationFilter{EstateID: q.uint("estate_id"), Channel: models.PaymentChannel(q.oneOf("channel", statementChannels...))}
	if v := c.Query("day"); v != "" && q.err == nil {
		d, err := models.ParseDate(v)
		if err != nil {
			q.err = models.Invalid("day", "应为日期，格式 YYYY-MM-DD")
		}
		f.Day = d
	}
	serveList(s, c, &q, f, s.store.Reconciliations, same[models.Reconciliation])
}

func (s *Server) getReconciliation(c *gin.Context) {
	serveScoped(s, c, s.store.Reconciliation, same[models.Reconciliation])
}

func (s *Server) reconciliationRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/reconciliations", summary: "Reconcile (对账) a provider's statement of one day with the estate's payments of its channel (multipart form; the same file again answers 200 with the first reconciliation)", tag: "billing",
			roles: financeRoles, handler: s.uploadStatement, form: reconcileForm, resp: models.Reconciliation{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/reconciliations", summary: "Reconciliations, the latest day first (without their mismatches)", tag: "billing", roles: reconReaders, handler: s.listReconciliations, resp: listBody[models.Reconciliation]{}, status: http.StatusOK,
			query: params(estateQ, param{"channel", "string", "only this channel"}, param{"day", "string", "only this day, YYYY-MM-DD"})},
		{method: http.MethodGet, path: "/api/v1/reconciliations/:id", summary: "A reconciliation with its mismatches: in the file but not recorded, recorded but not in the file, amounts that differ, rows repeated", tag: "billing",
			roles: reconReaders, handler: s.getReconciliation, resp: models.Reconciliation{}, status: http.StatusOK, scoped: true},
	}
}
