// Command bench measures a wuye service through its HTTP API: open-loop
// load per endpoint with a baseline of the same workflow started directly
// through the Temporal SDK, escalation lateness for deadlines spread over a
// window and for a burst due at one instant, the read model with many rows
// on SQLite and MySQL, and the process's memory, goroutines and start-up
// time. It sends traffic to loopback only, and every loop is bounded.
//
//	go run ./bench                      # builds and runs the service itself
//	go run ./bench -json bench.json     # also writes the report as JSON
//	go run ./bench -addr 127.0.0.1:8080 -db ./data/wuye.db -frontend 127.0.0.1:7233
//
// See README.md "Benchmarks" and docs/benchmarks.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// config is the command line.
type config struct {
	addr, db, dsn, frontend, password string
	rate                              float64
	duration                          time.Duration
	spread                            int
	spreadWindow                      time.Duration
	burst                             int
	rows                              int
	arrears                           int
	pay                               int
	payRate                           float64
	outage                            int
	monthEnd, monthEndRate            int
	monthEndOpenRate                  int
	plans, planEstates                int
	planRest                          time.Duration
	planCreateAhead                   time.Duration
	reads                             int
	mysql                             bool
	mysqlDSN                          string
	jsonOut                           string
	keep                              bool
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", "", "host:port of a running service (loopback); empty builds and starts one")
	fs.StringVar(&c.db, "db", "", "with -addr: the service's SQLite file, for lateness, baseline and read-model rows")
	fs.StringVar(&c.dsn, "dsn", "", "with -addr: the service's MySQL DSN instead of -db")
	fs.StringVar(&c.frontend, "frontend", "", "with -addr: the Temporal frontend host:port, for the SDK baseline")
	fs.StringVar(&c.password, "password", svc.AdminPassword, "with -addr: the first administrator's password")
	fs.Float64Var(&c.rate, "rate", 20, "open-loop target rate per endpoint, requests per second")
	fs.DurationVar(&c.duration, "duration", 15*time.Second, "how long each endpoint is loaded")
	fs.IntVar(&c.spread, "spread", 300, "open tickets whose deadlines fall evenly across -spread-window")
	fs.DurationVar(&c.spreadWindow, "spread-window", time.Minute, "window of the spread deadlines")
	fs.IntVar(&c.burst, "burst", 300, "tickets whose deadlines fall at one instant")
	fs.IntVar(&c.rows, "rows", 100000, "tickets in the database for the read-model measurement (0 skips it)")
	fs.IntVar(&c.arrears, "arrears", 100000, "arrears cases (households, bills, payments, cases) generated with the -rows tickets")
	fs.IntVar(&c.reads, "reads", 40, "requests per read-model query")
	fs.IntVar(&c.pay, "pay", 200, "households whose signed payment notification is timed to their case closing (at most 200; 0 skips; only for a service the bench starts)")
	fs.Float64Var(&c.payRate, "pay-rate", 20, "payment notifications per second")
	fs.IntVar(&c.outage, "outage", 0, "households an emergency outage notice goes to, timed from the create request to every message sent (0 skips; the target is 2,000 within 2 minutes)")
	fs.IntVar(&c.monthEnd, "monthend", 0, "households whose month-end messages fall due at one local minute, timed from that minute to the last sent at the SMS release rate (0 skips; the target is 10,000)")
	fs.IntVar(&c.monthEndRate, "monthend-rate", 50, "the month-end estate's SMS release rate, messages a second (policy release.rates.sms)")
	fs.IntVar(&c.monthEndOpenRate, "monthend-open-rate", 10, "with -monthend: the collections a second the engine is given to open (bills imported, each collection started and its message due) before the quiet hours end; too high and the report counts late bills")
	fs.IntVar(&c.plans, "plans", 0, "daily inspection plans, all due at one local minute shortly ahead: the engine's work on their workflows at rest and the occurrences' lateness (0 skips; the target is 5,000 at rest and each occurrence within 60 s)")
	fs.IntVar(&c.planEstates, "plan-estates", 50, "estates the -plans are spread across (one piece of equipment each)")
	fs.DurationVar(&c.planRest, "plan-rest", 30*time.Second, "with -plans: the rest window over which the plan workflows' history events are counted")
	fs.DurationVar(&c.planCreateAhead, "plan-create-ahead", models.DefaultInspectionPolicy().CreateAhead.Std(),
		"with -plans: the estates' policy inspection.create_ahead (set through the policy API when not the default); the plans' start is put this much further ahead, so that the rest window comes before the first creation")
	fs.BoolVar(&c.mysql, "mysql", true, "also measure the read model on MySQL (a second service with WUYE_DB_DRIVER=mysql)")
	fs.StringVar(&c.mysqlDSN, "mysql-dsn", "root:@tcp(127.0.0.1:3306)/", "MySQL server for -mysql; a fresh database is created and dropped")
	fs.StringVar(&c.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp data directories")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if c.addr != "" {
		if err := loopbackOnly(c.addr); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Each phase has its own bound, derived from its size (phase.go): the
	// bench stops by itself, and a phase cut short is reported as such.

	rep := &Report{Started: time.Now().UTC(), Config: c.describe()}
	runErr := bench(ctx, c, rep, out)
	if runErr != nil {
		if len(rep.Phases) == 0 {
			return runErr
		}
		// What the phases before it measured is still reported; the
		// targets of the phases that did not run say so.
		rep.Notes = append(rep.Notes, "the run stopped early: "+runErr.Error())
	}
	rep.Targets = evaluateTargets(c, rep)
	rep.Print(out)
	if c.jsonOut != "" {
		raw, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.jsonOut, raw, 0o644); err != nil {
			return err
		}
	}
	return runErr
}

