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
func (c *caseCore) awaitRelease(ctx workflow.Context, key string, r release) error {
	var a *activities.Collections
	var n int64
	in := activities.ReleaseInput{Key: key, EstateID: c.estateID, Channel: r.channel, Batch: r.batch}
	if err := workflow.ExecuteActivity(dbLookup(ctx), a.ReleaseSlot, in).Get(ctx, &n); err != nil {
		workflow.GetLogger(ctx).Warn("release slot", "key", key, "error", err)
		return nil
	}
	if wait := models.ReleaseAt(r.batch, n, r.rate, c.quiet, c.loc).Sub(workflow.Now(ctx)); wait > 0 {
		return workflow.Sleep(ctx, wait)
	}
	return nil
}
