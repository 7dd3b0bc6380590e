package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// linkHarness is the harness with resident links on, a Temporal client
// mock (the pages' processes are the workflows' tests to prove) and a clock
// the test moves.
type linkHarness struct {
	*harness
	links *auth.Links
	tc    *mocks.Client
	now   *time.Time
}

func newLinkHarness(t *testing.T) *linkHarness {
	t.Helper()
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	links, err := auth.NewLinks([]byte(strings.Repeat("k", auth.MinLinkSecret)), "http://wuye.test")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	lh := &linkHarness{harness: h, links: links, tc: &mocks.Client{}, now: &now}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: h.store, Log: log, Temporal: lh.tc, Links: links, Now: func() time.Time { return *lh.now },
		Attachments: AttachmentOptions{Blobs: h.blobs}}).Handler())
	t.Cleanup(h.srv.Close)
	return lh
}

// issue issues a link of purpose about subject to resident, expiring in ttl
// (the default when 0).
func (h *linkHarness) issue(resident uint64, purpose models.LinkPurpose, subject uint64, ttl time.Duration) models.ResidentLink {
	h.t.Helper()
	l := models.ResidentLink{ResidentID: resident, Purpose: purpose, SubjectID: subject}
	if ttl > 0 {
		l.ExpiresAt = h.now.Add(ttl)
	}
	h.must(h.store.CreateResidentLink(context.Background(), store.AllEstates(), &l, *h.now))
	return l
}

// page opens path with the form (GET when form is nil).
func (h *linkHarness) page(path, token string, form url.Values) (int, string) {
	h.t.Helper()
	if form == nil {
		resp, err := h.srv.Client().Get(h.srv.URL + path + "?t=" + url.QueryEscape(token))
		return readPage(h.t, resp, err)
	}
	form.Set("t", token)
	resp, err := h.srv.Client().PostForm(h.srv.URL+path, form)
	return readPage(h.t, resp, err)
}

// wantPage checks a page's status and text.
func wantPage(t *testing.T, what string, gotStatus int, body string, wantStatus int, wantText string) {
	t.Helper()
	if gotStatus != wantStatus || !strings.Contains(body, wantText) {
		t.Errorf("%s: got %d %q, want %d with %q", what, gotStatus, body, wantStatus, wantText)
	}
}

// TestResidentLinkStaffAPI: staff issue a link for a resident and purpose,
// get its URL, list the resident's links with their uses, and revoke one;
// a revoked, expired, tampered or misdirected link gets its Chinese page
// and status, and each use of a real link is recorded.
func TestResidentLinkStaffAPI(t *testing.T) {
	h := newLinkHarness(t)
	tok := h.tokens[models.RoleCustomerService]
	var issued residentLinkView
	res := h.do(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", h.a.resident.ID), tok,
		map[string]any{"purpose": "report", "ttl_hours": 48, "note": "电话报修后补发"}, &issued)
	h.wantStatus(res, http.StatusCreated)
	if issued.State != models.LinkActive || issued.HouseholdID != h.a.household.ID || !issued.ExpiresAt.Equal(h.now.Add(48*time.Hour)) ||
		issued.URL != h.links.LinkURL(auth.ReportPath, issued.ID) || issued.CreatedBy == 0 {
		t.Errorf("issued: got %+v, want an active report link of 48 hours with its URL", issued)
	}
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", h.a.resident.ID), tok,
		map[string]any{"purpose": "rate", "subject_id": h.b.ticket.ID}, nil), http.StatusBadRequest, codeInvalidInput, "subject_id")
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", h.a.resident.ID), tok,
		map[string]any{"purpose": "pay"}, nil), http.StatusBadRequest, codeInvalidInput, "purpose")

	token := h.links.LinkToken(issued.ID)
	// The report page is another branch's: its purpose opens the confirm
	// page not at all.
	code, body := h.page(auth.ConfirmPath, token, nil)
	wantPage(t, "another purpose", code, body, http.StatusBadRequest, "链接无效")
	code, body = h.page(auth.ConfirmPath, "r"+token[1:len(token)-1]+"A", nil)
	wantPage(t, "tampered", code, body, http.StatusBadRequest, "链接无效")

	var revoked residentLinkView
	h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/resident-links/%d/revoke", issued.ID), tok, nil, &revoked), http.StatusOK)
	if revoked.State != models.LinkRevoked || revoked.URL != "" || revoked.RevokedBy == 0 {
		t.Errorf("revoked: got %+v, want revoked, without its URL", revoked)
	}

	confirm := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, time.Hour)
	*h.now = h.now.Add(time.Hour)
	code, body = h.page(auth.ConfirmPath, h.links.LinkToken(confirm.ID), nil)
	wantPage(t, "expired", code, body, http.StatusGone, "链接已过期")
	bill := h.issue(h.a.resident.ID, models.LinkMyBill, 0, 0)
	h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/resident-links/%d/revoke", bill.ID), tok, nil, nil), http.StatusOK)
	code, body = h.page(auth.ConfirmPath, h.links.LinkToken(bill.ID), nil)
	wantPage(t, "revoked and of another purpose", code, body, http.StatusBadRequest, "链接无效")

	var list struct {
		Items []residentLinkView `json:"items"`
		Total int64              `json:"total"`
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/residents/%d/links", h.a.resident.ID), tok, nil, &list), http.StatusOK)
	// The fixture's own my-bill link, the report, confirm and bill links.
	if list.Total != 4 || list.Items[2].ID != issued.ID || len(list.Items[2].Uses) != 1 || !list.Items[2].Uses[0].Refused ||
		list.Items[2].Uses[0].ClientIP == "" || list.Items[1].State != models.LinkExpired || len(list.Items[1].Uses) != 1 {
		t.Errorf("links: got %+v, want 4, the report link with its refused use (a tampered token names no link), the confirm link expired", list.Items)
	}
	h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/residents/%d/links", h.b.resident.ID), tok, nil, nil), http.StatusNotFound, codeNotFound, "")
}

