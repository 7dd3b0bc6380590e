// Package statement reads a payment provider's statement file (对账单): a
// CSV in UTF-8 (with or without a byte-order mark) or GBK/GB18030, the
// encodings Chinese providers and spreadsheet programs write. Its columns
// and rows are read by models.ParseStatement, where they are documented.
package statement

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
)

// File is a statement read whole.
type File struct {
	Rows   []models.StatementRow
	Digest string // SHA-256 of the file's bytes, hex
}

// Read reads the statement file name holding data, times in loc. Every
// problem is a models.ValidationError of field "file" saying what is wrong:
// larger than models.MaxStatementBytes, not named .csv, not text, in an
// encoding other than UTF-8 or GB18030, not CSV, or rows
// models.ParseStatement refuses.
func Read(name string, data []byte, loc *time.Location) (File, error) {
	switch {
	case len(data) > models.MaxStatementBytes:
		return File{}, models.Invalid("file", "文件超过 %d MB", models.MaxStatementBytes>>20)
	case !strings.EqualFold(filepath.Ext(name), ".csv"):
		return File{}, models.Invalid("file", "“%s”不是 CSV 文件（应为 .csv）", name)
	case bytes.IndexByte(data, 0) >= 0:
		return File{}, models.Invalid("file", "“%s”不是文本文件，应为 CSV", name)
	}
	text, err := decode(data)
	if err != nil {
		return File{}, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	records, err := r.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return File{}, models.Invalid("file", "第 %d 行不是有效的 CSV：%v", pe.StartLine, pe.Err)
		}
		return File{}, models.Invalid("file", "不是有效的 CSV")
	}
	rows, err := models.ParseStatement(records, loc)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	return File{Rows: rows, Digest: hex.EncodeToString(sum[:])}, nil
}

// decode returns data as UTF-8 text: as it is when it is valid UTF-8 (a
// byte-order mark dropped), else decoded from GB18030 (a superset of GBK
// and GB2312), refused when that leaves bytes it cannot map.
func decode(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := io.ReadAll(simplifiedchinese.GB18030.NewDecoder().Reader(bytes.NewReader(data)))
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", models.Invalid("file", "文件编码无法识别，应为 UTF-8 或 GBK/GB18030")
	}
	return string(out), nil
}
