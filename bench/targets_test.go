package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTargets: each figure is met, not met, not measured (its phase did
// not run) or cut short (its bound ended it), never a zero taken for a
// figure; a run smaller than the says so; met is a JSON boolean.
func TestTargets(t *testing.T) {
	c := config{spread: 10000, spreadWindow: 1000 * time.Second, burst: 2000, rows: 100000, arrears: 100000, mysql: true}
	bvb := 0.5
	one := int64(12000)
	r := &Report{
		LatenessSpread: &Lateness{Tickets: 10000, Escalations: 10000, P99ms: 800, MaxMs: 4000},
		LatenessBurst:  &Lateness{Tickets: 2000, Escalations: 2000, DrainRate: 20},
		BareBurst:      &BareBurst{Timers: 2000, Fired: 2000, DrainRate: 40},
		BurstVsBare:    &bvb,
		ReadModel: []ReadModel{{Driver: "sqlite", Tickets: 100000, Cases: 100000, Queries: []Stats{
			{Name: "list", Sent: 40, OK: 40, P99ms: 50}, {Name: "dashboard", Sent: 40, OK: 40, P99ms: 150}, {Name: "broken", Sent: 40, OK: 30, P99ms: 10}}}},
		Resources: Resources{IdleRSSMiB: 200, SpreadOpenProcesses: 10000, SpreadRSSMiB: 900},
		Restart:   &Restart{ReadyS: 2.5, OpenWorkflows: &one, Tickets: 100000, Cases: 100000},
		Phases: []Phase{{Name: spreadPhase}, {Name: barePhase}, {Name: burstPhase}, {Name: "read model, sqlite"},
			{Name: "read model, mysql", CutShort: true}, {Name: restartPhase}},
	}
	got := map[string]Target{}
	for _, tg := range evaluateTargets(c, r) {
		got[tg.Figure+"/"+tg.Driver] = tg
	}
	for fig, want := range map[string]Met{
		"escalation lateness p99, spread/sqlite":                   metYes,
		"escalation lateness max, spread/sqlite":                   metNo,
		"burst drain rate / bare engine's/sqlite":                  metNo,
		"p99 list/sqlite":                                          metYes,
		"p99 dashboard/sqlite":                                     metNo,
		"p99 broken/sqlite":                                        metNo,
		"every list and dashboard p99/mysql":                       cutShort,
		"month-end: every message sent, at the policy rate/sqlite": notMeasured,
		"month-end: messages sent twice/sqlite":                    notMeasured,
		"RSS with the spread's tickets open/sqlite":                metYes,
		"ready after start (restart on the run's data)/sqlite":     metYes,
	} {
		tg, ok := got[fig]
		if !ok {
			t.Errorf("%s: no such target in %v", fig, got)
			continue
		}
		if tg.Met != want {
			t.Errorf("%s: met %q, want %q (measured %q)", fig, tg.Met, want, tg.Measured)
		}
		if (want == notMeasured || want == cutShort) && tg.Measured != "-" {
			t.Errorf("%s: measured %q, want none", fig, tg.Measured)
		}
	}
	if v := got["p99 list/sqlite"].Value; v == nil || *v != 50 {
		t.Errorf("list value: got %v, want 50", v)
	}
	if v := got["every list and dashboard p99/mysql"].Value; v != nil {
		t.Errorf("cut-short value: got %v, want none", *v)
	}
	if tg := got["escalation lateness p99, spread/sqlite"]; !tg.AtSize {
		t.Errorf("spread at the issue's size: got %+v, want at size", tg)
	}

	// A small run: verdicts for its size, said to be small; a missing
	// escalation fails the lateness; a spread phase cut short is said so.
	small := config{spread: 40, spreadWindow: 15 * time.Second, burst: 60}
	r = &Report{LatenessSpread: &Lateness{Tickets: 40, Escalations: 39, Missing: 1, P99ms: 100, MaxMs: 200},
		Phases: []Phase{{Name: spreadPhase, CutShort: true}}}
	for _, tg := range evaluateTargets(small, r) {
		switch tg.Figure {
		case "escalation lateness p99, spread":
			if tg.Met != cutShort || tg.AtSize {
				t.Errorf("small spread cut short: got %+v", tg)
			}
		case "burst drain rate / bare engine's", "ready after start (restart on the run's data)":
			if tg.Met != notMeasured {
				t.Errorf("%s: got %+v, want not measured", tg.Figure, tg)
			}
		}
	}
	r.Phases = []Phase{{Name: spreadPhase}}
	if ts := evaluateTargets(small, r); ts[0].Met != metNo {
		t.Errorf("a missing escalation: got %+v, want not met", ts[0])
	}

	raw, err := json.Marshal([]Target{{Met: metYes}, {Met: metNo}, {Met: notMeasured}})
	if err != nil || !strings.Contains(string(raw), `"met":true`) || !strings.Contains(string(raw), `"met":false`) || !strings.Contains(string(raw), `"met":"not measured"`) {
		t.Errorf("JSON: got %s %v", raw, err)
	}
}
