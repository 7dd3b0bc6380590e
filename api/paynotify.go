package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// The headers of a payment notification (models.CanonicalNotification).
const (
	headerPayTimestamp = "Wuye-Timestamp"
	headerPayNonce     = "Wuye-Nonce"
	headerPaySignature = "Wuye-Signature"
)

// maxNotifyAge bounds how long after a payment its notification may come.
const maxNotifyAge = 366 * 24 * time.Hour

// paymentNotification is what a payment provider posts: a payment, or a
// refund or reversal of one it notified before (original_transaction_id).
// The payer is named by household_id, by bill_id (the bill's number as the
// payer quoted it), or both when they agree.
type paymentNotification struct {
	Type                  models.NotifyKind `json:"type"`
	TransactionID         string            `json:"transaction_id" validate:"required,max=100"`
	OriginalTransactionID string            `json:"original_transaction_id" validate:"max=100"`
	HouseholdID           uint64            `json:"household_id"`
	BillID                uint64            `json:"bill_id"`
	AmountFen             models.Money      `json:"amount_fen" validate:"gt=0,lte=1000000000"`
	PaidAt                time.Time         `json:"paid_at" validate:"required"`
	Reason                string            `json:"reason" validate:"max=500"`
}

// notificationAnswer is the payment a notification recorded or reversed,
// with the reversal for a refund or reversal.
type notificationAnswer struct {
	Payment  models.FeePayment       `json:"payment"`
	Reversal *models.PaymentReversal `json:"reversal,omitempty"`
}

// unauthorizedError is a request whose credentials do not hold (401).
type unauthorizedError struct{ msg string }

func (e *unauthorizedError) Error() string { return e.msg }

// payProvider is the configured provider called name.
func (s *Server) payProvider(name string) (models.PayProvider, bool) {
	for _, p := range s.payProviders {
		if p.Name == name {
			return p, true
		}
	}
	return models.PayProvider{}, false
}

// notifyPayment records a signed payment notification (see README, 支付通知):
// 201 with the payment recorded, 200 with the same one for a transaction
// already recorded; a refund or reversal reduces the payment it names.
// Either way the household's collection process is told at once. Every
// refusal is logged and touches no record.
func (s *Server) notifyPayment(c *gin.Context) {
	ctx := c.Request.Context()
	name := c.Param("provider")
	refuse := func(err error) {
		s.log.WarnContext(ctx, "payment notification refused", "provider", name, "err", err)
		respondError(c, s.log, err)
	}
	prov, ok := s.payProvider(name)
	if !ok {
		refuse(fmt.Errorf("no payment provider %q: %w", name, models.ErrNotFound))
		return
	}
	raw, err := rawBody(c)
	if err != nil {
		refuse(err)
		return
	}
	ts, nonce := c.GetHeader(headerPayTimestamp), c.GetHeader(headerPayNonce)
	if !models.VerifyNotification(prov.Secret, ts, nonce, raw, c.GetHeader(headerPaySignature)) {
		refuse(&unauthorizedError{msg: "签名无效"})
		return
	}
	if _, err := models.NotifyTime(ts, s.now(), s.payWindow); err != nil {
		refuse(&unauthorizedError{msg: fmt.Sprintf("通知时间超出允许范围（前后 %s）：%v", s.payWindow, err)})
		return
	}
	if err := models.CheckNonce(nonce); err != nil {
		refuse(err)
		return
	}
	var in paymentNotification
	if err := s.decodeRaw(c, raw, &in); err != nil {
		refuse(err)
		return
	}
	hh, orig, err := s.checkNotification(ctx, in)
	if err != nil {
		refuse(err)
		return
	}
	if err := s.store.UseNonce(ctx, prov.Name, nonce, s.now(), s.payWindow); err != nil {
		if errors.Is(err, models.ErrConflict) {
			err = &stateError{state: "nonce_used", msg: "该通知已收到过（随机数重复）"}
		}
		refuse(err)
		return
	}
	var (
		ans     notificationAnswer
		created bool
		nudge   workflows.CollectionNudge
	)
	if in.Type == models.NotifyPayment {
		ans.Payment, created, err = s.recordPayment(ctx, models.FeePayment{HouseholdID: hh.ID, AmountFen: in.AmountFen,
			PaidAt: in.PaidAt, Channel: prov.Channel, Reference: in.TransactionID, Provider: prov.Name})
		nudge = workflows.CollectionNudge{Kind: workflows.NudgePayment, Ref: ans.Payment.ID}
	} else {
		r := models.PaymentReversal{ReversalOf: orig.ID, Kind: in.Type, AmountFen: in.AmountFen, Reference: in.TransactionID,
			Provider: prov.Name, Reason: in.Reason, At: in.PaidAt}
		var rev models.PaymentReversal
		rev, ans.Payment, created, err = s.store.ReversePayment(ctx, store.AllEstates(), &r)
		ans.Reversal = &rev
		nudge = workflows.CollectionNudge{Kind: workflows.NudgeReversal, Ref: rev.ID}
	}
	if err == nil {
		err = s.nudgeCollection(ctx, hh.ID, nudge)
	}
	if err != nil {
		refuse(err)
		return
	}
	s.log.InfoContext(ctx, "payment notification", "provider", prov.Name, "type", in.Type, "transaction", in.TransactionID,
		"household_id", hh.ID, "payment_id", ans.Payment.ID, "amount_fen", in.AmountFen, "settlement", ans.Payment.Settlement, "created", created)
	c.JSON(createdStatus(created), ans)
}

