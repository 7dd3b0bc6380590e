package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// The resident's confirmation page: a confirm link (a resident link of
// purpose confirm, naming its ticket) or the stateless token the
// confirmation messages carried before links were rows ("<ticket>.<until>.
// <mac>", good for one ticket's current confirmation window) opens it. It
// shows nothing but the ticket number and the window's end.

var confirmPageHTML = residentTemplate(`<div class="card"><p>请在{{.Data.Until}}前确认，届时未反馈将视为确认完成。</p>
<form method="post" action="` + auth.ConfirmPath + `"><input type="hidden" name="t" value="{{.Token}}">
{{if .Data.Rating}}{{template "rating" false}}{{end}}
<button type="submit" name="accepted" value="true">确认完成{{if .Data.Rating}}并提交评价{{end}}</button>
<button type="submit" class="second" name="accepted" value="false">仍有问题</button></form></div>`)

// confirmForm is what the confirmation page's form shows: the window's
// end, and the rating when the estate lets residents rate.
type confirmForm struct {
	Until  string
	Rating bool
}

// confirmLink is a verified link of a ticket awaiting its resident's answer.
type confirmLink struct {
	token      string
	ticketID   uint64
	residentID uint64
	estateID   uint64
	until      time.Time
	// link is the resident link it came by; nil for a stateless token.
	link *residentLink
	loc  *time.Location
	// estate and hotline head the page.
	estate, hotline string
	// kind says whether the ticket is a repair or a complaint: the pages
	// speak of the one they are about.
	kind models.TicketKind
}

// confirmWords are what a link's pages say: of the repair, or of the
// complaint whose close (结案) the resident accepts or objects to.
type confirmWords struct {
	title, ask, accepted, rejected string
	// done heads the answer to an acceptance that came with a rating.
	done string
}

func wordsFor(kind models.TicketKind) confirmWords {
	if kind == models.TicketComplaint {
		return confirmWords{title: "投诉结案确认", ask: "您的投诉（编号%d）已处理完毕，请确认是否同意结案。",
			accepted: "已确认结案，感谢您的配合。我们稍后会进行回访。", rejected: "我们已收到您的异议，会尽快重新处理您的投诉。",
			done: "已确认结案。"}
	}
	return confirmWords{title: "维修完成确认", ask: "您的报修（工单号%d）维修已完成，请确认是否已经修好。",
		accepted: "已确认维修完成，感谢您的配合。我们稍后会进行满意度回访。", rejected: "我们已收到您的反馈，会尽快安排维修人员再次处理。",
		done: "已确认维修完成。"}
}

// page is a page of the link's estate.
func (l confirmLink) page(title, text string) residentPage {
	return residentPage{Title: title, Text: text, Estate: l.estate, Hotline: l.hotline, Token: l.token}
}

// updateID names the link's answer, so that a double submit applies once.
func (l confirmLink) updateID() string {
	if l.link != nil {
		return fmt.Sprintf("resident-link-r%d", l.link.ID)
	}
	return fmt.Sprintf("resident-link-%d-%d", l.ticketID, l.until.Unix())
}

// confirmPage shows the resident the two answers for a valid link.
func (s *Server) confirmPage(c *gin.Context) {
	l, ok := s.openConfirmLink(c, c.Query("t"), "view")
	if !ok {
		return
	}
	allowed, err := s.ratingAllowed(c.Request.Context(), l.estateID)
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	w := wordsFor(l.kind)
	page := l.page(w.title, fmt.Sprintf(w.ask, l.ticketID))
	page.Data = confirmForm{Until: l.until.In(l.loc).Format("01-02 15:04"), Rating: allowed}
	s.renderResident(c, http.StatusOK, confirmPageHTML, page)
}

// confirmByLink records the resident's answer (form fields t and accepted)
// as the ticket's confirm action: accepted moves it to the return visit,
// rejected sends the work back. The update's ID is the link's, so a double
// submit is applied once; a link already answered is refused (409). An
// acceptance with a rating (score, comments), where the estate lets
// residents rate, is then the ticket's return visit too.
func (s *Server) confirmByLink(c *gin.Context) {
	var accepted bool
	switch c.PostForm("accepted") {
	case "true":
		accepted = true
	case "false":
	default:
		s.renderResident(c, http.StatusBadRequest, nil, linkInvalid)
		return
	}
	action := "reject"
	if accepted {
		action = "confirm"
	}
	l, ok := s.openConfirmLink(c, c.PostForm("t"), action)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var r rating
	var p models.EstatePolicy
	if accepted {
		var problem string
		if r, problem = readRating(c, false); problem != "" {
			page := l.page(wordsFor(l.kind).title, problem)
			page.Tone, page.Data = "bad", confirmForm{Until: l.until.In(l.loc).Format("01-02 15:04"), Rating: true}
			s.renderResident(c, http.StatusBadRequest, confirmPageHTML, page)
			return
		}
		var err error
		if p, err = s.store.Policy(ctx, store.Estates(l.estateID), l.estateID); err != nil {
			s.linkFailed(c, err)
			return
		}
	}
	_, err := workflows.Tickets(s.temporal).Act(ctx, l.ticketID, l.updateID(),
		workflows.TicketAction{Action: workflows.ActConfirm, ActorID: l.residentID, ActorRole: workflows.ResidentLinkRole, Accepted: accepted})
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	if l.link != nil {
		s.spendLink(c, *l.link)
	}
	s.log.InfoContext(ctx, "resident answered by link", "ticket_id", l.ticketID, "accepted", accepted)
	w := wordsFor(l.kind)
	if !accepted {
		s.renderResident(c, http.StatusOK, nil, l.page("已收到您的反馈", w.rejected))
		return
	}
	page := l.page("感谢您的确认", w.accepted)
	page.Tone = "ok"
	if r.score > 0 && p.Policy.Repair.ResidentRating {
		if err := s.rate(ctx, l.ticketID, l.residentID, l.updateID()+"-rate", r); err != nil {
			s.log.WarnContext(ctx, "resident rating with the confirmation", "ticket_id", l.ticketID, "err", err)
			page.Tone, page.Text = "warn", w.done+"感谢您的配合。您的评价未能提交，我们稍后会进行回访。"
		} else {
			page = rated(page, r, p.Policy.Repair.LowScoreThreshold)
			page.Text = w.done + page.Text
		}
	}
	s.renderResident(c, http.StatusOK, nil, page)
}

