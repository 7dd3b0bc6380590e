package app

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/models"
)

// residentReports tunes an estate for the report tests: a resident's
// normal repair is to be contacted within 3 seconds (so that it is soon
// overdue), the first escalation comes at once, and 催单 may be pressed
// again after an hour.
func residentReports(p *models.Policy) {
	for i := range p.Repair.Tiers {
		if p.Repair.Tiers[i].Urgency == models.UrgencyNormal {
			p.Repair.Tiers[i].Contact = models.Duration(3 * time.Second)
		}
	}
	p.Escalation.Levels[0].After = 0
	p.Repair.HurryInterval = models.Duration(time.Hour)
}

// reportSetup is an estate with staff, a household with its owner and a
// report link issued to the owner.
type reportSetup struct {
	base       string
	accounts   map[models.Role]*apiClient
	ids        map[models.Role]uint64
	residentID uint64
	reportPath string // the link's path and query, e.g. /r/report?t=r7.…
}

func newReportSetup(t *testing.T, a *App, code string) reportSetup {
	t.Helper()
	estateID, as, ids := estateWithStaff(t, a, code, residentReports)
	admin, desk := as[models.RoleCompanyAdmin], as[models.RoleCustomerService]
	var building, unit, household, owner idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "3栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "502"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": "陈业主", "phone": "13912340000", "role": "owner"}, &owner, http.StatusCreated)
	var link struct {
		URL string `json:"url"`
	}
	desk.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", owner.ID), map[string]any{"purpose": "report"}, &link, http.StatusCreated)
	u, err := url.Parse(link.URL)
	if err != nil || u.Path != "/r/report" {
		t.Fatalf("report link: got %q, %v, want a /r/report URL", link.URL, err)
	}
	return reportSetup{base: "http://" + a.Addr(), accounts: as, ids: ids, residentID: owner.ID, reportPath: u.RequestURI()}
}

// page is an answer of a resident page.
type page struct {
	status   int
	body     string
	location string
}

// residentClient opens resident pages as a phone's browser would, but
// reports redirects instead of following them.
var residentClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (r reportSetup) open(t *testing.T, method, path string, body io.Reader, contentType string) page {
	t.Helper()
	req, err := http.NewRequest(method, r.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := residentClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), location: res.Header.Get("Location")}
}