func (c config) describe() map[string]any {
	return map[string]any{"rate_per_s": c.rate, "duration_s": c.duration.Seconds(), "spread": c.spread,
		"spread_window_s": c.spreadWindow.Seconds(), "burst": c.burst, "rows": c.rows, "arrears": c.arrears, "reads": c.reads, "mysql": c.mysql,
		"pay": c.pay, "pay_rate_per_s": c.payRate, "outage": c.outage,
		"monthend": c.monthEnd, "monthend_rate_per_s": c.monthEndRate, "monthend_open_rate_per_s": c.monthEndOpenRate,
		"plans": c.plans, "plan_estates": c.planEstates, "plan_rest_s": c.planRest.Seconds(),
		"plan_create_ahead_s": c.planCreateAhead.Seconds()}
}

// loopbackOnly refuses targets off this machine.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: want host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: the bench targets loopback addresses only", addr)
	}
	return nil
}

// target is the service under measurement.
type target struct {
	base     string
	frontend string
	db       dbTarget
	proc     *svc.Service // nil for -addr
	password string
}

func bench(ctx context.Context, c config, rep *Report, out io.Writer) error {
	tg := target{base: "http://" + c.addr, frontend: c.frontend, password: c.password,
		db: dbTarget{driver: "sqlite", dsn: c.db}}
	if c.dsn != "" {
		tg.db = dbTarget{driver: "mysql", dsn: c.dsn}
	}
	var binary string
	if c.addr == "" {
		dir, err := os.MkdirTemp("", "wuye-bench-")
		if err != nil {
			return err
		}
		if !c.keep {
			defer os.RemoveAll(dir)
		}
		mod, err := svc.ModuleDir(".")
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "building ./cmd/wuye ...")
		if binary, err = svc.Build(ctx, mod, dir); err != nil {
			return err
		}
		p, err := svc.Start(ctx, svc.Options{Binary: binary, DataDir: dir + "/sqlite", Env: payEnv()})
		if err != nil {
			return err
		}
		// The restart at the end replaces the process: stop the one running.
		defer func() {
			if tg.proc != nil {
				tg.proc.Stop()
			}
		}()
		tg.base, tg.frontend, tg.proc, tg.password = p.Base, p.Frontend, p, svc.AdminPassword
		tg.db = dbTarget{driver: "sqlite", dsn: p.SQLitePath()}
		rep.Commit = commit(mod)
		rep.Resources.StartUpS = p.StartUp.Seconds()
		fmt.Fprintf(out, "service pid %d ready in %.1fs at %s (Temporal %s)\n", p.PID(), p.StartUp.Seconds(), p.Base, p.Frontend)
	}
	if err := measure(ctx, c, tg, rep, out); err != nil {
		return err
	}
	// Last on this service: stopped and started again on the same data
	// directory, with every process the run left open and every row the
	// read model inserted.
	if tg.proc != nil {
		fmt.Fprintln(out, "restart on the same data directory ...")
		_ = rep.phase(ctx, out, restartPhase, 5*time.Minute, func(ctx context.Context) error {
			r, p, err := restartReady(ctx, tg)
			tg.proc = p // the one to stop at the end; nil if none runs
			rep.Restart = r
			if err != nil {
				rep.Notes = append(rep.Notes, "restart failed: "+err.Error())
			}
			return err
		})
	}
	if c.mysql && c.rows > 0 && binary != "" {
		fmt.Fprintln(out, "read model on MySQL ...")
		_ = rep.phase(ctx, out, "read model, mysql", c.readModelBound()+5*time.Minute, func(ctx context.Context) error {
			rm, startUp, err := mysqlReadModel(ctx, c, binary)
			if err != nil {
				rep.Notes = append(rep.Notes, "MySQL read model skipped: "+err.Error())
				return err
			}
			rep.ReadModel = append(rep.ReadModel, rm)
			rep.Resources.StartUpMySQLS = startUp.Seconds()
			return nil
		})
	}
	return nil
}