// openConfirmLink verifies token, a confirm link or a stateless
// confirmation token, and finds its ticket still awaiting the answer (in the
// window a stateless token names), or answers with the page that says why
// not: 400 invalid or revoked, 410 expired, 409 already answered (or
// superseded by a later completion). A confirm link's open is recorded as
// action.
func (s *Server) openConfirmLink(c *gin.Context, token, action string) (confirmLink, bool) {
	if auth.IsLinkToken(token) {
		rl, ok := s.openLink(c, token, models.LinkConfirm, action)
		if !ok {
			return confirmLink{}, false
		}
		l := confirmLink{token: token, ticketID: rl.SubjectID, residentID: rl.ResidentID, estateID: rl.EstateID, link: &rl, loc: rl.loc,
			estate: rl.estate.Name, hotline: rl.estate.ServicePhone}
		return l, s.awaitingConfirm(c, &l, rl.scope(), rl.ResidentID)
	}
	if s.links == nil {
		s.renderResident(c, http.StatusNotFound, nil, linkInvalid)
		return confirmLink{}, false
	}
	id, until, err := s.links.VerifyConfirm(token, s.now())
	switch {
	case errors.Is(err, auth.ErrLinkExpired):
		s.renderResident(c, http.StatusGone, nil, linkExpired)
		return confirmLink{}, false
	case err != nil:
		s.renderResident(c, http.StatusBadRequest, nil, linkInvalid)
		return confirmLink{}, false
	}
	l := confirmLink{token: token, ticketID: id, until: until, loc: time.UTC}
	return l, s.awaitingConfirm(c, &l, store.AllEstates(), 0)
}

// awaitingConfirm checks that l's ticket (of resident, unless 0) awaits
// its resident's confirmation, in l's window when l names one, and fills in
// the rest of l; or answers with the page that says why not.
func (s *Server) awaitingConfirm(c *gin.Context, l *confirmLink, scope store.Scope, resident uint64) bool {
	ctx := c.Request.Context()
	t, err := s.store.Ticket(ctx, scope, l.ticketID)
	if err == nil && (t.ResidentID == nil || (resident != 0 && *t.ResidentID != resident)) {
		err = models.ErrNotFound
	}
	if err != nil {
		s.linkFailed(c, fmt.Errorf("ticket %d of a signed link: %w", l.ticketID, err))
		return false
	}
	if t.Status.Terminal() {
		s.renderResident(c, http.StatusConflict, nil, linkUsed)
		return false
	}
	v, err := s.liveTicket(ctx, l.ticketID)
	if err != nil {
		s.linkFailed(c, err)
		return false
	}
	if v.Status != models.StatusCompleted || v.ConfirmBy == nil || (l.link == nil && v.ConfirmBy.Unix() != l.until.Unix()) {
		s.renderResident(c, http.StatusConflict, nil, linkUsed)
		return false
	}
	l.estateID, l.kind = t.EstateID, t.Kind
	if l.link == nil {
		l.residentID = *t.ResidentID
		if e, err := s.store.Estate(ctx, store.AllEstates(), t.EstateID); err == nil {
			l.loc, l.estate, l.hotline = estateLocation(e), e.Name, e.ServicePhone
		}
	}
	l.until = *v.ConfirmBy
	return true
}

// liveTicket is the live state of ticket id, from its process.
func (s *Server) liveTicket(ctx context.Context, id uint64) (workflows.TicketView, error) {
	qctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	v, err := workflows.Tickets(s.temporal).State(qctx, id)
	if err != nil {
		return v, fmt.Errorf("state of ticket %d: %w", id, err)
	}
	return v, nil
}

func (s *Server) residentLinkRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.ConfirmPath, summary: "The resident's page (HTML) to confirm a completed repair or say it is not fixed, with the optional rating where the estate lets residents rate, opened from a confirm link or the signed token of their message; 400 bad or revoked link, 410 expired, 409 already answered", tag: "resident-links",
			public: true, handler: s.confirmPage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.ConfirmPath, summary: "The resident's answer (form fields t: the token, accepted: true or false; with an acceptance optionally score 1 to 5 and comments, then the ticket's return visit) as the ticket's confirm action; answers HTML; 400 bad link, 410 expired, 409 already answered", tag: "resident-links",
			public: true, handler: s.confirmByLink, status: http.StatusOK},
		{method: http.MethodGet, path: auth.RatePath, summary: "The resident's page (HTML) to rate a repair awaiting its return visit (1 to 5 stars and a comment), opened from a rate link; 400 bad or revoked link, 410 expired, 409 rated already, not confirmed yet or rating not open in the estate", tag: "resident-links",
			public: true, handler: s.ratePage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.RatePath, summary: "The resident's rating (form fields t, score 1 to 5, comments) as the ticket's return visit; a low score opens the follow-up complaint; answers HTML", tag: "resident-links",
			public: true, handler: s.rateByLink, status: http.StatusOK},
	}
}
