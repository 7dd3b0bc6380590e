package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// upload posts file as the multipart field file and decodes the answer.
func (c *apiClient) upload(path, name string, file []byte, out any) int {
	c.t.Helper()
	return c.uploadForm(path, nil, name, file, out)
}

// uploadForm posts fields and file (the multipart field file) and decodes
// the answer.
func (c *apiClient) uploadForm(path string, fields map[string]string, name string, file []byte, out any) int {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	var err error
	for k, v := range fields {
		if err == nil {
			err = w.WriteField(k, v)
		}
	}
	var part io.Writer
	if err == nil {
		part, err = w.CreateFormFile("file", name)
	}
	if err == nil {
		_, err = part.Write(file)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("upload: decode %q: %v", raw, err)
		}
	}
	return resp.StatusCode
}

type importProgress struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"rows_total"`
	Done   int    `json:"rows_done"`
	Failed int    `json:"rows_failed"`
}

// startImport applies file as kind into estate and returns the import.
func startImport(t *testing.T, c *apiClient, kind string, estateID uint64, file string) importProgress {
	t.Helper()
	var rep struct {
		Import *importProgress `json:"import"`
	}
	if got := c.upload(fmt.Sprintf("/api/v1/imports?kind=%s&estate_id=%d&dry_run=false", kind, estateID), kind+".csv", []byte(file), &rep); got != http.StatusAccepted || rep.Import == nil {
		t.Fatalf("apply %s: got %d %+v, want 202 with the import", kind, got, rep)
	}
	return *rep.Import
}

// waitImport polls an import until until says stop (or a deadline).
func waitImport(t *testing.T, c *apiClient, id uint64, limit time.Duration, until func(importProgress) bool) importProgress {
	t.Helper()
	var p importProgress
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", id), nil, &p, http.StatusOK)
		if until(p) {
			return p
		}
	}
	t.Fatalf("import %d: still %+v after %s", id, p, limit)
	return p
}

func unitsFile(n int) string {
	var b strings.Builder
	b.WriteString("楼栋,房号,楼层,建筑面积(㎡),物业类型,房屋状态\n")
	for i := range n {
		fmt.Fprintf(&b, "%d栋,%d,%d,%d.%02d,住宅,入住\n", i/500+1, i%500+101, i%30+1, 60+i%90, i%100)
	}
	return b.String()
}

// TestImportSurvivesRestart applies a large units file, stops the whole
// service while the import process is between batches, starts it again on
// the same data: the import finishes with exactly the file's units, and
// importing the file again updates them instead of adding any.
func TestImportSurvivesRestart(t *testing.T) {
	const n = 6000
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	a := startApp(t, cfg)
	admin := signIn(t, a, "admin", e2ePassword)
	var estate idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "IMP", "name": "导入小区"}, &estate, http.StatusCreated)
	file := unitsFile(n)

	imp := startImport(t, admin, "units", estate.ID, file)
	mid := waitImport(t, admin, imp.ID, time.Minute, func(p importProgress) bool { return p.Done > 0 })
	a.Stop(context.Background())
	if mid.Done >= n {
		t.Logf("the import finished before the stop (%d rows): the restart proves less", mid.Done)
	}

	b := startApp(t, cfg)
	admin.base = "http://" + b.Addr()
	done := waitImport(t, admin, imp.ID, 3*time.Minute, func(p importProgress) bool { return p.Status != "running" })
	if done.Status != "done" || done.Done != n || done.Failed != 0 || done.Total != n {
		t.Fatalf("after restart: got %+v, want done with all %d rows", done, n)
	}
	countUnits := func() int64 {
		got, err := b.Store.Units(context.Background(), store.AllEstates(), store.UnitFilter{EstateID: estate.ID}, store.Page{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		return got.Total
	}
	if got := countUnits(); got != n {
		t.Errorf("units after the restarted import: got %d, want exactly %d", got, n)
	}

	again := startImport(t, admin, "units", estate.ID, strings.Replace(file, "1栋,101,1,60.00,住宅,入住", "1栋,101,9,60.00,商铺,空置", 1))
	waitImport(t, admin, again.ID, 3*time.Minute, func(p importProgress) bool { return p.Status == "done" })
	if got := countUnits(); got != n {
		t.Errorf("units after importing the file again: got %d, want still %d", got, n)
	}
	var units struct {
		Items []struct {
			Number       string `json:"number"`
			Floor        int    `json:"floor"`
			PropertyType string `json:"property_type"`
		} `json:"items"`
	}
	admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/units?estate_id=%d&page_size=1", estate.ID), nil, &units, http.StatusOK)
	if len(units.Items) != 1 || units.Items[0].Floor != 9 || units.Items[0].PropertyType != "shop" {
		t.Errorf("1栋 101 after the corrected file: got %+v, want floor 9, shop", units.Items)
	}
}

// TestImportOpeningBalancesStartCollection imports units, their residents,
// then the arrears carried from the previous system: each bill is due on
// its original date and the household's collection process starts on it.
// Imported staff accounts cannot sign in until a manager resets their
// password.
func TestImportOpeningBalancesStartCollection(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, _ := estateWithStaff(t, a, "OB", secondScaleDunning)
	desk, fin, mgr := as[models.RoleCustomerService], as[models.RoleFinance], as[models.RoleEstateManager]
	wait := func(c *apiClient, kind, file string) {
		t.Helper()
		imp := startImport(t, c, kind, estateID, file)
		got := waitImport(t, c, imp.ID, time.Minute, func(p importProgress) bool { return p.Status != "running" })
		if got.Status != "done" || got.Failed != 0 {
			t.Fatalf("%s import: got %+v, want done without failures", kind, got)
		}
	}
	wait(desk, "units", "楼栋,房号,楼层,建筑面积(㎡),物业类型,房屋状态\n1栋,101,1,89.35,住宅,入住\n1栋,102,1,90,住宅,空置\n")
	wait(desk, "households", "楼栋,房号,入住日期,姓名,手机,身份\n1栋,101,2020-05-01,张三,13812345678,业主\n1栋,101,,李四,13912345678,租户\n")
	wait(fin, "opening_balances", "楼栋,房号,账期,金额(元),原到期日\n1栋,101,2025-01,300,2025-02-10\n1栋,101,2025-02,300.5,2025-03-10\n")

	var hs struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households?estate_id=%d", estateID), nil, &hs, http.StatusOK)
	if len(hs.Items) != 1 {
		t.Fatalf("households: got %d, want the one of 1栋 101", len(hs.Items))
	}
	var bills struct {
		Items []struct {
			Period        string    `json:"period"`
			AmountFen     int64     `json:"amount_fen"`
			OriginalDueOn time.Time `json:"original_due_on"`
		} `json:"items"`
	}
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d", hs.Items[0].ID), nil, &bills, http.StatusOK)
	if len(bills.Items) != 2 || bills.Items[1].Period != "2025-01" || bills.Items[1].AmountFen != 30000 ||
		bills.Items[1].OriginalDueOn.Format("2006-01-02") != "2025-02-10" || bills.Items[0].AmountFen != 30050 {
		t.Errorf("bills: got %+v, want 2025-01 of 300.00 originally due 2025-02-10 and 2025-02 of 300.50", bills.Items)
	}
	var d arrearsDetail
	waitFor(t, 45*time.Second, "the collection case of the imported arrears", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hs.Items[0].ID), nil, &d, http.StatusOK)
		return d.Case != nil
	})
	if d.Account.Total < 60050 {
		t.Errorf("arrears: got %d, want at least the 600.50 imported (late fees on top)", d.Account.Total)
	}

	e := fmt.Sprintf(",%s\n", "测试小区 OB")
	wait(mgr, "staff", "姓名,用户名,手机,角色,所属小区\n新客服,ob-new-cs,13712345678,客服"+e)
	c := &apiClient{t: t, base: "http://" + a.Addr()}
	if got := c.call(http.MethodPost, "/api/v1/sessions", map[string]string{"username": "ob-new-cs", "password": "anything-at-all"}, nil); got != http.StatusUnauthorized {
		t.Errorf("imported account before a reset: got %d, want 401", got)
	}
	var staff struct {
		Items []struct {
			ID                 uint64 `json:"id"`
			Username           string `json:"username"`
			MustChangePassword bool   `json:"must_change_password"`
		} `json:"items"`
	}
	mgr.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/staff?estate_id=%d&role=customer_service&page_size=50", estateID), nil, &staff, http.StatusOK)
	var id uint64
	for _, s := range staff.Items {
		if s.Username == "ob-new-cs" && s.MustChangePassword {
			id = s.ID
		}
	}
	if id == 0 {
		t.Fatalf("staff: got %+v, want ob-new-cs who must change the password", staff.Items)
	}
	mgr.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/staff/%d", id), map[string]any{"password": "one-time-pass-1"}, nil, http.StatusOK)
	firstSignIn(t, a, "ob-new-cs", "one-time-pass-1", "my-own-password-1")
}
