package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// changeOutageLink, version 1: a repair from a household, as it opens, is
// linked to the active outage that explains it (same estate, an affected
// building, the utility's repair category, within the outage window); a
// linked ticket shows "已知停水" and its breaches do not climb the
// escalation ladder (the outage's own process escalates). Taken once, as
// the workflow starts (ticketState.run).
const changeOutageLink = "outage-link"

// linkOutage looks for the outage that explains the repair and records
// the link; without one (or when it cannot be read, logged) the ticket
// runs as before.
func (s *ticketState) linkOutage(ctx workflow.Context) {
	if workflow.GetVersion(ctx, changeOutageLink, workflow.DefaultVersion, 1) < 1 {
		return
	}
	if s.in.Kind != models.TicketRepair || s.in.HouseholdID == 0 {
		return
	}
	var b *activities.Broadcasts
	in := activities.LinkTicketInput{TicketID: s.in.TicketID, At: s.in.ReportedAt}
	var res activities.LinkTicketResult
	if err := workflow.ExecuteActivity(dbLookup(ctx), b.LinkTicket, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("link ticket to an outage", "ticket", s.in.TicketID, "error", err)
		return
	}
	if res.OutageID == 0 {
		return
	}
	s.outage = res
	s.write(ctx, s.snapshot(ctx, workflow.Now(ctx), "outage_linked", 0, s.status, map[string]string{
		"outage_id": strconv.FormatUint(res.OutageID, 10), "known": res.Utility.KnownLabel()}))
}
