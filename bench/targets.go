package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// Met is a target's verdict: true or false (JSON booleans), or why there
// is none: "not measured" (its phase did not run, or ran without the
// figure) or "cut short" (its phase reached its bound). Never a zero taken
// for a figure.
type Met string

const (
	metYes      Met = "true"
	metNo       Met = "false"
	notMeasured Met = "not measured"
	cutShort    Met = "cut short"
)

func metIf(ok bool) Met {
	if ok {
		return metYes
	}
	return metNo
}

// MarshalJSON writes true and false as booleans, the rest as strings.
func (m Met) MarshalJSON() ([]byte, error) {
	switch m {
	case metYes:
		return []byte("true"), nil
	case metNo:
		return []byte("false"), nil
	}
	return json.Marshal(string(m))
}

// Target is one figure of issue 15 against its target.
type Target struct {
	Figure   string `json:"figure"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	// Value is the measured figure in the target's unit, for a script;
	// absent when not measured.
	Value  *float64 `json:"value,omitempty"`
	Met    Met      `json:"met"`
	Driver string   `json:"driver,omitempty"`
	// AtSize says the run had the size for this figure; a smaller
	// run's verdict holds for its own size only, which Size states.
	AtSize bool   `json:"at_size"`
	Size   string `json:"size,omitempty"`
}

// phaseState says whether the named phase ran and whether its bound cut
// it short.
func (r *Report) phaseState(name string) (ran, cut bool) {
	for _, p := range r.Phases {
		if p.Name == name {
			return true, p.CutShort
		}
	}
	return false, false
}

// unmeasured is the verdict of a figure that is not there: cut short if
// any of its phases was, else not measured.
func (r *Report) unmeasured(phases ...string) Met {
	for _, name := range phases {
		if _, cut := r.phaseState(name); cut {
			return cutShort
		}
	}
	return notMeasured
}

// orCut keeps a verdict unless one of the phases was cut short.
func (r *Report) orCut(m Met, phases ...string) Met {
	if r.unmeasured(phases...) == cutShort {
		return cutShort
	}
	return m
}

// evaluateTargets holds every figure of issue 15 against its target.
func evaluateTargets(c config, r *Report) []Target {
	var out []Target
	mainDriver := "sqlite"
	if c.dsn != "" {
		mainDriver = "mysql"
	}
	add := func(t Target) { out = append(out, t) }

	// Escalations at company size: the spread.
	spreadSize := fmt.Sprintf("%d tickets due %.1f/s (issue: 10,000 at 10/s)", c.spread, float64(c.spread)/max(c.spreadWindow.Seconds(), 1))
	spreadAt := c.spread >= 10000 && float64(c.spread)/max(c.spreadWindow.Seconds(), 1) >= 10
	for _, f := range []struct {
		name, target string
		limitMs      float64
		pick         func(*Lateness) float64
	}{
		{"escalation lateness p99, spread", "≤ 1,000 ms, none missing", 1000, func(l *Lateness) float64 { return l.P99ms }},
		{"escalation lateness max, spread", "≤ 3,000 ms, none missing", 3000, func(l *Lateness) float64 { return l.MaxMs }},
	} {
		t := Target{Figure: f.name, Target: f.target, Driver: mainDriver, AtSize: spreadAt, Size: spreadSize}
		if l := r.LatenessSpread; l == nil {
			t.Met, t.Measured = r.unmeasured(spreadPhase), "-"
		} else {
			v := f.pick(l)
			t.Value = &v
			t.Measured = fmt.Sprintf("%.0f ms (%d of %d tickets escalated, %d missing)", v, l.Escalations, l.Tickets, l.Missing)
			t.Met = r.orCut(metIf(v <= f.limitMs && l.Missing == 0 && l.Tickets > 0), spreadPhase)
		}
		add(t)
	}

	// The burst against the bare engine.
	t := Target{Figure: "burst drain rate / bare engine's", Target: "≥ 0.80", Driver: mainDriver, AtSize: c.burst >= 2000,
		Size: fmt.Sprintf("%d tickets and %d timers at one instant (issue: 2,000)", c.burst, c.burst)}
	if v := r.BurstVsBare; v == nil {
		t.Met, t.Measured = r.unmeasured(barePhase, burstPhase), "-"
	} else {
		l, b := r.LatenessBurst, r.BareBurst
		t.Value = v
		t.Measured = fmt.Sprintf("%.2f (tickets %.1f/s, %d missing; bare %.1f/s, %d missing)", *v, l.DrainRate, l.Missing, b.DrainRate, b.Missing)
		t.Met = r.orCut(metIf(*v >= 0.8 && l.Missing == 0 && b.Missing == 0), barePhase, burstPhase)
	}
	add(t)

	// Every list and dashboard, per driver.
	var drivers []string
	if c.rows > 0 {
		drivers = append(drivers, mainDriver)
		if c.mysql && c.addr == "" {
			drivers = append(drivers, "mysql")
		}
	}
	for _, d := range drivers {
		phase := "read model, " + d
		var rm *ReadModel
		for i := range r.ReadModel {
			if r.ReadModel[i].Driver == d {
				rm = &r.ReadModel[i]
			}
		}
		if rm == nil || len(rm.Queries) == 0 {
			add(Target{Figure: "every list and dashboard p99", Target: "≤ 100 ms", Measured: "-", Met: r.unmeasured(phase), Driver: d,
				Size: fmt.Sprintf("%d tickets, %d arrears cases (issue: 100,000 each)", c.rows, c.arrears)})
			continue
		}
		at := rm.Tickets >= 100000 && rm.Cases >= 100000
		size := fmt.Sprintf("%d tickets, %d arrears cases (issue: 100,000 each)", rm.Tickets, rm.Cases)
		for _, q := range rm.Queries {
			t := Target{Figure: "p99 " + q.Name, Target: "≤ 100 ms", Driver: d, AtSize: at, Size: size}
			switch {
			case q.Sent == 0:
				t.Met, t.Measured = r.unmeasured(phase), "-"
			case q.OK < q.Sent:
				t.Value = &q.P99ms
				t.Measured = fmt.Sprintf("%.1f ms, %d of %d failed", q.P99ms, q.Sent-q.OK, q.Sent)
				t.Met = r.orCut(metNo, phase)
			default:
				t.Value = &q.P99ms
				t.Measured = fmt.Sprintf("%.1f ms", q.P99ms)
				t.Met = r.orCut(metIf(q.P99ms <= 100), phase)
			}
			add(t)
		}
	}

	// Month-end.
	meSize := fmt.Sprintf("%d households (issue: 10,000)", c.monthEnd)
	sendT := Target{Figure: "month-end: every message sent, at the policy rate", Target: "all sent, ≤ policy rate +10 %",
		Driver: mainDriver, AtSize: c.monthEnd >= 10000, Size: meSize}
	dupT := Target{Figure: "month-end: messages sent twice", Target: "0", Driver: mainDriver, AtSize: c.monthEnd >= 10000, Size: meSize}
	if m := r.MonthEnd; m == nil || m.Sent == 0 {
		sendT.Met, sendT.Measured = r.unmeasured(monthEndPhase), "-"
		dupT.Met, dupT.Measured = sendT.Met, "-"
	} else {
		sendT.Measured = fmt.Sprintf("%d of %d sent, took %.1f s at %.1f/s (policy %d/s, ideal %.1f s)", m.Sent, m.Households, m.TookS, m.Achieved,
			m.PolicyRate, float64(m.Households)/float64(max(m.PolicyRate, 1)))
		sendT.Met = r.orCut(metIf(m.Sent == m.Households && m.Achieved <= 1.1*float64(m.PolicyRate)), monthEndPhase)
		dupT.Measured = fmt.Sprint(m.Duplicates)
		took, dups := m.TookS, float64(m.Duplicates)
		sendT.Value, dupT.Value = &took, &dups
		dupT.Met = r.orCut(metIf(m.Duplicates == 0), monthEndPhase)
	}
	add(sendT)
	add(dupT)

	// Memory at the spread's open processes.
	res := r.Resources
	t = Target{Figure: "RSS with the spread's tickets open", Target: "≤ 1,024 MiB", Driver: mainDriver,
		AtSize: res.SpreadOpenProcesses >= 10000, Size: fmt.Sprintf("%d open processes (issue: 10,000)", res.SpreadOpenProcesses)}
	if res.SpreadOpenProcesses == 0 || res.SpreadRSSMiB == 0 {
		t.Met, t.Measured = r.unmeasured(spreadPhase), "-"
	} else {
		t.Measured = fmt.Sprintf("%.0f MiB at %d open (idle %.0f MiB: %.0f KiB per open process)", res.SpreadRSSMiB, res.SpreadOpenProcesses,
			res.IdleRSSMiB, (res.SpreadRSSMiB-res.IdleRSSMiB)*1024/float64(res.SpreadOpenProcesses))
		t.Met = metIf(res.SpreadRSSMiB <= 1024)
		t.Value = &res.SpreadRSSMiB
	}
	add(t)

	// Ready after a restart with what the run left.
	t = Target{Figure: "ready after start (restart on the run's data)", Target: "≤ 3 s", Driver: mainDriver}
	if rs := r.Restart; rs == nil || rs.ReadyS == 0 {
		t.Met, t.Measured = r.unmeasured(restartPhase), "-"
		t.Size = "no restart"
	} else {
		open := "?"
		if rs.OpenWorkflows != nil {
			open = fmt.Sprint(*rs.OpenWorkflows)
			t.AtSize = *rs.OpenWorkflows >= 10000 && rs.Tickets >= 100000 && rs.Cases >= 100000
		}
		t.Size = fmt.Sprintf("%s open workflows, %d ticket rows, %d arrears cases (issue: 10,000 open, 100,000 each)", open, rs.Tickets, rs.Cases)
		t.Measured = fmt.Sprintf("%.1f s (RSS after ready %.0f MiB)", rs.ReadyS, rs.RSSMiB)
		t.Met = r.orCut(metIf(rs.ReadyS <= 3), restartPhase)
		t.Value = &rs.ReadyS
	}
	add(t)
	return out
}

// printTargets writes the targets as a table; a run below the issue's
// size says its size under the first row it applies to.
func printTargets(w io.Writer, ts []Target) {
	if len(ts) == 0 {
		return
	}
	fmt.Fprintln(w, "\ntargets of issue 15 (met for this run's size; \"small\": below the issue's size):")
	fmt.Fprintf(w, "  %-50s %-30s %-12s %-6s %-5s %s\n", "figure", "target", "met", "driver", "size", "measured")
	lastSize := ""
	for _, t := range ts {
		size := "full"
		if !t.AtSize {
			size = "small"
		}
		fmt.Fprintf(w, "  %-50s %-30s %-12s %-6s %-5s %s\n", trim(t.Figure, 50), t.Target, string(t.Met), t.Driver, size, t.Measured)
		if !t.AtSize && t.Size != "" && t.Size != lastSize {
			fmt.Fprintf(w, "  %-50s %s\n", "", "size: "+t.Size)
		}
		lastSize = t.Size
	}
}
