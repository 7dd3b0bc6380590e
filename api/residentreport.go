package api

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// The resident reports a repair or a complaint (报事报修) through a report
// link, and follows it, pressing 催单 once a deadline has passed, through a
// ticket link (工单进度) the report hands them. The report becomes a ticket
// on the staff's path (openTicket), the resident its resident; the follow
// page shows the ticket's steps in plain words and never a staff member.

// reportCategories are what a resident may report about.
var reportCategories = []string{"水电", "门窗", "墙面地面", "电梯", "公共设施", "环境卫生", "噪音", "停车", "服务态度", "其他"}

// ticketLinkTTL is how long the link to follow a reported ticket lasts.
const ticketLinkTTL = 30 * 24 * time.Hour

// reportForm is what the report page shows and the resident sent.
type reportForm struct {
	Nonce, Kind, Category, Description, Preferred string
	Categories                                    []string
	MaxPhotos, MaxMB, MaxText                     int
	Action                                        string
}

var reportPageHTML = residentTemplate(`<form class="card" method="post" action="{{.Data.Action}}" enctype="multipart/form-data">
<input type="hidden" name="t" value="{{.Token}}"><input type="hidden" name="n" value="{{.Data.Nonce}}">
<fieldset><legend>您要</legend><div class="stars">
<label><input type="radio" name="kind" value="repair"{{if ne .Data.Kind "complaint"}} checked{{end}}>报修</label>
<label><input type="radio" name="kind" value="complaint"{{if eq .Data.Kind "complaint"}} checked{{end}}>投诉</label></div></fieldset>
<label for="category">类别</label>
<select id="category" name="category">{{range .Data.Categories}}<option{{if eq . $.Data.Category}} selected{{end}}>{{.}}</option>{{end}}</select>
<label for="description">情况描述</label>
<textarea id="description" name="description" maxlength="{{.Data.MaxText}}" required placeholder="请描述问题和具体位置，如：厨房水龙头漏水">{{.Data.Description}}</textarea>
<label for="photos">照片（选填，最多 {{.Data.MaxPhotos}} 张）</label>
<input id="photos" type="file" name="file" accept="image/jpeg,image/png" multiple aria-describedby="photos-hint">
<p class="muted" id="photos-hint">JPEG 或 PNG，每张不超过 {{.Data.MaxMB}} MB；苹果手机请在相机设置中选择“兼容性最佳”。照片中的位置等信息会被去除。</p>
<label for="preferred">期望上门时间（选填，仅报修）</label>
<input id="preferred" type="datetime-local" name="preferred" value="{{.Data.Preferred}}">
<button type="submit">提交</button></form>`)

// ticketFollow is what the follow page shows.
type ticketFollow struct {
	No, Kind, Category, Status, Reported string
	Photos                               int
	Steps                                []followStep
	// CanHurry offers 催单; else HurryNote says when it can be pressed,
	// or nothing while it cannot.
	CanHurry  bool
	HurryNote string
	Action    string
}

type followStep struct{ At, Text string }

var ticketPageHTML = residentTemplate(`<div class="card"><dl>
<dt>工单号</dt><dd id="ticket-no">{{.Data.No}}</dd>
<dt>类型</dt><dd>{{.Data.Kind}} · {{.Data.Category}}</dd>
<dt>状态</dt><dd id="ticket-status">{{.Data.Status}}</dd>
<dt>提交时间</dt><dd>{{.Data.Reported}}</dd>
{{if .Data.Photos}}<dt>照片</dt><dd>已上传 {{.Data.Photos}} 张</dd>{{end}}</dl></div>
{{if .Data.CanHurry}}<form class="card" method="post" action="{{.Data.Action}}"><input type="hidden" name="t" value="{{.Token}}">
<p>已超过承诺的处理时限。您可以催单，我们会立即通知处理人员和负责人。</p>
<button type="submit" id="hurry">催单</button></form>
{{else if .Data.HurryNote}}<p class="card muted" id="hurry-note">{{.Data.HurryNote}}</p>{{end}}
<h2>处理进度</h2><div class="card"><table id="steps"><tbody>
{{range .Data.Steps}}<tr><td class="n">{{.At}}</td><td>{{.Text}}</td></tr>{{end}}
</tbody></table></div>`)

