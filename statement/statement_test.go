package statement

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRead(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	chinese := "交易时间,交易单号,交易金额,交易状态\n2026-12-05 14:03:00,wx-1,300.00,支付成功\n"
	tests := []struct {
		name    string
		file    string
		data    []byte
		rows    int
		wantErr string
	}{
		{"utf-8", "a.csv", []byte("transaction_id,amount,time\nwx-1,300,2026-12-05 14:03:00\n"), 1, ""},
		{"utf-8 with BOM, upper-case extension", "A.CSV", []byte("\xef\xbb\xbf" + chinese), 1, ""},
		{"gbk", "wechat.csv", gbk(t, chinese), 1, ""},
		{"quoted fields", "a.csv", []byte("transaction_id,amount,time\n\"wx,1\",\"300\",2026-12-05 14:03:00\n"), 1, ""},
		{"not csv by name", "a.xlsx", []byte(chinese), 0, "不是 CSV 文件"},
		{"binary", "a.csv", []byte("PK\x03\x04\x00\x00"), 0, "不是文本文件"},
		{"unreadable encoding", "a.csv", append([]byte("transaction_id,amount,time\n"), 0xff, 0xff, 0x81), 0, "编码无法识别"},
		{"too large", "a.csv", make([]byte, models.MaxStatementBytes+1), 0, "超过 10 MB"},
		{"wrong header", "a.csv", []byte("id,money,when\nwx-1,300,2026-12-05 14:03:00\n"), 0, "表头缺少"},
		{"broken quote", "a.csv", []byte("transaction_id,amount,time\n\"wx-1,300,2026-12-05 14:03:00\n"), 0, "不是有效的 CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(tt.file, tt.data, loc)
			if tt.wantErr != "" {
				var ve *models.ValidationError
				if !errors.As(err, &ve) || ve.Field != "file" || !strings.Contains(ve.Reason, tt.wantErr) {
					t.Fatalf("got %v, want a file error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(f.Rows) != tt.rows || len(f.Digest) != 64 {
				t.Fatalf("got %+v, %v, want %d rows and a digest", f, err, tt.rows)
			}
			if r := f.Rows[0]; r.AmountFen != 30000 || !r.At.Equal(time.Date(2026, 12, 5, 6, 3, 0, 0, time.UTC)) {
				t.Errorf("row: got %+v, want 30000 fen at 06:03 UTC", r)
			}
		})
	}
}
