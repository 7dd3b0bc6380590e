package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// readExport reads an export's rows, CSV or xlsx, checking its headers.
func readExport(t *testing.T, res response, format string) [][]string {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("%s: got %d %s, want 200", res.req, res.status, res.body)
	}
	cd := res.header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%E") || !strings.Contains(cd, "."+format) {
		t.Errorf("%s: Content-Disposition %q, want an attachment with a Chinese filename* ending .%s", res.req, cd, format)
	}
	if format == formatCSV {
		if !bytes.HasPrefix(res.body, []byte("\xEF\xBB\xBF")) {
			t.Fatalf("%s: got %q…, want a UTF-8 byte-order mark first", res.req, res.body[:min(10, len(res.body))])
		}
		r := csv.NewReader(bytes.NewReader(res.body[3:]))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", res.req, err)
		}
		return rows
	}
	if ct := res.header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("%s: Content-Type %q, want an xlsx workbook", res.req, ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatalf("%s: open xlsx: %v", res.req, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatalf("%s: read xlsx: %v", res.req, err)
	}
	return rows
}

// Every list exports as CSV and as xlsx, under Chinese headers, in its own
// filters, estate A's records only.
func TestListExports(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	ctx := context.Background()
	pay := models.FeePayment{HouseholdID: h.a.household.ID, AmountFen: 5000, PaidAt: time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC),
		Channel: models.PayWeChat, Reference: "WX-1", RecordedBy: h.a.staff.ID}
	_, _, err := h.store.RecordPayment(ctx, store.AllEstates(), &pay, exportZone)
	h.must(err)
	tok := h.tokens[models.RoleEstateManager]
	a := fmt.Sprint
	tests := []struct {
		path  string
		head  []string // the first headers
		first []string // the first cells of the first row
		none  string   // a filter that keeps no row
		only  string   // a filter that keeps estate A's record of the fixture, where the estate has others
	}{
		{"/api/v1/households", []string{"住户编号", "楼栋", "房号", "状态"}, []string{a(h.a.household.ID), "1栋", "101", "在住"}, "status=moved_out", fmt.Sprintf("unit_id=%d", h.a.household.UnitID)},
		{"/api/v1/residents", []string{"编号", "住户", "姓名", "电话", "身份"}, []string{a(h.a.resident.ID), "1栋 101", "业主A", "138****5678", "业主"}, "q=" + url.QueryEscape("无此人"), ""},
		{"/api/v1/bills", []string{"账单号", "住户", "账期", "金额（元）"}, []string{a(h.a.bill.ID), "1栋 101", "2030-01", "120.00"}, "period=2029-12", ""},
		{"/api/v1/payments", []string{"收款编号", "住户", "金额（元）", "收款时间", "渠道", "凭证号"}, []string{a(pay.ID), "1栋 101", "50.00", "2026-03-05 10:00", "微信", "WX-1"}, fmt.Sprintf("household_id=%d", h.b.household.ID), fmt.Sprintf("household_id=%d", h.a.household.ID)},
		{"/api/v1/arrears", []string{"案件号", "住户", "阶段"}, []string{"", "1栋 101"}, "stage=legal", ""},
		{"/api/v1/tickets", []string{"工单号", "类型", "紧急程度"}, []string{a(h.a.ticket.ID), "报修", "一般"}, "urgency=critical", ""},
		{"/api/v1/follow-ups", []string{"编号", "住户", "状态"}, []string{a(h.a.followUp.ID), "1栋 101"}, "status=cancelled", ""},
	}
	for _, tt := range tests {
		for _, format := range []string{formatCSV, formatXLSX} {
			rows := readExport(t, h.do(http.MethodGet, tt.path+"?format="+format+"&"+tt.only, tok, nil, nil), format)
			if len(rows) != 2 {
				t.Errorf("%s %s: got %d rows %v, want the header and estate A's one record", tt.path, format, len(rows), rows)
				continue
			}
			if !slices.Equal(rows[0][:len(tt.head)], tt.head) {
				t.Errorf("%s %s: got headers %v, want %v first", tt.path, format, rows[0], tt.head)
			}
			for i, want := range tt.first {
				if want != "" && (i >= len(rows[1]) || rows[1][i] != want) {
					t.Errorf("%s %s: got row %v, want %q in column %d", tt.path, format, rows[1], want, i)
				}
			}
			rows = readExport(t, h.do(http.MethodGet, tt.path+"?format="+format+"&"+tt.none, tok, nil, nil), format)
			if len(rows) != 1 {
				t.Errorf("%s?%s %s: got %d rows, want the header alone", tt.path, tt.none, format, len(rows))
			}
		}
	}
	// The workbook's sheet is named after the list.
	res := h.do(http.MethodGet, "/api/v1/bills?format=xlsx", tok, nil, nil)
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	h.must(err)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"账单"}) {
		t.Errorf("bills workbook: got sheets %v, want [账单]", got)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/bills?format=pdf", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "format")
	h.wantError(h.do(http.MethodGet, "/api/v1/payments?format=xlsx&sort=reference", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "sort")
}

// The residents' export masks phones as the list does, for a role that
// may not reveal them and for one that may.
func TestResidentExportMasksPhones(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	for _, role := range []models.Role{models.RoleTechnician, models.RoleFinance} {
		for _, format := range []string{formatCSV, formatXLSX} {
			res := h.do(http.MethodGet, "/api/v1/residents?format="+format, h.tokens[role], nil, nil)
			rows := readExport(t, res, format)
			if len(rows) != 2 || rows[1][3] != "138****5678" {
				t.Errorf("%s %s: got %v, want the phone masked 138****5678", role, format, rows)
			}
			if format == formatCSV && strings.Contains(string(res.body), "13812345678") {
				t.Errorf("%s csv: the whole phone number is in the file", role)
			}
		}
	}
}

// An export walks every batch in the list's order, with no cap: more rows
// than a batch, sorted as asked.
func TestExportWalksEveryBatch(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	n := exportBatch + 7
	ids := seedTickets(h, n)
	rows := readExport(t, h.do(http.MethodGet, "/api/v1/tickets?format=csv&sort=-id", h.tokens[models.RoleCustomerService], nil, nil), formatCSV)
	if len(rows) != 1+n+1 {
		t.Fatalf("csv: got %d rows, want the header and %d tickets", len(rows), n+1)
	}
	if rows[1][0] != fmt.Sprint(ids[n-1]) || rows[n+1][0] != fmt.Sprint(h.a.ticket.ID) {
		t.Errorf("csv: got first %s and last %s, want newest %d first and the fixture %d last", rows[1][0], rows[n+1][0], ids[n-1], h.a.ticket.ID)
	}
	rows = readExport(t, h.do(http.MethodGet, "/api/v1/tickets?format=xlsx&assignee_id="+fmt.Sprint(h.a.staff.ID), h.tokens[models.RoleCustomerService], nil, nil), formatXLSX)
	if want := 1 + (n+1)/2; len(rows) != want {
		t.Errorf("xlsx assignee_id: got %d rows, want %d (the header and the assigned half)", len(rows), want)
	}
}

// A read that fails after the answer began ends the file with a row
// saying so, in either format; one that fails at once answers with the
// error.
func TestExportInterrupted(t *testing.T) {
	gin.SetMode(gin.TestMode)
	s := New(Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cols := []column[int]{{"数", func(v int) string { return fmt.Sprint(v) }}}
	read := func(failAt int) pageReader[int] {
		return func(_ context.Context, p store.Page) (listBody[int], error) {
			if p.After == fmt.Sprint(failAt) {
				return listBody[int]{}, errors.New("database gone")
			}
			next := 1
			if p.After != "" {
				fmt.Sscan(p.After, &next)
				next++
			}
			return listBody[int]{Items: []int{next}, NextCursor: fmt.Sprint(next)}, nil
		}
	}
	for _, format := range []string{formatCSV, formatXLSX} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		exportRows(s, c, format, store.Page{}, read(2), "数", cols)
		res := response{req: format, status: w.Code, header: w.Header(), body: w.Body.Bytes()}
		rows := readExport(t, res, format)
		if len(rows) != 4 || rows[1][0] != "1" || rows[2][0] != "2" || !strings.HasPrefix(rows[3][0], exportInterrupted) {
			t.Errorf("%s: got %v, want 数, 1, 2 and a last row beginning %s", format, rows, exportInterrupted)
		}

		w = httptest.NewRecorder()
		c, _ = gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		exportRows(s, c, format, store.Page{}, func(context.Context, store.Page) (listBody[int], error) {
			return listBody[int]{}, models.Invalid("sort", "不能排序")
		}, "数", cols)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: a first read failing: got %d, want 400", format, w.Code)
		}
	}
}

