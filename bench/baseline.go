package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// runBaseline starts the ticket workflow directly through the SDK on the
// service's own engine, at the same open-loop rate as the API's creates.
// The ticket rows are written first (untimed), so that the processes have
// real records to keep up to date, as the API's do.
func runBaseline(ctx context.Context, c config, tg target, e *svc.Estate) (Stats, error) {
	s, _, err := tg.db.open(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer s.Close()
	var pol models.EstatePolicy
	if err := e.Admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/estates/%d/policy", e.ID), nil, http.StatusOK, &pol); err != nil {
		return Stats{}, err
	}
	n := int(c.rate * c.duration.Seconds())
	tickets := make([]models.Ticket, n)
	for i := range tickets {
		t := models.Ticket{EstateID: e.ID, Kind: models.TicketRepair, Urgency: models.UrgencyCritical, Category: "水管",
			Description: "SDK 基线", Location: "2栋地下车库", Channel: models.ReportPhone,
			FirstReceiverID: e.Staff[models.RoleCustomerService]}
		if tickets[i], _, err = s.CreateTicket(ctx, store.AllEstates(), &t, ""); err != nil {
			return Stats{}, err
		}
	}
	tc, err := client.DialContext(ctx, client.Options{HostPort: tg.frontend, Namespace: "wuye",
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return Stats{}, fmt.Errorf("dial Temporal at %s: %w", tg.frontend, err)
	}
	defer tc.Close()
	st := openLoop(ctx, "SDK start (baseline)", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
		if i >= len(tickets) {
			return 0, fmt.Errorf("no ticket row %d", i)
		}
		t := tickets[i]
		_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: workflows.TicketWorkflowID(t.ID), TaskQueue: workflows.TaskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, workflows.Ticket, workflows.NewTicketInput(t, pol.Policy, "Asia/Shanghai"))
		if err != nil {
			return 0, err
		}
		return http.StatusOK, nil
	})
	return st, nil
}
