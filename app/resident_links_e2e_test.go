package app

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

var billLinkRE = regexp.MustCompile(`https?://[^/\s]+(/r/bill\?t=[A-Za-z0-9._-]+)`)

// TestResidentActsOnArrearsByLinkEndToEnd: on the whole service, an overdue
// bill's reminder carries the resident's statement link, which opens; the
// resident's promise through their link pauses the household's collection
// case in the real process, and their dispute of a later bill is recorded
// as a staff member's is, with the process told.
func TestResidentActsOnArrearsByLinkEndToEnd(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newRecording(t, a, "RLE", secondScaleDunning)
	fin := r.as[models.RoleFinance]
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/households/%d/arrears", r.house)
	var d arrearsDetail
	var billLink string
	waitFor(t, 45*time.Second, "a reminder with the statement link", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		for _, m := range d.Messages {
			if sub := billLinkRE.FindStringSubmatch(m.Body); m.RecipientKind == models.RecipientResident && sub != nil {
				billLink = sub[1]
			}
		}
		return billLink != ""
	})
	if code, body := r.followLink(http.MethodGet, billLink, nil); code != http.StatusOK || !strings.Contains(body, "我的账单") || !strings.Contains(body, "2025-01") {
		t.Fatalf("statement link: got %d %q, want the statement with the 2025-01 bill", code, body)
	}
	// The case has opened (the reminder came from it): the promise pauses it.
	on := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 5).Format("2006-01-02")
	if code, body := r.followLink(http.MethodPost, r.link(models.LinkPromise, 0), url.Values{"promised_on": {on}}); code != http.StatusOK || !strings.Contains(body, "暂停催缴") {
		t.Fatalf("promise: got %d %q, want it recorded", code, body)
	}
	waitFor(t, 30*time.Second, "the case paused by the promise", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Process != nil && d.Process.Stage == models.StagePaused
	})
	promised := false
	for _, e := range d.History {
		promised = promised || e.Type == "promise" && e.Detail["promised_on"] == on && e.Detail["by"] == "resident_link"
	}
	if !promised {
		t.Errorf("history: got %+v, want the resident's promise for %s", d.History, on)
	}

	// A later bill, still inside its dispute window.
	later := time.Now().AddDate(0, 3, 0).Format("2006-01")
	var bill idOnly
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": later, "amount_fen": 30000}, &bill, http.StatusCreated)
	if code, body := r.followLink(http.MethodPost, r.link(models.LinkDispute, 0), url.Values{"bill_id": {fmt.Sprint(bill.ID)}, "reason": {"面积有误"}}); code != http.StatusOK || !strings.Contains(body, "已收到您的异议") {
		t.Fatalf("dispute: got %d %q, want it recorded", code, body)
	}
	waitFor(t, 30*time.Second, "the dispute in the case's history", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		for _, e := range d.History {
			if e.Type == "dispute" {
				return true
			}
		}
		return false
	})
}

// link issues the recording's resident a link of purpose about subject (0:
// none) at the desk and returns its path and query.
func (r *ticketRecording) link(purpose models.LinkPurpose, subject uint64) string {
	r.t.Helper()
	var l struct{ URL string }
	r.as[models.RoleCustomerService].mustCall(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", r.resident),
		map[string]any{"purpose": purpose, "subject_id": subject}, &l, http.StatusCreated)
	u, err := url.Parse(l.URL)
	if err != nil || l.URL == "" {
		r.t.Fatalf("link of %s: got %q, %v", purpose, l.URL, err)
	}
	return u.RequestURI()
}
