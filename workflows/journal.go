package workflows

import (
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
)

// transition is what every process says of one of its transitions, for the
// case journal (models.CaseEvent): the n-th transition of workflow wfID, its
// type, who made it (0 for the process itself), the status before and
// after, and details. Channel and Outcome describe a contact.
type transition struct {
	Type     string
	Actor    uint64
	From, To string
	Channel  models.Channel
	Outcome  string
	Detail   map[string]string
}

// event is t as the n-th event of workflow wfID at now: its key
// "<workflow ID>/<n>" makes recording it idempotent.
func (t transition) event(wfID string, n int64, now time.Time) models.CaseEvent {
	return models.CaseEvent{
		Key: fmt.Sprintf("%s/%d", wfID, n), Type: t.Type, ActorID: optID(t.Actor),
		FromStatus: t.From, ToStatus: t.To, Channel: t.Channel, Outcome: t.Outcome, Detail: t.Detail, At: now,
	}
}
