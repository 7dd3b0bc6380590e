// Payments that arrive by themselves (支付通知): the company's payment
// provider or bank (WeChat Pay, Alipay, UnionPay 银联...) posts a signed
// notification for every payment, refund and reversal. The rules here are
// pure: the canonical string that is signed, the signature, the timestamp
// window, and how a payment compares with what the household owed.
//
// Signature, stated once. The provider signs
//
//	timestamp + "\n" + nonce + "\n" + raw body
//
// (timestamp in Unix seconds as sent in Wuye-Timestamp, the nonce as sent in
// Wuye-Nonce, the body byte for byte) with HMAC-SHA256 under its own secret
// and sends the lowercase hex digest in Wuye-Signature. A notification is
// accepted within NotifyWindow of the service's clock either way, and each
// nonce once per provider.

package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// DefaultNotifyWindow is how far a notification's timestamp may lie from
// the service's clock, either way, unless configured otherwise.
const DefaultNotifyWindow = 5 * time.Minute

// MaxNonceLen bounds a notification's nonce.
const MaxNonceLen = 64

// PayProvider is a payment provider that notifies payments: its name in
// the notification's path, the channel its payments are recorded under, and
// the secret it signs with (never logged).
type PayProvider struct {
	Name    string
	Channel PaymentChannel
	Secret  []byte
}

// ValidProviderName reports whether name may name a provider: 1 to 32 of
// a-z, 0-9 and -.
func ValidProviderName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// NotifyKind is what a payment notification reports.
type NotifyKind string

// The notification kinds.
const (
	NotifyPayment  NotifyKind = "payment"  // money arrived
	NotifyRefund   NotifyKind = "refund"   // part or all of a payment went back to the payer
	NotifyReversal NotifyKind = "reversal" // a payment was reversed (冲正): it never counted
)

var notifyKinds = enum[NotifyKind]{NotifyPayment, NotifyRefund, NotifyReversal}

// Check refuses an unknown kind, naming field.
func (k NotifyKind) Check(field string) error { return notifyKinds.check(field, k) }

// CanonicalNotification is the string a provider signs: timestamp, nonce
// and the raw body, joined by newlines.
func CanonicalNotification(timestamp, nonce string, body []byte) []byte {
	out := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+2)
	out = append(out, timestamp...)
	out = append(out, '\n')
	out = append(out, nonce...)
	out = append(out, '\n')
	return append(out, body...)
}

// SignNotification returns the lowercase hex HMAC-SHA256 of the canonical
// string under secret.
func SignNotification(secret []byte, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(CanonicalNotification(timestamp, nonce, body))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyNotification reports whether signature is the signature of the
// notification under secret, comparing in constant time. An empty secret
// verifies nothing.
func VerifyNotification(secret []byte, timestamp, nonce string, body []byte, signature string) bool {
	if len(secret) == 0 {
		return false
	}
	got, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(CanonicalNotification(timestamp, nonce, body))
	return hmac.Equal(got, m.Sum(nil))
}

// NotifyTime parses a notification's timestamp (Unix seconds) and checks it
// lies within window of now, either way. The error names the header.
func NotifyTime(timestamp string, now time.Time, window time.Duration) (time.Time, error) {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, Invalid("Wuye-Timestamp", "“%s”无效，应为 Unix 时间戳（秒）", timestamp)
	}
	t := time.Unix(sec, 0)
	if d := now.Sub(t); d > window || d < -window {
		return t, Invalid("Wuye-Timestamp", "%s 无效，应在 %s 前后 %s 以内", t.UTC().Format(time.RFC3339), window, now.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// CheckNonce refuses an empty or overlong nonce.
func CheckNonce(nonce string) error {
	if nonce == "" || len(nonce) > MaxNonceLen {
		return Invalid("Wuye-Nonce", "应为 1 至 %d 个字符", MaxNonceLen)
	}
	return nil
}

// Settlement is how a payment compares with what the household owed on
// the day it was paid.
type Settlement string

// The settlements.
const (
	SettledExact Settlement = "exact" // the whole amount owed
	SettledUnder Settlement = "under" // less: the rest stays owed
	SettledOver  Settlement = "over"  // more: the rest is credit (Account.Credit) for later bills
)

// ClassifyPayment compares amount with owed, what the household owed (the
// Statement's Total) on the day it paid, before this payment: the
// settlement and the difference amount − owed (negative when under). A
// payment when nothing is owed is over by its whole amount.
func ClassifyPayment(amount, owed Money) (Settlement, Money) {
	diff := amount - max(owed, 0) // both far below int64's limit (MaxAmountFen, saturating sums)
	switch {
	case diff < 0:
		return SettledUnder, diff
	case diff > 0:
		return SettledOver, diff
	}
	return SettledExact, 0
}

// PaymentNonce is a nonce a provider has used; (provider, nonce) is unique,
// so a replayed notification is refused. Rows older than the window are
// pruned: a replay that old fails the timestamp check.
type PaymentNonce struct {
	ID       uint64    `gorm:"primaryKey"`
	Provider string    `gorm:"size:32;not null;uniqueIndex:idx_nonce"`
	Nonce    string    `gorm:"size:64;not null;uniqueIndex:idx_nonce"`
	SeenAt   time.Time `gorm:"not null;index"`
}

// PaymentReversal is a refund (退款) or reversal (冲正) of a payment, by its
// provider or by finance. The payment's ReversedFen sums them; Reference
// (the provider's refund transaction, or "manual-<payment>" for finance) is
// unique per estate: the same one twice is one reversal.
type PaymentReversal struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	EstateID    uint64     `gorm:"not null;uniqueIndex:idx_reversal_ref" json:"estate_id"`
	HouseholdID uint64     `gorm:"not null;index" json:"household_id"`
	ReversalOf  uint64     `gorm:"not null;index" json:"reversal_of"` // the payment
	Kind        NotifyKind `gorm:"size:16;not null" json:"kind"`      // refund or reversal
	AmountFen   Money      `gorm:"not null" json:"amount_fen"`
	Reference   string     `gorm:"size:100;not null;uniqueIndex:idx_reversal_ref" json:"reference"`
	Provider    string     `gorm:"size:32" json:"provider,omitempty"`
	Reason      string     `gorm:"size:500" json:"reason,omitempty"`
	At          time.Time  `gorm:"not null" json:"at"`
	By          *uint64    `json:"by,omitempty"` // nil for the provider
	CreatedAt   time.Time  `json:"created_at"`
}

// CheckReversal refuses a refund or reversal of amount against payment p:
// a reversal takes everything not yet refunded, a refund 1 fen to that.
func CheckReversal(kind NotifyKind, amount Money, p FeePayment) error {
	left := p.AmountFen - p.ReversedFen
	switch {
	case left <= 0:
		return Invalid("original_transaction_id", "付款 %d 已冲正", p.ID)
	case kind == NotifyReversal && amount != left:
		return Invalid("amount_fen", "%d 无效，应为该付款尚未退款的 %d 分", amount, left)
	case amount <= 0 || amount > left:
		return Invalid("amount_fen", "%d 无效，应为 1 至 %d 分（该付款尚未退款的金额）", amount, left)
	}
	return nil
}

// String names the provider and its channel, never its secret.
func (p PayProvider) String() string { return p.Name + ":" + string(p.Channel) }