// TestResidentLinkStatuses: each bad link answers its own status with a
// Chinese page that names nothing of the resident.
func TestResidentLinkStatuses(t *testing.T) {
	h := newLinkHarness(t)
	ctx := context.Background()
	good := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, 2*time.Hour)
	used := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, 0)
	h.must(h.store.UseResidentLink(ctx, used.ID, *h.now))
	revoked := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, 0)
	_, err := h.store.RevokeResidentLink(ctx, store.AllEstates(), revoked.ID, 1, *h.now)
	h.must(err)
	expired := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, time.Minute)
	*h.now = h.now.Add(time.Minute)
	tokenOf := h.links.LinkToken
	tests := []struct {
		name       string
		give       string
		wantStatus int
		wantText   string
	}{
		{"tampered", tokenOf(good.ID)[:len(tokenOf(good.ID))-2], http.StatusBadRequest, "链接无效"},
		{"unknown link", tokenOf(good.ID + 1000), http.StatusBadRequest, "链接无效"},
		{"revoked", tokenOf(revoked.ID), http.StatusBadRequest, "链接已失效"},
		{"expired", tokenOf(expired.ID), http.StatusGone, "链接已过期"},
		{"used", tokenOf(used.ID), http.StatusConflict, "已处理"},
		{"empty", "", http.StatusBadRequest, "链接无效"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, form := range []url.Values{nil, {"accepted": {"true"}}} {
				code, body := h.page(auth.ConfirmPath, tt.give, form)
				wantPage(t, tt.name, code, body, tt.wantStatus, tt.wantText)
				if strings.Contains(body, h.a.resident.Name) || strings.Contains(body, "工单号") || !strings.Contains(body, "物业") {
					t.Errorf("%s: got %q, want a page naming nothing of the resident", tt.name, body)
				}
			}
		})
	}
	resp, err := h.srv.Client().Get(h.srv.URL + auth.ConfirmPath + "?t=" + tokenOf(expired.ID))
	h.must(err)
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the headers matter
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: got %v, want a strict CSP and no-store", resp.Header)
	}
}

// TestResidentConfirmsByNewLink: a confirm link opens its ticket's page in
// the resident layout, the answer goes to the process as the resident's
// confirm under the link's update ID, and the link is then used up (409).
func TestResidentConfirmsByNewLink(t *testing.T) {
	h := newLinkHarness(t)
	tk := h.residentTicket()
	l := h.issue(h.a.resident.ID, models.LinkConfirm, tk.ID, 0)
	token := h.links.LinkToken(l.ID)
	until := h.now.Add(72 * time.Hour)
	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusCompleted, ConfirmBy: &until})
	code, body := h.page(auth.ConfirmPath, token, nil)
	wantPage(t, "open", code, body, http.StatusOK, "确认完成")
	if !strings.Contains(body, h.a.estate.Name) || !strings.Contains(body, fmt.Sprintf("工单号%d", tk.ID)) {
		t.Errorf("open: got %q, want the estate's name and the ticket number", body)
	}
	u := h.expectUpdate()
	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusCompleted, ConfirmBy: &until})
	code, body = h.page(auth.ConfirmPath, token, url.Values{"accepted": {"false"}})
	wantPage(t, "reject", code, body, http.StatusOK, "已收到您的反馈")
	if a, ok := u.opts.Args[0].(workflows.TicketAction); !ok || a.Action != workflows.ActConfirm || a.Accepted ||
		a.ActorRole != workflows.ResidentLinkRole || a.ActorID != h.a.resident.ID || u.opts.UpdateID != fmt.Sprintf("resident-link-r%d", l.ID) {
		t.Errorf("reject: got update %+v, want the resident's rejection under the link's ID", u.opts)
	}
	code, body = h.page(auth.ConfirmPath, token, url.Values{"accepted": {"true"}})
	wantPage(t, "again", code, body, http.StatusConflict, "已处理")
	h.tc.AssertExpectations(t)
}