// report sends the report form of the page at r.reportPath with fields and
// photos (file name → bytes).
func (r reportSetup) report(t *testing.T, fields map[string]string, photos map[string][]byte) page {
	t.Helper()
	form := r.open(t, http.MethodGet, r.reportPath, nil, "")
	if form.status != http.StatusOK {
		t.Fatalf("report page: got %d %s", form.status, form.body)
	}
	nonce := regexp.MustCompile(`name="n" value="([0-9a-f]+)"`).FindStringSubmatch(form.body)
	if nonce == nil {
		t.Fatalf("report page: no nonce in %s", form.body)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("n", nonce[1])
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for name, data := range photos {
		part, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(data)
	}
	_ = w.Close()
	return r.open(t, http.MethodPost, r.reportPath, &buf, w.FormDataContentType())
}

// hurry presses 催单 on the follow page at path.
func (r reportSetup) hurry(t *testing.T, path string) page {
	t.Helper()
	u, _ := url.Parse(path)
	return r.open(t, http.MethodPost, "/r/hurry", strings.NewReader(url.Values{"t": {u.Query().Get("t")}}.Encode()), "application/x-www-form-urlencoded")
}

// TestResidentReportsWithPhotos: a resident reports a repair through their
// link with two photos; it becomes a ticket of theirs on the staff's path,
// its photos stored without their location, and the follow page shows it in
// plain words without staff names. 催单 is refused before the deadline,
// accepted once it has passed (the desk and the supervisor are told), and
// refused again within the interval.
func TestResidentReportsWithPhotos(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newReportSetup(t, a, "RPT")
	desk := r.accounts[models.RoleCustomerService]

	bad := r.report(t, map[string]string{"kind": "repair", "category": "水电", "description": "漏水"}, map[string][]byte{"scan.jpg": []byte("%PDF-1.7 not a photo")})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "第 1 张照片：只能上传 JPEG 或 PNG") || !strings.Contains(bad.body, "漏水") {
		t.Errorf("a PDF named .jpg: got %d, want 400 naming the photo with the form kept\n%s", bad.status, bad.body)
	}

	sent := r.report(t, map[string]string{"kind": "repair", "category": "水电", "description": "厨房水龙头漏水，地面有积水"},
		map[string][]byte{"IMG_1.jpg": attachtest.JPEGWithGPS(640, 480, 6), "IMG_2.png": attachtest.PNG(300, 200)})
	if sent.status != http.StatusSeeOther || !strings.HasPrefix(sent.location, "/r/ticket?t=r") {
		t.Fatalf("report: got %d to %q, want 303 to the follow page\n%s", sent.status, sent.location, sent.body)
	}
	follow := sent.location

	var tickets struct {
		Items []struct {
			ID         uint64  `json:"id"`
			ResidentID *uint64 `json:"resident_id"`
			Channel    string  `json:"channel"`
			Category   string  `json:"category"`
		} `json:"items"`
	}
	desk.mustCall(http.MethodGet, "/api/v1/tickets", nil, &tickets, http.StatusOK)
	if len(tickets.Items) != 1 || tickets.Items[0].ResidentID == nil || *tickets.Items[0].ResidentID != r.residentID ||
		tickets.Items[0].Channel != "app" || tickets.Items[0].Category != "水电" {
		t.Fatalf("tickets: got %+v, want one app ticket of resident %d", tickets.Items, r.residentID)
	}
	ticketID := tickets.Items[0].ID
	var photos struct {
		Items []struct {
			URL        string `json:"url"`
			Kind       string `json:"kind"`
			UploadedBy string `json:"uploaded_by"`
			Width      int    `json:"width"`
		} `json:"items"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/attachments", ticketID), nil, &photos, http.StatusOK)
	if len(photos.Items) != 2 {
		t.Fatalf("photos of ticket %d: got %d, want 2", ticketID, len(photos.Items))
	}
	for _, p := range photos.Items {
		if p.Kind != "report" || p.UploadedBy != "resident" {
			t.Errorf("photo %s: got %s by %s, want a report photo by the resident", p.URL, p.Kind, p.UploadedBy)
		}
		status, raw := desk.get(p.URL)
		if status != http.StatusOK || bytes.Contains(raw, []byte("Exif")) || bytes.Contains(raw, []byte(attachtest.Location)) {
			t.Errorf("photo %s: got %d with EXIF %v, want 200 without it", p.URL, status, bytes.Contains(raw, []byte("Exif")))
		}
	}
	if photos.Items[0].Width != 480 && photos.Items[1].Width != 480 {
		t.Errorf("the JPEG of orientation 6: got widths %d and %d, want it turned upright (480 wide)", photos.Items[0].Width, photos.Items[1].Width)
	}

	first := r.open(t, http.MethodGet, follow, nil, "")
	for _, want := range []string{"报修进度", "已上传 2 张", "id=\"hurry-note\""} {
		if !strings.Contains(first.body, want) {
			t.Errorf("follow page: got no %q\n%s", want, first.body)
		}
	}
	for _, staff := range []string{"RPT-customer_service", "RPT-supervisor", "RPT-technician"} {
		if strings.Contains(first.body, staff) {
			t.Errorf("follow page: got staff %s, want no staff named", staff)
		}
	}
	if early := r.hurry(t, follow); early.status != http.StatusConflict || !strings.Contains(early.body, "承诺时限内") {
		t.Errorf("催单 before the deadline: got %d, want 409 saying it is within the deadline\n%s", early.status, early.body)
	}

	var ready page
	waitFor(t, 30*time.Second, "催单 offered once contact is overdue", func() bool {
		ready = r.open(t, http.MethodGet, follow, nil, "")
		return strings.Contains(ready.body, `id="hurry"`)
	})
	if !strings.Contains(ready.body, "已收到您的报修") {
		t.Errorf("follow page once overdue: got no report step\n%s", ready.body)
	}
	if done := r.hurry(t, follow); done.status != http.StatusOK || !strings.Contains(done.body, "已催单") || !strings.Contains(done.body, "您已催单") {
		t.Errorf("催单: got %d, want 200 with it on the steps\n%s", done.status, done.body)
	}
	if again := r.open(t, http.MethodGet, follow, nil, ""); !strings.Contains(again.body, "后可再次催单") {
		t.Errorf("follow page after 催单: got no note of when it can be pressed again\n%s", again.body)
	}
	if again := r.hurry(t, follow); again.status != http.StatusConflict || !strings.Contains(again.body, "后可再次催单") {
		t.Errorf("催单 again within the hour: got %d, want 409 saying when\n%s", again.status, again.body)
	}

	var d ticketDetail
	waitFor(t, 30*time.Second, "催单 messages to the desk and the supervisor", func() bool {
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil, &d, http.StatusOK)
		return hasMessage(d.Messages, r.ids[models.RoleCustomerService], "ticket_hurried") &&
			hasMessage(d.Messages, r.ids[models.RoleSupervisor], "ticket_hurried")
	})
	if last := r.open(t, http.MethodGet, follow, nil, ""); !strings.Contains(last.body, "处理超时，已升级由负责人跟进") {
		t.Errorf("follow page: got no escalation step\n%s", last.body)
	}
	var staffView struct {
		Process struct {
			Hurries int `json:"hurries"`
		} `json:"process"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil, &staffView, http.StatusOK)
	if staffView.Process.Hurries != 1 {
		t.Errorf("the staff's view: got %d 催单, want 1", staffView.Process.Hurries)
	}
}
