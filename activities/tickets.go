package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// TicketStore is what opening tickets needs of the store.
type TicketStore interface {
	CreateTicket(ctx context.Context, scope store.Scope, t *models.Ticket, key string) (models.Ticket, bool, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Policy(ctx context.Context, scope store.Scope, estateID uint64) (models.EstatePolicy, error)
}

// Tickets opens the tickets that other processes raise: the complaint of a
// low return-visit score, the repairs and complaints of a move-in visit and
// the complaint of a resident who refuses to pay. Each is created once per
// key, and its workflow is then started by the process as a child.
type Tickets struct {
	Store TicketStore
}

// OpenedTicket is a ticket a process opened, with the estate's current
// policy and time zone for its workflow.
type OpenedTicket struct {
	Ticket   models.Ticket
	Created  bool // false: an earlier call with the key created it
	Policy   models.Policy
	TimeZone string
}

// open creates t once per key and reads what its workflow needs.
func (a *Tickets) open(ctx context.Context, t models.Ticket, key string) (OpenedTicket, error) {
	all := store.AllEstates()
	t.TicketProgress = models.TicketProgress{Status: models.StatusNew}
	got, created, err := a.Store.CreateTicket(ctx, all, &t, key)
	if err != nil {
		return OpenedTicket{}, permanent(fmt.Errorf("open ticket %s: %w", key, err))
	}
	pol, err := a.Store.Policy(ctx, all, t.EstateID)
	if err != nil {
		return OpenedTicket{}, permanent(fmt.Errorf("open ticket %s: %w", key, err))
	}
	est, err := a.Store.Estate(ctx, all, t.EstateID)
	if err != nil {
		return OpenedTicket{}, permanent(fmt.Errorf("open ticket %s: %w", key, err))
	}
	return OpenedTicket{Ticket: got, Created: created, Policy: pol.Policy, TimeZone: est.TimeZone}, nil
}

// ComplaintFollowUpInput describes the complaint a low return-visit score
// opens.
type ComplaintFollowUpInput struct {
	// Key makes the creation idempotent: "lowscore-<ticketID>".
	Key             string
	ParentID        uint64
	EstateID        uint64
	Category        string
	Description     string
	HouseholdID     *uint64
	Location        string
	ResidentID      *uint64
	FirstReceiverID uint64
	ReportedAt      time.Time
}

// OpenFollowUp opens the complaint of a low score, linked to the parent
// ticket.
func (a *Tickets) OpenFollowUp(ctx context.Context, in ComplaintFollowUpInput) (OpenedTicket, error) {
	parent := in.ParentID
	return a.open(ctx, models.Ticket{
		EstateID: in.EstateID, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal,
		Category: in.Category, Description: in.Description, HouseholdID: in.HouseholdID,
		Location: in.Location, ResidentID: in.ResidentID, Channel: models.ReportPhone,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.FirstReceiverID, ParentTicketID: &parent,
	}, in.Key)
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

// OpenVisitTicket opens the ticket of a visit item.
func (a *Tickets) OpenVisitTicket(ctx context.Context, in VisitTicketInput) (OpenedTicket, error) {
	hh := in.HouseholdID
	t := models.Ticket{
		EstateID: in.EstateID, Kind: in.Kind, Urgency: in.Urgency, Category: in.Category,
		Description: in.Description, HouseholdID: &hh, Channel: in.Channel,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.ReceiverID,
	}
	if in.ResidentID != 0 {
		res := in.ResidentID
		t.ResidentID = &res
	}
	return a.open(ctx, t, in.Key)
}

// ComplaintInput describes the complaint a resident's refusal to pay raises.
type ComplaintInput struct {
	// Key makes the creation idempotent: "collection-<case>/complaint-<task>".
	Key             string
	EstateID        uint64
	HouseholdID     uint64
	ResidentID      uint64
	FirstReceiverID uint64
	Description     string
	ReportedAt      time.Time
}

// OpenComplaint opens the complaint ticket of a collection case.
func (a *Tickets) OpenComplaint(ctx context.Context, in ComplaintInput) (OpenedTicket, error) {
	hh := in.HouseholdID
	t := models.Ticket{EstateID: in.EstateID, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal,
		Category: "物业费争议", Description: in.Description, HouseholdID: &hh, Channel: models.ReportPhone,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.FirstReceiverID}
	if in.ResidentID != 0 {
		r := in.ResidentID
		t.ResidentID = &r
	}
	return a.open(ctx, t, in.Key)
}

// FindingTicketInput describes the repair ticket a finding (隐患) of an
// inspection opens: a public-area repair, no household.
type FindingTicketInput struct {
	// Key makes the creation idempotent: "inspection-<id>/finding-<n>".
	Key         string
	EstateID    uint64
	Urgency     models.Urgency
	Description string
	Location    string
	// ReceiverID is who recorded the finding: the ticket's first receiver.
	ReceiverID uint64
	ReportedAt time.Time
}

// OpenFindingTicket opens the repair ticket of an inspection's finding.
func (a *Tickets) OpenFindingTicket(ctx context.Context, in FindingTicketInput) (OpenedTicket, error) {
	return a.open(ctx, models.Ticket{EstateID: in.EstateID, Kind: models.TicketRepair, Urgency: in.Urgency,
		Category: "巡检隐患", Description: in.Description, Location: in.Location, Channel: models.ReportWalkIn,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.ReceiverID}, in.Key)
}
