package api

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/wuye/wuye/store"
)

// Export formats of a list (format=…); "" answers a page as JSON.
const (
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// exportBatch is the number of rows an export reads at a time.
const exportBatch = store.MaxBatchSize

// exportInterrupted opens the last row of an export that stopped before its
// end: the answer had begun (200 and the first rows sent), so the file
// itself says it is incomplete.
const exportInterrupted = "导出中断"

// column is one column of a list's export: its Chinese header and a row's
// cell.
type column[V any] struct {
	head string
	cell func(V) string
}

// pageReader reads one page of a list's rows as shown, inside the caller's
// estates.
type pageReader[V any] func(context.Context, store.Page) (listBody[V], error)

// serveRows answers a sorted list request: one page as JSON, or with format
// csv or xlsx every matching row as a file (exportRows).
func serveRows[V any](s *Server, c *gin.Context, format string, page store.Page, read pageReader[V], name string, cols []column[V]) {
	if format != "" {
		exportRows(s, c, format, page, read, name, cols)
		return
	}
	body, err := read(c.Request.Context(), page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, body)
}

// exportRows answers with every row of a list, in its filters and order,
// as a file named name (with today's date) under cols' Chinese headers:
// CSV in UTF-8 with a byte-order mark so that Excel reads the Chinese, or
// an xlsx workbook. Rows are read exportBatch at a time by cursor and
// written as they come, so memory does not grow with the row count. An
// error reading the first batch answers as any error; a later one can no
// longer change the status, so it is logged and the file ends with a row
// whose first cell reads exportInterrupted.
func exportRows[V any](s *Server, c *gin.Context, format string, page store.Page, read pageReader[V], name string, cols []column[V]) {
	ctx := c.Request.Context()
	page.Number, page.After, page.Size, page.Batch = 1, "", exportBatch, true
	body, err := read(ctx, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	sheet, err := newSheet(format, c.Writer, name)
	if err != nil {
		respondError(c, s.log, fmt.Errorf("export %s: %w", name, err))
		return
	}
	defer sheet.Close()
	day := s.now().In(exportZone).Format("20060102")
	c.Header("Content-Type", sheet.contentType())
	c.Header("Content-Disposition", attachment(fmt.Sprintf("%s-%s.%s", name, day, format), "export-"+day+"."+format))
	c.Status(http.StatusOK)
	// The answer's head goes at once, so the download starts while the rows
	// are read (an xlsx's bytes come only at its end).
	c.Writer.Flush()

	line := make([]string, len(cols))
	for i, col := range cols {
		line[i] = col.head
	}
	werr := sheet.write(line)
	n := 0
	for werr == nil {
		for _, r := range body.Items {
			for i, col := range cols {
				line[i] = col.cell(r)
			}
			if werr = sheet.write(line); werr != nil {
				break
			}
			n++
		}
		if werr != nil || body.NextCursor == "" {
			break
		}
		if werr = sheet.flush(); werr != nil {
			break
		}
		page.After = body.NextCursor
		if body, err = read(ctx, page); err != nil {
			break
		}
	}
	switch {
	case werr != nil:
		s.log.WarnContext(ctx, "export abandoned", "list", name, "format", format, "rows", n, "err", werr)
		return
	case err != nil:
		s.log.ErrorContext(ctx, "export interrupted", "list", name, "format", format, "rows", n, "err", err)
		werr = sheet.write([]string{fmt.Sprintf("%s：读取第 %d 行之后的数据时出错，本文件不完整，请重新导出", exportInterrupted, n)})
	}
	if werr == nil {
		werr = sheet.end()
	}
	if werr != nil {
		s.log.WarnContext(ctx, "export abandoned", "list", name, "format", format, "rows", n, "err", werr)
	}
}

// sheet writes an export's rows to the answer.
type sheet interface {
	contentType() string
	// write adds a row.
	write(cells []string) error
	// flush sends what is written so far, where the format allows.
	flush() error
	// end completes the file.
	end() error
	// Close releases what the sheet holds, written or not.
	Close() error
}

func newSheet(format string, w io.Writer, title string) (sheet, error) {
	if format == formatXLSX {
		return newXLSXSheet(w, title)
	}
	return newCSVSheet(w)
}

// csvSheet writes CSV in UTF-8 with a byte-order mark.
type csvSheet struct {
	w   *csv.Writer
	bom io.Writer
}

func newCSVSheet(w io.Writer) (*csvSheet, error) {
	return &csvSheet{w: csv.NewWriter(w), bom: w}, nil
}

func (s *csvSheet) contentType() string { return "text/csv; charset=utf-8" }

func (s *csvSheet) write(cells []string) error {
	if s.bom != nil {
		if _, err := io.WriteString(s.bom, "\uFEFF"); err != nil {
			return err
		}
		s.bom = nil
	}
	return s.w.Write(cells)
}

func (s *csvSheet) flush() error {
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSheet) end() error   { return s.flush() }
func (s *csvSheet) Close() error { return nil }

// xlsxSheet writes one worksheet through excelize's StreamWriter: rows go
// to its buffer, which moves to a temporary file past
// excelize.StreamChunkSize, and end zips the workbook straight into the
// answer (the zip writer is pointed at w instead of excelize's in-memory
// buffer). Nothing reaches w before end: the format has no early bytes.
type xlsxSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	row int
	// head is the style of the header row.
	head int
}

func newXLSXSheet(w io.Writer, title string) (*xlsxSheet, error) {
	f := excelize.NewFile()
	name := xlsxSheetName(title)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		_ = f.Close()
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}}})
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return &xlsxSheet{f: f, sw: sw, w: w, head: head}, nil
}

// xlsxSheetName is title as a worksheet's name: at most 31 characters,
// none of : \ / ? * [ ].
func xlsxSheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, title)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		name = "Sheet1"
	}
	return name
}

func (s *xlsxSheet) contentType() string {
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

func (s *xlsxSheet) write(cells []string) error {
	s.row++
	vals := make([]any, len(cells))
	for i, v := range cells {
		vals[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	if s.row == 1 {
		return s.sw.SetRow(cell, vals, excelize.RowOpts{StyleID: s.head})
	}
	return s.sw.SetRow(cell, vals)
}

func (s *xlsxSheet) flush() error { return nil }

func (s *xlsxSheet) end() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(s.w)
}

func (s *xlsxSheet) Close() error { return s.f.Close() }

// attachment is a Content-Disposition naming a download: filename* carries
// the Chinese name (RFC 5987/6266, UTF-8 percent-encoded), filename an
// ASCII fallback for old clients.
func attachment(name, fallback string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value's value: every byte
// but attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// cellTime shows an instant in an export's cell, in exportZone.
func cellTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(exportZone).Format("2006-01-02 15:04")
}

// cellDate shows a date in an export's cell.
func cellDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// exportZone is the time zone of the times in an export: the estates'
// default (Asia/Shanghai, which has no daylight saving).
var exportZone = time.FixedZone("CST", 8*60*60)
