package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStatementYuan(t *testing.T) {
	tests := []struct {
		give string
		want Money
		ok   bool
	}{
		{"300", 30000, true},
		{"300.5", 30050, true},
		{"300.05", 30005, true},
		{" ¥300.50 ", 30050, true},
		{"￥0.01", 1, true},
		{"10000000", 1_000_000_000, true},
		{"10000000.01", 0, false}, // above MaxAmountFen
		{"0", 0, false},
		{"0.00", 0, false},
		{"-5", 0, false},
		{"300.", 0, false},
		{".5", 0, false},
		{"300.505", 0, false},
		{"1,000", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"99999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := statementYuan(tt.give)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("statementYuan(%q): got %d, %v, want %d, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseStatement(t *testing.T) {
	loc := shanghai(t)
	at := time.Date(2026, 12, 5, 6, 3, 0, 0, time.UTC) // 14:03 in Shanghai
	tests := []struct {
		name    string
		give    [][]string
		want    []StatementRow
		wantErr string // part of the reason
	}{
		{"english header", [][]string{{"transaction_id", "amount", "time"}, {"wx-1", "300.00", "2026-12-05 14:03:00"}},
			[]StatementRow{{Line: 2, Reference: "wx-1", AmountFen: 30000, At: at}}, ""},
		{"chinese header, other order, BOM, extra column and status", [][]string{
			{"\ufeff交易时间", "商户号", "交易单号", "交易金额", "交易状态"},
			{"2026-12-05T14:03:00+08:00", "m1", "wx-1", "¥300", "SUCCESS"},
			{"2026-12-05 15:00:00", "m1", "wx-2", "-300", "退款"}},
			[]StatementRow{{Line: 2, Reference: "wx-1", AmountFen: 30000, At: at, Status: "SUCCESS"},
				{Line: 3, Reference: "wx-2", Status: "退款"}}, ""},
		{"header only is a day without transactions", [][]string{{"transaction_id", "amount", "time"}}, []StatementRow{}, ""},
		{"blank line skipped", [][]string{{"transaction_id", "amount", "time"}, {""}, {"wx-1", "300", "2026-12-05 14:03:00"}},
			[]StatementRow{{Line: 3, Reference: "wx-1", AmountFen: 30000, At: at}}, ""},
		{"empty", nil, nil, "文件为空"},
		{"missing amount column", [][]string{{"transaction_id", "money", "time"}}, nil, "表头缺少“amount”列"},
		{"bad amount", [][]string{{"transaction_id", "amount", "time"}, {"wx-1", "3O0", "2026-12-05 14:03:00"}}, nil, "第 2 行：金额“3O0”"},
		{"bad time", [][]string{{"transaction_id", "amount", "time"}, {"wx-1", "300", "yesterday"}}, nil, "第 2 行：时间“yesterday”"},
		{"no transaction id", [][]string{{"transaction_id", "amount", "time"}, {"", "300", "2026-12-05 14:03:00"}}, nil, "第 2 行：交易号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStatement(tt.give, loc)
			if tt.wantErr != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != "file" || !strings.Contains(ve.Reason, tt.wantErr) {
					t.Fatalf("got %v, want a file error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if g, w := got[i], tt.want[i]; g.Line != w.Line || g.Reference != w.Reference || g.AmountFen != w.AmountFen || !g.At.Equal(w.At) || g.Status != w.Status {
					t.Errorf("row %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	from := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC) // 2026-12-05 in Shanghai
	to := from.Add(24 * time.Hour)
	in := func(h int) time.Time { return from.Add(time.Duration(h) * time.Hour) }
	pay := func(id uint64, ref string, fen Money, at time.Time) FeePayment {
		return FeePayment{ID: id, HouseholdID: 100 + id, Reference: ref, AmountFen: fen, PaidAt: at}
	}
	row := func(line int, ref string, fen Money, status string) StatementRow {
		return StatementRow{Line: line, Reference: ref, AmountFen: fen, At: in(1), Status: status}
	}
	type want struct {
		kind MismatchKind
		ref  string
	}
	tests := []struct {
		name             string
		rows             []StatementRow
		pays             []FeePayment
		matched, skipped int
		mismatches       []want
	}{
		{"all match", []StatementRow{row(2, "a", 100, ""), row(3, "b", 200, "成功")},
			[]FeePayment{pay(1, "a", 100, in(1)), pay(2, "b", 200, in(2))}, 2, 0, nil},
		{"in file, not recorded", []StatementRow{row(2, "a", 100, "")}, nil, 0, 0, []want{{NotRecorded, "a"}}},
		{"recorded, not in file", nil, []FeePayment{pay(2, "late", 5, in(20)), pay(1, "b", 200, in(2))}, 0, 0,
			[]want{{NotInFile, "b"}, {NotInFile, "late"}}},
		{"amount differs", []StatementRow{row(2, "a", 100, "")}, []FeePayment{pay(1, "a", 101, in(1))}, 0, 0, []want{{AmountDiffers, "a"}}},
		{"duplicate row", []StatementRow{row(2, "a", 100, ""), row(3, "a", 100, "")}, []FeePayment{pay(1, "a", 100, in(1))}, 1, 0,
			[]want{{DuplicateInFile, "a"}}},
		{"recorded outside the day is not missing", nil, []FeePayment{pay(1, "y", 1, from.Add(-time.Second)), pay(2, "t", 1, to)}, 0, 0, nil},
		{"row matches a payment recorded across midnight", []StatementRow{row(2, "a", 100, "")}, []FeePayment{pay(1, "a", 100, to.Add(time.Minute))}, 1, 0, nil},
		{"refund row skipped, its payment is not in file", []StatementRow{row(2, "a", 100, "REFUND")}, []FeePayment{pay(1, "a", 100, in(1))}, 0, 1,
			[]want{{NotInFile, "a"}}},
		{"first hour boundary counts", nil, []FeePayment{pay(1, "x", 1, from)}, 0, 0, []want{{NotInFile, "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Reconcile(tt.rows, tt.pays, from, to)
			if got.Rows != len(tt.rows) || got.Matched != tt.matched || got.Skipped != tt.skipped || len(got.Mismatches) != len(tt.mismatches) {
				t.Fatalf("got %d rows, %d matched, %d skipped, %+v, want %d, %d, %d, %v", got.Rows, got.Matched, got.Skipped, got.Mismatches,
					len(tt.rows), tt.matched, tt.skipped, tt.mismatches)
			}
			for i, m := range got.Mismatches {
				if m.Kind != tt.mismatches[i].kind || m.Reference != tt.mismatches[i].ref {
					t.Errorf("mismatch %d: got %s %s, want %s %s", i, m.Kind, m.Reference, tt.mismatches[i].kind, tt.mismatches[i].ref)
				}
				if (m.Kind == NotInFile) != (m.FileFen == nil) || (m.Kind == NotRecorded) != (m.RecordedFen == nil) {
					t.Errorf("mismatch %d (%s): got file %v, recorded %v, want each side only where it has one", i, m.Kind, m.FileFen, m.RecordedFen)
				}
			}
		})
	}
}
