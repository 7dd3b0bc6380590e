package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// withTicket completes the assignment text (ticket_assigned) from the
// ticket's record, which the workflow writes before it sends the text: the
// place is the household's unit address (the ticket's own location text
// after it) and the resident to see; the deadline is the one the assignee
// must meet (models.AssignmentDeadline: on site, not the nearer contact);
// and a recipient who is not the ticket's assignee (the first receiver) is
// told whom the ticket went to (dispatched_to). A ticket that cannot be
// found leaves the workflow's params as they are.
func (n *Notifier) withTicket(ctx context.Context, in SendInput, params map[string]string) (map[string]string, error) {
	if in.Template != notify.TemplateTicketAssigned {
		return params, nil
	}
	id, err := strconv.ParseUint(params["ticket_no"], 10, 64)
	if err != nil {
		return params, nil
	}
	all := store.AllEstates()
	t, err := n.Store.Ticket(ctx, all, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return params, nil
	case err != nil:
		return nil, fmt.Errorf("ticket %d of message %q: %w", id, in.Key, err)
	case t.EstateID != in.EstateID:
		return params, nil
	}
	out := maps.Clone(params)
	if t.HouseholdID != nil {
		h, err := n.Store.Household(ctx, all, *t.HouseholdID)
		if err = absent(err); err != nil {
			return nil, fmt.Errorf("household of ticket %d: %w", id, err)
		}
		if h.ID != 0 {
			out["location"] = h.Address()
			if t.Location != "" {
				out["location"] += " " + t.Location
			}
		}
	}
	if t.ResidentID != nil {
		r, err := n.Store.Resident(ctx, all, *t.ResidentID)
		if err = absent(err); err != nil {
			return nil, fmt.Errorf("resident of ticket %d: %w", id, err)
		}
		if r.Name != "" {
			out["resident"] = r.Name
		}
	}
	if d, ok := models.AssignmentDeadline(t.Kind, t.Deadlines); ok {
		e, err := n.Store.Estate(ctx, all, t.EstateID)
		if err != nil {
			return nil, fmt.Errorf("estate of ticket %d: %w", id, err)
		}
		loc, err := time.LoadLocation(e.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("time zone of estate %d: %w", e.ID, err)
		}
		out["due"], out["due_milestone"] = d.Due.In(loc).Format("01-02 15:04"), string(d.Milestone)
	}
	if t.AssigneeID != nil && *t.AssigneeID != in.RecipientID && in.RecipientKind == models.RecipientStaff {
		st, err := n.Store.StaffMember(ctx, all, *t.AssigneeID)
		if err = absent(err); err != nil {
			return nil, fmt.Errorf("assignee of ticket %d: %w", id, err)
		}
		out["dispatched_to"] = st.Name
		if st.Name == "" {
			out["dispatched_to"] = "其他同事" // the name could not be read: never "派给您"
		}
	}
	return out, nil
}

// absent forgives a record not found: the text goes without what it would
// have shown.
func absent(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	return err
}
