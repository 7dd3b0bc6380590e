package api

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// The resident's confirmation pages live outside /api/v1 and its staff
// sign-in: the signed token in the link is the only credential, good for one
// ticket's current confirmation window. They answer in HTML, in Chinese, and
// show nothing but the ticket number and the window's end.

// linkPage is what a resident's page shows.
type linkPage struct {
	Title, Text string
	// Token and Until are set on the form that asks for the answer.
	Token string
	Until string
}

var linkPageHTML = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.6}
button{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem .5rem .3rem 0}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Token}}<p>请在{{.Until}}前确认，届时未反馈将视为确认完成。</p>
<form method="post" action="` + auth.ConfirmPath + `"><input type="hidden" name="t" value="{{.Token}}">
<button type="submit" name="accepted" value="true">确认完成</button>
<button type="submit" name="accepted" value="false">仍有问题</button></form>{{end}}
</body></html>`))

// Pages for links that cannot be used, by status.
var (
	linkInvalid     = linkPage{Title: "链接无效", Text: "此链接无效，请检查短信中的链接是否完整，或联系物业服务中心。"}
	linkExpired     = linkPage{Title: "链接已过期", Text: "此链接已过确认期限。如仍有问题，请联系物业服务中心。"}
	linkUsed        = linkPage{Title: "已处理", Text: "此链接已使用或已失效，无需再次操作。如仍有问题，请联系物业服务中心。"}
	linkUnavailable = linkPage{Title: "暂时无法处理", Text: "系统繁忙，请稍后再试。"}
)

// confirmLink is a verified link of a ticket awaiting its resident's answer.
type confirmLink struct {
	token      string
	ticketID   uint64
	residentID uint64
	until      time.Time
	loc        *time.Location
	kind       models.TicketKind
}

// confirmWords are what a link's pages say: of the repair, or of the
// complaint whose close (结案) the resident accepts or objects to.
type confirmWords struct {
	title, ask, accepted, rejected string
}

func wordsFor(kind models.TicketKind) confirmWords {
	if kind == models.TicketComplaint {
		return confirmWords{title: "投诉结案确认", ask: "您的投诉（编号%d）已处理完毕，请确认是否同意结案。",
			accepted: "已确认结案，感谢您的配合。我们稍后会进行回访。", rejected: "我们已收到您的异议，会尽快重新处理您的投诉。"}
	}
	return confirmWords{title: "维修完成确认", ask: "您的报修（工单号%d）维修已完成，请确认是否已经修好。",
		accepted: "已确认维修完成，感谢您的配合。我们稍后会进行满意度回访。", rejected: "我们已收到您的反馈，会尽快安排维修人员再次处理。"}
}

// confirmPage shows the resident the two answers for a valid link.
func (s *Server) confirmPage(c *gin.Context) {
	l, ok := s.openConfirmLink(c, c.Query("t"))
	if !ok {
		return
	}
	w := wordsFor(l.kind)
	s.renderLink(c, http.StatusOK, linkPage{
		Title: w.title, Text: fmt.Sprintf(w.ask, l.ticketID),
		Token: l.token, Until: l.until.In(l.loc).Format("01-02 15:04"),
	})
}

// confirmByLink records the resident's answer (form fields t and accepted)
// as the ticket's confirm action: accepted moves it to the return visit,
// rejected sends the work back. The update's ID is the link's, so a double
// submit is applied once; a link already answered is refused (409).
func (s *Server) confirmByLink(c *gin.Context) {
	var accepted bool
	switch c.PostForm("accepted") {
	case "true":
		accepted = true
	case "false":
	default:
		s.renderLink(c, http.StatusBadRequest, linkInvalid)
		return
	}
	l, ok := s.openConfirmLink(c, c.PostForm("t"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	_, err := workflows.Tickets(s.temporal).Act(ctx, l.ticketID, fmt.Sprintf("resident-link-%d-%d", l.ticketID, l.until.Unix()),
		workflows.TicketAction{Action: workflows.ActConfirm, ActorID: l.residentID, ActorRole: workflows.ResidentLinkRole, Accepted: accepted})
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	s.log.InfoContext(ctx, "resident answered by link", "ticket_id", l.ticketID, "accepted", accepted)
	w := wordsFor(l.kind)
	page := linkPage{Title: "感谢您的确认", Text: w.accepted}
	if !accepted {
		page = linkPage{Title: "已收到您的反馈", Text: w.rejected}
	}
	s.renderLink(c, http.StatusOK, page)
}

// openConfirmLink verifies token and finds its ticket still awaiting the
// answer in the window the token names, or answers with the page that says
// why not: 400 invalid, 410 expired, 409 already answered (or superseded by
// a later completion).
func (s *Server) openConfirmLink(c *gin.Context, token string) (confirmLink, bool) {
	if s.links == nil {
		s.renderLink(c, http.StatusNotFound, linkInvalid)
		return confirmLink{}, false
	}
	ctx := c.Request.Context()
	id, until, err := s.links.VerifyConfirm(token, s.now())
	switch {
	case errors.Is(err, auth.ErrLinkExpired):
		s.renderLink(c, http.StatusGone, linkExpired)
		return confirmLink{}, false
	case err != nil:
		s.renderLink(c, http.StatusBadRequest, linkInvalid)
		return confirmLink{}, false
	}
	t, err := s.store.Ticket(ctx, store.AllEstates(), id)
	if err == nil && t.ResidentID == nil {
		err = models.ErrNotFound
	}
	if err != nil {
		s.linkFailed(c, fmt.Errorf("ticket %d of a signed link: %w", id, err))
		return confirmLink{}, false
	}
	if t.Status.Terminal() {
		s.renderLink(c, http.StatusConflict, linkUsed)
		return confirmLink{}, false
	}
	qctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	v, err := workflows.Tickets(s.temporal).State(qctx, id)
	if err != nil {
		s.linkFailed(c, fmt.Errorf("state of ticket %d: %w", id, err))
		return confirmLink{}, false
	}
	if v.Status != models.StatusCompleted || v.ConfirmBy == nil || v.ConfirmBy.Unix() != until.Unix() {
		s.renderLink(c, http.StatusConflict, linkUsed)
		return confirmLink{}, false
	}
	loc := time.UTC
	if e, err := s.store.Estate(ctx, store.AllEstates(), t.EstateID); err == nil {
		loc = estateLocation(e)
	}
	return confirmLink{token: token, ticketID: id, residentID: *t.ResidentID, until: until, loc: loc, kind: t.Kind}, true
}

// linkFailed answers a failed look-up or update with the page of its
// status: a refused update (the state moved on) is 409, a missing ticket 400
// (its link cannot be good), and the rest are logged behind a generic page.
func (s *Server) linkFailed(c *gin.Context, err error) {
	status, _ := classify(err)
	switch status {
	case http.StatusConflict:
		s.renderLink(c, status, linkUsed)
	case http.StatusNotFound, http.StatusBadRequest, http.StatusForbidden:
		s.renderLink(c, http.StatusBadRequest, linkInvalid)
	default:
		s.log.ErrorContext(c.Request.Context(), "resident link", "status", status, "err", err)
		if status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout {
			status = http.StatusInternalServerError
		}
		s.renderLink(c, status, linkUnavailable)
	}
}

// renderLink writes page with status. The link's token must not leak
// through the Referer, a cache or a frame.
func (s *Server) renderLink(c *gin.Context, status int, page linkPage) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := linkPageHTML.Execute(c.Writer, page); err != nil {
		s.log.WarnContext(c.Request.Context(), "render resident page", "err", err)
	}
	c.Abort()
}

func (s *Server) residentLinkRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.ConfirmPath, summary: "The resident's page (HTML) to confirm a completed repair or say it is not fixed, opened from the signed link of their message; 400 bad link, 410 expired, 409 already answered", tag: "resident-links",
			public: true, handler: s.confirmPage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.ConfirmPath, summary: "The resident's answer (form fields t: the token, accepted: true or false) as the ticket's confirm action; answers HTML; 400 bad link, 410 expired, 409 already answered", tag: "resident-links",
			public: true, handler: s.confirmByLink, status: http.StatusOK},
	}
}
