package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/store"
)

// maxExport bounds the rows of one CSV export.
const maxExport = 5000

// column is one column of a list's CSV export: its Chinese header and a
// row's cell.
type column[V any] struct {
	head string
	cell func(V) string
}

// pageReader reads one page of a list's rows as shown, inside the caller's
// estates.
type pageReader[V any] func(context.Context, store.Page) (listBody[V], error)

// serveRows answers a sorted list request: one page as JSON, or with
// format=csv every matching row (walking the pages by cursor, at most
// maxExport) as a CSV file named name, UTF-8 with a byte-order mark so that
// Excel reads the Chinese.
func serveRows[V any](s *Server, c *gin.Context, asCSV bool, page store.Page, read pageReader[V], name string, cols []column[V]) {
	ctx := c.Request.Context()
	if !asCSV {
		body, err := read(ctx, page)
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		c.JSON(http.StatusOK, body)
		return
	}
	rows, err := exportRows(ctx, page, read)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	writeCSV(c, fmt.Sprintf("%s-%s.csv", name, s.now().Format("20060102")), cols, rows)
}

// exportRows reads every row of a list from its first page, in its order.
func exportRows[V any](ctx context.Context, page store.Page, read pageReader[V]) ([]V, error) {
	page.Number, page.After, page.Size = 1, "", store.MaxPageSize
	var rows []V
	for len(rows) < maxExport {
		body, err := read(ctx, page)
		if err != nil {
			return nil, err
		}
		rows = append(rows, body.Items...)
		if body.NextCursor == "" {
			break
		}
		page.After = body.NextCursor
	}
	return rows[:min(len(rows), maxExport)], nil
}

// writeCSV answers with rows under cols as a CSV attachment.
func writeCSV[V any](c *gin.Context, filename string, cols []column[V], rows []V) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename))
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write([]byte("\uFEFF"))
	w := csv.NewWriter(c.Writer)
	line := make([]string, len(cols))
	for i, col := range cols {
		line[i] = col.head
	}
	_ = w.Write(line)
	for _, r := range rows {
		for i, col := range cols {
			line[i] = col.cell(r)
		}
		_ = w.Write(line)
	}
	w.Flush()
}

// cellTime shows an instant in a CSV cell, in exportZone.
func cellTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(exportZone).Format("2006-01-02 15:04")
}

// exportZone is the time zone of the times in an export: the estates'
// default (Asia/Shanghai, which has no daylight saving).
var exportZone = time.FixedZone("CST", 8*60*60)
