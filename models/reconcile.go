// Daily reconciliation (对账): a payment provider's statement of one day
// against the payments recorded for the estate.
//
// The statement is a CSV file with a header row naming its columns, in any
// order, in English or Chinese (extra columns are ignored):
//
//	transaction_id  交易号 / 交易单号 / 流水号   the provider's transaction ID: a payment's reference
//	amount          金额 / 交易金额              yuan with at most two decimals: 300, 300.5, ¥300.50
//	time            时间 / 交易时间              "2026-12-05 14:03:00" in the estate's zone, or RFC 3339
//	status          状态 / 交易状态  (optional)  empty or success/成功/支付成功/交易成功 is a payment;
//	                                             any other status (refund, 退款, closed…) is skipped
//
// The day is the estate's civil date; recorded payments of the statement's
// channel paid inside it are compared, and every file row is matched by
// reference against all the estate's payments (a payment recorded a minute
// across midnight still matches its row).

package models

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// StatementRow is one row of a provider's statement.
type StatementRow struct {
	Line      int       // the file's line number, the header being line 1
	Reference string    // the provider's transaction ID
	AmountFen Money     // what the provider says was paid
	At        time.Time // when, as an instant
	Status    string    // as written in the file
}

// Counts reports whether the row is a payment: its status is empty or says
// it succeeded (StatementSuccess).
func (r StatementRow) Counts() bool {
	return slices.Contains(StatementSuccess, strings.ToLower(r.Status))
}

// StatementSuccess are the statuses (lower case) of a statement row that
// count as a payment.
var StatementSuccess = []string{"", "success", "成功", "支付成功", "交易成功"}

// StatementColumns are the names each column of a statement may have in its
// header (compared trimmed and in lower case); Required says which must be
// there.
var StatementColumns = []struct {
	Key      string
	Names    []string
	Required bool
}{
	{"transaction_id", []string{"transaction_id", "交易号", "交易单号", "流水号"}, true},
	{"amount", []string{"amount", "金额", "交易金额"}, true},
	{"time", []string{"time", "时间", "交易时间"}, true},
	{"status", []string{"status", "状态", "交易状态"}, false},
}

// MismatchKind is how a statement and the recorded payments disagree.
type MismatchKind string

// The mismatch kinds.
const (
	// NotRecorded: the file has the transaction, no payment has its reference.
	NotRecorded MismatchKind = "not_recorded"
	// NotInFile: a payment of the channel was recorded on the day, the file
	// does not have it (as a successful row).
	NotInFile MismatchKind = "not_in_file"
	// AmountDiffers: the payment and the row disagree on the amount.
	AmountDiffers MismatchKind = "amount_differs"
	// DuplicateInFile: the file lists the transaction more than once.
	DuplicateInFile MismatchKind = "duplicate_in_file"
)

// Mismatch is one disagreement of a reconciliation.
type Mismatch struct {
	ID               uint64       `gorm:"primaryKey" json:"id"`
	ReconciliationID uint64       `gorm:"not null;index" json:"reconciliation_id"`
	EstateID         uint64       `gorm:"not null;index" json:"estate_id"`
	Kind             MismatchKind `gorm:"size:24;not null" json:"kind"`
	Reference        string       `gorm:"size:100;not null" json:"reference"`
	// Line is the file's line (0 for NotInFile).
	Line int `gorm:"not null;default:0" json:"line"`
	// FileFen is the amount in the file, RecordedFen the payment's; each
	// is nil where that side has none.
	FileFen     *Money     `json:"file_fen"`
	RecordedFen *Money     `json:"recorded_fen"`
	PaymentID   *uint64    `json:"payment_id,omitempty"`
	HouseholdID *uint64    `json:"household_id,omitempty"`
	At          *time.Time `json:"at"`
}

// TableName keeps the table's name about reconciliation.
func (Mismatch) TableName() string { return "reconciliation_mismatches" }

// Reconciled is the outcome of comparing a statement with the payments.
type Reconciled struct {
	Rows       int // rows in the file
	Matched    int // rows that match a payment exactly
	Skipped    int // rows whose status is not a payment
	Mismatches []Mismatch
}

// Reconcile compares a statement's rows with payments: those of the
// statement's channel paid in [from, to), and any other payment a row names
// by reference. Rows are matched by reference; a recorded payment in the
// window that no counted row names is NotInFile (in PaidAt order). Pure: it
// neither reads nor changes anything else.
func Reconcile(rows []StatementRow, payments []FeePayment, from, to time.Time) Reconciled {
	byRef := make(map[string]FeePayment, len(payments))
	for _, p := range payments {
		byRef[p.Reference] = p
	}
	out := Reconciled{Rows: len(rows), Mismatches: []Mismatch{}}
	seen := map[string]bool{}
	for _, r := range rows {
		if !r.Counts() {
			out.Skipped++
			continue
		}
		file, at := r.AmountFen, r.At
		m := Mismatch{Reference: r.Reference, Line: r.Line, FileFen: &file, At: &at}
		p, recorded := byRef[r.Reference]
		switch {
		case seen[r.Reference]:
			m.Kind = DuplicateInFile
		case !recorded:
			m.Kind = NotRecorded
		case p.AmountFen != r.AmountFen:
			m.Kind = AmountDiffers
		default:
			out.Matched++
		}
		seen[r.Reference] = true
		if m.Kind == "" {
			continue
		}
		if recorded {
			amount, id, hh := p.AmountFen, p.ID, p.HouseholdID
			m.RecordedFen, m.PaymentID, m.HouseholdID = &amount, &id, &hh
		}
		out.Mismatches = append(out.Mismatches, m)
	}
	missing := slices.Clone(payments)
	slices.SortFunc(missing, func(a, b FeePayment) int { return cmp.Or(a.PaidAt.Compare(b.PaidAt), cmp.Compare(a.ID, b.ID)) })
	for _, p := range missing {
		if seen[p.Reference] || p.PaidAt.Before(from) || !p.PaidAt.Before(to) {
			continue
		}
		amount, id, hh, at := p.AmountFen, p.ID, p.HouseholdID, p.PaidAt
		out.Mismatches = append(out.Mismatches, Mismatch{Kind: NotInFile, Reference: p.Reference,
			RecordedFen: &amount, PaymentID: &id, HouseholdID: &hh, At: &at})
	}
	return out
}