// reportPage is the report form of a report link.
func (s *Server) reportPage(c *gin.Context) {
	l, ok := s.openLink(c, c.Query("t"), models.LinkReport, "view")
	if !ok {
		return
	}
	s.renderReport(c, l, http.StatusOK, reportForm{Nonce: newNonce()}, "")
}

// renderReport draws the form with what was sent, and why it was refused
// (problem, "" for none).
func (s *Server) renderReport(c *gin.Context, l residentLink, status int, f reportForm, problem string) {
	f.Categories, f.MaxPhotos, f.MaxMB, f.MaxText = reportCategories, models.MaxReportPhotos, int(s.attach.MaxBytes>>20), models.MaxTicketDescription
	f.Action = auth.ReportPath + "?t=" + l.token
	page := l.page("报事报修", "请说明需要维修或投诉的问题，我们会尽快处理。")
	if problem != "" {
		page.Text, page.Tone = problem, "bad"
	}
	page.Data = f
	s.renderResident(c, status, reportPageHTML, page)
}

// reportByLink opens the ticket the resident reports (multipart form: t,
// n the form's nonce, kind, category, description, up to MaxReportPhotos
// photos as file, preferred time), stores its photos, and sends the
// resident on to the page that follows it. The nonce makes a double
// submit open one ticket. A bad field or photo draws the form again (400)
// saying what; past the link's hourly photo limit 429.
func (s *Server) reportByLink(c *gin.Context) {
	if s.attach.Blobs == nil {
		s.renderResident(c, http.StatusNotFound, nil, linkInvalid)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(models.MaxReportPhotos)*s.attach.MaxBytes+256<<10)
	form, formErr := c.MultipartForm()
	l, ok := s.openLink(c, cmp.Or(c.Query("t"), c.PostForm("t")), models.LinkReport, "report")
	if !ok {
		return
	}
	f := reportForm{Nonce: c.PostForm("n"), Kind: c.PostForm("kind"), Category: c.PostForm("category"),
		Description: strings.TrimSpace(c.PostForm("description")), Preferred: c.PostForm("preferred")}
	if !validNonce(f.Nonce) {
		f.Nonce = newNonce()
	}
	refuse := func(status int, problem string) { s.renderReport(c, l, status, f, problem) }
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(formErr, &tooBig):
		refuse(http.StatusBadRequest, fmt.Sprintf("照片太大：最多 %d 张，每张不超过 %d MB。", models.MaxReportPhotos, s.attach.MaxBytes>>20))
		return
	case formErr != nil:
		refuse(http.StatusBadRequest, "提交的内容无法读取，请重新填写。")
		return
	}
	defer form.RemoveAll() //nolint:errcheck // temporary files only
	req, problem := s.reportRequest(l, f)
	if problem != "" {
		refuse(http.StatusBadRequest, problem)
		return
	}
	ctx := c.Request.Context()
	photos, problem, err := s.reportPhotos(ctx, l, form.File["file"])
	if err != nil {
		var limited *models.RateLimitError
		if errors.As(err, &limited) {
			c.Header("Retry-After", strconv.Itoa(int(limited.RetryAfter.Seconds())+1))
			refuse(http.StatusTooManyRequests, limited.Reason+"。")
			return
		}
		s.linkFailed(c, err)
		return
	}
	if problem != "" {
		refuse(http.StatusBadRequest, problem)
		return
	}
	if req.FirstReceiverID, err = s.deskFor(ctx, l.EstateID); err == nil {
		var t models.Ticket
		t, _, err = s.openTicket(ctx, l.scope(), req, fmt.Sprintf("report-r%d-%s", l.ID, f.Nonce))
		if err == nil {
			err = s.attachReport(ctx, l, t, photos)
		}
		if err == nil {
			s.followTicket(c, l, t)
			return
		}
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		refuse(http.StatusBadRequest, "提交的内容有误（"+ve.Field+"），请检查后重新提交。")
		return
	}
	s.linkFailed(c, err)
}

