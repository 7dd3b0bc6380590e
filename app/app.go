// Package app wires the service together: database, Temporal (embedded or a
// cluster), worker and HTTP API, and stops them in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/wuye/wuye/api"
	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/codec"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/console"
	"github.com/wuye/wuye/engine"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/worker"
	"github.com/wuye/wuye/workflows"
)

// Mode says which parts run in this process.
type Mode string

// Modes.
const (
	// ModeServe runs the API and the worker (and, with no TEMPORAL_ADDRESS,
	// the embedded Temporal server).
	ModeServe Mode = "serve"
	// ModeAPI runs only the HTTP API against a Temporal cluster.
	ModeAPI Mode = "api"
	// ModeWorker runs only the worker against a Temporal cluster.
	ModeWorker Mode = "worker"
)

// Options adjust a start beyond the configuration.
type Options struct {
	Mode Mode
	// Demo fills an empty database with a demo estate.
	Demo bool
	// Out receives the first administrator's credentials and where to go.
	Out io.Writer
	// UI embeds the Temporal Web UI beside the embedded server; nil for none.
	UI engine.UIFunc
	// Log is the service's logger; nil builds one from the configuration.
	Log *slog.Logger
	// Now is the clock for records; nil means time.Now.
	Now func() time.Time
	// TracerProvider receives the spans; nil builds one from the
	// configuration (none when tracing is off). Stop shuts it down.
	TracerProvider *sdktrace.TracerProvider
}

// App is the running service.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	Store    *store.Store
	engine   *engine.Server
	Temporal client.Client
	links    *auth.Links
	codec    *codec.Codec
	worker   sdkworker.Worker
	// taskFailures counts failed workflow tasks; served on /metrics.
	taskFailures *worker.TaskFailures
	http         *http.Server
	// tracing is the tracer provider, nil when tracing is off.
	tracing  *sdktrace.TracerProvider
	listener net.Listener
	debug    *http.Server // the profiler's, when WUYE_DEBUG_ADDR is set
	served   chan error
	// ensuring is the start-up's background pass over the inspection
	// workflows (ensureInspections): Stop cancels it and waits.
	ensuring       sync.WaitGroup
	cancelEnsuring context.CancelFunc
}

