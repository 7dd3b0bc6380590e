// Package imports reads the spreadsheets (xlsx or csv) property companies
// bring from their previous systems and turns each row into a validated
// record of one kind (units, households, opening balances, staff …). The
// kinds are one registry (Registry); each entry names its columns, parses a
// row and applies a batch of records through the store.
package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// MaxFileSize bounds an uploaded file: 20 MB.
const MaxFileSize = 20 << 20

// MaxRows bounds the data rows of one file.
const MaxRows = 200_000

// Format is a file's format, sniffed from its content.
type Format string

// The formats read.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FileError is a file that cannot be read as a whole (not a spreadsheet, an
// unknown encoding, too large): Reason is in Chinese.
type FileError struct{ Reason string }

func (e *FileError) Error() string { return e.Reason }

// ErrTooLarge is a file over MaxFileSize.
var ErrTooLarge = &FileError{Reason: fmt.Sprintf("文件超过 %d MB 上限", MaxFileSize>>20)}

// Sniff tells the format of a file from its first bytes: a zip archive is
// taken for xlsx, text for csv; anything else is a FileError.
func Sniff(b []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return XLSX, nil
	case len(b) == 0:
		return "", &FileError{Reason: "文件为空"}
	case bytes.IndexByte(b[:min(len(b), 8192)], 0) >= 0:
		return "", &FileError{Reason: "文件不是 xlsx 或 csv 表格"}
	}
	return CSV, nil
}

// ReadAll reads a whole file (at most MaxFileSize bytes) into its rows,
// the header first. Cells are trimmed; empty rows are kept as empty
// slices so row numbers stay those of the file.
func ReadAll(r io.Reader) ([][]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, ErrTooLarge
	}
	f, err := Sniff(b)
	if err != nil {
		return nil, err
	}
	if f == XLSX {
		return readXLSX(b)
	}
	return readCSV(b)
}

// decodeText returns b as UTF-8: valid UTF-8 (with or without a BOM) is
// kept, anything else is read as GB18030 (which GBK files are), and text
// that is neither is a FileError.
func decodeText(b []byte) (string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return "", &FileError{Reason: "无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 csv"}
	}
	return string(out), nil
}

func readCSV(b []byte) ([][]string, error) {
	text, err := decodeText(b)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &FileError{Reason: fmt.Sprintf("csv 第 %d 行格式错误（引号不配对等）", pe.Line)}
			}
			return nil, &FileError{Reason: "csv 格式错误"}
		}
		if len(rows) > MaxRows {
			return nil, &FileError{Reason: fmt.Sprintf("文件超过 %d 行上限", MaxRows)}
		}
		rows = append(rows, trimAll(rec))
	}
	return rows, nil
}

func readXLSX(b []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, &FileError{Reason: "文件不是有效的 xlsx 表格"}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &FileError{Reason: "xlsx 没有工作表"}
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, &FileError{Reason: "无法读取 xlsx 的第一个工作表"}
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		cols, err := it.Columns()
		if err != nil {
			return nil, &FileError{Reason: "无法读取 xlsx 的第一个工作表"}
		}
		if len(rows) > MaxRows {
			return nil, &FileError{Reason: fmt.Sprintf("文件超过 %d 行上限", MaxRows)}
		}
		rows = append(rows, trimAll(cols))
	}
	if err := it.Error(); err != nil {
		return nil, &FileError{Reason: "无法读取 xlsx 的第一个工作表"}
	}
	return rows, nil
}

func trimAll(cells []string) []string {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// Template is a kind's template file in format: its Chinese headers and
// one example row.
func Template(k *Kind, format Format) ([]byte, error) {
	headers := make([]string, len(k.Columns))
	example := make([]string, len(k.Columns))
	for i, c := range k.Columns {
		headers[i], example[i] = c.Header, c.Example
	}
	if format == CSV {
		var buf bytes.Buffer
		buf.WriteString("\xef\xbb\xbf") // so that Excel reads the Chinese headers as UTF-8
		w := csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{headers, example})
		return buf.Bytes(), w.Error()
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, row := range [][]string{headers, example} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return nil, fmt.Errorf("template %s: %w", k.Name, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", k.Name, err)
	}
	return buf.Bytes(), nil
}
