package workflows

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

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

// actionDetail starts the detail of a staff action's transition: the ID of
// its update (the caller's, which makes a retried action idempotent) and
// the fields of texts that are not empty.
func actionDetail(ctx workflow.Context, texts map[string]string) map[string]string {
	detail := map[string]string{}
	if info := workflow.GetCurrentUpdateInfo(ctx); info != nil {
		detail["update_id"] = info.ID
	}
	for _, k := range slices.Sorted(maps.Keys(texts)) { // workflows range over maps in order
		if texts[k] != "" {
			detail[k] = texts[k]
		}
	}
	return detail
}

// idList shows ids in a journal's detail: "5,21,31".
func idList(ids []uint64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatUint(id, 10)
	}
	return strings.Join(out, ",")
}
