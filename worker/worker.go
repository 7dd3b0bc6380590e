// Package worker registers every workflow and activity of the service on one
// Temporal worker. Any number of worker processes may run side by side
// against one cluster: they keep no state of their own.
package worker

import (
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// Deps are the activities' dependencies.
type Deps struct {
	Store  *store.Store
	Notify notify.Config
	Log    *slog.Logger
	// Now is the activities' clock; nil means time.Now.
	Now func() time.Time
	// Nudger tells collection processes of the bills a scheduled billing
	// run issued; New sets it to workflows.Nudger on its client when nil.
	Nudger activities.CollectionNudger
	// Links signs the links in residents' messages; nil sends none.
	Links *auth.Links
	// ReconDir is the folder of the providers' statement files (config
	// WUYE_RECON_DIR); empty reads none.
	ReconDir string
	// StickyTimeout is config WUYE_WORKER_STICKY_TIMEOUT; zero keeps the
	// SDK's default.
	StickyTimeout time.Duration
}

// New builds the worker on the service's task queue; Start it to poll.
func New(c client.Client, d Deps) (sdkworker.Worker, error) {
	channel, err := notify.New(d.Notify, d.Log)
	if err != nil {
		return nil, fmt.Errorf("notification channel: %w", err)
	}
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{StickyScheduleToStartTimeout: d.StickyTimeout})
	if d.Nudger == nil {
		d.Nudger = workflows.Nudger{Client: c}
	}
	Register(w, d, channel)
	return w, nil
}

// Register adds every workflow and activity to r (a worker, or a replayer's
// or test environment's registry).
func Register(r sdkworker.Registry, d Deps, channel notify.Channel) {
	r.RegisterWorkflow(workflows.Ticket)
	r.RegisterWorkflow(workflows.FollowUp)
	r.RegisterWorkflow(workflows.Collection)
	r.RegisterWorkflow(workflows.BillingRun)
	r.RegisterWorkflow(workflows.DailyReconciliation)
	r.RegisterWorkflow(workflows.Import)
	r.RegisterWorkflow(workflows.Delivery)
	r.RegisterWorkflow(workflows.Contract)
	// New validated d.Notify already; a registry built without New (a test)
	// and a bad configuration get no per-channel adapters.
	channels, _ := notify.NewChannels(d.Notify)
	notifier := &activities.Notifier{Store: d.Store, Channel: channel, Channels: channels, Now: d.Now, Log: d.Log, Links: d.Links}
	r.RegisterActivity(notifier)
	r.RegisterActivity(&activities.Cases{Store: d.Store})
	r.RegisterActivity(&activities.Staff{Store: d.Store})
	r.RegisterActivity(&activities.Tickets{Store: d.Store})
	r.RegisterActivity(&activities.Collections{Store: d.Store, Nudger: d.Nudger})
	r.RegisterActivity(&activities.Reconciler{Store: d.Store, Dir: d.ReconDir, Log: d.Log})
	r.RegisterActivity(&activities.Imports{Store: d.Store, Kinds: imports.Kinds(), Nudger: d.Nudger})

	// Inspections and preventive maintenance (巡检/维保).
	r.RegisterWorkflow(workflows.InspectionPlanRun)
	r.RegisterWorkflow(workflows.Inspection)
	r.RegisterWorkflow(workflows.StatutoryCheck)
	r.RegisterActivity(&activities.Inspections{Store: d.Store})

	// One escalation, one activity (issue 15): its messages go through the
	// same notifier.
	r.RegisterActivity(&activities.Escalations{Store: d.Store, Sender: notifier, Log: d.Log})

	// Outages (停水停电) and community notices (公告): broadcasts send
	// through the same notifier, in batches.
	r.RegisterWorkflow(workflows.Outage)
	r.RegisterWorkflow(workflows.Notice)
	r.RegisterActivity(&activities.Broadcasts{Store: d.Store, Notifier: notifier})

	// Satisfaction surveys (满意度调查): invitations through the same notifier.
	r.RegisterWorkflow(workflows.Survey)
	r.RegisterActivity(&activities.Surveys{Store: d.Store, Notifier: notifier})
}
