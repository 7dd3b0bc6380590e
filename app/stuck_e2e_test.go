package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/workflows"
)

// TestStuckTicketShowsFailing makes a ticket whose process is stuck on a
// failing workflow task, on the embedded real server: before the ticket is
// opened, its workflow ID is taken by a workflow of a type no worker has,
// whose every task fails as a panicking workflow's would (opening the ticket
// finds it running and goes on). The ticket's page must then say the
// process is failing (the API and the console), and /metrics must count the
// failures.
func TestStuckTicketShowsFailing(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	admin := signIn(t, a, "admin", e2ePassword)
	var estate idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "STUCK", "name": "卡住小区"}, &estate, http.StatusCreated)

	const firstTicket = 1 // a new database numbers tickets from 1
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.TicketWorkflowID(firstTicket),
		TaskQueue: workflows.TaskQueue, WorkflowTaskTimeout: time.Second}, "NoSuchWorkflow")
	if err != nil {
		t.Fatal(err)
	}
	var tk idOnly
	admin.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estate.ID, "kind": "repair", "urgency": "normal",
		"category": "水电", "description": "漏水", "location": "1栋", "channel": "phone"}, &tk, http.StatusCreated)
	if tk.ID != firstTicket {
		t.Fatalf("ticket: got #%d, want #%d (the workflow ID taken above)", tk.ID, firstTicket)
	}

	var d struct {
		Ticket        idOnly `json:"ticket"`
		Process       any    `json:"process"`
		ProcessHealth *struct {
			Status  string `json:"status"`
			Message string `json:"message"`
			Attempt int32  `json:"attempt"`
		} `json:"process_health"`
	}
	waitFor(t, 30*time.Second, "the ticket's page to say its process is failing", func() bool {
		admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil, &d, http.StatusOK)
		return d.ProcessHealth != nil
	})
	if d.Ticket.ID != tk.ID || d.Process != nil || d.ProcessHealth.Status != "failing" ||
		!strings.Contains(d.ProcessHealth.Message, "流程执行出错") || d.ProcessHealth.Attempt < 2 {
		t.Errorf("stuck ticket: got ticket %d, process %v, health %+v; want the record, no live state, failing with the message",
			d.Ticket.ID, d.Process, *d.ProcessHealth)
	}

	// The console's ticket page shows the message.
	b := newBrowser(t, "http://"+a.Addr())
	b.signIn("admin", e2ePassword)
	b.do("open the stuck ticket", chromedp.Navigate(fmt.Sprintf("http://%s/console/#/tickets/%d", a.Addr(), tk.ID)),
		chromedp.WaitVisible(chromedp.CSS("#process-failing")))
	if got := b.text("#process-failing"); got != d.ProcessHealth.Message {
		t.Errorf("console: got %q, want the process's message %q", got, d.ProcessHealth.Message)
	}
	if got := b.text("#actions"); !strings.Contains(got, "流程出错期间不能操作") {
		t.Errorf("console actions: got %q, want them to say none can be taken while the process fails", got)
	}
	b.shot("stuck-ticket")

	want := `wuye_workflow_task_failures_total{reason="WorkflowError",workflow_type="NoSuchWorkflow"}`
	req, err := http.NewRequest(http.MethodGet, "http://"+a.Addr()+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		t.Errorf("/metrics: got %d without %s, want it counted", resp.StatusCode, want)
	}
}