// checkNotification validates what the body names: its kind, when the
// money moved, the household (404 when none), the bill agreeing with it
// and, for a refund or reversal, the payment it reverses (404 when none).
func (s *Server) checkNotification(ctx context.Context, in paymentNotification) (models.Household, models.FeePayment, error) {
	var (
		hh   models.Household
		orig models.FeePayment
		all  = store.AllEstates()
	)
	if err := in.Type.Check("type"); err != nil {
		return hh, orig, models.Invalid("type", "应为 payment、refund 或 reversal")
	}
	now := s.now()
	if in.PaidAt.After(now.Add(s.payWindow)) || in.PaidAt.Before(now.Add(-maxNotifyAge)) {
		return hh, orig, models.Invalid("paid_at", "应在过去一年内，且不晚于现在")
	}
	if in.HouseholdID == 0 && in.BillID == 0 {
		return hh, orig, models.Invalid("household_id", "必填（或给出 bill_id）")
	}
	id := in.HouseholdID
	if in.BillID != 0 {
		b, err := s.store.Bill(ctx, all, in.BillID)
		if err != nil {
			return hh, orig, fmt.Errorf("bill %d of a payment notification: %w", in.BillID, err)
		}
		if id != 0 && b.HouseholdID != id {
			return hh, orig, models.Invalid("bill_id", "账单 %d 不属于住户 %d", in.BillID, id)
		}
		id = b.HouseholdID
	}
	hh, err := s.store.Household(ctx, all, id)
	if err != nil {
		return hh, orig, fmt.Errorf("household %d of a payment notification: %w", id, err)
	}
	if in.Type == models.NotifyPayment {
		if in.OriginalTransactionID != "" {
			return hh, orig, models.Invalid("original_transaction_id", "付款通知不应带原交易号")
		}
		return hh, orig, nil
	}
	if in.OriginalTransactionID == "" {
		return hh, orig, models.Invalid("original_transaction_id", "退款或冲正须给出原交易号")
	}
	orig, err = s.store.PaymentByReference(ctx, all, hh.EstateID, in.OriginalTransactionID)
	if err != nil {
		return hh, orig, err
	}
	if orig.HouseholdID != hh.ID {
		return hh, orig, models.Invalid("original_transaction_id", "原交易不属于住户 %d", hh.ID)
	}
	return hh, orig, nil
}

// recordPayment records p (store.RecordPayment) in its household's estate
// after comparing it with what the household owed the day it was paid
// (models.ClassifyPayment): an under- or overpayment is recorded as such.
func (s *Server) recordPayment(ctx context.Context, p models.FeePayment) (models.FeePayment, bool, error) {
	all := store.AllEstates()
	l, err := s.store.HouseholdLedger(ctx, all, p.HouseholdID)
	if err != nil {
		return p, false, err
	}
	pol, loc, err := s.estatePolicy(ctx, l.Household.EstateID)
	if err != nil {
		return p, false, err
	}
	bills, pays := l.Arith()
	owed := models.Statement(bills, pays, models.DateOf(p.PaidAt, loc), pol.Fees).Total
	p.Settlement, p.DifferenceFen = models.ClassifyPayment(p.AmountFen, owed)
	return s.store.RecordPayment(ctx, all, &p, loc)
}

// reversePayment reverses a payment by hand (finance), with a reason: the
// same path as a provider's reversal. A payment already reversed is 409.
func (s *Server) reversePayment(c *gin.Context) {
	var in reasonRequest
	p, ok := loadAndBind(s, c, s.store.Payment, &in)
	if !ok {
		return
	}
	if err := models.CheckReason("reason", in.Reason); err != nil {
		respondError(c, s.log, err)
		return
	}
	if p.ReversedAt != nil {
		respondError(c, s.log, &stateError{state: "reversed", msg: "该笔缴费已冲正"})
		return
	}
	who := caller(c)
	r := models.PaymentReversal{ReversalOf: p.ID, Kind: models.NotifyReversal, AmountFen: p.AmountFen - p.ReversedFen,
		Reference: "manual-" + strconv.FormatUint(p.ID, 10), Reason: in.Reason, At: s.now(), By: &who.Staff.ID}
	rev, got, _, err := s.store.ReversePayment(c.Request.Context(), who.scope(), &r)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		err = &stateError{state: "reversed", msg: "该笔缴费已冲正"} // reversed meanwhile
	}
	s.answerNudged(c, err, p.HouseholdID, workflows.CollectionNudge{Kind: workflows.NudgeReversal, Ref: rev.ID},
		http.StatusCreated, notificationAnswer{Payment: got, Reversal: &rev})
}

func (s *Server) paymentNotificationRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/payment-notifications/:provider", summary: "A payment provider notifies a payment, refund or reversal, signed with HMAC-SHA256 (headers Wuye-Timestamp, Wuye-Nonce, Wuye-Signature; see README 支付通知): 201 recorded, 200 the same transaction again, 401 bad signature or timestamp, 404 unknown provider, household or original transaction, 409 nonce reused", tag: "billing", public: true, handler: s.notifyPayment, body: paymentNotification{}, resp: notificationAnswer{}, status: http.StatusCreated},
		{method: http.MethodPost, path: "/api/v1/payments/:id/reversal", summary: "Finance reverses a payment by hand, with a reason (409 when already reversed); whatever it settled is owed again and collection resumes", tag: "billing", roles: financeRoles, handler: s.reversePayment, body: reasonRequest{}, resp: notificationAnswer{}, status: http.StatusCreated, scoped: true},
	}
}

// rawBody reads the request's body whole, for a signature over it.
func rawBody(c *gin.Context) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		return nil, models.Invalid("body", "无法读取，或超过 %d 字节", maxBody)
	}
	return raw, nil
}

// decodeRaw decodes and validates raw, a body rawBody read, into dst.
func (s *Server) decodeRaw(c *gin.Context, raw []byte, dst any) error {
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return s.decode(c, dst)
}
