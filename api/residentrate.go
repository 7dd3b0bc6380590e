package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// The resident's rating (评价) of a repair is the ticket's return visit
// (满意度回访), taken by the resident through their link when the estate's
// policy lets residents rate (repair.resident_rating): on the confirmation
// page with the confirmation, or on the rating page (a rate link). A low
// score opens the follow-up complaint as a staff visit's does: the process
// decides it.

// maxRatingComment is the longest comment a rating takes, in runes.
const maxRatingComment = 500

var ratePageHTML = residentTemplate(`<form class="card" method="post" action="` + auth.RatePath + `">
<input type="hidden" name="t" value="{{.Token}}">{{template "rating" true}}
<button type="submit">提交评价</button></form>`)

// rating is a resident's score (0: none given) and comment.
type rating struct {
	score    int
	comments string
}

// readRating reads the form's score and comments: a score of 1 to 5, or
// none when not required. It answers false with the field's problem in
// Chinese.
func readRating(c *gin.Context, required bool) (rating, string) {
	r := rating{comments: strings.TrimSpace(c.PostForm("comments"))}
	switch raw := c.PostForm("score"); {
	case raw == "" && !required:
	case raw == "":
		return r, "请选择评分（1 到 5 星）。"
	default:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 5 {
			return r, "评分应为 1 到 5 星。"
		}
		r.score = n
	}
	if len([]rune(r.comments)) > maxRatingComment {
		return r, fmt.Sprintf("意见或建议最多 %d 个字。", maxRatingComment)
	}
	return r, ""
}

// ratingAllowed reports whether estate's current policy lets residents
// rate repairs.
func (s *Server) ratingAllowed(ctx context.Context, estate uint64) (bool, error) {
	p, err := s.store.Policy(ctx, store.Estates(estate), estate)
	if err != nil {
		return false, err
	}
	return p.Policy.Repair.ResidentRating, nil
}

// rate sends r as ticket's return visit by resident, under updateID.
func (s *Server) rate(ctx context.Context, ticket, resident uint64, updateID string, r rating) error {
	_, err := workflows.Tickets(s.temporal).Act(ctx, ticket, updateID, workflows.TicketAction{Action: workflows.ActReturnVisit,
		ActorID: resident, ActorRole: workflows.ResidentLinkRole, Score: r.score, Comments: r.comments})
	if err == nil {
		s.log.InfoContext(ctx, "resident rated by link", "ticket_id", ticket, "score", r.score)
	}
	return err
}

// rated is the page after a rating.
func rated(page residentPage, r rating, lowScore int) residentPage {
	page.Title, page.Tone, page.Text = "感谢您的评价", "ok", "您的评价已提交，感谢您对我们工作的支持。"
	if lowScore > 0 && r.score <= lowScore {
		page.Tone, page.Text = "warn", "您的评价已提交。很抱歉这次维修没有让您满意，客服人员会尽快与您联系了解情况。"
	}
	return page
}

// openRateLink opens a rate link whose ticket awaits its return visit, or
// answers with the page that says why not: the link's own refusals, 409 when
// the estate does not let residents rate, the repair still awaits its
// confirmation, or it was rated (or closed) already.
func (s *Server) openRateLink(c *gin.Context, token, action string) (residentLink, models.Policy, bool) {
	l, ok := s.openLink(c, token, models.LinkRate, action)
	if !ok {
		return l, models.Policy{}, false
	}
	ctx := c.Request.Context()
	p, err := s.store.Policy(ctx, l.scope(), l.EstateID)
	if err != nil {
		s.linkFailed(c, err)
		return l, p.Policy, false
	}
	if !p.Policy.Repair.ResidentRating {
		s.renderResident(c, http.StatusConflict, nil, l.page("暂未开放在线评价", "本小区暂未开放在线评价，客服人员会通过电话进行回访。"))
		return l, p.Policy, false
	}
	t, err := s.store.Ticket(ctx, l.scope(), l.SubjectID)
	if err == nil && (t.ResidentID == nil || *t.ResidentID != l.ResidentID) {
		err = models.ErrNotFound
	}
	if err != nil {
		s.linkFailed(c, fmt.Errorf("ticket %d of rate link %d: %w", l.SubjectID, l.ID, err))
		return l, p.Policy, false
	}
	if t.Status.Terminal() {
		s.renderResident(c, http.StatusConflict, nil, linkUsed)
		return l, p.Policy, false
	}
	v, err := s.liveTicket(ctx, t.ID)
	if err != nil {
		s.linkFailed(c, err)
		return l, p.Policy, false
	}
	switch v.Status {
	case models.StatusReturnVisit:
		return l, p.Policy, true
	case models.StatusCompleted:
		s.renderResident(c, http.StatusConflict, nil, l.page("请先确认维修完成", "这次维修还在等待您的确认，请先通过确认短信中的链接确认维修完成，再进行评价。"))
	default:
		s.renderResident(c, http.StatusConflict, nil, linkUsed)
	}
	return l, p.Policy, false
}

// ratePage asks the resident to rate their repair.
func (s *Server) ratePage(c *gin.Context) {
	l, _, ok := s.openRateLink(c, c.Query("t"), "view")
	if !ok {
		return
	}
	s.renderResident(c, http.StatusOK, ratePageHTML, l.page("维修服务评价", fmt.Sprintf("您的报修（工单号%d）已处理完毕，请对本次维修服务进行评价。", l.SubjectID)))
}

// rateByLink records the resident's rating (form fields t, score 1 to 5,
// comments) as the ticket's return visit, under the link's update ID.
func (s *Server) rateByLink(c *gin.Context) {
	l, p, ok := s.openRateLink(c, c.PostForm("t"), "rate")
	if !ok {
		return
	}
	r, problem := readRating(c, true)
	if problem != "" {
		page := l.page("维修服务评价", problem)
		page.Tone = "bad"
		s.renderResident(c, http.StatusBadRequest, ratePageHTML, page)
		return
	}
	if err := s.rate(c.Request.Context(), l.SubjectID, l.ResidentID, fmt.Sprintf("resident-link-r%d", l.ID), r); err != nil {
		s.linkFailed(c, err)
		return
	}
	s.spendLink(c, l)
	s.renderResident(c, http.StatusOK, nil, rated(l.page("", ""), r, p.Repair.LowScoreThreshold))
}
