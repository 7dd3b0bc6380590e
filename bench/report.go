package main

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/wuye/wuye/models"
)

// Report is everything one run measured.
type Report struct {
	Started        time.Time      `json:"started"`
	Commit         string         `json:"commit,omitempty"`
	Config         map[string]any `json:"config"`
	Load           []Stats        `json:"load"`
	Baseline       *Stats         `json:"sdk_baseline,omitempty"`
	Overhead       *Overhead      `json:"api_over_sdk,omitempty"`
	LatenessSpread *Lateness      `json:"lateness_spread,omitempty"`
	LatenessBurst  *Lateness      `json:"lateness_burst,omitempty"`
	// BareBurst is the bare engine's burst of the same size in the same
	// run; BurstVsBare is the ticket burst's drain rate over its rate (the
	// target is at least 0.8).
	BareBurst   *BareBurst  `json:"bare_burst,omitempty"`
	BurstVsBare *float64    `json:"burst_vs_bare,omitempty"`
	ReadModel   []ReadModel `json:"read_model,omitempty"`
	MonthEnd    *MonthEnd   `json:"month_end,omitempty"`
	Plans       *Plans      `json:"inspection_plans,omitempty"`
	Restart     *Restart    `json:"restart,omitempty"`
	// Targets are issue 15's figures against their targets.
	Targets   []Target  `json:"targets"`
	Resources Resources `json:"resources"`
	// Phases are the sections run, each with its bound; a phase cut short
	// has partial figures.
	Phases []Phase  `json:"phases"`
	Notes  []string `json:"notes,omitempty"`
}

// Overhead is the API's create latency over the SDK's start latency.
type Overhead struct {
	P50 float64 `json:"p50_ratio"`
	P99 float64 `json:"p99_ratio"`
}

