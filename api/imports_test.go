package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestImportDryRunAndBadInput(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	finance := h.tokens[models.RoleFinance]
	desk := h.tokens[models.RoleCustomerService]
	a := h.a.estate.ID
	path := func(kind string, dry bool) string {
		return fmt.Sprintf("/api/v1/imports?kind=%s&estate_id=%d&dry_run=%t", kind, a, dry)
	}
	const households = "楼栋,房号,入住日期,姓名,手机,身份\n"
	file := households +
		"1栋,101,2024-05-01,张三,13812345678,业主\n" +
		"1栋,101,2024-05-01,张三,12345,业主\n" +
		"9栋,901,,李四,13912345678,租户\n" +
		"1栋,101,,张三二,13812345678,业主\n"

	var rep importReport
	r := h.upload(path("households", true), desk, nil, "住户.csv", []byte(file))
	h.wantStatus(r, http.StatusOK)
	h.must(json.Unmarshal(r.body, &rep))
	want := []models.RowError{
		{Row: 3, Column: "手机", Reason: `手机号 "12345" 无效：应为 13812345678 或 0755-12345678 这样的号码`},
		{Row: 4, Column: "房号", Reason: "房屋 9栋 901 不存在（请先导入房屋）"},
		{Row: 5, Column: "", Reason: fmt.Sprintf("与第 2 行重复（%d 13812345678）", h.a.unit.ID)},
	}
	if rep.RowsTotal != 4 || rep.RowsValid != 1 || fmt.Sprint(rep.Errors) != fmt.Sprint(want) {
		t.Errorf("dry run: got %d/%d %+v, want 1 of 4 valid and %+v", rep.RowsValid, rep.RowsTotal, rep.Errors, want)
	}

	// Apply refuses the whole file while a row is bad: nothing is applied.
	r = h.upload(path("households", false), desk, nil, "住户.csv", []byte(file))
	h.wantError(r, http.StatusBadRequest, codeInvalidInput, "file")
	if !strings.Contains(string(r.body), "未导入任何行") || !strings.Contains(string(r.body), `"row":4`) {
		t.Errorf("refused apply: got %s, want the report and 未导入任何行", r.body)
	}
	rs, err := h.store.Residents(t.Context(), store.AllEstates(), store.ResidentFilter{EstateID: a}, store.Page{Size: 50})
	h.must(err)
	if rs.Total != 1 {
		t.Errorf("residents after a refused apply: got %d, want the fixture's 1", rs.Total)
	}

	gbk, err := simplifiedchinese.GBK.NewEncoder().String(households + "1栋,101,2024-05-01,张三,13812345678,业主\n")
	h.must(err)
	r = h.upload(path("households", true), desk, nil, "gbk.csv", []byte(gbk))
	h.wantStatus(r, http.StatusOK)
	if !strings.Contains(string(r.body), `"rows_valid":1`) {
		t.Errorf("GBK csv: got %s, want its row valid", r.body)
	}

	tests := []struct {
		name, kind, token string
		file              []byte
		status            int
		field, message    string
	}{
		{"not a spreadsheet", "households", desk, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00"), http.StatusBadRequest, "file", "不是 xlsx 或 csv"},
		{"named xlsx but text", "households", desk, []byte("hello"), http.StatusBadRequest, "file", "缺少列"},
		{"wrong header", "units", desk, []byte(households + "1栋,101,,张三,13812345678,业主\n"), http.StatusBadRequest, "file", "缺少列 楼层、建筑面积(㎡)、物业类型、房屋状态"},
		{"bad encoding", "households", desk, []byte("楼栋\n\xff\xfe\xfd\n"), http.StatusBadRequest, "file", "无法识别文件编码"},
		{"too large", "households", desk, bytes.Repeat([]byte("a"), 20<<20+10), http.StatusRequestEntityTooLarge, "file", "超过 20 MB"},
		{"unknown kind", "meters", desk, []byte(households), http.StatusBadRequest, "kind", "导入类型"},
		{"balances need finance", "opening_balances", desk, []byte(households), http.StatusForbidden, "", ""},
		{"staff need a manager", "staff", finance, []byte(households), http.StatusForbidden, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			r := h.upload(path(tt.kind, true), tt.token, nil, "x.xlsx", tt.file)
			if tt.status == http.StatusForbidden {
				h.wantStatus(r, tt.status)
				return
			}
			h.wantError(r, tt.status, codeInvalidInput, tt.field)
			if !strings.Contains(string(r.body), tt.message) {
				t.Errorf("got %s, want %q", r.body, tt.message)
			}
		})
	}
	h.t = t

	r = h.upload(fmt.Sprintf("/api/v1/imports?kind=units&estate_id=%d&dry_run=true", h.b.estate.ID), desk, nil, "x.csv", []byte("楼栋"))
	h.wantError(r, http.StatusBadRequest, codeInvalidInput, "estate_id")
}

