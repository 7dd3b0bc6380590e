package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	svcconfig "github.com/wuye/wuye/config"
)

// BareBurst is the bare engine's burst: n workflows that only sleep until
// one instant and then record the time in a local activity, run by a
// worker in the bench process on the service's own engine, in the same run
// as the ticket burst and with the same n. It is what the ticket burst's
// drain rate is compared with.
type BareBurst struct {
	Timers    int    `json:"timers"`
	Fired     int    `json:"fired"`
	Missing   int    `json:"missing"`
	TaskQueue string `json:"task_queue"`
	// LeadS is how far ahead of the instant the workflows were started;
	// StartS is how long starting them took.
	LeadS  float64 `json:"lead_s"`
	StartS float64 `json:"start_s"`
	// Fire time (the local activity's clock) minus the instant.
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// DrainS runs from the instant to the last fire; DrainRate is the
	// workflows fired a second over it.
	DrainS    float64 `json:"drain_s"`
	DrainRate float64 `json:"drain_per_s"`
	// StickyTimeoutS is the worker's sticky schedule-to-start timeout, the
	// service's default (WUYE_WORKER_STICKY_TIMEOUT).
	StickyTimeoutS float64 `json:"sticky_timeout_s"`
}

// bareTaskQueue is the bench's own task queue: the service's worker does
// not poll it, so only the bench's minimal workflow runs there.
const bareTaskQueue = "bench-bare"

// bareTimerName is the minimal workflow's registered name.
const bareTimerName = "BenchBareTimer"

// bareInput is the minimal workflow's input: its index and the instant.
type bareInput struct {
	I   int       `json:"i"`
	Due time.Time `json:"due"`
}

// bareRecorder holds each workflow's fire time, written by the local
// activity in the bench process.
type bareRecorder struct {
	mu    sync.Mutex
	fired map[int]time.Time
}

// Fire is the local activity: it records when workflow i woke.
func (r *bareRecorder) Fire(_ context.Context, i int) (time.Time, error) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.fired[i]; !ok {
		r.fired[i] = now
	}
	return now, nil
}

func (r *bareRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.fired)
}

// bareTimer sleeps until the instant, then records the time in one local
// activity.
func bareTimer(rec *bareRecorder) func(ctx workflow.Context, in bareInput) (time.Time, error) {
	return func(ctx workflow.Context, in bareInput) (time.Time, error) {
		if d := in.Due.Sub(workflow.Now(ctx)); d > 0 {
			if err := workflow.Sleep(ctx, d); err != nil {
				return time.Time{}, err
			}
		}
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		var at time.Time
		err := workflow.ExecuteLocalActivity(ctx, rec.Fire, in.I).Get(ctx, &at)
		return at, err
	}
}

// bareLead is how far ahead the bare workflows are put: as the ticket
// burst's, but no more than their starts need at 20 a second (the SDK
// starts them faster than the API creates tickets; a timer's lead does not
// change its firing).
func bareLead(n int, createRate float64) time.Duration {
	return leadFor(n, max(createRate, 20))
}

// runBareBurst starts a worker of its own on the service's engine
// (namespace wuye, task queue bench-bare), starts n minimal workflows all
// due at one instant (bareLead ahead), waits for them
// to fire (or five minutes past the instant) and stops the worker. Any
// workflow not fired by then is terminated, so that none is left behind.
func runBareBurst(ctx context.Context, frontend string, n int, createRate float64) (*BareBurst, error) {
	b := &BareBurst{Timers: n, TaskQueue: bareTaskQueue}
	logger := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	tc, err := client.DialContext(ctx, client.Options{HostPort: frontend, Namespace: "wuye", Logger: logger})
	if err != nil {
		return b, fmt.Errorf("dial Temporal at %s: %w", frontend, err)
	}
	defer tc.Close()
	rec := &bareRecorder{fired: map[int]time.Time{}}
	// The service's worker options where they shape a burst: the same
	// sticky timeout (the service inherits the bench's environment), so that
	// both sides of the ratio pay the same for it.
	cfg, err := svcconfig.Load(svcconfig.OSEnvironment())
	if err != nil {
		return b, fmt.Errorf("service defaults: %w", err)
	}
	b.StickyTimeoutS = cfg.StickyTimeout.Seconds()
	w := worker.New(tc, bareTaskQueue, worker.Options{StickyScheduleToStartTimeout: cfg.StickyTimeout})
	w.RegisterWorkflowWithOptions(bareTimer(rec), workflow.RegisterOptions{Name: bareTimerName})
	if err := w.Start(); err != nil {
		return b, fmt.Errorf("bare worker: %w", err)
	}
	defer w.Stop()

	lead := bareLead(n, createRate)
	due := time.Now().Add(lead)
	b.LeadS = lead.Seconds()
	ids := make([]string, n)
	tag := time.Now().UnixNano()
	began := time.Now()
	var mu sync.Mutex
	var firstErr error
	each(ctx, n, 16, func(i int) {
		id := fmt.Sprintf("bench-bare-%d-%d", tag, i)
		_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: bareTaskQueue,
			WorkflowExecutionTimeout: lead + 10*time.Minute}, bareTimerName, bareInput{I: i, Due: due})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		ids[i] = id
	})
	b.StartS = time.Since(began).Seconds()
	started := 0
	for _, id := range ids {
		if id != "" {
			started++
		}
	}
	if started < n && ctx.Err() == nil {
		return b, fmt.Errorf("started %d of %d bare workflows: %v", started, n, firstErr)
	}
	if time.Now().After(due) {
		return b, fmt.Errorf("starting %d bare workflows took %.1f s, past their instant %.1f s ahead", n, b.StartS, b.LeadS)
	}

	limit := due.Add(5 * time.Minute)
	var waitErr error
	for rec.count() < started && time.Now().Before(limit) {
		select {
		case <-ctx.Done():
			waitErr = ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if waitErr != nil {
			break
		}
	}
	rec.mu.Lock()
	fired := make([]time.Time, 0, len(rec.fired))
	for i, at := range rec.fired {
		fired = append(fired, at)
		ids[i] = "" // fired: nothing to clean up
	}
	rec.mu.Unlock()
	// Leave nothing open on the service's engine.
	cleanup, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, id := range ids {
		if id != "" {
			_ = tc.TerminateWorkflow(cleanup, id, "", "bench: bare burst over")
		}
	}
	b.Fired = len(fired)
	b.Missing = n - b.Fired
	b.P50ms, b.P99ms, b.MaxMs, b.DrainS, b.DrainRate = drain(fired, due)
	return b, waitErr
}

// drain summarises fire times against one instant: lateness percentiles,
// the time from the instant to the last fire and the fires a second over
// it.
func drain(fired []time.Time, due time.Time) (p50, p99, maxMs, drainS, rate float64) {
	if len(fired) == 0 {
		return 0, 0, 0, 0, 0
	}
	lats := make([]time.Duration, len(fired))
	last := fired[0]
	for i, at := range fired {
		lats[i] = at.Sub(due)
		if at.After(last) {
			last = at
		}
	}
	p50, p99, maxMs = percentiles(lats)
	drainS = last.Sub(due).Seconds()
	if drainS > 0 {
		rate = float64(len(fired)) / drainS
	}
	return p50, p99, maxMs, drainS, rate
}
