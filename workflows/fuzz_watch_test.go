package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// Bounds of one fuzzed run, in activities started and workflow timers
// fired. Past fuzzEventCap the run is stopped: enough of it was explored
// (a legal referral reminded of daily for years is no fault). fuzzBurst
// within one simulated minute is a loop: a timer that keeps firing or an
// activity retried at once.
const (
	fuzzEventCap = 2000
	fuzzBurst    = 1000
	// fuzzWallLimit bounds one run in wall time (the machine may be busy).
	fuzzWallLimit = time.Minute
)

// fuzzWatch bounds one fuzzed run and checks what it leaves behind.
type fuzzWatch struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	// hung ends a run the workflow keeps busy without letting the
	// simulated clock reach the horizon.
	hung *time.Timer

	mu        sync.Mutex
	events    int
	burstFrom time.Time
	burst     int
}

// watch bounds the run of env: it stops at fuzzEventCap, fails t on a
// burst or an activity error that expected does not accept, and lets the
// children a workflow abandons run on without it.
func watch(t *testing.T, env *testsuite.TestWorkflowEnvironment, expected func(error) bool) *fuzzWatch {
	w := &fuzzWatch{t: t, env: env}
	w.hung = time.AfterFunc(fuzzWallLimit, func() {
		// A panic, so that the fuzzer keeps the input that hangs.
		panic(fmt.Sprintf("fuzzed run still going after %s (simulated clock at %s, %d activities and timers): a loop",
			fuzzWallLimit, env.Now().UTC().Format(time.RFC3339Nano), w.count()))
	})
	t.Cleanup(func() { w.hung.Stop() })
	env.SetDetachedChildWait(false)
	env.SetTestTimeout(20 * time.Second)
	// Past the test suite's default of ten years: a case may run longer.
	env.SetWorkflowRunTimeout(50 * 365 * 24 * time.Hour)
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		w.tick(info.ActivityType.Name)
	})
	env.SetOnTimerFiredListener(func(string) { w.tick("timer") })
	env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, err error) {
		if err != nil && (expected == nil || !expected(err)) {
			t.Errorf("activity %s: got %v, want it to succeed", info.ActivityType.Name, err)
		}
	})
	return w
}

func (w *fuzzWatch) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.events
}

func (w *fuzzWatch) tick(what string) {
	now := w.env.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events++
	if now.Sub(w.burstFrom) > time.Minute {
		w.burstFrom, w.burst = now, 0
	}
	w.burst++
	switch {
	case w.burst == fuzzBurst:
		w.t.Errorf("%d activities and timers within a minute from %s (the last: %s): want the workflow to wait between them",
			fuzzBurst, w.burstFrom.UTC().Format(time.RFC3339Nano), what)
		w.env.CancelWorkflow()
	case w.events == fuzzEventCap:
		w.env.CancelWorkflow()
	}
}

// actions runs act(i) for n staff actions, each a delay read from s after
// the one before, while the workflow runs; horizon after the last, it runs
// last and cancels the run: a workflow still waiting then has nothing left
// to show.
func (w *fuzzWatch) actions(s *script, n int, act func(i int), horizon time.Duration, last func()) {
	var step func(i int)
	step = func(i int) {
		if i == n {
			w.env.RegisterDelayedCallback(func() {
				if !w.env.IsWorkflowCompleted() {
					last()
					w.env.CancelWorkflow()
				}
			}, horizon)
			return
		}
		w.env.RegisterDelayedCallback(func() {
			if !w.env.IsWorkflowCompleted() {
				act(i)
				step(i + 1)
			}
		}, s.delay(i))
	}
	step(0)
}

// answer returns the callbacks of an update that keep its answer (nil
// when accepted and completed) in answers under label.
func answer(answers map[string]error, label string) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { answers[label] = err },
		OnAccept:   func() {},
		OnComplete: func(_ any, err error) { answers[label] = err },
	}
}

// query asks the running workflow name with args and decodes the answer
// into out; a workflow must answer its queries at any moment.
func (w *fuzzWatch) query(out any, name string, args ...any) bool {
	w.t.Helper()
	v, err := w.env.QueryWorkflow(name, args...)
	if err == nil {
		err = v.Get(out)
	}
	if err != nil {
		w.t.Errorf("query %s at %s: got %v, want an answer", name, w.env.Now().UTC().Format(time.RFC3339Nano), err)
		return false
	}
	return true
}

// settled fails t unless the run completed, with no error, the horizon's
// cancellation or an error also accepts; never a panic.
func (w *fuzzWatch) settled(also func(error) bool) error {
	w.t.Helper()
	if !w.env.IsWorkflowCompleted() {
		w.t.Fatalf("workflow did not complete")
	}
	err := w.env.GetWorkflowError()
	var pe *temporal.PanicError
	switch {
	case errors.As(err, &pe):
		w.t.Fatalf("workflow panicked: %s\n%s", pe.Error(), pe.StackTrace())
	case err == nil, temporal.IsCanceledError(err), also != nil && also(err):
		return err
	}
	w.t.Fatalf("workflow: got %v, want it to end, or to run until stopped", err)
	return err
}

// wantAnswers fails t for any action not answered by acceptance or a
// typed refusal; an action sent as the workflow ended may have none.
func wantAnswers(t *testing.T, answers map[string]error) {
	t.Helper()
	for label, err := range answers {
		if err == nil {
			continue
		}
		var ae *temporal.ApplicationError
		if !errors.As(err, &ae) || !isRefusal(ae.Type()) {
			t.Errorf("%s: got %v, want acceptance or a refusal typed %v", label, err, refusals)
		}
	}
}
