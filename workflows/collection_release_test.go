package workflows

import (
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// monthEnd runs the collections ins side by side as children, until
// until: the households of one estate whose reminders fall due at one
// minute.
func monthEnd(ctx workflow.Context, ins []CollectionInput, until time.Time) error {
	for _, in := range ins {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: CollectionWorkflowID(in.HouseholdID)})
		workflow.ExecuteChildWorkflow(cctx, Collection, in)
	}
	return workflow.Sleep(ctx, until.Sub(workflow.Now(ctx)))
}

// TestCollectionRemindersReleasedAtTheRate: the reminders of twelve
// households due at 10:00 the same day go out one slot apart at the
// estate's SMS rate (5/s: 10:00:00.0, .2, .4 ... 10:00:02.2), each once;
// due inside quiet hours, they go out at the same rate from their end.
func TestCollectionRemindersReleasedAtTheRate(t *testing.T) {
	const households, rate = 12, 5
	tests := []struct {
		name  string
		quiet models.QuietHours
		from  time.Time
		// late: before changeReleaseEarly, the slots are drawn once quiet
		// hours are over, not during them.
		late bool
	}{
		{"in the sending window", models.DefaultPolicy().QuietHours, cday(3, 3, 10, 0), false},
		{"due in quiet hours", models.QuietHours{Start: "09:00", End: "11:00"}, cday(3, 3, 11, 0), false},
		{"due in quiet hours, drawn at their end", models.QuietHours{Start: "09:00", End: "11:00"}, cday(3, 3, 11, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
			if tt.late {
				h.env.OnGetVersion(changeReleaseEarly, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			h.env.RegisterWorkflow(Collection)
			c := countActivities(h.env)
			var ins []CollectionInput
			for i := range households {
				in := collInput()
				in.HouseholdID = 1000 + uint64(i)
				in.Policy.QuietHours = tt.quiet
				in.Policy.Release.Rates = map[models.Channel]int{models.ChannelSMS: rate}
				ins = append(ins, in)
			}
			h.env.ExecuteWorkflow(monthEnd, ins, cday(3, 3, 12, 0))
			if err := h.env.GetWorkflowError(); err != nil {
				t.Fatalf("month end: %v", err)
			}
			var got []time.Time
			keys := map[string]bool{}
			for _, s := range h.sends {
				if s.In.Template != "payment_reminder_before" {
					continue
				}
				if keys[s.In.Key] {
					t.Errorf("reminder %s sent twice", s.In.Key)
				}
				keys[s.In.Key] = true
				got = append(got, s.At)
			}
			slices.SortFunc(got, time.Time.Compare)
			var want []time.Time
			for k := range households {
				want = append(want, tt.from.Add(time.Duration(k)*time.Second/rate))
			}
			if len(got) != len(want) {
				t.Fatalf("%d reminders sent, want %d: %v", len(got), len(want), got)
			}
			for k := range want {
				if !got[k].Equal(want[k]) {
					t.Errorf("reminder %d sent at %s, want %s", k, got[k].Format("15:04:05.000"), want[k].Format("15:04:05.000"))
				}
			}
			// Each slot is drawn when its message is queued, at the reminder's
			// 10:00, quiet hours or not; before the change, at their end.
			drawnAt := cday(3, 3, 10, 0)
			if tt.late {
				drawnAt = tt.from
			}
			for key := range keys {
				if at, ok := h.drawnAt[key]; !ok || !at.Equal(drawnAt) {
					t.Errorf("slot of %s drawn at %s, want %s", key, at.Format("15:04:05.000"), drawnAt.Format("15:04:05.000"))
				}
			}
			// One draw per message: a local one under the change, an
			// activity task before it.
			draws := c.byType["ReleaseSlot"]
			if local := c.local["ReleaseSlot"]; draws != households || (local == draws) == tt.late {
				t.Errorf("got %d draws, %d of them local; want %d, local=%v", draws, local, households, !tt.late)
			}
		})
	}
}
