package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// noticeResponse is a notice just scheduled, with its workflow.
type noticeResponse struct {
	Notice     models.Notice `json:"notice"`
	WorkflowID string        `json:"workflow_id"`
}

// createNotice schedules a community notice (公告) and starts its process,
// which publishes it at its time. Only a manager may publish an emergency
// notice (403 for anyone else).
func (s *Server) createNotice(c *gin.Context) {
	var in models.NewNoticeRequest
	if !s.bindJSON(c, &in) {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	now := s.now()
	pol, tz, err := s.noticePolicy(ctx, p, in.EstateID)
	if err == nil {
		err = in.Validate(now, pol.Notice, p.Staff.Role)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	n := models.Notice{EstateID: in.EstateID, Buildings: trimAll(in.Buildings), Title: strings.TrimSpace(in.Title),
		Body: strings.TrimSpace(in.Body), PublishAt: in.Publish(now), ExpiresAt: in.ExpiresAt, Emergency: in.Emergency, CreatedBy: p.Staff.ID}
	if err := s.store.CreateNotice(ctx, p.scope(), &n); err != nil {
		respondError(c, s.log, err)
		return
	}
	id := workflows.NoticeWorkflowID(n.ID)
	if err := s.startProcess(ctx, id, workflows.Notice, workflows.NewNoticeInput(n, pol, tz)); err != nil {
		respondError(c, s.log, fmt.Errorf("start notice %d: %w", n.ID, err))
		return
	}
	s.log.InfoContext(ctx, "notice scheduled", "notice_id", n.ID, "workflow_id", id, "estate_id", n.EstateID, "emergency", n.Emergency)
	c.JSON(http.StatusCreated, noticeResponse{Notice: n, WorkflowID: id})
}

// noticeRow is a notice in a list, with the counts of its messages.
type noticeRow struct {
	models.Notice
	Counts store.RefCounts `json:"counts"`
}

var noticeColumns = []column[noticeRow]{
	{"编号", func(r noticeRow) string { return strconv.FormatUint(r.ID, 10) }},
	{"标题", func(r noticeRow) string { return r.Title }},
	{"发布时间", func(r noticeRow) string { return cellTime(&r.PublishAt) }},
	{"到期", func(r noticeRow) string { return cellTime(&r.ExpiresAt) }},
	{"状态", func(r noticeRow) string { return string(r.Status) }},
	{"已发送", func(r noticeRow) string { return strconv.FormatInt(r.Counts.Sent, 10) }},
	{"已送达", func(r noticeRow) string { return strconv.FormatInt(r.Counts.Delivered, 10) }},
	{"已读", func(r noticeRow) string { return strconv.FormatInt(r.Counts.Read, 10) }},
}

func noticeRef(id uint64) string { return fmt.Sprintf("notice:%d", id) }

// listNotices lists notices with their sent, delivered and read counts.
func (s *Server) listNotices(c *gin.Context) {
	q := query{c: c}
	f := store.NoticeFilter{EstateID: q.uint("estate_id"), Status: oneOfEnum(&q, "status", models.NoticeStatuses())}
	page, format := q.sortedPage(store.NoticeSorts.Fields()), q.format()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	scope := caller(c).scope()
	serveRows(s, c, format, page, func(ctx context.Context, page store.Page) (listBody[noticeRow], error) {
		l, err := s.store.Notices(ctx, scope, f, page)
		if err != nil {
			return listBody[noticeRow]{}, err
		}
		counts := make(map[uint64]store.RefCounts, len(l.Items))
		for _, n := range l.Items {
			if counts[n.ID], err = s.store.MessageCounts(ctx, noticeRef(n.ID)); err != nil {
				return listBody[noticeRow]{}, err
			}
		}
		return listResponse(l, page, func(n models.Notice) noticeRow { return noticeRow{Notice: n, Counts: counts[n.ID]} }), nil
	}, "公告", noticeColumns)
}

// noticeProcess is workflows.NoticeView in the API's JSON style.
type noticeProcess struct {
	Status      models.NoticeStatus `json:"status"`
	PublishedAt *time.Time          `json:"published_at"`
	Households  int                 `json:"households"`
	Capped      int                 `json:"capped"`
	Sending     bool                `json:"sending"`
	ClosedAt    *time.Time          `json:"closed_at"`
	AsOf        time.Time           `json:"as_of"`
}

func viewNotice(v workflows.NoticeView) *noticeProcess {
	return &noticeProcess{Status: v.Status, PublishedAt: v.PublishedAt, Households: v.Households, Capped: v.Capped,
		Sending: v.Sending, ClosedAt: v.ClosedAt, AsOf: v.AsOf}
}

// noticeDetail is a notice with its events, counts and live process.
type noticeDetail struct {
	Notice models.Notice      `json:"notice"`
	Events []models.CaseEvent `json:"events"`
	Counts store.RefCounts    `json:"counts"`
	processDetail[noticeProcess]
}

// getNotice answers a notice's detail; its messages are counted, not listed.
func (s *Server) getNotice(c *gin.Context) {
	n, ok := loadScoped(s, c, s.store.Notice)
	if !ok {
		return
	}
	p := caller(c)
	ctx := c.Request.Context()
	out := noticeDetail{Notice: n}
	var err error
	if out.Events, err = s.store.NoticeEvents(ctx, p.scope(), n.ID); err == nil {
		out.Counts, err = s.store.MessageCounts(ctx, noticeRef(n.ID))
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out.WorkflowID, out.Messages = workflows.NoticeWorkflowID(n.ID), []models.Message{}
	out.Process, out.liveFields = readLive(s, ctx, workflows.Notices(s.temporal), n.ID, p,
		func(v workflows.NoticeView) bool { return !v.Status.Terminal() }, viewNotice)
	c.JSON(http.StatusOK, out)
}

// noticeActionRequest carries the reason of a withdrawal.
type noticeActionRequest struct {
	Reason string `json:"reason" validate:"max=200"`
}

func (noticeActionRequest) assignee() uint64 { return 0 }

// noticeAction withdraws a notice through its workflow update.
func (s *Server) noticeAction(c *gin.Context) {
	n, ok := loadScoped(s, c, s.store.Notice)
	if !ok {
		return
	}
	var in noticeActionRequest
	broadcastAction(s, c, workflows.Notices(s.temporal), n.ID, &in, actionCase{noun: "公告",
		status: string(n.Status), ended: n.Status.Terminal(), estateID: n.EstateID},
		func(action string, p principal) any {
			return workflows.NoticeAction{Action: action, ActorID: p.Staff.ID, ActorRole: p.Staff.Role, Reason: in.Reason}
		},
		func(ctx context.Context, scope store.Scope) (string, error) {
			cur, err := s.store.Notice(ctx, scope, n.ID)
			return string(cur.Status), err
		}, viewNotice)
}

// noticeBoard is what the dashboard shows of outages and notices: the
// outages on now (ongoing or overdue) and the notices published.
type noticeBoard struct {
	OutagesOn        []models.Outage `json:"outages_on"`
	NoticesPublished int64           `json:"notices_published"`
}

// getNoticeBoard answers the dashboard's outage and notice figures.
func (s *Server) getNoticeBoard(c *gin.Context) {
	q := query{c: c}
	estate := q.uint("estate_id")
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	ctx := c.Request.Context()
	scope := caller(c).scope()
	out := noticeBoard{OutagesOn: []models.Outage{}}
	for _, st := range []models.OutageStatus{models.OutageOngoing, models.OutageOverdue} {
		l, err := s.store.Outages(ctx, scope, store.OutageFilter{EstateID: estate, Status: st}, store.Page{Size: store.MaxPageSize})
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		out.OutagesOn = append(out.OutagesOn, l.Items...)
	}
	l, err := s.store.Notices(ctx, scope, store.NoticeFilter{EstateID: estate, Status: models.NoticePublished}, store.Page{Size: 1})
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	out.NoticesPublished = l.Total
	c.JSON(http.StatusOK, out)
}

func (s *Server) noticeRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/notices", summary: "Schedule a community notice (公告) to the estate or some buildings: title, body, publish time (default now), expiry; emergency (a manager's) ignores quiet hours and the daily cap", tag: "notices",
			roles: deskRoles, handler: s.createNotice, body: models.NewNoticeRequest{}, resp: noticeResponse{}, status: http.StatusCreated},
		{method: http.MethodGet, path: "/api/v1/notices", summary: "Community notices with sent, delivered and read counts; by cursor, as CSV", tag: "notices", roles: everyRole, handler: s.listNotices,
			resp: listBody[noticeRow]{}, status: http.StatusOK,
			query: sortedParams(store.NoticeSorts.Fields(), estateQ, param{"status", "string", "scheduled, published, expired or withdrawn"})},
		{method: http.MethodGet, path: "/api/v1/notices/:id", summary: "A notice with its live process, events and message counts", tag: "notices",
			roles: everyRole, handler: s.getNotice, resp: noticeDetail{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/notices/:id/actions/:action", summary: actionSummary(workflows.NoticeActions()), tag: "notices",
			roles: deskRoles, handler: s.noticeAction, body: noticeActionRequest{}, resp: noticeProcess{}, status: http.StatusOK, scoped: true, actions: workflows.NoticeActions()},
		{method: http.MethodGet, path: "/api/v1/notice-board", summary: "Dashboard figures of outages and notices: the outages on now, how many notices are published", tag: "notices",
			roles: everyRole, handler: s.getNoticeBoard, resp: noticeBoard{}, status: http.StatusOK, query: []param{estateQ}},
	}
}