func TestAttachmentName(t *testing.T) {
	got := attachment("工单-20261206.csv", "export-20261206.csv")
	want := `attachment; filename="export-20261206.csv"; filename*=UTF-8''%E5%B7%A5%E5%8D%95-20261206.csv`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := rfc5987("a b/c:d@e"); got != "a%20b%2Fc%3Ad%40e" {
		t.Errorf("rfc5987: got %s, want every non-attr-char escaped", got)
	}
}

func TestCollectionRate(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	ctx := context.Background()
	all := store.AllEstates()
	now := time.Now().In(exportZone)
	this := models.Month{Year: now.Year(), Month: now.Month()}
	_, err := h.store.IssueBill(ctx, all, h.a.household.ID, this, 10000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	// Half of it is paid (the 2030 fixture bill is disputed and takes nothing).
	pay := models.FeePayment{HouseholdID: h.a.household.ID, AmountFen: 5000, PaidAt: time.Now().Add(-time.Minute),
		Channel: models.PayCash, Reference: "rate-1", RecordedBy: h.a.staff.ID}
	_, _, err = h.store.RecordPayment(ctx, all, &pay, exportZone)
	h.must(err)

	var got collectionRateBody
	h.wantStatus(h.do(http.MethodGet, "/api/v1/collection-rate", h.tokens[models.RoleFinance], nil, &got), http.StatusOK)
	if got.EstateID != h.a.estate.ID || got.Month.From != this.String() || got.Month.BilledFen != 10000 || got.Month.CollectedFen != 5000 ||
		got.Month.RateBP == nil || *got.Month.RateBP != 5000 {
		t.Errorf("this month: got %+v, want estate A's %s: 100.00 billed, 50.00 collected, 5000 bp", got, this)
	}
	if from, _ := models.YearOf(this); got.Year.From != from.String() || got.Year.To != this.String() || got.Year.BilledFen != 10000 {
		t.Errorf("this year: got %+v, want %s–%s, 100.00 billed", got.Year, from, this)
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/collection-rate?period=2025-01&estate_id="+fmt.Sprint(h.a.estate.ID), h.tokens[models.RoleCompanyAdmin], nil, &got), http.StatusOK)
	if got.Month.Bills != 0 || got.Month.RateBP != nil {
		t.Errorf("2025-01: got %+v, want no bills and no rate", got.Month)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/collection-rate?period=2099-01", h.tokens[models.RoleFinance], nil, nil), http.StatusBadRequest, codeInvalidInput, "period")
	h.wantError(h.do(http.MethodGet, "/api/v1/collection-rate?period=2026-13", h.tokens[models.RoleFinance], nil, nil), http.StatusBadRequest, codeInvalidInput, "period")
	h.wantError(h.do(http.MethodGet, "/api/v1/collection-rate?estate_id="+fmt.Sprint(h.b.estate.ID), h.tokens[models.RoleFinance], nil, nil), http.StatusBadRequest, codeInvalidInput, "estate_id")
	h.wantStatus(h.do(http.MethodGet, "/api/v1/collection-rate", h.tokens[models.RoleTechnician], nil, nil), http.StatusForbidden)
}

// The workbook the export writes is one Excel reads: the sheet named after
// the list (forbidden characters replaced), the header bold on its fill,
// text with XML's special characters kept and a control character replaced,
// never breaking the file.
func TestXLSXSheetReadsBack(t *testing.T) {
	var buf bytes.Buffer
	s, err := newXLSXSheet(&buf, "账单/2026*12")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]string{{"账单号", "备注"}, {"1", `<a & "b">`}, {"2", "换行\n与\x01控制符"}} {
		if err := s.write(row); err != nil {
			t.Fatal(err)
		}
		if err := s.flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.end(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	if got := f.GetSheetList(); !slices.Equal(got, []string{"账单_2026_12"}) {
		t.Errorf("sheets: got %v, want [账单_2026_12]", got)
	}
	rows, err := f.GetRows("账单_2026_12")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"账单号", "备注"}, {"1", `<a & "b">`}, {"2", "换行\n与\uFFFD控制符"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows: got %q, want %q", rows, want)
	}
	id, err := f.GetCellStyle("账单_2026_12", "A1")
	h := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	h(err)
	st, err := f.GetStyle(id)
	h(err)
	// (excelize reads a fill's colour only through a theme part, which
	// the workbook has no need of; the pattern says the fill is there.)
	if st.Font == nil || !st.Font.Bold || st.Fill.Type != "pattern" || st.Fill.Pattern != 1 {
		t.Errorf("header style: got font %+v, fill %+v, want bold on a solid fill", st.Font, st.Fill)
	}
	if id, _ := f.GetCellStyle("账单_2026_12", "A2"); id != 0 {
		t.Errorf("a data cell's style: got %d, want the default 0", id)
	}
}
