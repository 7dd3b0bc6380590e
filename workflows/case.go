package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// caseCore is what the service's processes (a ticket, a move-in follow-up,
// a collection case) keep and do alike; each one's state embeds it. It
// numbers the transitions of the case journal, which every process writes
// through its own recording activity; sends the process's messages: staff
// at once, residents once quiet hours are over; tells who an escalation
// reaches; and waits for the next timer.
type caseCore struct {
	estateID uint64
	loc      *time.Location // the estate's time zone
	quiet    models.QuietHours
	// journal prefixes the keys of the process's events: its workflow ID,
	// or for a collection case "collection-<household>/<case>".
	journal string
	ref     string     // the messages' Ref: "ticket:12", "followup:8", "case:7"
	seq     int64      // transitions recorded, the read model's revision
	sa      caseAttrs  // the search attributes last upserted
	outbox  []outgoing // resident messages not yet sent, oldest first
	woken   bool       // something changed since the loop last looked
	// estateName and servicePhone are shown in messages (loadEstate; a
	// collection case reads them with the account instead).
	estateName, servicePhone string
	// awaiting are the messages sent by a gateway whose receipt the process
	// waits for, by key: the channel they went by (case_deliveries.go).
	awaiting map[string]models.Channel
	// receiptWait is how long each awaited receipt may take.
	receiptWait map[string]time.Duration
	// early are the delivered reports that came before their send's result.
	early map[string]DeliveryReport
	// unclaimed are the outcomes heard before the hook knew their message.
	unclaimed map[string]heardResult
	// onDelivery, when set, hears where a message stands once its delivery
	// is known (a collection records the contact).
	onDelivery deliveryHook
	// sending counts the broadcasts under way (broadcast.go).
	sending int
}

// newCaseCore starts the core of a process in an estate, its time zone tz
// and its quiet hours; an unknown zone is the input's fault and fails the
// workflow for good. name it before it records or sends.
func newCaseCore(estateID uint64, tz string, quiet models.QuietHours) (caseCore, error) {
	loc, err := zone(tz)
	if err != nil {
		return caseCore{}, err
	}
	return caseCore{estateID: estateID, loc: loc, quiet: quiet}, nil
}

// name sets the prefix of the journal's keys and the messages' Ref.
func (c *caseCore) name(journal, ref string) { c.journal, c.ref = journal, ref }

// zone loads the time zone tz of a workflow's input: an unknown one fails
// the workflow with a non-retryable InvalidInput error.
func zone(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("time zone %q: %v", tz, err), ErrTypeInvalidInput, nil, "time_zone")
	}
	return loc, nil
}

// process is the state of a running process, as its workflow drives it.
type process[R any] interface {
	// setup registers the handlers; they run from the first workflow task on.
	setup(ctx workflow.Context) error
	// run drives the process to its end and returns how it ended.
	run(ctx workflow.Context) (R, error)
	// base is the process's caseCore.
	base() *caseCore
}

// runProcess is the body of every process's workflow: s is its state just
// built (err: it could not be), set up and run to the end.
func runProcess[R any](ctx workflow.Context, s process[R], err error) (R, error) {
	var none R
	if err != nil {
		return none, err
	}
	if err := s.setup(ctx); err != nil {
		return none, err
	}
	s.base().listenDeliveries(ctx)
	return s.run(ctx)
}

// serve registers the handlers every process has, under p's names: the
// state query answers view at the time asked, the allowed-actions query
// answers allowed for the caller, and the action update runs act on an
// action that check accepts. Register any other query before it: updates
// waiting for the handler run once it is set.
func serve[V, A any](ctx workflow.Context, p Process, view func(time.Time) V,
	allowed func(workflow.Context, AllowedActionsInput) []string,
	act func(workflow.Context, A) (V, error), check func(workflow.Context, A) error) error {
	if err := workflow.SetQueryHandler(ctx, p.StateQuery, func() (V, error) { return view(workflow.Now(ctx)), nil }); err != nil {
		return fmt.Errorf("set query handler: %w", err)
	}
	if err := workflow.SetQueryHandler(ctx, p.AllowedActionsQuery, func(in AllowedActionsInput) ([]string, error) {
		return allowed(ctx, in), nil
	}); err != nil {
		return fmt.Errorf("set query handler: %w", err)
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, p.ActionUpdate, act, workflow.UpdateHandlerOptions{Validator: check})
	if err != nil {
		return fmt.Errorf("set update handler: %w", err)
	}
	return nil
}

// next numbers t as the process's next transition at now: the read model's
// revision and the event's key move on together. Call it right after
// changing the state, before waiting on anything.
func (c *caseCore) next(now time.Time, t transition) models.CaseEvent {
	c.seq++
	return t.event(c.journal, c.seq, now)
}

// upsert brings the search attributes up to date with the process's kind,
// stage, escalation level and next due time (zero: none).
func (c *caseCore) upsert(ctx workflow.Context, kind, stage string, level int, due time.Time) {
	c.sa.upsert(ctx, c.estateID, kind, stage, level, due)
}

// changeLocalDB, version 1: a process's own database work (recording a
// transition: its read-model row and journal event in one transaction; the
// look-ups of names and recipients) runs as a local activity, inside the
// workflow task that needs it, not as an activity task of its own.
//
// Why local (issue 15): each regular activity costs the engine an activity
// task through matching and a second workflow task for its result, several
// writes to the engine's store; at company size (10 deadlines a second, each
// recording a breach or warning) those tasks, not the database, set how
// late deadlines were acted on. The work is one short transaction on the
// service's own database, idempotent by the event's key (a record) or a
// read, so running it again after a worker crash is harmless, which is all a
// local activity gives up. Messages stay regular activities: they reach
// gateways that may take seconds.
const changeLocalDB = "local-db"

