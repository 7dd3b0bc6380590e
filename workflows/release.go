package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// release is how a bulk resident message waits its turn (models.ReleaseAt):
// it draws its number in the batch of its estate's channel due at batch
// (to the minute) and goes out at that number's slot of rate messages a
// second, outside quiet hours, so that thousands of households due at one
// minute reach the gateway at the rate it accepts.
type release struct {
	channel models.Channel
	batch   time.Time
	rate    int
}

// changeReleaseEarly, version 1: a bulk message due in quiet hours draws
// its release slot when it becomes the outbox's next, during the quiet
// hours, as a local activity, then sleeps until its slot. Before, every
// such message slept until the quiet hours ended and only then drew its
// slot, so that at the release minute thousands of processes woke at once
// to draw (an activity task and two workflow tasks each) and the engine,
// not the policy's rate, set the pace: 12 messages a second against a
// policy of 50 at 10,000 households (issue 15). Now only the slots' timers
// fire then, each at its own time.
const changeReleaseEarly = "release-early"

// newRelease is the release of a message due at due on channel ch under
// the estate's release policy p. Its batch is the minute the message may
// first go out: due, or the end of the quiet hours it falls in, so that
// the messages due during the night share one batch at their end rather
// than each minute's batch starting at once then.
func (c *caseCore) newRelease(p models.ReleasePolicy, ch models.Channel, due time.Time) *release {
	batch := c.quiet.NextAllowed(due, c.loc).UTC().Truncate(time.Minute)
	return &release{channel: ch, batch: batch, rate: p.Rate(ch)}
}

// awaitRelease draws the slot of the message key in r's batch (an
// activity, so the number is in the history and a retry draws the same)
// and sleeps until the slot's time. Without a slot (the database failed
// for good, logged) the message goes at once: late rather than lost.
//
// Under changeReleaseEarly the slot is drawn as a local activity, as soon
// as the message is the outbox's next, quiet hours or not (see queue).
func (c *caseCore) awaitRelease(ctx workflow.Context, key string, r release, early bool) error {
	var a *activities.Collections
	var n int64
	in := activities.ReleaseInput{Key: key, EstateID: c.estateID, Channel: r.channel, Batch: r.batch}
	var draw workflow.Future
	if early {
		draw = workflow.ExecuteLocalActivity(dbLocal(ctx, lookupAttempts), a.ReleaseSlot, in)
	} else {
		draw = workflow.ExecuteActivity(dbLookup(ctx), a.ReleaseSlot, in)
	}
	if err := draw.Get(ctx, &n); err != nil {
		workflow.GetLogger(ctx).Warn("release slot", "key", key, "error", err)
		return nil
	}
	if wait := models.ReleaseAt(r.batch, n, r.rate, c.quiet, c.loc).Sub(workflow.Now(ctx)); wait > 0 {
		return workflow.Sleep(ctx, wait)
	}
	return nil
}
