package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// caseAttrs remembers the search attributes a process last upserted, so
// that it writes only what changed.
type caseAttrs struct {
	set   bool
	stage string
	level int
	due   time.Time
}

// upsert writes the attributes that differ from the last upsert: the estate
// and kind once, then the stage, escalation level and next due time (unset
// when zero).
func (a *caseAttrs) upsert(ctx workflow.Context, estateID uint64, kind, stage string, level int, due time.Time) {
	var ups []temporal.SearchAttributeUpdate
	if !a.set {
		ups = append(ups, AttrEstate.ValueSet(strconv.FormatUint(estateID, 10)), AttrCaseKind.ValueSet(kind))
	}
	if !a.set || a.stage != stage {
		ups = append(ups, AttrStage.ValueSet(stage))
	}
	if !a.set || a.level != level {
		ups = append(ups, AttrEscalationLevel.ValueSet(int64(level)))
	}
	if !a.set || !a.due.Equal(due) {
		if due.IsZero() {
			ups = append(ups, AttrDueAt.ValueUnset())
		} else {
			ups = append(ups, AttrDueAt.ValueSet(due))
		}
	}
	*a = caseAttrs{set: true, stage: stage, level: level, due: due}
	if len(ups) == 0 {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, ups...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "error", err)
	}
}