// Start brings every part up and returns once the API is listening. When a
// part fails, the parts already started are stopped in order and the error,
// "start: <part>: <cause>", names the part.
func Start(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	if opts.Mode == "" {
		opts.Mode = ModeServe
	}
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Mode != ModeServe && cfg.EmbeddedTemporal() {
		return nil, fmt.Errorf("mode %q needs a Temporal cluster: set TEMPORAL_ADDRESS (only serve embeds one)", opts.Mode)
	}
	log := opts.Log
	if log == nil {
		log = NewLogger(cfg, os.Stderr)
	}
	a := &App{cfg: cfg, log: log, served: make(chan error, 1), taskFailures: worker.NewTaskFailures()}
	if err := a.start(ctx, opts); err != nil {
		a.Stop(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("start: %w", err)
	}
	a.printWelcome(opts)
	return a, nil
}

// start starts the parts one after the other; Stop undoes whatever it did.
func (a *App) start(ctx context.Context, opts Options) error {
	var err error
	if a.links, err = residentLinks(a.cfg); err != nil {
		return fmt.Errorf("resident links: %w", err)
	}
	if a.codec, err = payloadCodec(a.cfg); err != nil {
		return fmt.Errorf("payload keys: %w", err)
	}
	if a.tracing = opts.TracerProvider; a.tracing == nil {
		if a.tracing, err = startTracing(ctx, a.cfg); err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
	}
	if err := a.openStore(ctx, opts); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	// The SDK keeps one sticky cache per process, sized when the first
	// worker in the process starts; a size set later is ignored. The
	// embedded server's own system workers are such workers, so it is set
	// before the engine starts (set after it, the SDK's default of
	// 10,000 held and every open process stayed cached). Each cached
	// workflow costs memory (docs/benchmarks.md).
	sdkworker.SetStickyWorkflowCacheSize(a.cfg.WorkflowCacheSize)
	if err := a.connectTemporal(ctx, opts); err != nil {
		return err
	}
	if opts.Mode != ModeAPI {
		w, err := worker.New(a.Temporal, worker.Deps{Store: a.Store, Log: a.log, Now: opts.Now, Notify: a.cfg.Notify, Links: a.links, ReconDir: a.cfg.ReconDir, StickyTimeout: a.cfg.StickyTimeout})
		if err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		a.worker = w
		if err := a.worker.Start(); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		a.syncBillingSchedules(ctx)
		a.syncReconcileSchedule(ctx)
		a.ensureInspections(ctx)
		if opts.Demo {
			a.startDemoContracts(ctx)
			if err := a.startDemoNotices(ctx); err != nil {
				a.log.Error("demo outage and notice processes", "error", err)
			}
			if err := a.startDemoSurveys(ctx); err != nil {
				a.log.Error("demo survey processes", "error", err)
			}
		}
	}
	return a.serveHTTP(ctx, opts)
}

// openAttachments opens where photos are kept: the S3 bucket when one is
// named (asked for once, so that a wrong endpoint, key or bucket stops the
// start), else a directory under the data directory.
func (a *App) openAttachments(ctx context.Context) (api.AttachmentOptions, error) {
	o := api.AttachmentOptions{MaxBytes: int64(a.cfg.AttachmentsMaxMB) << 20,
		PerHour: a.cfg.AttachmentsPerHour, ResidentPerHour: a.cfg.AttachmentsResidentPerHour}
	if cfg, ok := a.cfg.AttachmentsS3(); ok {
		b, err := attachments.NewS3(cfg, nil)
		if err != nil {
			return o, err
		}
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := b.Check(cctx); err != nil {
			return o, err
		}
		a.log.Info("attachments in S3", "endpoint", cfg.Endpoint, "bucket", cfg.Bucket)
		o.Blobs = b
		return o, nil
	}
	d, err := attachments.NewDir(a.cfg.AttachmentsDir())
	o.Blobs = d
	return o, err
}

func (a *App) openStore(ctx context.Context, opts Options) error {
	o := store.Options{Driver: a.cfg.DBDriver, DSN: a.cfg.DBDSN, MaxOpen: a.cfg.DBMaxOpen,
		MaxLifetime: a.cfg.DBMaxLifetime, Logger: a.log, Now: opts.Now}
	if o.Driver == store.SQLite {
		o.DSN = a.cfg.SQLitePath()
	}
	s, err := store.Open(ctx, o)
	if err != nil {
		return err
	}
	a.Store = s
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, s, a.cfg, opts.Out, a.log); err != nil {
		return err
	}
	if opts.Demo {
		if err := seedDemo(ctx, s, a.cfg, opts.Out, a.log); err != nil {
			return err
		}
	}
	return nil
}

// connectTimeout bounds dialing Temporal and checking its namespace at start. The
// SDK gives up dialing by itself after 5 seconds, but the operator calls after the
// dial have no deadline of their own.
const connectTimeout = 30 * time.Second