// measure runs every section against one service.
func measure(ctx context.Context, c config, tg target, rep *Report, out io.Writer) error {
	routes, err := routeSet(ctx, tg.base)
	if err != nil {
		return err
	}
	res := &rep.Resources
	admin, err := svc.SignIn(ctx, tg.base, "admin", tg.password)
	if err != nil {
		return err
	}
	if routes["GET /metrics"] {
		res.IdleGoroutines, _ = goroutines(ctx, admin)
	} else {
		rep.Notes = append(rep.Notes, "no /metrics route: goroutines not measured")
	}
	if tg.proc != nil {
		rss, _ := tg.proc.RSS()
		res.IdleRSSMiB = mib(rss)
	}

	fmt.Fprintf(out, "open-loop load: %.0f/s for %v per endpoint ...\n", c.rate, c.duration)
	var loadRes loadResult
	if err := rep.phase(ctx, out, "load", c.loadBound(), func(ctx context.Context) error {
		var err error
		loadRes, err = runLoad(ctx, c, tg, routes)
		return err
	}); err != nil {
		return err
	}
	rep.Load = loadRes.stats
	rep.Notes = append(rep.Notes, loadRes.notes...)

	switch {
	case c.pay <= 0:
	case tg.proc == nil:
		rep.Notes = append(rep.Notes, "payment notifications skipped: only for a service the bench starts (it configures the provider)")
	case !routes["POST /api/v1/payment-notifications/{provider}"]:
		rep.Notes = append(rep.Notes, "payment notifications skipped: no such route")
	default:
		fmt.Fprintf(out, "payment notification → case closed: %d at %.0f/s ...\n", c.pay, c.payRate)
		_ = rep.phase(ctx, out, "payments", c.paymentsBound(), func(ctx context.Context) error {
			st, err := runPayments(ctx, c, tg)
			if err != nil {
				rep.Notes = append(rep.Notes, "payment notifications failed: "+err.Error())
				return err
			}
			rep.Load = append(rep.Load, st)
			return nil
		})
	}

	if c.outage > 0 {
		fmt.Fprintf(out, "outage notice → %d households ...\n", c.outage)
		_ = rep.phase(ctx, out, "outage broadcast", 15*time.Minute, func(ctx context.Context) error {
			st, err := runOutageBroadcast(ctx, c, tg)
			if err != nil {
				rep.Notes = append(rep.Notes, "outage broadcast failed: "+err.Error())
				return err
			}
			rep.Load = append(rep.Load, st)
			return nil
		})
	}

	switch {
	case c.monthEnd <= 0:
	case tg.db.dsn == "" || c.monthEndRate < 1:
		rep.Notes = append(rep.Notes, "month-end release skipped: give -db or -dsn with -addr, and a -monthend-rate of at least 1")
	default:
		fmt.Fprintf(out, "month-end release: %d households at %d SMS/s ...\n", c.monthEnd, c.monthEndRate)
		_ = rep.phase(ctx, out, monthEndPhase, c.monthEndBound(), func(ctx context.Context) error {
			me, err := runMonthEnd(ctx, c, tg, out)
			rep.MonthEnd = me
			if err != nil {
				rep.Notes = append(rep.Notes, "month-end release failed: "+err.Error())
			}
			return err
		})
	}

	if tg.frontend != "" && tg.db.dsn != "" {
		fmt.Fprintln(out, "SDK baseline ...")
		var base Stats
		err := rep.phase(ctx, out, "sdk baseline", c.loadBound(), func(ctx context.Context) error {
			var err error
			base, err = runBaseline(ctx, c, tg, loadRes.estate)
			return err
		})
		if err != nil {
			rep.Notes = append(rep.Notes, "SDK baseline failed: "+err.Error())
		} else {
			rep.Baseline = &base
			for _, s := range rep.Load {
				if s.Name == "create ticket" && base.P50ms > 0 {
					rep.Overhead = &Overhead{P50: s.P50ms / base.P50ms, P99: s.P99ms / base.P99ms}
				}
			}
		}
	} else {
		rep.Notes = append(rep.Notes, "SDK baseline skipped: give -frontend and -db/-dsn with -addr")
	}

	// Every ticket so far is open (windows of an hour): the footprint per
	// thousand open processes.
	if routes["GET /metrics"] {
		open, gr, err := openAndGoroutines(ctx, admin)
		if err == nil && open > 0 {
			res.OpenProcesses = int(open)
			res.Goroutines = gr
			res.GoroutinesPer1000 = (gr - res.IdleGoroutines) / open * 1000
			if tg.proc != nil {
				rss, _ := tg.proc.RSS()
				res.RSSMiB = mib(rss)
				res.RSSMiBPer1000 = (res.RSSMiB - res.IdleRSSMiB) / open * 1000
			}
		}
	}

	if tg.db.dsn != "" {
		createRate := loadRes.createRate()
		// Once the spread's tickets are created (they stay open: the windows
		// are an hour), the footprint at that many open processes.
		atOpen := func(ctx context.Context) {
			if !routes["GET /metrics"] {
				return
			}
			open, _, err := openAndGoroutines(ctx, admin)
			if err != nil {
				rep.Notes = append(rep.Notes, "open processes after the spread's creation not read: "+err.Error())
				return
			}
			res.SpreadOpenProcesses = int(open)
			if tg.proc != nil {
				rss, _ := tg.proc.RSS()
				res.SpreadRSSMiB = mib(rss)
			}
		}
		if c.spread > 0 {
			fmt.Fprintf(out, "escalation lateness: %d spread over %v ...\n", c.spread, c.spreadWindow)
			if err := rep.phase(ctx, out, spreadPhase, c.spreadBound(createRate), func(ctx context.Context) error {
				l, err := runSpread(ctx, c, tg, createRate, atOpen)
				rep.LatenessSpread = l
				return err
			}); err != nil {
				return err
			}
		}
		// The bare engine's burst of the same size, on the same engine, just
		// before the ticket burst.
		switch {
		case c.burst <= 0:
		case tg.frontend == "":
			rep.Notes = append(rep.Notes, "bare-engine burst skipped: give -frontend with -addr")
		default:
			fmt.Fprintf(out, "bare-engine burst: %d workflows due at one instant (task queue %s) ...\n", c.burst, bareTaskQueue)
			_ = rep.phase(ctx, out, barePhase, c.bareBound(createRate), func(ctx context.Context) error {
				b, err := runBareBurst(ctx, tg.frontend, c.burst, createRate)
				rep.BareBurst = b
				if err != nil && ctx.Err() == nil {
					rep.Notes = append(rep.Notes, "bare-engine burst failed: "+err.Error())
				}
				return err
			})
		}
		if c.burst > 0 {
			fmt.Fprintf(out, "escalation lateness: a burst of %d ...\n", c.burst)
			if err := rep.phase(ctx, out, burstPhase, c.burstBound(createRate), func(ctx context.Context) error {
				l, err := runBurst(ctx, c, tg, createRate)
				rep.LatenessBurst = l
				return err
			}); err != nil {
				return err
			}
		}
		rep.BurstVsBare = burstVsBare(rep.LatenessBurst, rep.BareBurst)
		if c.rows > 0 {
			fmt.Fprintf(out, "read model with %d tickets on %s ...\n", c.rows, tg.db.driver)
			if err := rep.phase(ctx, out, "read model, "+tg.db.driver, c.readModelBound(), func(ctx context.Context) error {
				rm, err := readModel(ctx, c, tg, routes)
				rep.ReadModel = append(rep.ReadModel, rm)
				return err
			}); err != nil {
				return err
			}
		}
	} else {
		rep.Notes = append(rep.Notes, "lateness and read model skipped: give -db or -dsn with -addr")
	}
	// Last: its plans and occurrences stay open and would weigh on the
	// sections above.
	switch {
	case c.plans <= 0:
	case tg.frontend == "" || tg.db.dsn == "":
		rep.Notes = append(rep.Notes, "inspection plans skipped: give -frontend and -db/-dsn with -addr")
	case !routes["POST /api/v1/inspection-plans"]:
		rep.Notes = append(rep.Notes, "inspection plans skipped: no such route")
	default:
		fmt.Fprintf(out, "inspection plans: %d daily across %d estates, rest window %v, then the day's occurrences ...\n", c.plans, c.planEstates, c.planRest)
		rep.Plans = &Plans{}
		_ = rep.phase(ctx, out, "inspection plans", c.plansBound(), func(ctx context.Context) error {
			err := runPlans(ctx, c, tg, rep.Plans)
			if err != nil && ctx.Err() == nil {
				rep.Notes = append(rep.Notes, "inspection plans failed: "+err.Error())
			}
			return err
		})
	}
	if tg.proc != nil {
		rss, _ := tg.proc.RSS()
		res.FinalRSSMiB = mib(rss)
	}
	return nil
}

// routeSet lists "METHOD /path" of the service's routes from its OpenAPI
// document, so that sections for routes not there yet are skipped.
func routeSet(ctx context.Context, base string) (map[string]bool, error) {
	c := &svc.Client{Base: base}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := c.Call(ctx, http.MethodGet, "/api/v1/openapi.json", nil, http.StatusOK, &doc); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			out[strings.ToUpper(m)+" "+p] = true
		}
	}
	return out, nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
