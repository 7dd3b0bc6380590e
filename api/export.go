package api

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"encoding/xml"
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
	day := s.now().In(exportZone).Format("20060102")
	c.Header("Content-Type", sheet.contentType())
	c.Header("Content-Disposition", attachment(fmt.Sprintf("%s-%s.%s", name, day, format), "export-"+day+"."+format))
	c.Status(http.StatusOK)
	// The answer's head goes at once, so the download starts while the rows
	// are read.
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

func (s *csvSheet) end() error { return s.flush() }

// xlsxSheet writes a one-sheet xlsx workbook as it goes: the package's
// small parts first, then the worksheet's rows streamed through one deflate
// stream of archive/zip straight into the answer, so memory stays flat
// whatever the row count and the first bytes leave with the first batch.
// (excelize's StreamWriter, which the importer uses to read, holds up to 16
// MiB of sheet XML and zips only at the end: 63 MiB and no early byte for
// 100,000 rows.) Cells are inline strings; the header row is bold on a
// tinted fill (style 1 of xlsxStyles).
type xlsxSheet struct {
	zw    *zip.Writer
	sheet *bufio.Writer
	out   io.Writer
	row   int
	// cols are the column letters (A, B …), named once.
	cols []string
}

func newXLSXSheet(w io.Writer, title string) (*xlsxSheet, error) {
	zw := zip.NewWriter(w)
	name := xlsxSheetName(title)
	var esc strings.Builder
	if err := xml.EscapeText(&esc, []byte(name)); err != nil {
		return nil, err
	}
	parts := []struct{ path, body string }{
		{"[Content_Types].xml", xlsxContentTypes},
		{"_rels/.rels", xlsxRootRels},
		{"xl/workbook.xml", fmt.Sprintf(xlsxWorkbook, esc.String())},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStyles},
	}
	for _, p := range parts {
		f, err := zw.Create(p.path)
		if err == nil {
			_, err = io.WriteString(f, xml.Header+p.body)
		}
		if err != nil {
			return nil, err
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	sheet := bufio.NewWriter(f)
	_, err = sheet.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	return &xlsxSheet{zw: zw, sheet: sheet, out: w}, err
}

// The fixed parts of the workbook.
const (
	xlsxContentTypes = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	xlsxRootRels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbook = `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxWorkbookRels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	xlsxStyles = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
		`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
		`<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/></patternFill></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
)

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

// write adds one row of inline strings (the first row in the header style).
func (s *xlsxSheet) write(cells []string) error {
	s.row++
	style := ""
	if s.row == 1 {
		style = ` s="1"`
	}
	fmt.Fprintf(s.sheet, `<row r="%d">`, s.row)
	for len(s.cols) < len(cells) {
		col, err := excelize.ColumnNumberToName(len(s.cols) + 1)
		if err != nil {
			return err
		}
		s.cols = append(s.cols, col)
	}
	for i, v := range cells {
		fmt.Fprintf(s.sheet, `<c r="%s%d" t="inlineStr"%s><is><t xml:space="preserve">`, s.cols[i], s.row, style)
		if err := xml.EscapeText(s.sheet, []byte(v)); err != nil {
			return err
		}
		s.sheet.WriteString(`</t></is></c>`)
	}
	_, err := s.sheet.WriteString(`</row>`)
	return err
}

// flush sends what the rows so far compressed to, between batches.
func (s *xlsxSheet) flush() error {
	if err := s.sheet.Flush(); err != nil {
		return err
	}
	if err := s.zw.Flush(); err != nil {
		return err
	}
	if f, ok := s.out.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// end closes the worksheet and writes the zip's central directory.
func (s *xlsxSheet) end() error {
	if _, err := s.sheet.WriteString(`</sheetData></worksheet>`); err != nil {
		return err
	}
	if err := s.sheet.Flush(); err != nil {
		return err
	}
	return s.zw.Close()
}

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