// localDB reports whether the process does its own database work as local
// activities (changeLocalDB); decided at its first such call, for the rest
// of the run.
func localDB(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeLocalDB, workflow.DefaultVersion, 1) >= 1
}

// dbActivity runs a database activity the process needs: locally under
// changeLocalDB, else as before, with the same retries (local or regular
// options).
func dbActivity(ctx workflow.Context, attempts int32, activity, in any) workflow.Future {
	if localDB(ctx) {
		return workflow.ExecuteLocalActivity(dbLocal(ctx, attempts), activity, in)
	}
	if attempts == 0 {
		return workflow.ExecuteActivity(dbCall(ctx), activity, in)
	}
	return workflow.ExecuteActivity(dbLookup(ctx), activity, in)
}

// changeLocalFirst, version 1: a message (activities.Notifier.Send) and an
// escalation (activities.Escalations.Escalate) are first tried once as a
// local activity, inside the workflow task that decides them; only when
// that try fails for a reason a retry may cure (a gateway slow or down, the
// database) are they run again as an activity task, with the retries they
// had before. Both are idempotent by their message keys and event key: the
// second run records nothing twice and sends nothing already sent.
//
// Why (issue 15): a deadline's escalation was a timer, a workflow task, the
// Escalate activity task and a second workflow task for its result; now it
// is the timer and one workflow task, as a bare workflow's timer is, which
// is what lets a burst of deadlines drain near the engine's own rate. The
// price is that a try holds its workflow task for up to its timeout
// (localSendTimeout, localEscalateTimeout) when a gateway is slow: the
// worker keeps the task alive meanwhile, and the process's own timers wait
// that long at most.
const changeLocalFirst = "local-first"

// The timeouts of a local first try: a gateway answers in far less, and
// one that does not is left to the activity task's retries.
const (
	localSendTimeout     = 10 * time.Second
	localEscalateTimeout = 30 * time.Second
)

// tryLocalFirst runs activity with in into out: under changeLocalFirst
// once locally first (see there), then, unless that succeeded or failed
// for good (a non-retryable error), as an activity task with taskCtx's
// options, as before the change.
func tryLocalFirst(ctx, taskCtx workflow.Context, timeout time.Duration, activity, in, out any) error {
	if workflow.GetVersion(ctx, changeLocalFirst, workflow.DefaultVersion, 1) >= 1 {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: timeout,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		})
		err := workflow.ExecuteLocalActivity(lctx, activity, in).Get(ctx, out)
		var appErr *temporal.ApplicationError
		if err == nil || (errors.As(err, &appErr) && appErr.NonRetryable()) {
			return err
		}
		workflow.GetLogger(ctx).Info("first try not done: retried as an activity task", "error", err)
	}
	return workflow.ExecuteActivity(taskCtx, activity, in).Get(ctx, out)
}

// writeTransition records one transition through the process's recording
// activity (a method of activities.Cases), retried until the database
// takes it; a permanent failure is logged under the event's key and the
// process goes on.
func writeTransition[In any](ctx workflow.Context, activity func(context.Context, In) (activities.RecordResult, error), in In, key string) {
	if err := dbActivity(ctx, 0, activity, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("record transition", "key", key, "error", err)
	}
}

// clock shows t in the estate's time zone, "01-02 15:04"; "-" for none.
func (c *caseCore) clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(c.loc).Format("01-02 15:04")
}

// startTicket starts the workflow of a ticket the process opened, as a
// child that outlives the process (its close abandons the child).
func startTicket(ctx workflow.Context, t activities.OpenedTicket) workflow.ChildWorkflowFuture {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        TicketWorkflowID(t.Ticket.ID),
		ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
	})
	return workflow.ExecuteChildWorkflow(cctx, Ticket, NewTicketInput(t.Ticket, t.Policy, t.TimeZone))
}

// dueTimer is a moment a process acts without being asked; a zero time is
// no timer.
type dueTimer interface{ when() time.Time }

// soonest is the timer of ts due first, the first of equals; the zero T
// when none is set.
func soonest[T dueTimer](ts []T) T {
	var next T
	for _, t := range ts {
		if at := t.when(); !at.IsZero() && (next.when().IsZero() || at.Before(next.when())) {
			next = t
		}
	}
	return next
}

// fireDue fires a process's due timers, earliest first: next is its
// earliest timer, fire acts on it. Each fire changes the state before it
// waits on anything, so that no timer fires twice.
func fireDue[T dueTimer](ctx workflow.Context, next func() T, fire func(ctx workflow.Context, now time.Time, t T)) {
	for {
		t := next()
		now := workflow.Now(ctx)
		if at := t.when(); at.IsZero() || at.After(now) {
			return
		}
		fire(ctx, now, t)
	}
}

// sleep waits until the timer at until is due (zero: no timer), or until
// the process is woken: an action or a coroutine set woken, or wake (nil:
// none) reports true. It reports whether it was woken; false means the
// timer is due.
func (c *caseCore) sleep(ctx workflow.Context, until time.Time, wake func() bool) (bool, error) {
	c.woken = false
	woken := func() bool { return c.woken || (wake != nil && wake()) }
	if until.IsZero() {
		return true, workflow.Await(ctx, woken)
	}
	wait := until.Sub(workflow.Now(ctx))
	if wait <= 0 {
		return false, nil
	}
	return workflow.AwaitWithTimeout(ctx, wait, woken)
}

// waitIdle waits until running actions have answered and the outbox is
// empty: a process ends, or continues as new, only then; the messages
// still awaiting their receipts go on in their own Delivery workflows.
func (c *caseCore) waitIdle(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return len(c.outbox) == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	c.handOver(ctx) // the receipts still awaited (case_deliveries.go)
	return nil
}
