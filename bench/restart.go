package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// Restart is the service stopped at the end of the run and started again
// on the same data directory: the time to ready with what the run left
// open and in the database.
type Restart struct {
	// OpenWorkflows is the engine's running workflows before the stop (nil
	// when the engine could not count them); OpenTickets are the ticket rows
	// not closed or cancelled (as /metrics counts them), Tickets and Cases every ticket and collection case row
	// (the read model's generated rows among them).
	OpenWorkflows *int64  `json:"open_workflows,omitempty"`
	OpenTickets   int64   `json:"open_ticket_rows"`
	Tickets       int64   `json:"ticket_rows"`
	Cases         int64   `json:"arrears_case_rows"`
	StopS         float64 `json:"stop_s"`
	// ReadyS is from exec to the first /readyz 200, as at the first start.
	ReadyS float64 `json:"ready_s"`
	// RSSMiB is the process's RSS right after ready.
	RSSMiB float64  `json:"rss_after_ready_mib"`
	Notes  []string `json:"notes,omitempty"`
}

// restartReady counts what the run left, stops the service (SIGTERM, as an
// operator would), starts it again on the same data directory and times it
// to ready. It returns the process to stop at the end: the new one, the
// old one if it failed before stopping it, nil if it did not start again.
func restartReady(ctx context.Context, tg target) (*Restart, *svc.Service, error) {
	r := &Restart{}
	if n, err := openWorkflows(ctx, tg.frontend); err != nil {
		r.Notes = append(r.Notes, "open workflows not counted: "+err.Error())
	} else {
		r.OpenWorkflows = &n
	}
	s, db, err := tg.db.open(ctx)
	if err != nil {
		return r, tg.proc, err
	}
	err = db.WithContext(ctx).Model(&models.Ticket{}).Count(&r.Tickets).Error
	if err == nil {
		err = db.WithContext(ctx).Model(&models.Ticket{}).Where("status NOT IN ?", []models.TicketStatus{models.StatusClosed, models.StatusCancelled}).Count(&r.OpenTickets).Error
	}
	if err == nil {
		err = db.WithContext(ctx).Model(&models.CollectionCase{}).Count(&r.Cases).Error
	}
	s.Close()
	if err != nil {
		return r, tg.proc, err
	}
	began := time.Now()
	if err := tg.proc.Stop(); err != nil {
		return r, nil, fmt.Errorf("stop: %w", err)
	}
	r.StopS = time.Since(began).Seconds()
	p, err := tg.proc.Restart(ctx)
	if err != nil {
		return r, nil, fmt.Errorf("restart: %w", err)
	}
	r.ReadyS = p.StartUp.Seconds()
	if rss, err := p.RSS(); err == nil {
		r.RSSMiB = mib(rss)
	}
	return r, p, nil
}

// openWorkflows counts the running workflows of namespace wuye.
func openWorkflows(ctx context.Context, frontend string) (int64, error) {
	tc, err := client.DialContext(ctx, client.Options{HostPort: frontend, Namespace: "wuye",
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return 0, err
	}
	defer tc.Close()
	resp, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "wuye", Query: "ExecutionStatus = 'Running'"})
	if err != nil {
		return 0, err
	}
	return resp.GetCount(), nil
}
