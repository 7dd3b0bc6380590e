package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// The resident's promise to pay (承诺缴费) by a date, through a promise
// link: sent to the household's open collection case as the resident's
// promise (workflows.ActPromise, through actOnCase as staff actions go),
// it pauses the ladder until the date is over, as a call's promise does.
// The date is from today to workflows.MaxPromiseDays after it.

var promisePageHTML = residentTemplate(`{{with .Data}}<div class="card"><p>目前欠缴合计 <span class="total">{{.Owed}}</span></p>
<form method="post" action="` + auth.PromisePath + `"><input type="hidden" name="t" value="{{$.Token}}">
<label for="promised_on">承诺缴费日期</label>
<input type="date" id="promised_on" name="promised_on" min="{{.From}}" max="{{.To}}" value="{{.Value}}" required>
<p class="muted">可选 {{.From}} 至 {{.To}} 之间的日期，请在该日期前缴清欠费。</p>
<button type="submit">提交承诺</button></form></div>{{end}}`)

// promiseForm is what the promise page's form shows.
type promiseForm struct {
	Owed            models.Money
	From, To, Value models.Date
}

// promiseForm is the form of link l today, its date set to value.
func (s *Server) promiseForm(c *gin.Context, l residentLink, value models.Date) (promiseForm, bool) {
	st, err := s.householdStatement(c.Request.Context(), l)
	if err != nil {
		s.linkFailed(c, err)
		return promiseForm{}, false
	}
	if st.Account.Total <= 0 {
		s.renderResident(c, http.StatusConflict, nil, l.page("无需承诺缴费", "您目前没有欠费，无需承诺缴费。感谢您按时缴费！"))
		return promiseForm{}, false
	}
	return promiseForm{Owed: st.Account.Total, From: st.AsOf, To: st.AsOf.AddDays(workflows.MaxPromiseDays), Value: value}, true
}

// promisePage asks the resident for the date they will pay by.
func (s *Server) promisePage(c *gin.Context) {
	l, ok := s.openLink(c, c.Query("t"), models.LinkPromise, "view")
	if !ok {
		return
	}
	f, ok := s.promiseForm(c, l, models.Date{})
	if !ok {
		return
	}
	page := l.page("承诺缴费", "如暂时不便缴费，可以承诺在某一日期前缴清，承诺期内暂停催缴。")
	page.Data = f
	s.renderResident(c, http.StatusOK, promisePageHTML, page)
}

// promiseByLink records the resident's promise (form fields t,
// promised_on as 2006-01-02) on the household's collection case.
func (s *Server) promiseByLink(c *gin.Context) {
	l, ok := s.openLink(c, c.PostForm("t"), models.LinkPromise, "promise")
	if !ok {
		return
	}
	on, perr := models.ParseDate(strings.TrimSpace(c.PostForm("promised_on")))
	f, ok := s.promiseForm(c, l, on)
	if !ok {
		return
	}
	outOfRange := func() {
		page := l.page("承诺缴费", fmt.Sprintf("承诺缴费日期须在 %s 至 %s 之间，请重新选择。", f.From, f.To))
		page.Tone, page.Data = "bad", f
		s.renderResident(c, http.StatusBadRequest, promisePageHTML, page)
	}
	if perr != nil || on.Before(f.From) || on.After(f.To) {
		outOfRange()
		return
	}
	ctx := c.Request.Context()
	_, err := s.actOnCase(ctx, l.scope(), l.HouseholdID, fmt.Sprintf("resident-link-r%d", l.ID), workflows.CaseAction{
		Action: workflows.ActPromise, ActorID: l.ResidentID, ActorRole: workflows.ResidentLinkRole, PromisedOn: on})
	var se *stateError
	switch status, _ := classify(err); {
	case errors.As(err, &se) || status == http.StatusConflict:
		s.recordLinkUse(c, l.ResidentLink, "promise_refused", true)
		s.renderResident(c, http.StatusConflict, nil, l.page("暂不能在线承诺", "您的欠费目前不在催缴中或已转由专人处理，请联系物业服务中心。"))
		return
	case status == http.StatusBadRequest:
		outOfRange() // the process's today is a moment later
		return
	case err != nil:
		s.linkFailed(c, err)
		return
	}
	s.spendLink(c, l)
	page := l.page("已记录您的承诺", fmt.Sprintf("您已承诺在 %s 前缴清欠费 %s。承诺期内暂停催缴，感谢您的配合。", on, f.Owed))
	page.Tone = "ok"
	s.renderResident(c, http.StatusOK, nil, page)
}

func (s *Server) residentPromiseRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.PromisePath, summary: "The resident's page (HTML) to promise to pay (承诺缴费) by a date, opened from a promise link: what the household owes and the dates it may choose; 400 bad or revoked link, 410 expired, 409 used or nothing owed", tag: "resident-links",
			public: true, handler: s.promisePage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.PromisePath, summary: "The resident's promise (form fields t, promised_on: today to 90 days on) sent to the household's collection case as a staff-recorded promise is, pausing the ladder until the date is over; 400 a date out of range, 409 no open case or in legal hands; answers HTML", tag: "resident-links",
			public: true, handler: s.promiseByLink, status: http.StatusOK},
	}
}