func (a *App) connectTemporal(ctx context.Context, opts Options) error {
	copts := a.cfg.Temporal
	copts.Logger = sdklog.NewStructuredLogger(a.log.With("component", "temporal-sdk"))
	copts.DataConverter, copts.FailureConverter = a.codec.DataConverter(), a.codec.FailureConverter()
	copts.MetricsHandler = a.taskFailures.Handler()
	if a.tracing != nil {
		ti, err := tracingInterceptor(a.tracing)
		if err != nil {
			return err
		}
		copts.Interceptors = append(copts.Interceptors, ti)
	}
	attrs := engine.DefaultSearchAttributes()
	if a.cfg.EmbeddedTemporal() {
		srv, err := engine.Start(ctx, engine.Options{
			DataDir: a.cfg.DataDir, Namespace: a.cfg.TemporalNamespace,
			FrontendPort: a.cfg.EmbeddedTemporalPort, UIPort: a.cfg.EmbeddedUIPort,
			UI: opts.UI, CodecEndpoint: strings.TrimSuffix(a.cfg.PublicURL, "/") + api.CodecPath,
			SearchAttributes: attrs, Logger: a.log,
		})
		if err != nil {
			return fmt.Errorf("embedded Temporal: %w", err)
		}
		a.engine = srv
		copts.HostPort = srv.FrontendAddress()
		copts.Namespace = a.cfg.TemporalNamespace
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := client.DialContext(cctx, copts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", copts.HostPort, err)
	}
	a.Temporal = c
	if !a.cfg.EmbeddedTemporal() { // the embedded server registered them as it started
		// A hosted cluster may refuse: its operators register them, and the
		// check below lists what is still missing.
		if err := engine.RegisterSearchAttributes(cctx, c, copts.Namespace, attrs); err != nil {
			a.log.Debug("register search attributes", "err", err)
		}
	}
	if err := engine.CheckNamespace(cctx, c, copts.Namespace, attrs); err != nil {
		if cctx.Err() != nil {
			return fmt.Errorf("check Temporal at %s (no answer within %v): %w", copts.HostPort, connectTimeout, err)
		}
		return fmt.Errorf("check Temporal at %s: %w", copts.HostPort, err)
	}
	return nil
}

// syncBillingSchedules brings every estate's billing schedule in line with
// its policy, so that a database from before the schedules (or a change
// whose sync failed) converges; a failure is logged and the start goes on.
func (a *App) syncBillingSchedules(ctx context.Context) {
	all := store.AllEstates()
	for page := 1; ; page++ {
		l, err := a.Store.Estates(ctx, all, store.Page{Number: page, Size: store.MaxPageSize})
		if err != nil {
			a.log.Error("billing schedules: list estates", "err", err)
			return
		}
		for _, e := range l.Items {
			pol, err := a.Store.Policy(ctx, all, e.ID)
			if err == nil {
				sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err = workflows.SyncBillingSchedule(sctx, a.Temporal, e, pol.Policy.Fees, pol.Policy.Release.OrDefault().JitterWindow)
				cancel()
			}
			if err != nil {
				a.log.Error("billing schedule", "estate_id", e.ID, "err", err)
			}
		}
		if len(l.Items) < store.MaxPageSize {
			return
		}
	}
}

// syncReconcileSchedule brings the company's daily reconciliation schedule
// in line with WUYE_RECON_DIR (on when set); a failure is logged and the
// start goes on.
func (a *App) syncReconcileSchedule(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := workflows.SyncReconcileSchedule(sctx, a.Temporal, a.cfg.ReconDir, a.cfg.TimeZone); err != nil {
		a.log.Error("reconciliation schedule", "err", err)
	}
}

func (a *App) serveHTTP(ctx context.Context, opts Options) error {
	var h http.Handler
	closeStreams := func() {}
	if opts.Mode == ModeWorker {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"ok"}`)
		})
		// The worker's port is for probes and Prometheus inside the
		// deployment: runtime and failed workflow tasks, no business figures.
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), a.taskFailures)
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		mux.Handle("GET /readyz", api.ReadyHandler(a.Store, a.Temporal, a.cfg.TemporalNamespace, a.log))
		h = mux
	} else {
		photos, err := a.openAttachments(ctx)
		if err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		srv := api.New(api.Options{
			Store: a.Store, Temporal: a.Temporal, Log: a.log, Now: opts.Now,
			SessionTTL: a.cfg.SessionTTL, SecureCookies: a.cfg.SecureCookies, DefaultTimeZone: a.cfg.TimeZone,
			TemporalUIURL: a.temporalUIURL(), Namespace: a.cfg.TemporalNamespace, Links: a.links,
			Codec:          converter.NewPayloadCodecHTTPHandler(a.codec),
			TrustedProxies: a.cfg.TrustedProxies,
			Collectors:     []prometheus.Collector{a.taskFailures},
			Tracer:         tracer(a.tracing),
			PayProviders:   a.cfg.Pay, PayNotifyWindow: a.cfg.PayNotifyWindow,
			ReceiptSecrets: a.cfg.Notify.ReceiptSecrets(),
			Attachments:    photos,
		})
		console.Register(srv.Engine())
		h = srv.Handler()
		closeStreams = srv.CloseStreams
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.HTTPAddr, err)
	}
	a.listener = ln
	a.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.http.RegisterOnShutdown(closeStreams)
	go func() { a.served <- a.http.Serve(ln) }()
	return a.serveDebug()
}

// serveDebug serves Go's profiler on WUYE_DEBUG_ADDR when it is set: an
// operator's tool (go tool pprof http://127.0.0.1:6060/debug/pprof/profile),
// on its own listener so that it is never reachable through the API's port.
func (a *App) serveDebug() error {
	if a.cfg.DebugAddr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", a.cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (WUYE_DEBUG_ADDR): %w", a.cfg.DebugAddr, err)
	}
	a.debug = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.log.Info("profiler listening", "addr", ln.Addr().String())
	go func() {
		if err := a.debug.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Warn("profiler stopped", "err", err)
		}
	}()
	return nil
}

// temporalUIURL is the Temporal Web UI's base URL: WUYE_TEMPORAL_UI_URL when
// set, else the embedded UI's, "" when none runs.
func (a *App) temporalUIURL() string {
	if a.engine == nil || a.engine.UIAddress() == "" || a.cfg.TemporalUIURL != "" {
		return a.cfg.TemporalUIURL
	}
	return "http://" + a.engine.UIAddress()
}

// Addr is the API's listening address, e.g. "127.0.0.1:8080".
func (a *App) Addr() string { return a.listener.Addr().String() }

// Done reports an HTTP server that stopped by itself.
func (a *App) Done() <-chan error { return a.served }

// Stop shuts down in order: the API stops taking requests and finishes those
// under way, the worker drains, the embedded server stops, the database
// closes. It is safe on a partly started App.
func (a *App) Stop(ctx context.Context) {
	if a.http != nil {
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		if err := a.http.Shutdown(sctx); err != nil {
			a.log.Warn("HTTP shutdown", "err", err)
		}
		cancel()
	}
	if a.debug != nil {
		_ = a.debug.Close()
	}
	if a.cancelEnsuring != nil {
		a.cancelEnsuring()
		a.ensuring.Wait()
	}
	if a.worker != nil {
		a.worker.Stop()
	}
	if a.Temporal != nil {
		a.Temporal.Close()
	}
	if a.engine != nil {
		if err := a.engine.Stop(); err != nil {
			a.log.Warn("embedded Temporal shutdown", "err", err)
		}
	}
	if a.Store != nil {
		if err := a.Store.Close(); err != nil {
			a.log.Warn("database close", "err", err)
		}
	}
	if a.tracing != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := a.tracing.Shutdown(sctx); err != nil { // flushes the spans still batched
			a.log.Warn("tracing shutdown", "err", err)
		}
		cancel()
	}
	a.log.Info("stopped")
}

// Run starts the service and stops it when ctx ends (SIGINT/SIGTERM).
func Run(ctx context.Context, cfg config.Config, opts Options) error {
	a, err := Start(ctx, cfg, opts)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case err = <-a.served:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	a.Stop(context.WithoutCancel(ctx))
	return err
}

func (a *App) printWelcome(opts Options) {
	host, port, _ := net.SplitHostPort(a.Addr())
	if host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	fmt.Fprintf(opts.Out, "\n物业 service (%s) is running\n", opts.Mode)
	if opts.Mode != ModeWorker {
		fmt.Fprintf(opts.Out, "  Console:       %s/console/\n  API:           %s/api/v1  (OpenAPI: /api/v1/openapi.json)\n", base, base)
	}
	if a.engine != nil {
		fmt.Fprintf(opts.Out, "  Temporal:      %s (embedded, data in %s)\n", a.engine.FrontendAddress(), a.cfg.DataDir)
		if ui := a.engine.UIAddress(); ui != "" {
			fmt.Fprintf(opts.Out, "  Temporal UI:   http://%s/namespaces/%s/workflows\n", ui, a.cfg.TemporalNamespace)
		}
	}
	fmt.Fprintln(opts.Out)
}

// NewLogger builds the service's slog logger from the configuration.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	o := &slog.HandlerOptions{Level: cfg.Level}
	if cfg.LogFormat == "json" {
		return slog.New(api.RequestIDHandler(slog.NewJSONHandler(w, o)))
	}
	return slog.New(api.RequestIDHandler(slog.NewTextHandler(w, o)))
}

// ensureInspections starts, in the background, the workflows of active
// inspection plans and statutory checks that are not running (the demo's
// plans, a restored database), so that readiness does not wait for a pass
// over thousands of plans; its result or failure is logged, and Stop ends
// it. The pass is bounded: a minute, and a tenth of a second a workflow.
func (a *App) ensureInspections(ctx context.Context) {
	ctx, a.cancelEnsuring = context.WithCancel(context.WithoutCancel(ctx))
	a.ensuring.Go(func() {
		began := time.Now()
		plans, estates, err := a.Store.ActivePlans(ctx)
		var res workflows.EnsureResult
		if err == nil {
			sctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(len(plans)+len(estates))*100*time.Millisecond)
			res, err = workflows.EnsureInspections(sctx, a.Temporal, plans, estates)
			cancel()
		}
		log := a.log.With("plans", len(plans), "estates", len(estates), "running", res.Running, "started", res.Started,
			"failed", res.Failed, "listed", res.Listed, "took", time.Since(began).Round(time.Millisecond))
		if err != nil {
			log.Error("inspection workflows", "err", err)
			return
		}
		log.Info("inspection workflows ensured")
	})
}