// ReconcileSource is where a statement came from.
type ReconcileSource string

// The sources of a statement.
const (
	SourceUpload ReconcileSource = "upload" // a finance user uploaded it
	SourceFolder ReconcileSource = "folder" // the daily schedule read it from WUYE_RECON_DIR
)

// Reconciliation is one comparison of a statement file with the payments of
// an estate's channel on a day. The same file (by SHA-256) for the same
// estate, channel and day is one reconciliation: reading it again, by upload
// or by the schedule, returns the first.
type Reconciliation struct {
	ID       uint64         `gorm:"primaryKey" json:"id"`
	EstateID uint64         `gorm:"not null;uniqueIndex:idx_recon_file,priority:1" json:"estate_id"`
	Channel  PaymentChannel `gorm:"size:16;not null;uniqueIndex:idx_recon_file,priority:2" json:"channel"`
	// Day is the statement's civil date in the estate's zone (00:00 UTC).
	Day      time.Time       `gorm:"not null;uniqueIndex:idx_recon_file,priority:3" json:"day"`
	Digest   string          `gorm:"size:64;not null;uniqueIndex:idx_recon_file,priority:4" json:"digest"`
	FileName string          `gorm:"size:255;not null" json:"file_name"`
	Source   ReconcileSource `gorm:"size:16;not null" json:"source"`
	Rows     int             `gorm:"not null" json:"rows"`
	Matched  int             `gorm:"not null" json:"matched"`
	Skipped  int             `gorm:"not null" json:"skipped"`
	// MismatchCount is len(Mismatches), kept for lists.
	MismatchCount int        `gorm:"not null" json:"mismatch_count"`
	By            *uint64    `json:"by,omitempty"` // nil for the schedule
	CreatedAt     time.Time  `json:"created_at"`
	Mismatches    []Mismatch `gorm:"-" json:"mismatches,omitempty"`
}

// MaxStatementBytes bounds a statement file: 10 MB.
const MaxStatementBytes = 10 << 20

// statementYuan reads a statement's amount: ParseYuan's yuan, positive.
func statementYuan(s string) (Money, bool) {
	m, err := ParseYuan(s)
	return m, err == nil && m > 0
}

// statementTimes are the layouts a statement's time may take, local ones
// read in the estate's zone.
var statementTimes = []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04"}

// ParseStatementTime reads a statement's time: RFC 3339, or a local time
// in loc (statementTimes).
func ParseStatementTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range statementTimes {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseStatement reads a statement's records (the header first) into rows,
// times in loc. A missing required column, an empty transaction ID, an
// amount or time it cannot read on a row that counts (rows skipped for their
// status need only a transaction ID) is a ValidationError of field "file"
// naming the line. A header alone is a day without transactions.
func ParseStatement(records [][]string, loc *time.Location) ([]StatementRow, error) {
	if len(records) == 0 {
		return nil, Invalid("file", "文件为空，第 1 行应为表头（transaction_id, amount, time[, status]）")
	}
	col := map[string]int{}
	for i, name := range records[0] {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		for _, c := range StatementColumns {
			if _, dup := col[c.Key]; !dup && slices.Contains(c.Names, name) {
				col[c.Key] = i
			}
		}
	}
	for _, c := range StatementColumns {
		if _, ok := col[c.Key]; c.Required && !ok {
			return nil, Invalid("file", "表头缺少“%s”列（可写作 %s）", c.Key, strings.Join(c.Names, "、"))
		}
	}
	cell := func(rec []string, key string) string {
		i, ok := col[key]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	rows := make([]StatementRow, 0, len(records)-1)
	for n, rec := range records[1:] {
		line := n + 2
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		r := StatementRow{Line: line, Reference: cell(rec, "transaction_id"), Status: cell(rec, "status")}
		if r.Reference == "" || len(r.Reference) > 100 {
			return nil, Invalid("file", "第 %d 行：交易号应为 1 到 100 个字符", line)
		}
		if r.Counts() {
			var ok bool
			if r.AmountFen, ok = statementYuan(cell(rec, "amount")); !ok {
				return nil, Invalid("file", "第 %d 行：金额“%s”无法识别，应为元，最多两位小数，且不超过 %s", line, cell(rec, "amount"), MaxAmountFen)
			}
			if r.At, ok = ParseStatementTime(cell(rec, "time"), loc); !ok {
				return nil, Invalid("file", "第 %d 行：时间“%s”无法识别，应如 2026-12-05 14:03:00", line, cell(rec, "time"))
			}
			r.At = r.At.UTC()
		}
		rows = append(rows, r)
	}
	return rows, nil
}
