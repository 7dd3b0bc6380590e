package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// FollowUpStore is what the follow-up activities need of the store.
type FollowUpStore interface {
	RecordFollowUpChange(ctx context.Context, c store.FollowUpChange) (bool, error)
	FollowUpAssignee(ctx context.Context, estateID, registrarID uint64, preferRegistrar bool) (uint64, error)
	CreateTicket(ctx context.Context, scope store.Scope, t *models.Ticket, key string) (models.Ticket, bool, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Policy(ctx context.Context, scope store.Scope, estateID uint64) (models.EstatePolicy, error)
}

// FollowUps holds the side effects of the move-in follow-up workflow: its
// read model, the choice of assignee and the tickets a visit opens. Its
// method names are unique across the worker's activities (Temporal registers
// activities by method name).
type FollowUps struct {
	Store FollowUpStore
}

// FollowUpRecordInput is one transition of a follow-up for the read model.
type FollowUpRecordInput struct {
	FollowUpID uint64
	Progress   models.FollowUpProgress
	Event      models.CaseEvent
}

// RecordFollowUp writes the follow-up row and the event row in one
// transaction, idempotent by Event.Key.
func (a *FollowUps) RecordFollowUp(ctx context.Context, in FollowUpRecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordFollowUpChange(ctx, store.FollowUpChange{FollowUpID: in.FollowUpID, Progress: in.Progress, Event: in.Event})
	if err != nil {
		return RecordResult{}, permanent(fmt.Errorf("record follow-up %d: %w", in.FollowUpID, err))
	}
	return RecordResult{Recorded: ok}, nil
}

// AssigneeInput asks who should make an estate's follow-up visit.
type AssigneeInput struct {
	EstateID        uint64
	RegistrarID     uint64
	PreferRegistrar bool
}

// AssigneeResult is the chosen staff member.
type AssigneeResult struct {
	StaffID uint64
}

// AssignFollowUp picks the assignee: the registrar when preferred and in
// customer service, else the least-loaded customer-service member (lowest id
// on a tie), else the registrar.
func (a *FollowUps) AssignFollowUp(ctx context.Context, in AssigneeInput) (AssigneeResult, error) {
	id, err := a.Store.FollowUpAssignee(ctx, in.EstateID, in.RegistrarID, in.PreferRegistrar)
	if err != nil {
		return AssigneeResult{}, permanent(err)
	}
	return AssigneeResult{StaffID: id}, nil
}

// VisitTicketInput describes the ticket one item of a visit opens.
type VisitTicketInput struct {
	// Key makes the creation idempotent: "followup-<moveInID>/item-<n>".
	Key         string
	EstateID    uint64
	Kind        models.TicketKind
	Urgency     models.Urgency
	Category    string
	Description string
	HouseholdID uint64
	ResidentID  uint64
	Channel     models.ReportChannel
	// ReceiverID is who recorded the visit: the ticket's first receiver.
	ReceiverID uint64
	ReportedAt time.Time
}

// VisitTicketResult is the ticket, with the estate's current policy and time
// zone for its workflow.
type VisitTicketResult struct {
	Ticket   models.Ticket
	Created  bool
	Policy   models.Policy
	TimeZone string
}

// OpenVisitTicket creates (once per key) the ticket of a visit item.
func (a *FollowUps) OpenVisitTicket(ctx context.Context, in VisitTicketInput) (VisitTicketResult, error) {
	all := store.AllEstates()
	hh, res := in.HouseholdID, in.ResidentID
	t := models.Ticket{
		EstateID: in.EstateID, Kind: in.Kind, Urgency: in.Urgency, Category: in.Category,
		Description: in.Description, HouseholdID: &hh, Channel: in.Channel,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.ReceiverID,
		TicketProgress: models.TicketProgress{Status: models.StatusNew},
	}
	if res != 0 {
		t.ResidentID = &res
	}
	got, created, err := a.Store.CreateTicket(ctx, all, &t, in.Key)
	if err != nil {
		return VisitTicketResult{}, permanent(fmt.Errorf("open ticket %s: %w", in.Key, err))
	}
	pol, err := a.Store.Policy(ctx, all, in.EstateID)
	if err != nil {
		return VisitTicketResult{}, permanent(fmt.Errorf("open ticket %s: %w", in.Key, err))
	}
	est, err := a.Store.Estate(ctx, all, in.EstateID)
	if err != nil {
		return VisitTicketResult{}, permanent(fmt.Errorf("open ticket %s: %w", in.Key, err))
	}
	return VisitTicketResult{Ticket: got, Created: created, Policy: pol.Policy, TimeZone: est.TimeZone}, nil
}