func TestImportTemplatesAndProgress(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	desk := h.tokens[models.RoleCustomerService]
	r := h.do(http.MethodGet, "/api/v1/imports/templates/units?format=csv", desk, nil, nil)
	h.wantStatus(r, http.StatusOK)
	if !strings.HasPrefix(string(r.body), "\uFEFF楼栋,房号,楼层,建筑面积(㎡),物业类型,房屋状态\n1栋,101,") {
		t.Errorf("csv template: got %q", r.body)
	}
	r = h.do(http.MethodGet, "/api/v1/imports/templates/households", desk, nil, nil)
	h.wantStatus(r, http.StatusOK)
	if !bytes.HasPrefix(r.body, []byte("PK")) || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("xlsx template: got %q… %v, want an xlsx attachment", r.body[:min(4, len(r.body))], r.header)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/imports/templates/units?format=pdf", desk, nil, nil), http.StatusBadRequest, codeInvalidInput, "format")

	var v importView
	path := fmt.Sprintf("/api/v1/imports/%d", h.a.imp.ID)
	h.wantStatus(h.do(http.MethodGet, path, desk, nil, &v), http.StatusOK)
	if v.Status != models.ImportRunning || v.Total != 1 || v.Errors == nil {
		t.Errorf("import: got %+v, want running with 1 row", v)
	}
	h.wantStatus(h.do(http.MethodPost, path+"/cancel", desk, nil, &v), http.StatusOK)
	if !v.CancelRequested {
		t.Errorf("cancel: got %+v, want cancel_requested", v)
	}
	h.must(h.store.FinishImport(t.Context(), h.a.imp.ID, models.ImportCancelled, h.a.imp.CreatedAt))
	r = h.do(http.MethodPost, path+"/cancel", desk, nil, nil)
	h.wantError(r, http.StatusConflict, codeInvalidState, "")
	if !strings.Contains(string(r.body), `"state":"cancelled"`) {
		t.Errorf("cancel an ended import: got %s, want its state", r.body)
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", h.b.imp.ID), desk, nil, nil), http.StatusNotFound)
}

// A dry run of fee standards and of meter readings lists each bad row with
// its column and Chinese reason; both kinds are finance's and managers'.
func TestImportFeeKindsDryRun(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	finance := h.tokens[models.RoleFinance]
	desk := h.tokens[models.RoleCustomerService]
	path := func(kind string, dry bool) string {
		return fmt.Sprintf("/api/v1/imports?kind=%s&estate_id=%d&dry_run=%t", kind, h.a.estate.ID, dry)
	}
	tests := []struct {
		kind, file string
		want       []models.RowError
	}{
		{"fee_standards", "收费项目,计费方式,单价(元),适用物业类型,空置折扣(%),生效账期,截止账期,表类\n" +
			"物业服务费,按面积,2.35,住宅,,2026-01,,\n" +
			"垃圾清运费,按户,-15,别墅,,2026-13,,\n" +
			"公摊电费,按读数,0.8,住宅,,2026-05,2026-04,电\n" +
			"物业服务费,按面积,2.35,住宅,,2026-01,,\n" +
			"物业服务费,按面积,2.50,住宅,,2026-01,,\n", []models.RowError{
			{Row: 3, Column: "单价(元)", Reason: "单价不能为负"},
			{Row: 3, Column: "适用物业类型", Reason: `物业类型 "别墅" 无效：应为 住宅、商铺、办公、车位 或 储藏室`},
			{Row: 3, Column: "生效账期", Reason: `生效账期 "2026-13" 无效：应为 2026-01 这样的年月`},
			{Row: 4, Column: "截止账期", Reason: "截止账期 2026-04 早于生效账期 2026-05"},
			{Row: 5, Column: "", Reason: "与第 2 行重复（物业服务费）"},
			{Row: 6, Column: "生效账期", Reason: "现行标准自 2026-01 起单价 2.3500 元：新价格的生效账期应晚于 2026-01"},
		}},
		{"meter_readings", "楼栋,房号,表类,账期,读数,抄表日期\n" +
			"1栋,101,水,2026-11,12.5,\n" +
			"1栋,101,电,2026-11,-3,\n" +
			"9栋,901,水,2026-11,1,\n" +
			"1栋,101,水表,2026-11,12.5,2026-11-30\n" +
			"1栋,101,水,2026-10,7,\n", []models.RowError{
			{Row: 3, Column: "读数", Reason: "读数不能为负"},
			{Row: 4, Column: "房号", Reason: "房屋 9栋 901 不存在（请先导入房屋）"},
			{Row: 5, Column: "", Reason: "与第 2 行重复（1栋 101 水 2026-11）"},
			{Row: 6, Column: "读数", Reason: "该房屋 2026-10 账期的水表已有读数 6.000，与本行的 7.000 不同（如需更正请在抄表页处理）"},
		}},
	}
	res, err := h.store.RecordReadings(t.Context(), store.AllEstates(), []models.MeterReading{{UnitID: h.a.unit.ID, Kind: models.MeterWater, Period: "2026-10", Value: 6_000}})
	h.must(err)
	if res[0].Outcome != store.ReadingCreated {
		t.Fatalf("fixture reading: got %+v", res[0])
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			h.t = t
			var rep importReport
			r := h.upload(path(tt.kind, true), finance, nil, "x.csv", []byte(tt.file))
			h.wantStatus(r, http.StatusOK)
			h.must(json.Unmarshal(r.body, &rep))
			total := strings.Count(tt.file, "\n") - 1
			if rep.RowsTotal != total || rep.RowsValid != 1 || fmt.Sprint(rep.Errors) != fmt.Sprint(tt.want) {
				t.Errorf("dry run: got %d/%d %+v, want 1 of %d valid and %+v", rep.RowsValid, rep.RowsTotal, rep.Errors, total, tt.want)
			}
			r = h.upload(path(tt.kind, false), finance, nil, "x.csv", []byte(tt.file))
			h.wantError(r, http.StatusBadRequest, codeInvalidInput, "file")
			h.wantStatus(h.upload(path(tt.kind, true), desk, nil, "x.csv", []byte(tt.file)), http.StatusForbidden)
			r = h.do(http.MethodGet, "/api/v1/imports/templates/"+tt.kind+"?format=csv", finance, nil, nil)
			h.wantStatus(r, http.StatusOK)
			if header, _, _ := strings.Cut(tt.file, "\n"); !strings.HasPrefix(string(r.body), "\uFEFF"+header+"\n") {
				t.Errorf("csv template: got %q, want the header %s", r.body, header)
			}
		})
	}
	h.t = t
	stds, err := h.store.EstateFeeStandards(t.Context(), h.a.estate.ID)
	h.must(err)
	if len(stds) != 1 || len(stds[0].Versions) != 1 {
		t.Errorf("standards after dry runs and refused applies: got %+v, want the fixture's one", stds)
	}
}
