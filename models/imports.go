package models

import (
	"fmt"
	"strings"
	"time"
)

// ImportStatus is where an import (导入) of a spreadsheet stands.
type ImportStatus string

// The import statuses. An import is stored only once every row of its file
// passed the dry run's checks, so it starts running.
const (
	ImportRunning   ImportStatus = "running"   // 导入中: batches are being applied
	ImportDone      ImportStatus = "done"      // 已完成: every row applied (or failed)
	ImportCancelled ImportStatus = "cancelled" // 已取消: stopped after a batch; applied rows are kept
)

// Import is one applied import of a file of one kind (units, households …)
// into an estate: its rows are stored with it (ImportRow), so the process
// applying them in batches resumes after a restart.
type Import struct {
	ID       uint64       `gorm:"primaryKey" json:"id"`
	EstateID uint64       `gorm:"not null;index" json:"estate_id"`
	Kind     string       `gorm:"size:32;not null" json:"kind"`
	FileName string       `gorm:"size:255" json:"file_name"`
	Status   ImportStatus `gorm:"size:16;not null" json:"status"`
	Total    int          `gorm:"not null;default:0" json:"rows_total"`
	Done     int          `gorm:"not null;default:0" json:"rows_done"`
	Failed   int          `gorm:"not null;default:0" json:"rows_failed"`
	// CancelRequested: staff asked to stop; the process stops after the
	// batch it is applying.
	CancelRequested bool       `gorm:"not null;default:false" json:"cancel_requested"`
	CreatedBy       uint64     `gorm:"not null" json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
}

// ImportRow is one validated row of an import, as JSON of its kind's
// record. Applied rows are marked, with the reason when applying failed.
type ImportRow struct {
	ID       uint64 `gorm:"primaryKey"`
	ImportID uint64 `gorm:"not null;uniqueIndex:idx_import_row"`
	Row      int    `gorm:"column:row_no;not null;uniqueIndex:idx_import_row"` // row number in the file (header = 1)
	Data     string `gorm:"type:text;not null"`
	Applied  bool   `gorm:"not null;default:false;index"`
	Error    string `gorm:"column:reason;size:255;not null;default:''"` // set when applying the row failed
}

// RowError is one bad row of an import file: the row number in the file
// (the header is row 1), the column by its Chinese header ("" for the whole
// row) and the reason in Chinese.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// ParseYuan reads an amount of yuan ("1234", "1234.5", "1234.56", "¥300.50")
// exactly into fen: an optional ¥ or ￥, no sign, at most two decimals, at
// most MaxAmountFen.
func ParseYuan(s string) (Money, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "¥"), "￥")
	v, ok := hundredths(s, 12)
	if !ok {
		return 0, fmt.Errorf("金额 %q 无效：应为不超过两位小数的非负数（元）", s)
	}
	if m := Money(v); m > MaxAmountFen {
		return 0, fmt.Errorf("金额 %s 超出上限 %s", m.Yuan(), MaxAmountFen.Yuan())
	}
	return Money(v), nil
}