// reportRequest is the ticket the form asks for, or a problem in words.
func (s *Server) reportRequest(l residentLink, f reportForm) (models.NewTicketRequest, string) {
	req := models.NewTicketRequest{EstateID: l.EstateID, Kind: models.TicketKind(f.Kind), Urgency: models.UrgencyNormal,
		Category: f.Category, Description: f.Description, HouseholdID: &l.HouseholdID, ResidentID: &l.ResidentID,
		Channel: models.ReportApp}
	switch {
	case req.Kind != models.TicketRepair && req.Kind != models.TicketComplaint:
		return req, "请选择报修或投诉。"
	case !slices.Contains(reportCategories, f.Category):
		return req, "请选择类别。"
	case f.Description == "":
		return req, "请填写情况描述。"
	case utf8.RuneCountInString(f.Description) > models.MaxTicketDescription:
		return req, fmt.Sprintf("情况描述不能超过 %d 字。", models.MaxTicketDescription)
	}
	if f.Preferred != "" && req.Kind == models.TicketRepair {
		at, err := time.ParseInLocation("2006-01-02T15:04", f.Preferred, l.loc)
		if err != nil || at.Before(s.now()) {
			return req, "期望上门时间应为将来的时间。"
		}
		req.Appointment = &at
	}
	return req, ""
}

// reportPhotos checks the photos of a report before anything is recorded:
// at most MaxReportPhotos, within the link's hourly limit, each a JPEG or
// PNG (prepared: re-encoded without EXIF). A refused photo is a problem in
// words naming which.
func (s *Server) reportPhotos(ctx context.Context, l residentLink, files []*multipart.FileHeader) ([]attachments.Image, string, error) {
	if len(files) > models.MaxReportPhotos {
		return nil, fmt.Sprintf("最多上传 %d 张照片。", models.MaxReportPhotos), nil
	}
	if len(files) == 0 {
		return nil, "", nil
	}
	if err := s.checkUploads(ctx, linkUploader(l), s.attach.ResidentPerHour, len(files)); err != nil {
		return nil, "", err
	}
	out := make([]attachments.Image, 0, len(files))
	for i, fh := range files {
		data, err := readUpload(fh, s.attach.MaxBytes, "照片")
		var img attachments.Image
		if err == nil {
			img, err = attachments.Prepare(data, s.attach.MaxBytes, "file")
		}
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return nil, fmt.Sprintf("第 %d 张照片：%s", i+1, ve.Reason), nil
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, img)
	}
	return out, "", nil
}

// linkUploader counts a link's photos for the hourly limit.
func linkUploader(l residentLink) string { return "link:" + strconv.FormatUint(l.ID, 10) }

// attachReport stores the report's photos on ticket t, as the resident's.
func (s *Server) attachReport(ctx context.Context, l residentLink, t models.Ticket, photos []attachments.Image) error {
	for _, img := range photos {
		if _, _, err := s.storePhoto(ctx, img, photoUpload{EstateID: t.EstateID, Ref: models.RefOf(models.RefTicket, t.ID),
			Kind: models.AttachReport, ResidentID: &l.ResidentID, Uploader: linkUploader(l)}); err != nil {
			return err
		}
	}
	return nil
}

// deskFor is who receives a resident's report (首问负责): the estate's
// customer-service member with the least open work, else a supervisor's or
// the estate manager's.
func (s *Server) deskFor(ctx context.Context, estateID uint64) (uint64, error) {
	var err error
	for _, role := range []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager} {
		var id uint64
		if id, err = s.store.LeastLoadedStaff(ctx, estateID, role); err == nil && id != 0 {
			return id, nil
		}
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return 0, err
		}
	}
	return 0, fmt.Errorf("receiver of a report in estate %d: %w", estateID, models.ErrUnavailable)
}

// followTicket issues the resident a link to follow ticket t and sends
// them to it (303, on the host they came by).
func (s *Server) followTicket(c *gin.Context, l residentLink, t models.Ticket) {
	now := s.now()
	follow := models.ResidentLink{ResidentID: l.ResidentID, Purpose: models.LinkTicket, SubjectID: t.ID,
		ExpiresAt: now.Add(ticketLinkTTL), Note: fmt.Sprintf("report:r%d", l.ID)}
	if err := s.store.CreateResidentLink(c.Request.Context(), l.scope(), &follow, now); err != nil {
		s.linkFailed(c, err)
		return
	}
	s.log.InfoContext(c.Request.Context(), "resident reported by link", "link_id", l.ID, "ticket_id", t.ID, "follow_link_id", follow.ID)
	c.Redirect(http.StatusSeeOther, auth.TicketPath+"?t="+s.links.LinkToken(follow.ID))
	c.Abort()
}

