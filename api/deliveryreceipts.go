package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/workflows"
)

// receiptWindow bounds how far a receipt batch's timestamp may lie from
// now, either way: an older batch is refused as a replay.
const receiptWindow = 5 * time.Minute

// maxReceipts bounds one batch.
const maxReceipts = 500

// deliveryReceipts is what a channel's gateway posts: when it posted
// (Unix seconds, signed with the body) and the outcome of each message.
type deliveryReceipts struct {
	Timestamp int64             `json:"timestamp" validate:"required"`
	Receipts  []deliveryReceipt `json:"receipts" validate:"required,min=1,max=500,dive"`
}

type deliveryReceipt struct {
	Key    string                `json:"key" validate:"required,max=191"`
	Status models.DeliveryStatus `json:"status" validate:"required,oneof=delivered failed"`
	Reason string                `json:"reason" validate:"max=255"`
	// At is when the delivery happened or failed; the receipt's arrival
	// when missing.
	At *time.Time `json:"at"`
}

// receiptOutcome is what became of one receipt: recorded (the delivery
// moved, the process is told), unchanged (a repeated or late receipt),
// or unknown_message.
type receiptOutcome struct {
	Key     string `json:"key"`
	Outcome string `json:"outcome"`
}

type receiptsAnswer struct {
	Results []receiptOutcome `json:"results"`
}

// postDeliveryReceipts records a gateway's signed receipts (see README,
// 消息渠道): 200 with each receipt's outcome, 401 for a bad signature or a
// timestamp outside receiptWindow, 404 for a channel without a gateway.
func (s *Server) postDeliveryReceipts(c *gin.Context) {
	ctx := c.Request.Context()
	ch := models.Channel(c.Param("channel"))
	refuse := func(err error) {
		s.log.WarnContext(ctx, "delivery receipts refused", "channel", ch, "err", err)
		respondError(c, s.log, err)
	}
	secret, ok := s.receiptSecrets[ch]
	if !ok {
		refuse(fmt.Errorf("no gateway for channel %q: %w", ch, models.ErrNotFound))
		return
	}
	raw, err := rawBody(c)
	if err != nil {
		refuse(err)
		return
	}
	if !notify.Verify(secret, raw, c.GetHeader(notify.HeaderSignature)) {
		refuse(&unauthorizedError{msg: "签名无效"})
		return
	}
	var in deliveryReceipts
	if err := s.decodeRaw(c, raw, &in); err != nil {
		refuse(err)
		return
	}
	now := s.now()
	if d := now.Sub(time.Unix(in.Timestamp, 0)); d > receiptWindow || d < -receiptWindow {
		refuse(&unauthorizedError{msg: fmt.Sprintf("回执时间超出允许范围（前后 %s）", receiptWindow)})
		return
	}
	ans := receiptsAnswer{Results: make([]receiptOutcome, 0, len(in.Receipts))}
	for _, r := range in.Receipts {
		outcome, err := s.recordReceipt(ctx, ch, r, now)
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		ans.Results = append(ans.Results, receiptOutcome{Key: r.Key, Outcome: outcome})
	}
	c.JSON(http.StatusOK, ans)
}

// recordReceipt moves the delivery r names and, when it moved, tells the
// process that sent the message, or the message's own Delivery workflow
// when that process has ended.
func (s *Server) recordReceipt(ctx context.Context, ch models.Channel, r deliveryReceipt, now time.Time) (string, error) {
	m, err := s.store.MessageByKey(ctx, r.Key)
	if errors.Is(err, models.ErrNotFound) {
		return "unknown_message", nil
	}
	if err != nil {
		return "", err
	}
	at := now
	if r.At != nil {
		at = *r.At
	}
	from := []models.DeliveryStatus{models.DeliveryPending, models.DeliverySent}
	if r.Status == models.DeliveryDelivered {
		from = append(from, models.DeliveryFailed) // a late receipt tells the truth
	}
	moved, err := s.store.MarkDelivery(ctx, m.ID, ch, from, r.Status, r.Reason, at)
	if err != nil || !moved {
		return "unchanged", err
	}
	report := workflows.DeliveryReport{Key: m.Key, Channel: ch, Status: r.Status, Reason: r.Reason}
	if err := workflows.SignalDelivery(ctx, s.temporal, report); err != nil {
		return "", err
	}
	return "recorded", nil
}

func (s *Server) deliveryReceiptRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/delivery-receipts/:channel", summary: "A channel's gateway (sms, wechat, app, wecom) reports deliveries: a batch of {key, status delivered|failed, reason, at} with a Unix timestamp, signed like the messages it got (X-Wuye-Signature: sha256=HMAC of the body with the channel's secret; see README 消息渠道): 200 with each receipt's outcome (recorded, unchanged, unknown_message), 401 bad signature or a timestamp more than " + strconv.Itoa(int(receiptWindow.Minutes())) + " minutes off, 404 a channel without a gateway", tag: "messages", public: true, handler: s.postDeliveryReceipts, body: deliveryReceipts{}, resp: receiptsAnswer{}, status: http.StatusOK},
	}
}
