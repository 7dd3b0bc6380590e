package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// The resident's pages (住户页面) live outside /api/v1 and its staff
// sign-in: the signed token of the link is the only credential. They answer
// in HTML, in Chinese, fit a phone 375 px wide, need no script and no image,
// and load nothing from elsewhere. Every page opens its link with openLink,
// which checks it and records the use, and draws in residentLayout.

// residentPage is what the layout shows: the estate's name and hotline
// around a title, a lead text in a tone, and the page's own content.
type residentPage struct {
	Title, Text string
	// Tone colours the lead text: "ok", "warn", "bad" or "" (plain).
	Tone    string
	Estate  string
	Hotline string
	// Token is the link's, for the page's forms.
	Token string
	// Data is the page's own.
	Data any
}

const residentCSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;overflow-wrap:anywhere}
header{background:#0b5cad;color:#fff;padding:.75rem 1rem;font-weight:600}
main{max-width:30rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:1rem 0 .5rem}
.lead{padding:.75rem 1rem;border-radius:.5rem;background:#fff;border-left:.3rem solid #8c959f}
.ok{border-left-color:#1a7f37}.warn{border-left-color:#9a6700}.bad{border-left-color:#cf222e}
.card{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;padding:.35rem .25rem;border-bottom:1px solid #d0d7de;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:0}
dt{color:#57606a}dd{margin:0}
form{margin:.75rem 0}
label{display:block;margin:.5rem 0 .25rem;font-weight:600}
input[type=date],input[type=datetime-local],input[type=file],select,textarea{min-height:2.75rem;width:100%;font:inherit;padding:.6rem;border:1px solid #8c959f;border-radius:.4rem;background:#fff}
textarea{min-height:5rem}
button,.button{display:block;width:100%;min-height:2.75rem;margin:.5rem 0;padding:.6rem 1rem;font:inherit;font-weight:600;text-align:center;
border:0;border-radius:.4rem;background:#0b5cad;color:#fff;text-decoration:none;cursor:pointer}
button.second{background:#fff;color:#0b5cad;border:2px solid #0b5cad}
button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
fieldset{border:0;padding:0;margin:.5rem 0}
legend{font-weight:600;padding:0}
.stars{display:flex;flex-direction:column;gap:.4rem}
.stars label{display:flex;align-items:center;gap:.25rem;margin:0;font-weight:400;min-height:2.75rem;padding:0 .6rem;border:1px solid #8c959f;border-radius:.4rem;background:#fff}
.stars input{width:1.2rem;height:1.2rem;margin:0}
.muted{color:#57606a;font-size:.9rem}
.total{font-size:1.25rem;font-weight:700}
footer{max-width:30rem;margin:0 auto;padding:1rem;color:#57606a;font-size:.9rem}
a{color:#0b5cad}`

// residentLayout is the frame of every resident page; a page fills its
// "content".
var residentLayout = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>` + residentCSS + `</style></head>
<body><header>{{if .Estate}}{{.Estate}}{{else}}物业服务{{end}}</header>
<main><h1>{{.Title}}</h1>{{if .Text}}<p class="lead {{.Tone}}">{{.Text}}</p>{{end}}
{{block "content" .}}{{end}}</main>
<footer>{{if .Hotline}}物业服务中心电话：{{.Hotline}}{{else}}如有疑问，请联系物业服务中心。{{end}}</footer>
</body></html>
{{define "rating"}}<fieldset><legend>满意度评价{{if not .}}（选填）{{end}}</legend><div class="stars">
<label><input type="radio" name="score" value="5"{{if .}} required{{end}}>★★★★★ 非常满意</label>
<label><input type="radio" name="score" value="4">★★★★ 满意</label>
<label><input type="radio" name="score" value="3">★★★ 一般</label>
<label><input type="radio" name="score" value="2">★★ 不满意</label>
<label><input type="radio" name="score" value="1">★ 很不满意</label></div></fieldset>
<label for="comments">意见或建议（选填）</label>
<textarea id="comments" name="comments" maxlength="` + strconv.Itoa(maxRatingComment) + `"></textarea>{{end}}`))

// residentTemplate is the layout with content as the page's own.
func residentTemplate(content string) *template.Template {
	return template.Must(template.Must(residentLayout.Clone()).Parse(`{{define "content"}}` + content + `{{end}}`))
}

// Pages for links that cannot be used, by status.
var (
	linkInvalid     = residentPage{Title: "链接无效", Tone: "bad", Text: "此链接无效，请检查短信中的链接是否完整，或联系物业服务中心。"}
	linkRevoked     = residentPage{Title: "链接已失效", Tone: "bad", Text: "此链接已被物业撤销，不能再使用。如需办理，请联系物业服务中心获取新的链接。"}
	linkExpired     = residentPage{Title: "链接已过期", Tone: "warn", Text: "此链接已过有效期。如仍需办理，请联系物业服务中心。"}
	linkUsed        = residentPage{Title: "已处理", Tone: "warn", Text: "此链接已使用或已失效，无需再次操作。如仍有问题，请联系物业服务中心。"}
	linkUnavailable = residentPage{Title: "暂时无法处理", Tone: "warn", Text: "系统繁忙，请稍后再试。"}
)

// residentLink is an open link: its row, its resident and estate, and the
// token it came by.
type residentLink struct {
	models.ResidentLink
	token    string
	resident models.Resident
	estate   models.Estate
	loc      *time.Location
}

// scope is the link's estate, for every read a page makes.
func (l residentLink) scope() store.Scope { return store.Estates(l.EstateID) }

// page is a page of the link's estate, with its token.
func (l residentLink) page(title, text string) residentPage {
	return residentPage{Title: title, Text: text, Estate: l.estate.Name, Hotline: l.estate.ServicePhone, Token: l.token}
}

// openLink verifies token as a link of purpose and loads what it names, or
// answers with the page that says why not: 400 tampered, of another purpose
// or revoked, 410 expired, 409 used. Every open of a real link is recorded
// as a use named action (refused ones too).
func (s *Server) openLink(c *gin.Context, token string, purpose models.LinkPurpose, action string) (residentLink, bool) {
	if s.links == nil {
		s.renderResident(c, http.StatusNotFound, nil, linkInvalid)
		return residentLink{}, false
	}
	ctx := c.Request.Context()
	id, err := s.links.VerifyLink(token)
	if err != nil {
		s.renderResident(c, http.StatusBadRequest, nil, linkInvalid)
		return residentLink{}, false
	}
	row, err := s.store.ResidentLink(ctx, store.AllEstates(), id)
	if err != nil {
		s.linkFailed(c, fmt.Errorf("resident link %d: %w", id, err))
		return residentLink{}, false
	}
	refuse := func(status int, page residentPage) (residentLink, bool) {
		s.recordLinkUse(c, row, action, true)
		s.renderResident(c, status, nil, page)
		return residentLink{}, false
	}
	if row.Purpose != purpose {
		return refuse(http.StatusBadRequest, linkInvalid)
	}
	switch row.State(s.now()) {
	case models.LinkRevoked:
		return refuse(http.StatusBadRequest, linkRevoked)
	case models.LinkUsed:
		return refuse(http.StatusConflict, linkUsed)
	case models.LinkExpired:
		return refuse(http.StatusGone, linkExpired)
	}
	l := residentLink{ResidentLink: row, token: token, loc: time.UTC}
	if l.resident, err = s.store.Resident(ctx, l.scope(), row.ResidentID); err != nil || l.resident.HouseholdID != row.HouseholdID {
		// The resident left the household (or the record went): the
		// link speaks for no one now.
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			s.linkFailed(c, err)
			return residentLink{}, false
		}
		return refuse(http.StatusBadRequest, linkRevoked)
	}
	if l.estate, err = s.store.Estate(ctx, l.scope(), row.EstateID); err != nil {
		s.linkFailed(c, err)
		return residentLink{}, false
	}
	l.loc = estateLocation(l.estate)
	s.recordLinkUse(c, row, action, false)
	return l, true
}

// spendLink marks a one-shot link used once its action is taken. The
// action went under the link's own update ID, so that two answers racing on
// one link apply once; the second to mark it finds it used, which is no
// failure.
func (s *Server) spendLink(c *gin.Context, l residentLink) {
	if err := s.store.UseResidentLink(c.Request.Context(), l.ID, s.now()); err != nil && !errors.Is(err, models.ErrConflict) {
		s.log.WarnContext(c.Request.Context(), "mark resident link used", "link_id", l.ID, "err", err)
	}
}

// recordLinkUse records a use of link: the action, whether it was refused,
// when and from which client address. A failure to record is logged: the
// resident's action has its own record in the process.
func (s *Server) recordLinkUse(c *gin.Context, link models.ResidentLink, action string, refused bool) {
	u := models.ResidentLinkUse{Action: action, Refused: refused, ClientIP: c.ClientIP(), UsedAt: s.now()}
	if err := s.store.RecordResidentLinkUse(c.Request.Context(), link, &u); err != nil {
		s.log.WarnContext(c.Request.Context(), "record resident link use", "link_id", link.ID, "action", action, "err", err)
	}
}

// linkFailed answers a failed look-up or update with the page of its
// status: a refused update (the state moved on) is 409, a missing record
// 400 (its link cannot be good), and the rest are logged behind a generic
// page.
func (s *Server) linkFailed(c *gin.Context, err error) {
	status, _ := classify(err)
	switch status {
	case http.StatusConflict:
		s.renderResident(c, status, nil, linkUsed)
	case http.StatusNotFound, http.StatusBadRequest, http.StatusForbidden:
		s.renderResident(c, http.StatusBadRequest, nil, linkInvalid)
	default:
		s.log.ErrorContext(c.Request.Context(), "resident link", "status", status, "err", err)
		if status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout {
			status = http.StatusInternalServerError
		}
		s.renderResident(c, status, nil, linkUnavailable)
	}
}

// renderResident writes page with status in tmpl (the layout alone when
// nil). The link's token must not leak through the Referer, a cache or a
// frame, and the page loads nothing.
func (s *Server) renderResident(c *gin.Context, status int, tmpl *template.Template, page residentPage) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	if tmpl == nil {
		tmpl = residentLayout
	}
	c.Status(status)
	if err := tmpl.Execute(c.Writer, page); err != nil {
		s.log.WarnContext(c.Request.Context(), "render resident page", "err", err)
	}
	c.Abort()
}

// pageTime is t in the link's estate, as pages show it.
func (l residentLink) pageTime(t time.Time) string { return t.In(l.loc).Format("2006-01-02 15:04") }
