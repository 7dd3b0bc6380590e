package models

import (
	"testing"
	"time"
)

func TestCanonicalNotification(t *testing.T) {
	got := string(CanonicalNotification("1796000000", "n-1", []byte(`{"a":1}`)))
	if want := "1796000000\nn-1\n{\"a\":1}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSignNotification pins the README's example: its signature is this one.
func TestSignNotification(t *testing.T) {
	body := []byte(`{"type":"payment","transaction_id":"4200001234202612060001","household_id":12,"amount_fen":36000,"paid_at":"2026-12-06T10:15:00+08:00"}`)
	got := SignNotification([]byte("example-secret-of-at-least-32-bytes!"), "1796530500", "9f8e7d6c", body)
	if want := readmeSignature; got != want {
		t.Errorf("got %s, want %s (update README.md's example if the rule changed)", got, want)
	}
}

// readmeSignature is the signature shown in README.md's example.
const readmeSignature = "150442a08fe612ecc078f3db1f344eac68beb8b5219f04b61e18f4cbf5cebea4"

func TestVerifyNotification(t *testing.T) {
	secret := []byte("s3cret-s3cret-s3cret-s3cret-s3cret")
	body := []byte(`{"amount_fen":100}`)
	sig := SignNotification(secret, "100", "n", body)
	tests := []struct {
		name                  string
		secret                []byte
		ts, nonce, body, give string
		want                  bool
	}{
		{"valid", secret, "100", "n", string(body), sig, true},
		{"other body", secret, "100", "n", `{"amount_fen":1000}`, sig, false},
		{"other timestamp", secret, "101", "n", string(body), sig, false},
		{"other nonce", secret, "100", "m", string(body), sig, false},
		{"other secret", []byte("another-secret-another-secret-xx"), "100", "n", string(body), sig, false},
		{"no secret", nil, "100", "n", string(body), sig, false},
		{"uppercase hex", secret, "100", "n", string(body), upper(sig), true},
		{"not hex", secret, "100", "n", string(body), "zz" + sig[2:], false},
		{"truncated", secret, "100", "n", string(body), sig[:62], false},
		{"empty", secret, "100", "n", string(body), "", false},
	}
	for _, tt := range tests {
		if got := VerifyNotification(tt.secret, tt.ts, tt.nonce, []byte(tt.body), tt.give); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestNotifyTime(t *testing.T) {
	now := time.Unix(1796530500, 0)
	tests := []struct {
		give string
		ok   bool
	}{
		{"1796530500", true},
		{"1796530200", true},  // exactly 5 minutes old
		{"1796530199", false}, // a second more
		{"1796530800", true},  // 5 minutes ahead
		{"1796530801", false},
		{"", false},
		{"abc", false},
		{"-5", false},
		{"1796530500.5", false},
	}
	for _, tt := range tests {
		_, err := NotifyTime(tt.give, now, DefaultNotifyWindow)
		if (err == nil) != tt.ok {
			t.Errorf("timestamp %q: got error %v, want ok %v", tt.give, err, tt.ok)
		}
	}
}

func TestCheckNonce(t *testing.T) {
	long := string(make([]byte, MaxNonceLen+1))
	for _, tt := range []struct {
		give string
		ok   bool
	}{{"a", true}, {"", false}, {long[:MaxNonceLen], true}, {long, false}} {
		if err := CheckNonce(tt.give); (err == nil) != tt.ok {
			t.Errorf("nonce of %d bytes: got %v, want ok %v", len(tt.give), err, tt.ok)
		}
	}
}

func TestClassifyPayment(t *testing.T) {
	tests := []struct {
		amount, owed Money
		want         Settlement
		diff         Money
	}{
		{36000, 36000, SettledExact, 0},
		{30000, 36000, SettledUnder, -6000},
		{40000, 36000, SettledOver, 4000},
		{100, 0, SettledOver, 100},   // nothing owed: a prepayment
		{100, -50, SettledOver, 100}, // a negative owed counts as nothing
		{1, 2, SettledUnder, -1},
	}
	for _, tt := range tests {
		got, diff := ClassifyPayment(tt.amount, tt.owed)
		if got != tt.want || diff != tt.diff {
			t.Errorf("%d paid on %d owed: got %s %d, want %s %d", tt.amount, tt.owed, got, diff, tt.want, tt.diff)
		}
	}
}

func TestCheckReversal(t *testing.T) {
	p := FeePayment{ID: 7, AmountFen: 1000}
	partly := FeePayment{ID: 8, AmountFen: 1000, ReversedFen: 400}
	gone := FeePayment{ID: 9, AmountFen: 1000, ReversedFen: 1000}
	tests := []struct {
		name   string
		kind   NotifyKind
		amount Money
		p      FeePayment
		field  string // "" when allowed
	}{
		{"whole reversal", NotifyReversal, 1000, p, ""},
		{"partial reversal", NotifyReversal, 999, p, "amount_fen"},
		{"reversal of the rest", NotifyReversal, 600, partly, ""},
		{"partial refund", NotifyRefund, 1, p, ""},
		{"whole refund", NotifyRefund, 1000, p, ""},
		{"refund beyond", NotifyRefund, 1001, p, "amount_fen"},
		{"refund beyond the rest", NotifyRefund, 601, partly, "amount_fen"},
		{"zero refund", NotifyRefund, 0, p, "amount_fen"},
		{"already reversed", NotifyReversal, 1000, gone, "original_transaction_id"},
	}
	for _, tt := range tests {
		err := CheckReversal(tt.kind, tt.amount, tt.p)
		if got := fieldOf(err); got != tt.field {
			t.Errorf("%s: got field %q (%v), want %q", tt.name, got, err, tt.field)
		}
	}
}

func fieldOf(err error) string {
	if ve, ok := err.(*ValidationError); ok {
		return ve.Field
	}
	if err != nil {
		return "?"
	}
	return ""
}

// TestStatementCarriesCredit states how an overpayment lives on: Statement
// applies every payment to all the household's bills, later ones included,
// so money paid beyond what is owed today is Credit until a later bill is
// issued, which it then settles; a refund of part of it (the payment's
// ReversedFen) reduces the credit, and a reversal reopens what it settled.
func TestStatementCarriesCredit(t *testing.T) {
	fees := DefaultPolicy().Fees
	march := Bill{ID: 1, Period: Month{2026, 3}, Due: d(2026, 4, 10), Principal: 30000}
	april := Bill{ID: 2, Period: Month{2026, 4}, Due: d(2026, 5, 10), Principal: 30000}
	over := FeePayment{ID: 1, PaidOn: DateTime(d(2026, 4, 1)), AmountFen: 45000}

	acc := Statement([]Bill{march}, []Payment{over.Arith()}, d(2026, 4, 20), fees)
	if acc.Total != 0 || acc.Credit != 15000 {
		t.Errorf("before April's bill: got total %d credit %d, want 0 and 15000", acc.Total, acc.Credit)
	}
	acc = Statement([]Bill{march, april}, []Payment{over.Arith()}, d(2026, 4, 20), fees)
	if acc.Principal != 15000 || acc.Credit != 0 {
		t.Errorf("April's bill issued: got principal %d credit %d, want 15000 (the credit applied) and 0", acc.Principal, acc.Credit)
	}
	refunded := over
	refunded.ReversedFen = 5000
	acc = Statement([]Bill{march}, []Payment{refunded.Arith()}, d(2026, 4, 20), fees)
	if acc.Total != 0 || acc.Credit != 10000 {
		t.Errorf("5000 refunded: got total %d credit %d, want 0 and 10000", acc.Total, acc.Credit)
	}
	reversed := over
	reversed.ReversedFen = over.AmountFen
	acc = Statement([]Bill{march}, []Payment{reversed.Arith()}, d(2026, 4, 20), fees)
	if acc.Principal != 30000 || acc.Credit != 0 || acc.LateFee == 0 {
		t.Errorf("reversed: got principal %d credit %d late fee %d, want 30000 owed again with its late fee and no credit",
			acc.Principal, acc.Credit, acc.LateFee)
	}
}
