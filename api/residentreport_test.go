package api

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
)

// report posts the report form of token with fields and photos.
func (h *linkHarness) report(token string, fields map[string]string, photos ...[]byte) (int, string, http.Header) {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		h.must(w.WriteField(k, v))
	}
	for i, data := range photos {
		part, err := w.CreateFormFile("file", fmt.Sprintf("IMG_%d.jpg", i))
		h.must(err)
		_, err = part.Write(data)
		h.must(err)
	}
	h.must(w.Close())
	resp, err := h.srv.Client().Post(h.srv.URL+auth.ReportPath+"?t="+url.QueryEscape(token), w.FormDataContentType(), &buf)
	code, body := readPage(h.t, resp, err)
	return code, body, resp.Header
}

// TestReportRefusals: what the report form refuses before a ticket is
// opened (no Temporal is reached): the form comes back with the fields
// kept and the reason; past the link's hourly photo limit 429; a link of
// another purpose 400.
func TestReportRefusals(t *testing.T) {
	h := newLinkHarness(t)
	link := h.issue(h.a.resident.ID, models.LinkReport, 0, 0)
	token := h.links.LinkToken(link.ID)
	code, body := h.page(auth.ReportPath, token, nil)
	wantPage(t, "the form", code, body, http.StatusOK, `name="description"`)

	ok := map[string]string{"kind": "repair", "category": "水电", "description": "厨房漏水"}
	with := func(k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range ok {
			out[a] = b
		}
		out[k] = v
		return out
	}
	photos := make([][]byte, models.MaxReportPhotos+1)
	for i := range photos {
		photos[i] = attachtest.JPEG(8+i, 8)
	}
	tests := []struct {
		name   string
		fields map[string]string
		photos [][]byte
		want   string
	}{
		{"no kind", with("kind", "praise"), nil, "请选择报修或投诉"},
		{"no such category", with("category", "宠物"), nil, "请选择类别"},
		{"no description", with("description", " "), nil, "请填写情况描述"},
		{"a past visit time", with("preferred", "2020-01-01T09:00"), nil, "期望上门时间应为将来的时间"},
		{"seven photos", ok, photos, "最多上传 6 张照片"},
		{"a HEIC photo", ok, [][]byte{attachtest.JPEG(8, 8), attachtest.HEIC()}, "第 2 张照片：暂不支持 HEIC"},
		{"a PDF named .jpg", ok, [][]byte{[]byte("%PDF-1.7")}, "第 1 张照片：只能上传 JPEG 或 PNG"},
	}
	for _, tt := range tests {
		code, body, _ := h.report(token, tt.fields, tt.photos...)
		wantPage(t, tt.name, code, body, http.StatusBadRequest, tt.want)
		if !strings.Contains(body, tt.fields["description"]) {
			t.Errorf("%s: got the form without the description %q", tt.name, tt.fields["description"])
		}
	}

	ctx := context.Background()
	for i := range models.DefaultResidentUploadsPerHour {
		a := models.Attachment{EstateID: h.a.estate.ID, Ref: models.RefOf(models.RefTicket, h.a.ticket.ID), Kind: models.AttachReport,
			Hash: fmt.Sprintf("%064d", i), ThumbHash: fmt.Sprintf("%064d", i), Mime: attachments.MimeJPEG, ResidentID: &h.a.resident.ID,
			Uploader: "link:" + strconv.FormatUint(link.ID, 10), UploadedAt: h.now.Add(-30 * time.Minute)}
		_, err := h.store.AddAttachment(ctx, &a)
		h.must(err)
	}
	code, body, header := h.report(token, ok, attachtest.JPEG(8, 8))
	wantPage(t, "past the hourly limit", code, body, http.StatusTooManyRequests, "每小时最多上传 12 张图片")
	if got := header.Get("Retry-After"); got != "1801" {
		t.Errorf("Retry-After: got %q, want 1801 (the earliest upload is an hour old in 30 minutes)", got)
	}

	bill := h.issue(h.a.resident.ID, models.LinkMyBill, 0, 0)
	code, body, _ = h.report(h.links.LinkToken(bill.ID), ok)
	wantPage(t, "a bill link", code, body, http.StatusBadRequest, "链接无效")
	code, body = h.page(auth.TicketPath, token, nil)
	wantPage(t, "the follow page by a report link", code, body, http.StatusBadRequest, "链接无效")
	code, body = h.page(auth.HurryPath, token, url.Values{})
	wantPage(t, "催单 by a report link", code, body, http.StatusBadRequest, "链接无效")
}
