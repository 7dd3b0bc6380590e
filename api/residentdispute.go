package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
)

// The resident's dispute (异议) of a bill, through a dispute link: the
// link's bill, or, when it names none, any unpaid bill of the household.
// Inside the policy's dispute window it is recorded exactly as a staff
// member's (disputeBill), pausing the collection process; after it the page
// says why it cannot be.

// maxDisputeReason is the longest reason a dispute takes, in runes (the
// column's size).
const maxDisputeReason = 500

var disputePageHTML = residentTemplate(`{{range .Data}}<div class="card"><p><strong>{{.Line.Period}} 物业费</strong></p>
<dl><dt>缴费截止</dt><dd>{{.Line.Due}}</dd><dt>尚欠</dt><dd>{{.Line.Outstanding}}</dd></dl>
{{if .Why}}<p class="lead warn">{{.Why}}</p>{{else}}<form method="post" action="` + auth.DisputePath + `">
<input type="hidden" name="t" value="{{$.Token}}"><input type="hidden" name="bill_id" value="{{.Line.BillID}}">
<label for="reason-{{.Line.BillID}}">异议原因</label>
<textarea id="reason-{{.Line.BillID}}" name="reason" maxlength="` + strconv.Itoa(maxDisputeReason) + `" required placeholder="如：面积有误、已经缴过"></textarea>
<button type="submit">提交异议</button></form>{{end}}</div>
{{else}}<p class="card">目前没有可以提出异议的账单。</p>{{end}}`)

// disputeLine is a bill on the dispute page, with why it cannot be
// disputed ("" when it can).
type disputeLine struct {
	Line models.AccountLine
	Why  string
}

// disputeLines are the bills the link may dispute, as of today: its own
// bill, or every bill of the household with something outstanding or a
// dispute open.
func (s *Server) disputeLines(ctx context.Context, l residentLink) ([]disputeLine, error) {
	st, err := s.householdStatement(ctx, l)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Policy(ctx, l.scope(), l.EstateID)
	if err != nil {
		return nil, err
	}
	out := []disputeLine{}
	for _, line := range st.Account.Lines {
		if l.SubjectID != 0 && line.BillID != l.SubjectID || l.SubjectID == 0 && line.Outstanding <= 0 && !line.Disputed {
			continue
		}
		d := disputeLine{Line: line}
		switch {
		case line.Disputable:
		case line.Disputed:
			d.Why = "该账单已有异议在处理中，请等待物业核实。"
		case line.Outstanding <= 0:
			d.Why = "该账单已结清，无需提出异议。"
		default:
			d.Why = fmt.Sprintf("该账单已过异议期限：异议须在到期日（%s）%d 天前提出。如有疑问，请联系物业服务中心。",
				line.Due, p.Policy.Fees.DisputeBeforeDueDays)
		}
		out = append(out, d)
	}
	return out, nil
}

// disputePage shows the bills the resident may dispute.
func (s *Server) disputePage(c *gin.Context) {
	l, ok := s.openLink(c, c.Query("t"), models.LinkDispute, "view")
	if !ok {
		return
	}
	s.renderDispute(c, l, http.StatusOK, "如对账单有疑问，可在异议期限内提出，物业核实期间暂停催缴。", "")
}

// renderDispute answers the dispute page with status, its lead text in
// tone.
func (s *Server) renderDispute(c *gin.Context, l residentLink, status int, text, tone string) {
	lines, err := s.disputeLines(c.Request.Context(), l)
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	page := l.page("账单异议", text)
	page.Tone, page.Data = tone, lines
	s.renderResident(c, status, disputePageHTML, page)
}

// disputeByLink records the resident's dispute (form fields t, bill_id,
// reason) of a bill of their household.
func (s *Server) disputeByLink(c *gin.Context) {
	l, ok := s.openLink(c, c.PostForm("t"), models.LinkDispute, "dispute")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	b, ok := s.linkBill(c, l, c.PostForm("bill_id"))
	if !ok {
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	if reason == "" || len([]rune(reason)) > maxDisputeReason {
		s.renderDispute(c, l, http.StatusBadRequest, fmt.Sprintf("请填写异议原因（最多 %d 个字）。", maxDisputeReason), "bad")
		return
	}
	d, err := s.disputeBill(ctx, l.scope(), b, reason, 0)
	var se *stateError
	if errors.As(err, &se) {
		s.recordLinkUse(c, l.ResidentLink, "dispute_refused", true)
		s.renderDispute(c, l, http.StatusConflict, se.msg+"。", "warn")
		return
	}
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	s.spendLink(c, l)
	s.log.InfoContext(ctx, "resident disputed a bill by link", "bill_id", b.ID, "dispute_id", d.ID, "link_id", l.ID)
	page := l.page("已收到您的异议", fmt.Sprintf("您对 %s 账单的异议已提交，物业将尽快核实并与您联系。核实期间该账单暂停催缴。", b.Period))
	page.Tone = "ok"
	s.renderResident(c, http.StatusOK, nil, page)
}

// linkBill reads the bill the form names (raw, its ID) for link l: the
// link's own bill when it names one, else a bill of its household. Any
// other is refused with the invalid-link page (400), recorded as a refused
// use.
func (s *Server) linkBill(c *gin.Context, l residentLink, raw string) (models.HouseholdBill, bool) {
	id, err := strconv.ParseUint(raw, 10, 64)
	var b models.HouseholdBill
	if err == nil && id != 0 && (l.SubjectID == 0 || id == l.SubjectID) {
		b, err = s.store.Bill(c.Request.Context(), l.scope(), id)
		if err == nil && b.HouseholdID != l.HouseholdID {
			err = models.ErrNotFound
		}
	} else {
		err = models.ErrNotFound
	}
	if errors.Is(err, models.ErrNotFound) {
		s.recordLinkUse(c, l.ResidentLink, "foreign_bill", true)
		s.renderResident(c, http.StatusBadRequest, nil, l.page(linkInvalid.Title, "此链接不能办理该账单。如有疑问，请联系物业服务中心。"))
		return b, false
	}
	if err != nil {
		s.linkFailed(c, err)
		return b, false
	}
	return b, true
}

func (s *Server) residentDisputeRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.DisputePath, summary: "The resident's page (HTML) to dispute a bill (异议), opened from a dispute link: its bill, or the household's unpaid bills, each with the form or why it cannot be disputed; 400 bad or revoked link, 410 expired, 409 used", tag: "resident-links",
			public: true, handler: s.disputePage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
		{method: http.MethodPost, path: auth.DisputePath, summary: "The resident's dispute (form fields t, bill_id, reason) recorded as staff's are, pausing the collection process; 400 a bill not the link's household's or no reason, 409 past the dispute window or disputed already; answers HTML", tag: "resident-links",
			public: true, handler: s.disputeByLink, status: http.StatusOK},
	}
}
