package api

import (
	"context"
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
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// TestResidentConfirmsByLink: the signed link opens the page of a completed
// ticket awaiting its resident; the form's answer goes to the process as the
// resident's confirm; a bad, expired, superseded or answered link gets its
// own page and status, naming nothing of the ticket.
func TestResidentConfirmsByLink(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	until := now.Add(72 * time.Hour)
	links, err := auth.NewLinks([]byte(strings.Repeat("k", auth.MinLinkSecret)), "http://wuye.test")
	if err != nil {
		t.Fatal(err)
	}
	tc := &mocks.Client{}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: h.store, Log: log, Temporal: tc, Links: links, Now: func() time.Time { return now }}).Handler())
	t.Cleanup(h.srv.Close)

	tk := models.Ticket{EstateID: h.a.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
		Description: "漏水", HouseholdID: &h.a.household.ID, ResidentID: &h.a.resident.ID, Channel: models.ReportPhone, FirstReceiverID: h.a.staff.ID}
	tk, _, err = h.store.CreateTicket(context.Background(), store.AllEstates(), &tk, "")
	if err != nil {
		t.Fatal(err)
	}
	token := links.ConfirmToken(tk.ID, until)
	state := func(status models.TicketStatus, confirmBy time.Time) {
		val := &mocks.Value{}
		val.On("Get", mock.Anything).Run(func(args mock.Arguments) {
			*args.Get(0).(*workflows.TicketView) = workflows.TicketView{Status: status, ConfirmBy: &confirmBy}
		}).Return(nil)
		tc.On("QueryWorkflow", mock.Anything, workflows.TicketWorkflowID(tk.ID), "", workflows.TicketStateQuery).Return(val, nil).Once()
	}
	get := func(token string) (int, string) {
		t.Helper()
		resp, err := h.srv.Client().Get(h.srv.URL + auth.ConfirmPath + "?t=" + url.QueryEscape(token))
		return readPage(t, resp, err)
	}
	post := func(token, accepted string) (int, string) {
		t.Helper()
		resp, err := h.srv.Client().PostForm(h.srv.URL+auth.ConfirmPath, url.Values{"t": {token}, "accepted": {accepted}})
		return readPage(t, resp, err)
	}
	wantPage := func(what string, gotStatus int, body string, wantStatus int, wantText string) {
		t.Helper()
		if gotStatus != wantStatus || !strings.Contains(body, wantText) {
			t.Errorf("%s: got %d %q, want %d with %q", what, gotStatus, body, wantStatus, wantText)
		}
		if wantStatus != http.StatusOK && strings.Contains(body, "工单号") {
			t.Errorf("%s: got %q, want no word of the ticket", what, body)
		}
	}

	state(models.StatusCompleted, until)
	code, body := get(token)
	wantPage("open", code, body, http.StatusOK, "确认完成")
	if !strings.Contains(body, "仍有问题") || !strings.Contains(body, token) || !strings.Contains(body, "工单号") {
		t.Errorf("open: got %q, want both answers, the token and the ticket number", body)
	}

	tampered := strings.Replace(token, ".", "0.", 1)
	code, body = get(tampered)
	wantPage("tampered", code, body, http.StatusBadRequest, "链接无效")
	code, body = get(links.ConfirmToken(tk.ID, now.Add(-time.Second)))
	wantPage("expired", code, body, http.StatusGone, "链接已过期")
	code, body = post(token, "maybe")
	wantPage("no answer", code, body, http.StatusBadRequest, "链接无效")
	state(models.StatusCompleted, until.Add(time.Hour)) // completed again after a rejection
	code, body = get(token)
	wantPage("superseded", code, body, http.StatusConflict, "已处理")

	var u client.UpdateWorkflowOptions
	handle := &mocks.WorkflowUpdateHandle{}
	handle.On("Get", mock.Anything, mock.Anything).Return(nil)
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		u = args.Get(1).(client.UpdateWorkflowOptions)
	}).Return(handle, nil).Once()
	state(models.StatusCompleted, until)
	code, body = post(token, "true")
	wantPage("confirm", code, body, http.StatusOK, "感谢您的确认")
	if a, ok := u.Args[0].(workflows.TicketAction); !ok || a.Action != workflows.ActConfirm || !a.Accepted ||
		a.ActorRole != workflows.ResidentLinkRole || a.ActorID != h.a.resident.ID || u.WorkflowID != workflows.TicketWorkflowID(tk.ID) || u.UpdateID == "" {
		t.Errorf("confirm: got update %+v, want the resident's confirm", u)
	}

	state(models.StatusReturnVisit, until)
	code, body = post(token, "true")
	wantPage("reused", code, body, http.StatusConflict, "已处理")
	// The process moved on between the look and the answer.
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).
		Return(nil, temporal.NewApplicationError("cannot confirm a ticket that is return_visit", workflows.ErrTypeInvalidState, "return_visit")).Once()
	state(models.StatusCompleted, until)
	code, body = post(token, "false")
	wantPage("raced", code, body, http.StatusConflict, "已处理")
	tc.AssertExpectations(t)
}

func readPage(t *testing.T, resp *http.Response, err error) (int, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("page headers: got %v, want HTML that sends no Referer", resp.Header)
	}
	return resp.StatusCode, string(raw)
}

// TestConfirmWordsOfAComplaint: a complaint's link pages speak of the
// complaint's close, a repair's of the repair.
func TestConfirmWordsOfAComplaint(t *testing.T) {
	for kind, want := range map[models.TicketKind][2]string{models.TicketComplaint: {"投诉", "维修"}, models.TicketRepair: {"维修", "投诉"}} {
		w := wordsFor(kind)
		for _, text := range []string{w.title, w.ask, w.accepted, w.rejected} {
			if !strings.Contains(text+w.title, want[0]) || strings.Contains(text, want[1]) {
				t.Errorf("%s: got %q, want %s words, no %q", kind, text, want[0], want[1])
			}
		}
	}
}