// ticketPage is the follow page of a ticket link.
func (s *Server) ticketPage(c *gin.Context) {
	l, ok := s.openLink(c, c.Query("t"), models.LinkTicket, "view")
	if !ok {
		return
	}
	s.renderFollow(c, l, http.StatusOK, "", "")
}

// hurryByLink records the resident's 催单 on the link's ticket: the
// process tells the assignee and the escalation level at once. A refusal
// (nothing overdue yet, pressed too soon, on hold) draws the page again
// with the reason and 409. The update is named by the link and the number
// of 催单 so far, so that a double submit applies once.
func (s *Server) hurryByLink(c *gin.Context) {
	l, ok := s.openLink(c, c.PostForm("t"), models.LinkTicket, "hurry")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tickets := workflows.Tickets(s.temporal)
	v, err := tickets.State(ctx, l.SubjectID)
	if err == nil {
		_, err = tickets.Act(ctx, l.SubjectID, fmt.Sprintf("hurry-r%d-%d", l.ID, v.Hurries),
			workflows.TicketAction{Action: workflows.ActHurry, ActorID: l.ResidentID, ActorRole: workflows.ResidentLinkRole})
	}
	var app *temporal.ApplicationError
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "resident hurried by link", "link_id", l.ID, "ticket_id", l.SubjectID)
		s.renderFollow(c, l, http.StatusOK, "已催单，我们已通知处理人员和负责人，请耐心等待。", "ok")
	case errors.As(err, &app) && app.Type() == workflows.ErrTypeInvalidState:
		s.renderFollow(c, l, http.StatusConflict, app.Message(), "warn")
	case refusedByState(err):
		s.renderFollow(c, l, http.StatusConflict, "工单已结束，无需催单。", "warn")
	default:
		s.linkFailed(c, err)
	}
}

// renderFollow draws the follow page of the link's ticket with a lead text
// in tone ("" for the ticket's own words).
func (s *Server) renderFollow(c *gin.Context, l residentLink, status int, text, tone string) {
	ctx := c.Request.Context()
	t, err := s.store.Ticket(ctx, l.scope(), l.SubjectID)
	var events []models.CaseEvent
	var photos []models.Attachment
	if err == nil {
		events, err = s.store.TicketEvents(ctx, l.scope(), t.ID)
	}
	if err == nil {
		photos, err = s.store.Attachments(ctx, l.scope(), models.RefOf(models.RefTicket, t.ID))
	}
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	d := ticketFollow{No: strconv.FormatUint(t.ID, 10), Kind: t.Kind.Label(), Category: t.Category,
		Status: residentStatus(t), Reported: l.pageTime(t.ReportedAt), Photos: len(photos), Action: auth.HurryPath}
	for _, e := range events {
		if words := residentStep(e, t.Kind); words != "" {
			d.Steps = append(d.Steps, followStep{At: e.At.In(l.loc).Format("01-02 15:04"), Text: words})
		}
	}
	if !t.Status.Terminal() && t.ResidentID != nil && *t.ResidentID == l.ResidentID {
		// 催单 is the ticket's own resident's (the process checks it too).
		d.CanHurry, d.HurryNote = s.hurryState(ctx, l, t.ID)
	}
	page := l.page(fmt.Sprintf("%s进度", t.Kind.Label()), cmp.Or(text, "您可以在此查看处理进度。"))
	page.Tone, page.Data = tone, d
	s.renderResident(c, status, ticketPageHTML, page)
}

// hurryState says whether 催单 may be pressed now, and otherwise from when
// (nothing when the process says it cannot become overdue, or is not
// reachable: the page goes on without it).
func (s *Server) hurryState(ctx context.Context, l residentLink, ticketID uint64) (bool, string) {
	qctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	v, err := workflows.Tickets(s.temporal).State(qctx, ticketID)
	if err != nil {
		s.log.WarnContext(ctx, "ticket state for its follow page", "ticket_id", ticketID, "err", err)
		return false, ""
	}
	switch {
	case v.HurryFrom == nil:
		return false, ""
	case !s.now().Before(*v.HurryFrom):
		return true, ""
	case v.Hurries > 0:
		return false, fmt.Sprintf("您已催单 %d 次，%s 后可再次催单。", v.Hurries, v.HurryFrom.In(l.loc).Format("01-02 15:04"))
	}
	return false, fmt.Sprintf("我们承诺在 %s 前处理，届时未处理可在此催单。", v.HurryFrom.In(l.loc).Format("01-02 15:04"))
}

