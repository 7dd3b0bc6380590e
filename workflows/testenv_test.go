package workflows

import (
	"cmp"
	"context"
	"log/slog"
	"os"
	"slices"

	"github.com/stretchr/testify/mock"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// newTestEnv is a time-skipping test environment that logs warnings and
// errors only: the SDK's debug lines for every timer and activity would
// bury a failing test's own message in CI's output.
func newTestEnv() *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := suite.NewTestWorkflowEnvironment()
	// A process hands the receipts it still awaits to Delivery children.
	env.RegisterWorkflow(Delivery)
	// A repair opens with a look for the outage that explains it: ticket
	// outageTicketID is explained by outage 3 (water), no other ticket.
	var b *activities.Broadcasts
	env.OnActivity(b.LinkTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.LinkTicketInput) (activities.LinkTicketResult, error) {
			if in.TicketID == outageTicketID {
				return activities.LinkTicketResult{OutageID: 3, Utility: models.UtilityWater}, nil
			}
			return activities.LinkTicketResult{}, nil
		}).Maybe()
	return env
}

// outageTicketID is the ticket the test environment's outage explains.
const outageTicketID = uint64(777)

// byRevision puts each process's records in revision order, keeping the
// slots the process's records took in the list: the store orders events by
// revision and never lets an older progress overwrite a newer one, while two
// writes in flight at once (an update's and the main loop's) reach the
// activity in either order. proc and rev read a record's process and
// revision.
func byRevision[R any](records []R, proc func(R) uint64, rev func(R) int64) {
	slots := map[uint64][]int{}
	var procs []uint64
	for i, r := range records {
		p := proc(r)
		if _, ok := slots[p]; !ok {
			procs = append(procs, p)
		}
		slots[p] = append(slots[p], i)
	}
	for _, p := range procs {
		idx := slots[p]
		mine := make([]R, len(idx))
		for k, i := range idx {
			mine[k] = records[i]
		}
		slices.SortStableFunc(mine, func(a, b R) int { return cmp.Compare(rev(a), rev(b)) })
		for k, i := range idx {
			records[i] = mine[k]
		}
	}
}