// ticketState makes the next state query of ticket id answer v.
func (h *linkHarness) ticketState(id uint64, v workflows.TicketView) {
	val := &mocks.Value{}
	val.On("Get", mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(0).(*workflows.TicketView) = v
	}).Return(nil)
	h.tc.On("QueryWorkflow", mock.Anything, workflows.TicketWorkflowID(id), "", workflows.TicketStateQuery).Return(val, nil).Once()
}

// seenUpdate is the update the next UpdateWorkflow call sends.
type seenUpdate struct{ opts client.UpdateWorkflowOptions }

// expectUpdate accepts the next update and keeps what it sent.
func (h *linkHarness) expectUpdate() *seenUpdate {
	seen := &seenUpdate{}
	handle := &mocks.WorkflowUpdateHandle{}
	handle.On("Get", mock.Anything, mock.Anything).Return(nil)
	h.tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		seen.opts = args.Get(1).(client.UpdateWorkflowOptions)
	}).Return(handle, nil).Once()
	return seen
}

// expectNudge accepts the next signal to household's collection process and
// keeps the nudge it sent.
func (h *linkHarness) expectNudge(household uint64) *workflows.CollectionNudge {
	seen := &workflows.CollectionNudge{}
	h.tc.On("SignalWithStartWorkflow", mock.Anything, workflows.CollectionWorkflowID(household), workflows.CollectionSignal,
		mock.Anything, mock.Anything, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		*seen = args.Get(3).(workflows.CollectionNudge)
	}).Return(&mocks.WorkflowRun{}, nil).Once()
	return seen
}

// TestEveryResidentPageRefusesBadLinks: every resident page, opened or
// posted to (the statement has no form), answers a tampered link 400, a link of another purpose 400, a
// revoked one 400, an expired one 410 and, for one-shot purposes, a used
// one 409, each with its Chinese page.
func TestEveryResidentPageRefusesBadLinks(t *testing.T) {
	h := newLinkHarness(t)
	ctx := context.Background()
	pages := []struct {
		path    string
		purpose models.LinkPurpose
		subject uint64
	}{
		{auth.ConfirmPath, models.LinkConfirm, h.a.ticket.ID},
		{auth.RatePath, models.LinkRate, h.a.ticket.ID},
		{auth.BillPath, models.LinkMyBill, 0},
		{auth.DisputePath, models.LinkDispute, 0},
		{auth.PromisePath, models.LinkPromise, 0},
	}
	for _, p := range pages {
		t.Run(strings.TrimPrefix(p.path, "/r/"), func(t *testing.T) {
			revoked := h.issue(h.a.resident.ID, p.purpose, p.subject, 0)
			_, err := h.store.RevokeResidentLink(ctx, store.AllEstates(), revoked.ID, 1, *h.now)
			h.must(err)
			expired := h.issue(h.a.resident.ID, p.purpose, p.subject, time.Minute)
			used := h.issue(h.a.resident.ID, p.purpose, p.subject, 0)
			h.must(h.store.UseResidentLink(ctx, used.ID, *h.now))
			other := models.LinkReport
			good := h.links.LinkToken(h.issue(h.a.resident.ID, p.purpose, p.subject, 0).ID)
			*h.now = h.now.Add(time.Minute)
			defer func() { *h.now = h.now.Add(-time.Minute) }()
			tests := []struct {
				name       string
				token      string
				wantStatus int
				wantText   string
			}{
				{"tampered", good[:len(good)-1], http.StatusBadRequest, "链接无效"},
				{"another purpose", h.links.LinkToken(h.issue(h.a.resident.ID, other, 0, 0).ID), http.StatusBadRequest, "链接无效"},
				{"revoked", h.links.LinkToken(revoked.ID), http.StatusBadRequest, "链接已失效"},
				{"expired", h.links.LinkToken(expired.ID), http.StatusGone, "链接已过期"},
			}
			if p.purpose.OneShot() {
				tests = append(tests, struct {
					name       string
					token      string
					wantStatus int
					wantText   string
				}{"used", h.links.LinkToken(used.ID), http.StatusConflict, "已处理"})
			}
			for _, tt := range tests {
				forms := []url.Values{nil, {"accepted": {"true"}, "score": {"5"}}}
				if p.path == auth.BillPath {
					forms = forms[:1] // a page to read: no form
				}
				for _, form := range forms {
					code, body := h.page(p.path, tt.token, form)
					wantPage(t, tt.name, code, body, tt.wantStatus, tt.wantText)
				}
			}
		})
	}
}
