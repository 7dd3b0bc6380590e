package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// The resident's statement (我的账单): what the household owes as of today
// (models.Statement, as the arrears page computes it), each bill with its
// late fee accrued, waived, paid and owing, the receipts of its payments
// (number, date, amount: the print page is staff's), and the way to pay the
// estate's policy names (fees.pay_url, fees.pay_qr_url).

var billPageHTML = residentTemplate(`{{with .Data}}<div class="card">
<p class="muted">{{.Address}} · 截至 {{.AsOf}}</p>
<p>应缴合计 <span class="total">{{.Account.Total}}</span></p>
<dl><dt>欠缴本金</dt><dd>{{.Account.Principal}}</dd><dt>欠缴滞纳金</dt><dd>{{.Account.LateFee}}</dd>
{{if .Account.Credit}}<dt>预存余额</dt><dd>{{.Account.Credit}}</dd>{{end}}</dl>
{{if or .PayURL .PayQRURL}}{{if .PayURL}}<a class="button" href="{{.PayURL}}" rel="noreferrer">去缴费</a>{{end}}
{{if .PayQRURL}}<p><a href="{{.PayQRURL}}" rel="noreferrer">查看缴费二维码</a></p>{{end}}
{{else}}<p class="muted">请到物业服务中心或通过物业公布的方式缴费。</p>{{end}}</div>
<h2>账单明细</h2>
{{range .Account.Lines}}<div class="card"><p><strong>{{.Period}} 物业费</strong>{{if .Disputed}}（异议处理中）{{end}}</p>
<dl><dt>缴费截止</dt><dd>{{.Due}}{{if .DaysOverdue}}，已逾期 {{.DaysOverdue}} 天{{end}}</dd>
<dt>本金</dt><dd>{{.Principal}}，已缴 {{.PrincipalPaid}}</dd>
<dt>滞纳金</dt><dd>{{if .LateFee}}产生 {{.LateFee}}{{if .LateFeeWaived}}，减免 {{.LateFeeWaived}}{{end}}{{if .LateFeePaid}}，已缴 {{.LateFeePaid}}{{end}}{{else}}无{{end}}</dd>
<dt>尚欠</dt><dd><strong>{{.Outstanding}}</strong></dd></dl></div>
{{else}}<p class="card">暂无账单。</p>{{end}}
<h2>缴费收据</h2>
{{range .Receipts}}<div class="card"><dl><dt>收据号</dt><dd>{{.Number}}{{if .VoidedAt}}（已作废）{{end}}</dd>
<dt>日期</dt><dd>{{.Date}}</dd><dt>金额</dt><dd>{{.AmountFen}}</dd></dl></div>
{{else}}<p class="card">暂无收据。</p>{{end}}{{end}}`)

// billPage is what the statement page shows.
type billPage struct {
	Address          string
	AsOf             models.Date
	Account          models.Account
	Receipts         []billReceipt
	PayURL, PayQRURL string
}

// billReceipt is a receipt as the resident sees it.
type billReceipt struct {
	models.Receipt
	Date string
}

// myBillPage shows the household's statement as of today.
func (s *Server) myBillPage(c *gin.Context) {
	l, ok := s.openLink(c, c.Query("t"), models.LinkMyBill, "view")
	if !ok {
		return
	}
	data, err := s.householdStatement(c.Request.Context(), l)
	if err != nil {
		s.linkFailed(c, err)
		return
	}
	page := l.page("我的账单", "")
	page.Data = data
	s.renderResident(c, http.StatusOK, billPageHTML, page)
}

// householdStatement reads the link's household's statement as of today,
// its receipts and the estate's way to pay.
func (s *Server) householdStatement(ctx context.Context, l residentLink) (billPage, error) {
	var out billPage
	ledger, err := s.store.HouseholdLedger(ctx, l.scope(), l.HouseholdID)
	if err != nil {
		return out, err
	}
	p, err := s.store.Policy(ctx, l.scope(), l.EstateID)
	if err != nil {
		return out, err
	}
	out.AsOf = models.DateOf(s.now(), l.loc)
	bills, pays := ledger.Arith()
	out.Account = models.Statement(bills, pays, out.AsOf, p.Policy.Fees)
	out.PayURL, out.PayQRURL = p.Policy.Fees.PayURL, p.Policy.Fees.PayQRURL
	where, err := s.store.HouseholdAddresses(ctx, l.scope(), []uint64{l.HouseholdID})
	if err != nil {
		return out, err
	}
	out.Address = where[l.HouseholdID]
	rs, err := s.store.Receipts(ctx, l.scope(), store.ReceiptFilter{HouseholdID: l.HouseholdID}, store.Page{Size: 50})
	if err != nil {
		return out, err
	}
	for _, r := range rs.Items {
		out.Receipts = append(out.Receipts, billReceipt{Receipt: r, Date: r.IssuedAt.In(l.loc).Format("2006-01-02")})
	}
	return out, nil
}

func (s *Server) residentBillRoutes() []route {
	return []route{
		{method: http.MethodGet, path: auth.BillPath, summary: "The resident's statement (我的账单, HTML) opened from a my_bill link: what the household owes today, each bill's late fee (accrued, waived, paid), its receipts and the estate's way to pay; 400 bad or revoked link, 410 expired", tag: "resident-links",
			public: true, handler: s.myBillPage, status: http.StatusOK, query: []param{{"t", "string", "the signed token of the link"}}},
	}
}
