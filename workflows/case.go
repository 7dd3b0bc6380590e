package workflows

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// caseCore is what the service's processes (a ticket, a move-in follow-up,
// a collection case) keep and do alike; each one's state embeds it. It
// numbers the transitions of the case journal, which every process writes
// through its own recording activity.
type caseCore struct {
	estateID uint64
	loc      *time.Location // the estate's time zone
	// journal prefixes the keys of the process's events: its workflow ID,
	// or for a collection case "collection-<household>/<case>".
	journal string
	seq     int64     // transitions recorded, the read model's revision
	sa      caseAttrs // the search attributes last upserted
}

// newCaseCore starts the core of a process in an estate and its time zone
// tz; an unknown zone is the input's fault and fails the workflow for good.
func newCaseCore(estateID uint64, tz, journal string) (caseCore, error) {
	loc, err := zone(tz)
	if err != nil {
		return caseCore{}, err
	}
	return caseCore{estateID: estateID, loc: loc, journal: journal}, nil
}

// zone loads the time zone tz of a workflow's input: an unknown one fails
// the workflow with a non-retryable InvalidInput error.
func zone(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("time zone %q: %v", tz, err), ErrTypeInvalidInput, nil, "time_zone")
	}
	return loc, nil
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

// writeTransition records one transition through the process's recording
// activity (a method of activities.Cases), retried until the database
// takes it; a permanent failure is logged under the event's key and the
// process goes on.
func writeTransition[In any](ctx workflow.Context, activity func(context.Context, In) (activities.RecordResult, error), in In, key string) {
	if err := workflow.ExecuteActivity(dbCall(ctx), activity, in).Get(ctx, nil); err != nil {
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
