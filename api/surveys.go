package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// Satisfaction surveys (满意度调查): a manager creates a campaign of an
// estate and quarter; its process invites the sample, reminds and closes;
// residents answer once on /r/survey; results and the staff performance
// (绩效) read the answers.

// surveyRequest creates a campaign.
type surveyRequest struct {
	EstateID uint64 `json:"estate_id" validate:"required"`
	models.SurveyCampaignSpec
}

func (s *Server) createSurvey(c *gin.Context) {
	var in surveyRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	e, err := s.store.Estate(ctx, p.scope(), in.EstateID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	pol, err := s.store.Policy(ctx, p.scope(), in.EstateID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	spec := in.SurveyCampaignSpec
	q, err := spec.Check(pol.Policy.Surveys(), s.now(), loc)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	row := models.SurveyCampaign{EstateID: in.EstateID, Quarter: q.String(), Title: spec.Title, Questionnaire: spec.Questionnaire,
		Sample: spec.Sample, OpensAt: spec.OpensAt, ClosesAt: spec.ClosesAt, Reminders: spec.Reminders, CreatedBy: p.Staff.ID}
	if err := s.store.CreateSurveyCampaign(ctx, p.scope(), &row); err != nil {
		respondError(c, s.log, err)
		return
	}
	if err := s.startProcess(ctx, workflows.SurveyWorkflowID(row.ID), workflows.Survey,
		workflows.SurveyInput{Campaign: row, Policy: pol.Policy, TimeZone: e.TimeZone}); err != nil {
		respondError(c, s.log, fmt.Errorf("start survey %d: %w", row.ID, err))
		return
	}
	s.log.InfoContext(ctx, "survey campaign created", "campaign_id", row.ID, "estate_id", row.EstateID, "quarter", row.Quarter)
	c.JSON(http.StatusCreated, row)
}

func (s *Server) listSurveys(c *gin.Context) {
	q := query{c: c}
	f := store.SurveyFilter{EstateID: q.uint("estate_id"), Status: oneOfEnum(&q, "status", models.SurveyStatuses()),
		Quarter: c.Query("quarter")}
	page := q.sortedPage(store.SurveySorts.Fields())
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	l, err := s.store.SurveyCampaigns(c.Request.Context(), caller(c).scope(), f, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, listResponse(l, page, func(x models.SurveyCampaign) models.SurveyCampaign { return x }))
}

// surveyDetail is a campaign with its journal and live process.
type surveyDetail struct {
	Campaign models.SurveyCampaign `json:"campaign"`
	Events   []models.CaseEvent    `json:"events"`
	processDetail[workflows.SurveyView]
}

func surveyRef(id uint64) string { return "survey:" + strconv.FormatUint(id, 10) }

func (s *Server) getSurvey(c *gin.Context) {
	sc, ok := loadScoped(s, c, s.store.SurveyCampaign)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	out := surveyDetail{Campaign: sc}
	var err error
	if out.Events, err = s.store.SurveyEvents(ctx, p.scope(), sc.ID); err == nil {
		out.processDetail, err = readDetail(s, ctx, workflows.NewClient[workflows.SurveyView](s.temporal, workflows.SurveyProcess()),
			sc.ID, p, surveyRef(sc.ID), func(workflows.SurveyView) bool { return true },
			func(v workflows.SurveyView) *workflows.SurveyView { return &v })
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// surveyActionRequest carries the fields any campaign action may take.
type surveyActionRequest struct {
	Reason      string `json:"reason" validate:"max=200"`
	HouseholdID uint64 `json:"household_id"`
	Note        string `json:"note" validate:"max=500"`
}

func (surveyActionRequest) assignee() uint64 { return 0 }

func (s *Server) surveyAction(c *gin.Context) {
	sc, ok := loadScoped(s, c, s.store.SurveyCampaign)
	if !ok {
		return
	}
	var in surveyActionRequest
	ended := sc.Status.Terminal() && !slicesAnyPending(sc.Callbacks)
	action, key, ok := s.actionRequest(c, workflows.SurveyActions(), &in, actionCase{noun: "调查",
		status: string(sc.Status), ended: ended, estateID: sc.EstateID})
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	a := workflows.SurveyAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, Reason: in.Reason,
		HouseholdID: in.HouseholdID, Note: in.Note}
	v, err := act(ctx, workflows.NewClient[workflows.SurveyView](s.temporal, workflows.SurveyProcess()), sc.ID, key, a,
		func() (string, error) {
			cur, err := s.store.SurveyCampaign(ctx, p.scope(), sc.ID)
			return string(cur.Status), err
		})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "survey action", "campaign_id", sc.ID, "action", action, "by", p.Staff.ID)
	c.JSON(http.StatusOK, v)
}

func slicesAnyPending(cbs []models.SurveyCallback) bool {
	for _, cb := range cbs {
		if cb.DoneAt == nil {
			return true
		}
	}
	return false
}

func (s *Server) surveyResults(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	r, err := s.store.SurveyResults(c.Request.Context(), caller(c).scope(), id)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// performanceResponse is a month of an estate's staff performance.
type performanceResponse struct {
	EstateID uint64                    `json:"estate_id"`
	Month    string                    `json:"month"`
	Staff    []models.StaffPerformance `json:"staff"`
}

func (s *Server) staffPerformance(c *gin.Context) {
	q := query{c: c}
	estate := q.uint("estate_id")
	month := c.Query("month")
	if q.err == nil && estate == 0 {
		q.err = models.Invalid("estate_id", "必填")
	}
	p := caller(c)
	ctx := c.Request.Context()
	var loc *time.Location
	if q.err == nil {
		e, err := s.store.Estate(ctx, p.scope(), estate)
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		if loc, err = time.LoadLocation(e.TimeZone); err != nil {
			loc = time.UTC
		}
		if month == "" {
			month = s.now().In(loc).Format("2006-01")
		}
	}
	var from time.Time
	if q.err == nil {
		var err error
		if from, err = time.ParseInLocation("2006-01", month, loc); err != nil {
			q.err = models.Invalid("month", "应为年月，如 2026-10")
		} else {
			q.err = models.CheckTime("month", from, s.now())
		}
	}
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	rows, err := s.store.PerformanceRows(ctx, p.scope(), estate, from, from.AddDate(0, 1, 0))
	if err == nil {
		var pol models.EstatePolicy
		if pol, err = s.store.Policy(ctx, p.scope(), estate); err == nil {
			c.JSON(http.StatusOK, performanceResponse{EstateID: estate, Month: month,
				Staff: models.StaffPerformances(pol.Policy.Surveys(), rows.Staff, rows.Tickets, rows.Scores)})
			return
		}
	}
	respondError(c, s.log, err)
}

// The resident's survey page: the questionnaire as a form, answered once.
var surveyPageHTML = residentTemplate(`<form class="card" method="post" action="` + auth.SurveyPath + `">
<input type="hidden" name="t" value="{{.Token}}">
{{range .Data}}<fieldset><legend>{{.Text}}{{if .Required}} *{{end}}</legend>
{{if eq .Type "score"}}<label><input type="radio" name="q_{{.ID}}" value="5"> 5分 非常满意</label> <label><input type="radio" name="q_{{.ID}}" value="4"> 4分</label> <label><input type="radio" name="q_{{.ID}}" value="3"> 3分</label> <label><input type="radio" name="q_{{.ID}}" value="2"> 2分</label> <label><input type="radio" name="q_{{.ID}}" value="1"> 1分 很不满意</label>
{{else if eq .Type "choice"}}{{$id := .ID}}{{range .Options}}<label><input type="radio" name="q_{{$id}}" value="{{.}}"> {{.}}</label> {{end}}
{{else}}<textarea name="q_{{.ID}}" maxlength="1000" rows="3"></textarea>{{end}}
</fieldset>{{end}}
<button type="submit">提交问卷</button></form>`)

// openSurveyLink opens a survey link of a campaign still taking answers.
func (s *Server) openSurveyLink(c *gin.Context, token, action string) (residentLink, models.SurveyCampaign, bool) {
	l, ok := s.openLink(c, token, models.LinkSurvey, action)
	if !ok {
		return l, models.SurveyCampaign{}, false
	}
	sc, err := s.store.SurveyCampaign(c.Request.Context(), l.scope(), l.SubjectID)
	if err != nil {
		s.linkFailed(c, err)
		return l, sc, false
	}
	if sc.Status != models.SurveyOpen || !s.now().Before(sc.ClosesAt) {
		s.renderResident(c, http.StatusConflict, nil, l.page("调查已结束", "本次满意度调查已结束，感谢您的关注。如有意见或建议，欢迎随时联系服务中心。"))
		return l, sc, false
	}
	return l, sc, true
}

func (s *Server) surveyPage(c *gin.Context) {
	l, sc, ok := s.openSurveyLink(c, c.Query("t"), "view")
	if !ok {
		return
	}
	page := l.page(sc.Title, "感谢您抽出时间参与调查，请根据您的实际感受作答（带 * 的为必答题）。")
	page.Data = sc.Questionnaire.Questions
	s.renderResident(c, http.StatusOK, surveyPageHTML, page)
}

// answerSurvey records the household's answers (form fields t and q_<id>),
// once; the process hears them.
func (s *Server) answerSurvey(c *gin.Context) {
	l, sc, ok := s.openSurveyLink(c, c.PostForm("t"), "answer")
	if !ok {
		return
	}
	var items []models.SurveyAnswerItem
	for _, q := range sc.Questionnaire.Questions {
		v := strings.TrimSpace(c.PostForm("q_" + q.ID))
		if v == "" {
			continue
		}
		it := models.SurveyAnswerItem{QuestionID: q.ID}
		switch q.Type {
		case models.QuestionScore:
			it.Score, _ = strconv.Atoi(v)
		case models.QuestionChoice:
			it.Choice = v
		default:
			it.Text = v
		}
		items = append(items, it)
	}
	if err := sc.Questionnaire.CheckAnswers(items); err != nil {
		page := l.page(sc.Title, "问卷未填写完整或有误，请检查后重新提交（带 * 的为必答题）。")
		page.Tone, page.Data = "bad", sc.Questionnaire.Questions
		s.renderResident(c, http.StatusBadRequest, surveyPageHTML, page)
		return
	}
	ctx := c.Request.Context()
	r := models.SurveyResponse{CampaignID: sc.ID, HouseholdID: l.HouseholdID, ResidentID: l.ResidentID, Items: items, AnsweredAt: s.now()}
	if err := s.store.SubmitSurveyResponse(ctx, &r); err != nil {
		s.linkFailed(c, err)
		return
	}
	s.spendLink(c, l)
	err := s.temporal.SignalWorkflow(ctx, workflows.SurveyWorkflowID(sc.ID), "", workflows.SurveyAnsweredSignal,
		workflows.SurveyAnswered{ResponseID: r.ID, HouseholdID: r.HouseholdID, ResidentID: r.ResidentID, Items: items})
	if err != nil {
		s.log.WarnContext(ctx, "signal survey answer", "campaign_id", sc.ID, "response_id", r.ID, "err", err)
	}
	s.renderResident(c, http.StatusOK, nil, l.page("感谢您的参与", "您的问卷已提交，感谢您对我们工作的支持！"))
}

func (s *Server) surveyRoutes() []route {
	actions := workflows.SurveyActions()
	return []route{
		{method: http.MethodPost, path: "/api/v1/survey-campaigns", summary: "Create a satisfaction survey campaign (满意度调查) of an estate and quarter (one each): questionnaire (default when empty), sample (all or stratified by building), opening and closing inside the quarter's window, reminders; starts its process", tag: "surveys",
			roles: managers, handler: s.createSurvey, body: surveyRequest{}, resp: models.SurveyCampaign{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/survey-campaigns", summary: "Survey campaigns, latest opening first unless sorted, by cursor", tag: "surveys",
			roles: everyRole, handler: s.listSurveys, resp: listBody[models.SurveyCampaign]{}, status: http.StatusOK,
			query: sortedParams(store.SurveySorts.Fields(), estateQ, param{"status", "string", "scheduled, open, closed or cancelled"},
				param{"quarter", "string", "the quarter, e.g. 2026Q4"})},
		{method: http.MethodGet, path: "/api/v1/survey-campaigns/:id", summary: "A survey campaign with its events, live process and messages", tag: "surveys",
			roles: everyRole, handler: s.getSurvey, resp: surveyDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/survey-campaigns/:id/actions/:action", summary: actionSummary(actions), tag: "surveys",
			roles: deskRoles, handler: s.surveyAction, body: surveyActionRequest{}, resp: workflows.SurveyView{}, status: http.StatusOK, scoped: true, actions: actions},
		{method: http.MethodGet, path: "/api/v1/survey-campaigns/:id/results", summary: "A campaign's results: response rate, by question, building and service area, low responses", tag: "surveys",
			roles: everyRole, handler: s.surveyResults, resp: models.SurveyResults{}, status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/staff-performance", summary: "Staff performance (绩效) of an estate's month: SLA met, return-visit and survey scores, reopen rate, each with the ticket (or response) IDs behind it", tag: "surveys",
			roles: managers, handler: s.staffPerformance, resp: performanceResponse{}, status: http.StatusOK,
			query: []param{{"estate_id", "integer", "the estate (required)"}, {"month", "string", "YYYY-MM, default this month"}}},
		{method: http.MethodGet, path: auth.SurveyPath, summary: "The resident's survey page (HTML), opened from a survey link; 400 bad or revoked link, 410 expired, 409 answered already or the campaign closed", tag: "resident-links",
			public: true, handler: s.surveyPage, status: http.StatusOK, query: []param{{"t", "string", "the link's token"}}},
		{method: http.MethodPost, path: auth.SurveyPath, summary: "The resident's answers (form fields t and q_<question id>), once per household; answers HTML", tag: "resident-links",
			public: true, handler: s.answerSurvey, status: http.StatusOK},
	}
}
