package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Phase is one section of a run, with the bound derived from its size.
// A phase that reached its bound is cut short: its figures are partial or
// missing, and the report says so instead of printing zeros.
type Phase struct {
	Name     string  `json:"name"`
	BoundS   float64 `json:"bound_s"`
	TookS    float64 `json:"took_s"`
	CutShort bool    `json:"cut_short,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// phase runs fn under its own bound and records how it went. An error of
// fn is recorded and returned; a phase cut short by its bound is recorded
// and not returned, so the next phase runs with its own bound. Only the
// run's context ending (Ctrl-C) stops the rest.
func (r *Report) phase(ctx context.Context, out io.Writer, name string, bound time.Duration, fn func(ctx context.Context) error) error {
	pctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	began := time.Now()
	err := fn(pctx)
	p := Phase{Name: name, BoundS: bound.Seconds(), TookS: time.Since(began).Seconds()}
	if err != nil {
		p.Error = err.Error()
	}
	if ctx.Err() == nil && (errors.Is(pctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)) {
		p.CutShort = true
		fmt.Fprintf(out, "  %s cut short by its bound of %s: its figures are partial\n", name, bound.Round(time.Second))
		err = nil
	}
	r.Phases = append(r.Phases, p)
	return err
}

// The names of the phases the targets read.
const (
	spreadPhase   = "escalation lateness, spread"
	barePhase     = "bare-engine burst"
	burstPhase    = "escalation lateness, burst"
	restartPhase  = "restart"
	monthEndPhase = "month-end release"
)

// The bounds of the phases, from their sizes: generous, so that a slow
// run still finishes, and finite, so that one stuck phase does not starve
// the rest.
func (c config) loadBound() time.Duration {
	// Each endpoint is loaded for -duration, one after another, then drained.
	return 12*c.duration + 5*time.Minute
}

func (c config) paymentsBound() time.Duration {
	return time.Duration(float64(c.pay)/max(c.payRate, 0.1)*3*float64(time.Second)) + 3*time.Minute
}

// The lateness phases put their deadlines as far ahead as their creation
// takes at createRate (leadFor); their bounds add that lead.

func (c config) spreadBound(createRate float64) time.Duration {
	// The lead, the spread's window twice, then every ticket's escalation
	// at no less than 5 a second (the slowest this machine has shown).
	return spreadLead(c.spread, createRate) + 2*c.spreadWindow + time.Duration(c.spread/5)*time.Second + 5*time.Minute
}

func (c config) burstBound(createRate float64) time.Duration {
	// The lead, every escalation at no less than 5 a second, then the five
	// minutes collect waits past the instant and more.
	return leadFor(c.burst, createRate) + time.Duration(c.burst/5)*time.Second + 10*time.Minute
}

func (c config) bareBound(createRate float64) time.Duration {
	// The lead (bareLead), the five minutes past the instant the wait
	// allows, then the clean-up.
	return bareLead(c.burst, createRate) + 10*time.Minute
}

func (c config) readModelBound() time.Duration {
	// Inserting the rows (a bill and payment or two per arrears case), the
	// summaries' rebuild, then each query's reads at no more than a second.
	rows := c.rows + 4*c.arrears
	return time.Duration(rows/500)*time.Second + time.Duration(15*c.reads)*time.Second + 5*time.Minute
}

func (c config) monthEndBound() time.Duration {
	// The units' and households' imports at no less than 20 rows a second
	// each, the lead to the release minute (the bills' import and the
	// collections opened, then up to a minute to the whole minute), then
	// the release at a third of its rate.
	n := time.Duration(c.monthEnd)
	return n*2*time.Second/20 + monthEndLead(c.monthEnd, c.monthEndOpenRate) + time.Minute +
		3*n*time.Second/time.Duration(max(c.monthEndRate, 1)) + 10*time.Minute
}