// residentStatus is the ticket's status in the resident's words.
func residentStatus(t models.Ticket) string {
	return map[models.TicketStatus]string{
		models.StatusNew: "已受理，待安排", models.StatusAssigned: "已安排人员", models.StatusAccepted: "工作人员已接单",
		models.StatusInProgress: "处理中", models.StatusAcknowledged: "已受理", models.StatusAnswered: "已答复，处理中",
		models.StatusOnHold: "暂停处理", models.StatusCompleted: "已完成，待您确认", models.StatusReturnVisit: "已完成，待回访",
		models.StatusClosed: "已完结", models.StatusCancelled: "已取消",
	}[t.Status]
}

// residentStep is an event of the ticket in the resident's words, "" for
// what only staff read (notes, warnings): no staff member is named.
func residentStep(e models.CaseEvent, kind models.TicketKind) string {
	switch e.Type {
	case "reported":
		return "已收到您的" + kind.Label()
	case workflows.ActDispatch, workflows.ActClaim:
		return "已安排维修人员"
	case workflows.ActTransfer:
		return "已转交其他工作人员处理"
	case workflows.ActAccept:
		return "工作人员已接单"
	case workflows.ActContact:
		return "工作人员已与您联系"
	case workflows.ActArrive:
		return "维修人员已到场"
	case workflows.ActHold:
		return "暂停处理：" + map[string]string{"waiting_parts": "等待配件", "resident_absent": "您不在家",
			"resident_appointment": "按您约定的时间处理"}[e.Detail["hold_reason"]]
	case workflows.ActResume:
		return "恢复处理"
	case workflows.ActAcknowledge:
		return "已受理您的投诉"
	case workflows.ActAnswer:
		return "已答复您的投诉"
	case workflows.ActComplete:
		if kind == models.TicketComplaint {
			return "已处理完毕"
		}
		return "维修已完成，请您确认"
	case workflows.ActConfirm:
		if e.Detail["accepted"] == "true" {
			return "已确认完成"
		}
		return "反馈仍有问题，已安排再次处理"
	case "auto_confirm":
		return "确认期已过，视为完成"
	case workflows.ActReturnVisit:
		return "已完成满意度回访"
	case workflows.ActCancel:
		return "工单已取消"
	case "escalation":
		return "处理超时，已升级由负责人跟进"
	case workflows.ActHurry:
		return "您已催单"
	}
	return ""
}

// newNonce names one filling of the report form.
func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validNonce(n string) bool {
	if len(n) != 24 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil
}

func (s *Server) residentReportRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.ReportPath, summary: "The resident's report page (HTML, 报事报修) of a report link: repair or complaint, category, description, up to 6 photos, preferred time; 400 bad or revoked link, 410 expired", tag: "resident-links",
			public: true, handler: s.reportPage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.ReportPath, summary: "The resident's report (multipart form: t, n the form's nonce, kind, category, description, file up to 6 JPEG/PNG photos, preferred) opens a ticket with the resident as its resident and answers 303 to its follow page; the form again with 400 saying what is wrong, 429 past the link's hourly photo limit", tag: "resident-links",
			public: true, handler: s.reportByLink, status: http.StatusSeeOther, query: []param{{"t", "string", "the signed token of the link"}},
			form: []param{{"kind", "string", "repair or complaint"}, {"category", "string", "one of " + strings.Join(reportCategories, ", ")},
				{"description", "string", "what is wrong and where"}, {"file", "file", "photos: JPEG or PNG, up to 6, at most 10 MB each"},
				{"preferred", "string", "preferred visit time (repairs), YYYY-MM-DDTHH:MM in the estate's time zone"}}},
		{method: http.MethodGet, path: auth.TicketPath, summary: "The resident's follow page (HTML, 工单进度) of a ticket link: status and steps in plain words, no staff names; 催单 once a deadline has passed", tag: "resident-links",
			public: true, handler: s.ticketPage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.HurryPath, summary: "The resident's 催单 (form field t, a ticket link): the assignee and the escalation level are told at once; 409 with the reason before a deadline has passed or within the policy's interval", tag: "resident-links",
			public: true, handler: s.hurryByLink, status: http.StatusOK},
	}
}
