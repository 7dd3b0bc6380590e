package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestPhaseCutShort: a phase that reaches its bound is recorded as cut
// short and the run goes on; a phase's own error is recorded and returned;
// the report names the cut-short phase instead of leaving its zeros
// unexplained.
func TestPhaseCutShort(t *testing.T) {
	var r Report
	ctx := context.Background()
	err := r.phase(ctx, io.Discard, "slow", 10*time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil || len(r.Phases) != 1 || !r.Phases[0].CutShort {
		t.Fatalf("slow phase: got %v and %+v, want it cut short and the run going on", err, r.Phases)
	}
	boom := errors.New("boom")
	if err := r.phase(ctx, io.Discard, "broken", time.Minute, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("broken phase: got %v, want its error", err)
	}
	if p := r.Phases[1]; p.CutShort || p.Error != "boom" {
		t.Errorf("broken phase: got %+v, want failed, not cut short", p)
	}
	var b strings.Builder
	r.Print(&b)
	if !strings.Contains(b.String(), "slow") || !strings.Contains(b.String(), "CUT SHORT") {
		t.Errorf("report: got %q, want the slow phase said to be cut short", b.String())
	}
	// Ctrl-C ends the run: not a cut-short phase.
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.phase(stopped, io.Discard, "stopped", time.Minute, func(ctx context.Context) error { return ctx.Err() }); err == nil || r.Phases[2].CutShort {
		t.Errorf("stopped run: got %v and %+v, want the error and no cut-short phase", err, r.Phases[2])
	}
}

// TestPhaseBoundsGrowWithSize: the sizes get bounds that fit them.
func TestPhaseBoundsGrowWithSize(t *testing.T) {
	small := config{duration: 2 * time.Second, spread: 300, spreadWindow: time.Minute, burst: 300, rows: 1000, arrears: 1000, reads: 40, pay: 200, payRate: 20}
	big := config{duration: 15 * time.Second, spread: 10000, spreadWindow: 1000 * time.Second, burst: 2000, rows: 100000, arrears: 100000, reads: 40, pay: 200, payRate: 20}
	if !(big.spreadBound(20) > small.spreadBound(20) && big.readModelBound() > small.readModelBound() && big.loadBound() > small.loadBound()) {
		t.Errorf("bounds: small %v %v %v, big %v %v %v, want the big run's larger", small.loadBound(), small.spreadBound(20), small.readModelBound(),
			big.loadBound(), big.spreadBound(20), big.readModelBound())
	}
	if !(big.burstBound(20) > small.burstBound(20) && big.bareBound(20) > small.bareBound(20)) {
		t.Errorf("burst bounds: small %v %v, big %v %v, want the big run's larger", small.burstBound(20), small.bareBound(20), big.burstBound(20), big.bareBound(20))
	}
	// The spread alone takes its window; creating 10,000 tickets ahead and
	// their escalations at 5/s take more.
	if b := big.spreadBound(20); b < 2000*time.Second {
		t.Errorf("lateness bound at company size: got %v, want at least the window and the escalations", b)
	}
	// A slow creation puts the deadlines further ahead: the bounds cover
	// that lead and the five minutes' wait past the instant.
	for _, rate := range []float64{1, 20} {
		if b := big.burstBound(rate); b < leadFor(big.burst, rate)+5*time.Minute {
			t.Errorf("burst bound at %v/s: got %v, want more than the lead %v and the wait", rate, b, leadFor(big.burst, rate))
		}
		if b := big.bareBound(rate); b < bareLead(big.burst, rate)+5*time.Minute {
			t.Errorf("bare bound at %v/s: got %v, want more than the lead %v and the wait", rate, b, bareLead(big.burst, rate))
		}
	}
}
