package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestReceiptPrintVoidAndReissue(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	fin, mgr, tech := h.tokens[models.RoleFinance], h.tokens[models.RoleEstateManager], h.tokens[models.RoleTechnician]
	ctx := t.Context()
	all := store.AllEstates()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	_, err := h.store.IssueBill(ctx, all, h.a.payer.ID, models.Month{Year: 2030, Month: 1}, 20000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	// 30000 already paid (the fixture) settles the bill with 10000 over; this one is all credit.
	p := models.FeePayment{HouseholdID: h.a.payer.ID, AmountFen: 123456, PaidAt: time.Now(), Channel: models.PayCash, Reference: "cash-77", RecordedBy: h.a.staff.ID}
	pay, _, err := h.store.RecordPayment(ctx, all, &p, shanghai)
	h.must(err)

	var l listBody[models.Receipt]
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/receipts?payment_id=%d", pay.ID), tech, nil, &l), http.StatusOK)
	if l.Total != 1 || l.Items[0].Seq != h.a.receipt.Seq+1 {
		t.Fatalf("receipts of the payment: got %+v, want one, numbered after the fixture's", l)
	}
	id := l.Items[0].ID
	var v receiptView
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/receipts/%d", h.a.receipt.ID), tech, nil, &v), http.StatusOK)
	if v.Number != h.a.receipt.Number || !strings.HasPrefix(v.Number, "A-") || v.AmountInWords != "叁佰元整" || v.EstateName != "小区A" ||
		v.Address != "1栋 102" || v.Channel != models.PayWeChat || v.Cashier != "tech-A" || v.Reference != "fixture-A" {
		t.Errorf("fixture receipt: got %+v, want A's number, 叁佰元整, 小区A, 1栋 102, wechat, cashier tech-A", v)
	}
	jan := models.Month{Year: 2030, Month: 1}
	if len(v.Items) != 2 || v.Items[0].Period != jan || v.Items[0].Principal != 20000 || v.Items[1].Credit != 10000 {
		t.Errorf("fixture receipt's items: got %+v, want 2030-01's 20000 and 10000 credit", v.Items)
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/receipts/%d", id), tech, nil, &v), http.StatusOK)
	if v.AmountInWords != "壹仟贰佰叁拾肆元伍角陆分" || len(v.Items) != 1 || v.Items[0].Credit != 123456 || v.Voided() {
		t.Errorf("receipt: got %+v, want 壹仟贰佰叁拾肆元伍角陆分, all credit, valid", v)
	}
	h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/receipts/%d", h.b.receipt.ID), fin, nil, nil), http.StatusNotFound, codeNotFound, "")
	h.wantStatus(h.do(http.MethodGet, "/api/v1/receipts?number="+v.Number, fin, nil, &l), http.StatusOK)
	if l.Total != 1 || l.Items[0].ID != id {
		t.Errorf("by number: got %+v, want receipt %d", l, id)
	}

	void := fmt.Sprintf("/api/v1/receipts/%d/void", id)
	h.wantError(h.do(http.MethodPost, void, fin, map[string]any{}, nil), http.StatusBadRequest, codeInvalidInput, "reason")
	h.wantError(h.do(http.MethodPost, void, tech, map[string]any{"reason": "x"}, nil), http.StatusForbidden, codeForbidden, "")
	h.wantStatus(h.do(http.MethodPost, void, mgr, map[string]any{"reason": "打印错误，重开"}, &v), http.StatusOK)
	if !v.Voided() || v.VoidReason != "打印错误，重开" || v.VoidedName != "a-estate_manager" || v.Number != l.Items[0].Number {
		t.Errorf("voided: got %+v, want voided by the manager, number kept", v)
	}
	res := h.do(http.MethodPost, void, fin, map[string]any{"reason": "再次"}, nil)
	h.wantError(res, http.StatusConflict, codeInvalidState, "")
	if !strings.Contains(string(res.body), `"state":"voided"`) {
		t.Errorf("void twice: got %s, want state voided", res.body)
	}
	if _, err := h.store.Payment(ctx, all, pay.ID); err != nil {
		t.Errorf("payment after the void: got %v, want it kept", err)
	}

	reissue := fmt.Sprintf("/api/v1/receipts/%d/reissue", id)
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/receipts/%d/reissue", h.a.receipt.ID), fin, nil, nil), http.StatusConflict, codeInvalidState, "")
	var n receiptView
	h.wantStatus(h.do(http.MethodPost, reissue, fin, nil, &n), http.StatusCreated)
	if n.Seq != v.Seq+1 || n.ReplacesID == nil || *n.ReplacesID != id || n.PaymentID != pay.ID || n.Voided() {
		t.Errorf("reissue: got %+v, want the next number replacing %d", n, id)
	}
	h.wantError(h.do(http.MethodPost, reissue, fin, nil, nil), http.StatusConflict, codeInvalidState, "")
}

// upload posts a multipart form to path: fields, and data as the file
// field named name (none when name is empty).
func (h *harness) upload(path, token string, fields map[string]string, name string, data []byte) response {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		h.must(w.WriteField(k, v))
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		h.must(err)
		_, err = fw.Write(data)
		h.must(err)
	}
	h.must(w.Close())
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, &buf)
	h.must(err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return h.send(req, token, nil)
}

// reconciliations is where statements are uploaded.
const reconciliations = "/api/v1/reconciliations"

func TestReconciliationUpload(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	fin, mgr := h.tokens[models.RoleFinance], h.tokens[models.RoleEstateManager]
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	// The fixture's payment: wechat, 300.00, an hour ago.
	paid := h.a.payment.PaidAt.In(shanghai)
	day := paid.Format("2006-01-02")
	csv := "交易时间,交易单号,交易金额,交易状态\n" +
		paid.Format("2006-01-02 15:04:05") + ",fixture-A,300.00,支付成功\n" +
		paid.Format("2006-01-02 15:04:05") + ",wx-unknown,12.50,支付成功\n"
	file, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csv))
	h.must(err)
	form := func(kv ...string) map[string]string {
		m := map[string]string{"estate_id": fmt.Sprint(h.a.estate.ID), "channel": "wechat", "day": day}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	count := func() int64 {
		var l listBody[models.Reconciliation]
		h.wantStatus(h.do(http.MethodGet, "/api/v1/reconciliations", mgr, nil, &l), http.StatusOK)
		return l.Total
	}
	before := count()

	bad := []struct {
		name   string
		fields map[string]string
		file   string
		data   []byte
		field  string
	}{
		{"not csv", form(), "statement.xlsx", file, "file"},
		{"binary", form(), "statement.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "file"},
		{"wrong header", form(), "statement.csv", []byte("id,money,when\nx,1,2026-01-01 00:00:00\n"), "file"},
		{"unreadable encoding", form(), "statement.csv", []byte("transaction_id,amount,time\n\xff\xff\x81,1,2\n"), "file"},
		{"too large", form(), "statement.csv", bytes.Repeat([]byte("a"), models.MaxStatementBytes+1), "file"},
		{"no file", form(), "", nil, "file"},
		{"another estate", form("estate_id", fmt.Sprint(h.b.estate.ID)), "statement.csv", file, "estate_id"},
		{"cash has no statement", form("channel", "cash"), "statement.csv", file, "channel"},
		{"a future day", form("day", time.Now().AddDate(0, 0, 2).Format("2006-01-02")), "statement.csv", file, "day"},
		{"a day too old", form("day", "2020-01-01"), "statement.csv", file, "day"},
	}
	for _, tt := range bad {
		h.wantError(h.upload(reconciliations, fin, tt.fields, tt.file, tt.data), http.StatusBadRequest, codeInvalidInput, tt.field)
	}
	if got := count(); got != before {
		t.Errorf("after the bad uploads: got %d reconciliations, want %d (nothing stored)", got, before)
	}
	h.wantError(h.upload(reconciliations, mgr, form(), "statement.csv", file), http.StatusForbidden, codeForbidden, "")

	var r models.Reconciliation
	res := h.upload(reconciliations, fin, form(), "wechat-"+day+".csv", file)
	h.wantStatus(res, http.StatusCreated)
	h.must(json.Unmarshal(res.body, &r))
	if r.Rows != 2 || r.Matched != 1 || r.MismatchCount != 1 || len(r.Mismatches) != 1 || r.Mismatches[0].Kind != models.NotRecorded ||
		r.Mismatches[0].Reference != "wx-unknown" || *r.Mismatches[0].FileFen != 1250 {
		t.Errorf("reconciliation: got %+v, want fixture-A matched and wx-unknown not recorded", r)
	}
	var again models.Reconciliation
	res = h.upload(reconciliations, fin, form(), "again.csv", file)
	h.wantStatus(res, http.StatusOK)
	h.must(json.Unmarshal(res.body, &again))
	if again.ID != r.ID {
		t.Errorf("the same file again: got reconciliation %d, want %d", again.ID, r.ID)
	}
	var got models.Reconciliation
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/reconciliations/%d", r.ID), mgr, nil, &got), http.StatusOK)
	if len(got.Mismatches) != 1 || got.Mismatches[0].Reference != "wx-unknown" {
		t.Errorf("read back: got %+v, want its mismatch", got)
	}
	var l listBody[models.Reconciliation]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/reconciliations?day="+day+"&channel=wechat", mgr, nil, &l), http.StatusOK)
	if !slices.ContainsFunc(l.Items, func(x models.Reconciliation) bool { return x.ID == r.ID }) || l.Total > 2 {
		t.Errorf("list of the day: got %+v, want reconciliation %d (and the fixture's, when an hour ago was yesterday)", l, r.ID)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/reconciliations?day=yesterday", mgr, nil, nil), http.StatusBadRequest, codeInvalidInput, "day")
}
