package api

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// dashboardRoles see the managers' view.
var dashboardRoles = []models.Role{models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// systemInfo tells the console where to look inside the processes.
type systemInfo struct {
	// TemporalUIURL is the Temporal Web UI's base URL; empty when none runs
	// and for every caller but managers and administrators.
	TemporalUIURL string `json:"temporal_ui_url"`
	Namespace     string `json:"namespace"`
}

// system returns the namespace and, to managers and administrators (the
// roles that look inside the processes), the Temporal Web UI's address.
func (s *Server) system(c *gin.Context) {
	info := systemInfo{Namespace: s.namespace}
	if caller(c).is(managers...) {
		info.TemporalUIURL = s.temporalUI
	}
	c.JSON(http.StatusOK, info)
}

// dashboardBody is the dashboard of one estate (EstateID set) or of every
// estate the caller sees.
type dashboardBody struct {
	EstateID uint64 `json:"estate_id,omitempty"`
	TimeZone string `json:"time_zone"`
	store.Dashboard
	Arrears   arrearsSummary  `json:"arrears"`
	FollowUps followUpSummary `json:"follow_ups"`
	// Contracts counts the service contracts (物业服务合同) per status.
	Contracts []store.ContractCount `json:"contracts"`
	// CalendarGaps are the estates whose service calendar lacks a year's
	// public holidays that "same day" deadlines will soon be counted on.
	CalendarGaps []calendarGap `json:"calendar_gaps"`
	// Inspections: overdue inspections, open findings and statutory
	// inspections due soon, on one estate's dashboard (absent otherwise).
	Inspections *inspectionSummary `json:"inspections,omitempty"`
}

// calendarGap is an estate whose calendar lists no holidays of Year.
type calendarGap struct {
	EstateID   uint64 `json:"estate_id"`
	EstateName string `json:"estate_name"`
	Year       int    `json:"year"`
}

// arrearsSummary is the collection part of the managers' view: open cases
// per stage with what they owe, and the collection rate (paid ÷ billed) of
// last month's and this month's billing periods.
type arrearsSummary struct {
	Stages     []store.StageTotal      `json:"stages"`
	Cases      int64                   `json:"cases"`
	OwedFen    models.Money            `json:"owed_fen"`
	Collection []store.MonthCollection `json:"collection"`
}

// followUpSummary is the move-in follow-up part: of the follow-ups
// completed last month and this month, how many were visited on time.
type followUpSummary struct {
	OnTime []store.MonthFollowUps `json:"on_time"`
}

// dashboard reads the numbers of the managers' view from the read model.
func (s *Server) dashboard(c *gin.Context) {
	d, err := s.readDashboard(c)
	if err == nil {
		err = s.readProcesses(c, &d)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// readProcesses adds the arrears and follow-up numbers to d.
func (s *Server) readProcesses(c *gin.Context, d *dashboardBody) error {
	ctx, scope := c.Request.Context(), caller(c).scope()
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	f := store.DashboardFilter{EstateID: d.EstateID, Now: s.now(), Loc: loc}
	a := &d.Arrears
	if a.Stages, err = s.store.CaseTotals(ctx, scope, store.CaseFilter{EstateID: d.EstateID, Open: true}); err != nil {
		return err
	}
	for _, st := range a.Stages {
		a.Cases += st.Cases
		a.OwedFen += st.OwedFen
	}
	if a.Collection, err = s.store.CollectionRates(ctx, scope, f); err != nil {
		return err
	}
	if d.FollowUps.OnTime, err = s.store.FollowUpsOnTime(ctx, scope, f); err != nil {
		return err
	}
	if d.Contracts, err = s.store.ContractCounts(ctx, scope, d.EstateID); err != nil {
		return err
	}
	if d.CalendarGaps, err = s.calendarGaps(ctx, scope, d.EstateID); err != nil {
		return err
	}
	d.Inspections, err = s.readInspections(ctx, scope, d.EstateID)
	return err
}

// calendarGaps checks the calendars of estateID, or of every estate in
// scope when it is 0.
func (s *Server) calendarGaps(ctx context.Context, scope store.Scope, estateID uint64) ([]calendarGap, error) {
	var estates []models.Estate
	if estateID != 0 {
		e, err := s.store.Estate(ctx, scope, estateID)
		if err != nil {
			return nil, err
		}
		estates = []models.Estate{e}
	} else {
		l, err := s.store.Estates(ctx, scope, store.Page{Size: store.MaxPageSize})
		if err != nil {
			return nil, err
		}
		estates = l.Items
	}
	gaps := []calendarGap{}
	for _, e := range estates {
		p, err := s.store.Policy(ctx, scope, e.ID)
		if err != nil {
			return nil, err
		}
		if y := p.Policy.Calendar.HolidayGap(s.now(), estateLocation(e), models.HolidayNoticeDays); y != 0 {
			gaps = append(gaps, calendarGap{EstateID: e.ID, EstateName: e.Name, Year: y})
		}
	}
	return gaps, nil
}

func (s *Server) readDashboard(c *gin.Context) (dashboardBody, error) {
	q := query{c: c}
	estateID := q.uint("estate_id")
	if q.err != nil {
		return dashboardBody{}, q.err
	}
	p := caller(c)
	ctx := c.Request.Context()
	tz := s.defaultTZ
	if estateID != 0 {
		e, err := s.store.Estate(ctx, p.scope(), estateID)
		if err != nil {
			return dashboardBody{}, err
		}
		tz = e.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	d, err := s.store.Dashboard(ctx, p.scope(), store.DashboardFilter{EstateID: estateID, Now: s.now(), Loc: loc})
	if err != nil {
		return dashboardBody{}, err
	}
	return dashboardBody{EstateID: estateID, TimeZone: loc.String(), Dashboard: d}, nil
}

// tierColors are the chart colours of the urgency tiers.
var tierColors = map[models.Urgency]string{
	models.UrgencyCritical: "#d93025", models.UrgencyUrgent: "#e37400", models.UrgencyNormal: "#1a73e8",
}

// slaChart is the SVG line chart of the share of deadlines met per week and
// tier; a week with no deadline leaves a gap.
var slaChart = template.Must(template.New("sla").Parse(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}" role="img" aria-label="SLA 达成率">
<style>text{font:12px sans-serif;fill:#444}.t{font-weight:bold;font-size:14px;fill:#222}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text class="t" x="10" y="20">SLA 达成率（按周，近 {{.Weeks}} 周）</text>
{{range .Grid}}<line x1="{{$.Left}}" x2="{{$.Right}}" y1="{{.Y}}" y2="{{.Y}}" stroke="#e0e0e0"/><text x="{{$.LabelX}}" y="{{.TY}}" text-anchor="end">{{.Label}}</text>
{{end}}{{range .XLabels}}<text x="{{.X}}" y="{{$.XLabelY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Series}}{{range .Paths}}<polyline fill="none" stroke="{{$.Color .Urgency}}" stroke-width="2" points="{{.Points}}"/>
{{end}}{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="3" fill="{{$.Color .Urgency}}"><title>{{.Title}}</title></circle>
{{end}}{{end}}{{range $i, $s := .Series}}<rect x="{{$.LegendX $i}}" y="{{$.LegendY}}" width="12" height="12" fill="{{$.Color $s.Urgency}}"/><text x="{{$.LegendTextX $i}}" y="{{$.LegendTY}}">{{$s.Name}}</text>
{{end}}</svg>`))

type chartPoint struct {
	X, Y    int
	Urgency models.Urgency
	Title   string
}

type chartPath struct {
	Urgency models.Urgency
	Points  string
}

type chartSeries struct {
	Urgency models.Urgency
	Name    string
	Paths   []chartPath
	Dots    []chartPoint
}

type chartData struct {
	W, H, Left, Right, Top, Bottom, Weeks int
	Grid                                  []struct {
		Y, TY int
		Label string
	}
	XLabels []struct {
		X     int
		Label string
	}
	Series []chartSeries
}

func (d chartData) LabelX() int                   { return d.Left - 6 }
func (d chartData) XLabelY() int                  { return d.Bottom + 16 }
func (d chartData) LegendY() int                  { return d.H - 20 }
func (d chartData) LegendTY() int                 { return d.H - 10 }
func (d chartData) LegendX(i int) int             { return d.Left + i*80 }
func (d chartData) LegendTextX(i int) int         { return d.Left + i*80 + 16 }
func (d chartData) Color(u models.Urgency) string { return tierColors[u] }

// slaSVG draws the SLA history of a dashboard.
func slaSVG(d store.Dashboard, loc *time.Location) ([]byte, error) {
	cd := chartData{W: 640, H: 280, Left: 50, Right: 620, Top: 36, Bottom: 220}
	weeks := []time.Time{}
	for _, r := range d.SLA {
		if len(weeks) == 0 || !weeks[len(weeks)-1].Equal(r.Week) {
			weeks = append(weeks, r.Week)
		}
	}
	cd.Weeks = len(weeks)
	x := func(i int) int {
		if len(weeks) < 2 {
			return cd.Left
		}
		return cd.Left + i*(cd.Right-cd.Left)/(len(weeks)-1)
	}
	y := func(pct float64) int { return cd.Bottom - int(pct*float64(cd.Bottom-cd.Top)/100) }
	for _, pct := range []int{0, 25, 50, 75, 100} {
		cd.Grid = append(cd.Grid, struct {
			Y, TY int
			Label string
		}{y(float64(pct)), y(float64(pct)) + 4, fmt.Sprintf("%d%%", pct)})
	}
	for i, w := range weeks {
		if i%2 == len(weeks)%2 || i == len(weeks)-1 {
			label := w.In(loc).Format("01-02")
			if i == len(weeks)-1 {
				label = "本周"
			}
			cd.XLabels = append(cd.XLabels, struct {
				X     int
				Label string
			}{x(i), label})
		}
	}
	for _, u := range models.Urgencies() {
		sr := chartSeries{Urgency: u, Name: u.Label()}
		var cur []string
		flush := func() {
			if len(cur) > 1 {
				sr.Paths = append(sr.Paths, chartPath{Urgency: u, Points: joinPoints(cur)})
			}
			cur = nil
		}
		for i, w := range weeks {
			r, ok := slaRowOf(d.SLA, w, u)
			if !ok || r.Due == 0 {
				flush()
				continue
			}
			pct := float64(r.Met) * 100 / float64(r.Due)
			px, py := x(i), y(pct)
			cur = append(cur, fmt.Sprintf("%d,%d", px, py))
			sr.Dots = append(sr.Dots, chartPoint{X: px, Y: py, Urgency: u,
				Title: fmt.Sprintf("%s %s 周：%d/%d 按时（%.0f%%）", u.Label(), w.In(loc).Format("01-02"), r.Met, r.Due, pct)})
		}
		flush()
		cd.Series = append(cd.Series, sr)
	}
	var buf bytes.Buffer
	if err := slaChart.Execute(&buf, cd); err != nil {
		return nil, fmt.Errorf("draw SLA chart: %w", err)
	}
	return buf.Bytes(), nil
}

func slaRowOf(rows []store.SLAWeek, week time.Time, u models.Urgency) (store.SLAWeek, bool) {
	for _, r := range rows {
		if r.Week.Equal(week) && r.Urgency == u {
			return r, true
		}
	}
	return store.SLAWeek{}, false
}

func joinPoints(ps []string) string {
	var b bytes.Buffer
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// slaChartSVG serves the SLA history as an SVG image.
func (s *Server) slaChartSVG(c *gin.Context) {
	d, err := s.readDashboard(c)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	svg, err := slaSVG(d.Dashboard, loc)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", svg)
}

func (s *Server) dashboardRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/system", summary: "The namespace, and where the Temporal Web UI is (estate managers and company administrators only)", tag: "system", roles: everyRole, handler: s.system, resp: systemInfo{}, status: http.StatusOK},
		{method: http.MethodGet, path: "/api/v1/dashboard", summary: "Managers' view from the read model: open tickets by status and urgency, SLA met per urgency and week (this and the last 12), breaches and escalations today; open arrears cases per stage and the collection rate of last and this month's bills; follow-ups visited on time", tag: "dashboard",
			roles: dashboardRoles, handler: s.dashboard, resp: dashboardBody{}, status: http.StatusOK, query: []param{estateQ}},
		{method: http.MethodGet, path: "/api/v1/dashboard/charts/sla.svg", summary: "SLA met per week and urgency tier, as an SVG line chart", tag: "dashboard",
			roles: dashboardRoles, handler: s.slaChartSVG, status: http.StatusOK, query: []param{estateQ}},
	}
}
