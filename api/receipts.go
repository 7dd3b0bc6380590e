package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// voidRoles void and reissue receipts: finance, who issues them, the
// estate manager, who answers for the desk's paper, and company
// administrators. A void moves no money, so it needs no more.
var voidRoles = []models.Role{models.RoleFinance, models.RoleEstateManager, models.RoleCompanyAdmin}

// receiptView is a receipt with everything its printed form shows.
type receiptView struct {
	models.Receipt
	EstateName   string `json:"estate_name"`
	ServicePhone string `json:"service_phone,omitempty"`
	// Address is the payer household's, Payer its owners' (or residents')
	// names.
	Address string `json:"address"`
	Payer   string `json:"payer"`
	// The payment's channel, time and reference.
	Channel   models.PaymentChannel `json:"channel"`
	PaidAt    time.Time             `json:"paid_at"`
	Reference string                `json:"reference"`
	// AmountInWords is the amount in 大写 (models.UppercaseYuan).
	AmountInWords string `json:"amount_in_words"`
	// Items are the bills the payment settled, as the ledger stands now
	// (models.PaymentItems), and any credit it left.
	Items      []models.ReceiptItem `json:"items"`
	Cashier    string               `json:"cashier"`
	VoidedName string               `json:"voided_by_name,omitempty"`
}

// receiptView reads what receipt r prints, inside scope.
func (s *Server) receiptView(ctx context.Context, scope store.Scope, r models.Receipt) (receiptView, error) {
	v := receiptView{Receipt: r, AmountInWords: models.UppercaseYuan(r.AmountFen), Items: []models.ReceiptItem{}}
	e, err := s.store.Estate(ctx, scope, r.EstateID)
	if err != nil {
		return v, err
	}
	v.EstateName, v.ServicePhone = e.Name, e.ServicePhone
	pay, err := s.store.Payment(ctx, scope, r.PaymentID)
	if err != nil {
		return v, err
	}
	v.Channel, v.PaidAt, v.Reference = pay.Channel, pay.PaidAt, pay.Reference
	staff := []uint64{r.IssuedBy}
	if r.VoidedBy != nil {
		staff = append(staff, *r.VoidedBy)
	}
	where, names, err := s.addressesAndNames(ctx, scope, []uint64{r.HouseholdID}, staff)
	if err != nil {
		return v, err
	}
	v.Address, v.Cashier = where[r.HouseholdID], names[r.IssuedBy]
	if r.VoidedBy != nil {
		v.VoidedName = names[*r.VoidedBy]
	}
	if v.Payer, err = s.payerNames(ctx, scope, r.HouseholdID); err != nil {
		return v, err
	}
	l, err := s.store.HouseholdLedger(ctx, scope, r.HouseholdID)
	if err != nil {
		return v, err
	}
	pol, _, err := s.estatePolicy(ctx, r.EstateID)
	if err != nil {
		return v, err
	}
	bills, pays := l.Arith()
	if items := models.PaymentItems(bills, pays, r.PaymentID, pol.Fees); items != nil {
		v.Items = items
	}
	return v, nil
}

// payerNames are the names of a household's owners, or of its residents
// when it has no owner on file, joined by 、.
func (s *Server) payerNames(ctx context.Context, scope store.Scope, householdID uint64) (string, error) {
	rs, err := s.store.Residents(ctx, scope, store.ResidentFilter{HouseholdID: householdID}, store.Page{Size: 20})
	if err != nil {
		return "", err
	}
	var owners, all []string
	for _, r := range rs.Items {
		all = append(all, r.Name)
		if r.Role == models.ResidentOwner {
			owners = append(owners, r.Name)
		}
	}
	if len(owners) > 0 {
		return strings.Join(owners, "、"), nil
	}
	return strings.Join(all, "、"), nil
}

// answerReceipt answers receipt r (unless err) with everything it prints.
func (s *Server) answerReceipt(c *gin.Context, r models.Receipt, err error, status int) {
	var v receiptView
	if err == nil {
		v, err = s.receiptView(c.Request.Context(), caller(c).scope(), r)
	}
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(status, v)
}

func (s *Server) getReceipt(c *gin.Context) {
	if r, ok := loadScoped(s, c, s.store.Receipt); ok {
		s.answerReceipt(c, r, nil, http.StatusOK)
	}
}

func (s *Server) listReceipts(c *gin.Context) {
	q := query{c: c}
	f := store.ReceiptFilter{EstateID: q.uint("estate_id"), HouseholdID: q.uint("household_id"), PaymentID: q.uint("payment_id"),
		Number: strings.TrimSpace(q.search("number", 64))}
	serveList(s, c, &q, f, s.store.Receipts, same[models.Receipt])
}

// voidReceipt voids a receipt with a reason: it keeps its number, shows
// 已作废, and its payment stands (409 when voided already).
func (s *Server) voidReceipt(c *gin.Context) {
	var in reasonRequest
	r, ok := loadAndBind(s, c, s.store.Receipt, &in)
	if !ok {
		return
	}
	p := caller(c)
	r, err := s.store.VoidReceipt(c.Request.Context(), p.scope(), r.ID, in.Reason, p.Staff.ID, s.now())
	if errors.Is(err, models.ErrInvalidState) {
		err = &stateError{state: "voided", msg: "该收据已作废"}
	}
	s.answerReceipt(c, r, err, http.StatusOK)
}

// reissueReceipt gives the payment of a voided receipt a new receipt with
// the next number (409 when the receipt is not voided or its payment holds
// a valid receipt already).
func (s *Server) reissueReceipt(c *gin.Context) {
	r, ok := loadScoped(s, c, s.store.Receipt)
	if !ok || !s.bindOptional(c, &struct{}{}) {
		return
	}
	p := caller(c)
	n, err := s.store.ReissueReceipt(c.Request.Context(), p.scope(), r.ID, p.Staff.ID, s.now())
	if errors.Is(err, models.ErrInvalidState) {
		err = &stateError{state: "valid", msg: "只有已作废的收据可以重开"}
		if r.Voided() {
			err = &stateError{state: "reissued", msg: "该笔收款已有有效收据"}
		}
	}
	s.answerReceipt(c, n, err, http.StatusCreated)
}

func (s *Server) receiptRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/receipts", summary: "Receipts (收据), newest first", tag: "billing", roles: everyRole, handler: s.listReceipts, resp: listBody[models.Receipt]{}, status: http.StatusOK,
			query: params(estateQ, param{"household_id", "integer", "only this household"}, param{"payment_id", "integer", "only this payment's receipts"},
				param{"number", "string", "the receipt number, e.g. YGHY-2026-000123"})},
		{method: http.MethodGet, path: "/api/v1/receipts/:id", summary: "A receipt with its printable content: estate, number, payer and address, the bills it settled, the amount in figures and in words (大写), channel, time, cashier, and the void if any", tag: "billing",
			roles: everyRole, handler: s.getReceipt, resp: receiptView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/receipts/:id/void", summary: "Void (作废) a receipt with a reason: it keeps its number and shows 已作废; the payment stands (reversing money is a payment reversal). 409 when voided already", tag: "billing",
			roles: voidRoles, handler: s.voidReceipt, body: reasonRequest{}, resp: receiptView{}, status: http.StatusOK, scoped: true},
		{method: http.MethodPost, path: "/api/v1/receipts/:id/reissue", summary: "Reissue a voided receipt's payment a new receipt with the next number (409 unless voided, or when the payment holds a valid receipt)", tag: "billing",
			roles: voidRoles, handler: s.reissueReceipt, resp: receiptView{}, status: http.StatusCreated, scoped: true},
	}
}