// Lateness is escalation time minus the deadline it answers.
type Lateness struct {
	Tickets     int     `json:"tickets"`
	Escalations int     `json:"escalations"`
	Missing     int     `json:"missing"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	// For a burst: from the common deadline to the last escalation, and
	// escalations (one per ticket) per second over that time.
	DrainS    float64 `json:"drain_s,omitempty"`
	DrainRate float64 `json:"drain_per_s,omitempty"`
	WindowS   float64 `json:"window_s,omitempty"`
	// Driver is the app database of the service measured.
	Driver string `json:"driver,omitempty"`
	// For the spread: CreateS is how long the tickets took to create;
	// SettledS how long after the first create the engine had done their
	// creation work (each ticket's report recorded; the spread's policy
	// warns at 99 % of the window, in it); LeadS how far ahead of the first
	// create the first deadline was put. SettledS beyond LeadS means the
	// window began with the creation's backlog still queued (Settled false
	// when it never caught up before the first deadline).
	CreateS  float64 `json:"create_s,omitempty"`
	SettledS float64 `json:"settled_s,omitempty"`
	Settled  bool    `json:"settled,omitempty"`
	LeadS    float64 `json:"lead_s,omitempty"`
}

// ReadModel is list and dashboard latency with many rows.
type ReadModel struct {
	Driver  string  `json:"driver"`
	Tickets int64   `json:"tickets"`
	InsertS float64 `json:"insert_s"`
	// Cases counts collection cases; ArrearsInsertS is the time their
	// households, bills, payments and cases took to insert.
	Cases          int64   `json:"arrears_cases"`
	ArrearsInsertS float64 `json:"arrears_insert_s"`
	// SummariesS is the time the summary rows (SLA, stage totals,
	// collection sums) took to rebuild over the rows inserted beside the
	// store: what the service's one-time upgrade fill costs at this size.
	SummariesS float64 `json:"summaries_s"`
	Queries    []Stats `json:"queries"`
}

// Resources is the process's footprint.
type Resources struct {
	StartUpS          float64 `json:"startup_to_ready_s"`
	StartUpMySQLS     float64 `json:"startup_to_ready_mysql_s,omitempty"`
	IdleRSSMiB        float64 `json:"idle_rss_mib"`
	IdleGoroutines    float64 `json:"idle_goroutines"`
	OpenProcesses     int     `json:"open_processes"`
	RSSMiB            float64 `json:"rss_mib"`
	Goroutines        float64 `json:"goroutines"`
	RSSMiBPer1000     float64 `json:"rss_mib_per_1000_open"`
	GoroutinesPer1000 float64 `json:"goroutines_per_1000_open"`
	FinalRSSMiB       float64 `json:"final_rss_mib"`
	// SpreadOpenProcesses and SpreadRSSMiB are read once the spread's
	// tickets are created, before their deadlines: the RSS at that many
	// open processes (/metrics' open tickets).
	SpreadOpenProcesses int     `json:"spread_open_processes,omitempty"`
	SpreadRSSMiB        float64 `json:"spread_rss_mib,omitempty"`
}

// Print writes the short report.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\n== wuye bench %s (commit %s) ==\n", r.Started.Format(time.RFC3339), r.Commit)
	fmt.Fprintf(w, "config: %v\n", r.Config)
	fmt.Fprintln(w, "\nopen-loop load (latency from the scheduled send):")
	fmt.Fprintf(w, "  %-22s %7s %6s %6s %5s %5s %9s %9s %9s %9s\n", "endpoint", "rate/s", "sent", "ok", "err", "late", "p50 ms", "p99 ms", "max ms", "ok/s")
	row := func(s Stats) {
		fmt.Fprintf(w, "  %-22s %7.1f %6d %6d %5d %5d %9.1f %9.1f %9.1f %9.1f\n", s.Name, s.Rate, s.Sent, s.OK, s.Errors, s.Late, s.P50ms, s.P99ms, s.MaxMs, s.Achieved)
		if s.FirstFail != "" {
			fmt.Fprintf(w, "  %-22s first failure: %s\n", "", trim(s.FirstFail, 120))
		}
	}
	for _, s := range r.Load {
		row(s)
	}
	if r.Baseline != nil {
		row(*r.Baseline)
	}
	if r.Overhead != nil {
		fmt.Fprintf(w, "  API create / SDK start: p50 ×%.2f, p99 ×%.2f\n", r.Overhead.P50, r.Overhead.P99)
	}
	lat := func(name string, l *Lateness) {
		if l == nil {
			return
		}
		fmt.Fprintf(w, "  %-8s tickets %d, escalations %d (missing %d): late p50 %.0f ms, p99 %.0f ms, max %.0f ms", name, l.Tickets, l.Escalations, l.Missing, l.P50ms, l.P99ms, l.MaxMs)
		if l.DrainS > 0 {
			fmt.Fprintf(w, "; drained in %.1f s (%.0f/s)", l.DrainS, l.DrainRate)
		}
		if l.LeadS > 0 {
			settled := fmt.Sprintf("settled after %.0f s", l.SettledS)
			if !l.Settled {
				settled = "NOT settled before the first deadline"
			}
			fmt.Fprintf(w, "; created in %.0f s, %s, first deadline at %.0f s", l.CreateS, settled, l.LeadS)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nescalation lateness (event time − deadline):")
	lat("spread", r.LatenessSpread)
	lat("burst", r.LatenessBurst)
	if b := r.BareBurst; b != nil {
		fmt.Fprintf(w, "  %-8s workflows %d, fired %d (missing %d), started in %.1f s for %.0f s ahead: late p50 %.0f ms, p99 %.0f ms, max %.0f ms; drained in %.1f s (%.0f/s)\n",
			"bare", b.Timers, b.Fired, b.Missing, b.StartS, b.LeadS, b.P50ms, b.P99ms, b.MaxMs, b.DrainS, b.DrainRate)
	}
	if r.BurstVsBare != nil {
		fmt.Fprintf(w, "  burst vs bare engine (drain rates, tickets/s over workflows/s): %.2f (target ≥ 0.80)\n", *r.BurstVsBare)
	}
	for _, m := range r.ReadModel {
		fmt.Fprintf(w, "\nread model, %s, %d tickets (inserted in %.0f s), %d arrears cases (inserted in %.0f s), summaries rebuilt in %.1f s, one request at a time:\n",
			m.Driver, m.Tickets, m.InsertS, m.Cases, m.ArrearsInsertS, m.SummariesS)
		for _, q := range m.Queries {
			fmt.Fprintf(w, "  %-34s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d/%d ok)\n", q.Name, q.P50ms, q.P99ms, q.MaxMs, q.OK, q.Sent)
			if q.FirstFail != "" {
				fmt.Fprintf(w, "  %-34s first failure: %s\n", "", trim(q.FirstFail, 120))
			}
		}
	}
	if m := r.MonthEnd; m != nil {
		fmt.Fprintf(w, "\nmonth-end release: %d of %d households sent %.1f s after %s at %.1f/s (policy %d/s, ideal %.1f s); duplicates %d\n",
			m.Sent, m.Households, m.TookS, m.ReleaseAt.Format("15:04"), m.Achieved, m.PolicyRate,
			float64(m.Households)/float64(max(m.PolicyRate, 1)), m.Duplicates)
		fmt.Fprintf(w, "  setup (units and households imported) %.1f s; bills imported %.1f s, every slot drawn %.1f s after their upload (%d drawn at the release; lead %.0f s); first sent %+.1f s from the release; late %d\n",
			m.SetupS, m.ImportS, m.DrawnS, m.DrawnAtRelease, m.LeadS, m.FirstS, m.LateBills)
		if m.Note != "" {
			fmt.Fprintln(w, "  note:", m.Note)
		}
	}
	r.Plans.print(w)
	res := r.Resources
	fmt.Fprintf(w, "\nresources: start-up to ready %.1f s", res.StartUpS)
	if res.StartUpMySQLS > 0 {
		fmt.Fprintf(w, " (MySQL %.1f s)", res.StartUpMySQLS)
	}
	fmt.Fprintf(w, "; idle RSS %.0f MiB, %.0f goroutines; with %d open processes RSS %.0f MiB, %.0f goroutines: %.0f MiB and %.0f goroutines per 1,000 open; RSS at the end %.0f MiB\n",
		res.IdleRSSMiB, res.IdleGoroutines, res.OpenProcesses, res.RSSMiB, res.Goroutines, res.RSSMiBPer1000, res.GoroutinesPer1000, res.FinalRSSMiB)
	if res.SpreadOpenProcesses > 0 {
		fmt.Fprintf(w, "  once the spread's tickets were created: %d open processes, RSS %.0f MiB\n", res.SpreadOpenProcesses, res.SpreadRSSMiB)
	}
	if rs := r.Restart; rs != nil {
		open := "not counted"
		if rs.OpenWorkflows != nil {
			open = fmt.Sprint(*rs.OpenWorkflows)
		}
		fmt.Fprintf(w, "  restart on the same data directory (stopped in %.1f s): ready in %.1f s with %s open workflows, %d ticket rows (%d open), %d arrears cases; RSS right after ready %.0f MiB\n",
			rs.StopS, rs.ReadyS, open, rs.Tickets, rs.OpenTickets, rs.Cases, rs.RSSMiB)
		for _, n := range rs.Notes {
			fmt.Fprintln(w, "  restart note:", n)
		}
	}
	printTargets(w, r.Targets)
	fmt.Fprintln(w, "\nphases (each with its own bound):")
	for _, p := range r.Phases {
		state := "done"
		switch {
		case p.CutShort:
			state = "CUT SHORT: its figures above are partial"
		case p.Error != "":
			state = "failed: " + trim(p.Error, 100)
		}
		fmt.Fprintf(w, "  %-24s %7.0f s of %7.0f s  %s\n", p.Name, p.TookS, p.BoundS, state)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// print writes the inspection-plan section: each stage's figures once it
// was reached, and which stage a cut-short run stopped after.
func (p *Plans) print(w io.Writer) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, "\ninspection plans: %d of %d daily plans created across %d estates in %.1f s (%.0f/s), all at %s %s (%s UTC, %.0f s ahead)\n",
		p.Created, p.Plans, p.Estates, p.CreateS, p.CreateRate, p.At, p.TimeZone, p.ScheduledAt.Format("15:04:05"), p.LeadS)
	if p.Reached == "" {
		fmt.Fprintln(w, "  stopped while creating the plans: no figures")
		return
	}
	if p.Reached != "create" {
		state := "asleep"
		if !p.Settled {
			state = "NOT all asleep (the occurrence came first)"
		}
		fmt.Fprintf(w, "  workflows %s %.1f s after the last create\n", state, p.SettleS)
	}
	if p.RestWindowS > 0 {
		fmt.Fprintf(w, "  at rest over %.0f s: %d history events over %d workflows (%.2f/s; %d workflows grew; %d events before)\n",
			p.RestWindowS, p.RestEvents, p.RestWorkflows, p.RestEventsPerS, p.RestBusy, p.RestEventsFrom)
		for _, g := range p.RestGrown {
			fmt.Fprintln(w, "    grew:", g)
		}
	} else if p.Reached != "create" {
		fmt.Fprintln(w, "  at rest: NOT measured (the setup left no rest window before the occurrence)")
	}
	o, partial := p.Occ, ""
	switch p.Reached {
	case "occurrences":
	case "occurrences, cut short":
		partial = " PARTIAL (cut short)"
	default:
		fmt.Fprintf(w, "  occurrences: NOT measured (stopped after %q)\n", p.Reached)
		return
	}
	fmt.Fprintf(w, "  occurrences%s (row created − start, early ones negative): %d of %d no later than %.0f s after the start (%d missing by it; %d found in %.0f s; %d created before the start): p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		partial, o.Within, o.Want, o.BoundS, o.Missing, o.Found, o.WaitS, o.Early, o.P50ms, o.P99ms, o.MaxMs)
	how := ", the policy's default"
	if p.CreateAheadSet {
		how = " set through the policy API"
	}
	fmt.Fprintf(w, "  occurrences behind their planned creation (create_ahead %s%s, less the plan's jitter): p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		models.Duration(p.CreateAheadS*float64(time.Second)), how, o.BehindP50ms, o.BehindP99ms, o.BehindMaxMs)
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// commit is the checkout's short commit, or "".
func commit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// burstVsBare is the ticket burst's drain rate over the bare engine's, or
// nil when either was not measured.
func burstVsBare(tickets *Lateness, bare *BareBurst) *float64 {
	if tickets == nil || bare == nil || tickets.DrainRate <= 0 || bare.DrainRate <= 0 {
		return nil
	}
	v := tickets.DrainRate / bare.DrainRate
	return &v
}
