package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// TicketStore is what the ticket activities need of the store.
type TicketStore interface {
	RecordTicketChange(ctx context.Context, c store.TicketChange) (bool, error)
	StaffToNotify(ctx context.Context, estateID uint64, role models.Role) ([]uint64, error)
	CreateTicket(ctx context.Context, scope store.Scope, t *models.Ticket, key string) (models.Ticket, bool, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Policy(ctx context.Context, scope store.Scope, estateID uint64) (models.EstatePolicy, error)
	StaffMember(ctx context.Context, scope store.Scope, id uint64) (models.Staff, error)
}

// Tickets holds the side effects of the ticket workflow: the read model,
// escalation recipients and follow-up complaints.
type Tickets struct {
	Store TicketStore
}

// RecordInput is one transition of a ticket for the read model.
type RecordInput struct {
	TicketID uint64
	Progress models.TicketProgress
	Event    models.CaseEvent
}

// RecordResult says whether this call wrote the transition (false: an
// earlier attempt already had).
type RecordResult struct {
	Recorded bool
}

// Record writes the ticket row and the event row in one transaction,
// idempotent by Event.Key.
func (a *Tickets) Record(ctx context.Context, in RecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordTicketChange(ctx, store.TicketChange{TicketID: in.TicketID, Progress: in.Progress, Event: in.Event})
	if err != nil {
		return RecordResult{}, permanent(fmt.Errorf("record ticket %d: %w", in.TicketID, err))
	}
	return RecordResult{Recorded: ok}, nil
}

// RecipientsInput names the role to notify in an estate.
type RecipientsInput struct {
	EstateID uint64
	Role     models.Role
}

// RecipientsResult lists staff ids, ascending.
type RecipientsResult struct {
	StaffIDs []uint64
}

// Recipients lists the active staff with a role in the estate (company-level
// staff for company_admin).
func (a *Tickets) Recipients(ctx context.Context, in RecipientsInput) (RecipientsResult, error) {
	ids, err := a.Store.StaffToNotify(ctx, in.EstateID, in.Role)
	if err != nil {
		return RecipientsResult{}, permanent(err)
	}
	return RecipientsResult{StaffIDs: ids}, nil
}

// BriefInput names what a message about a ticket needs to show: its estate
// and, when StaffID is not zero, a staff member.
type BriefInput struct {
	EstateID uint64
	StaffID  uint64
}

// BriefResult holds the names messages show. Never a resident's name or phone.
type BriefResult struct {
	EstateName   string
	ServicePhone string
	StaffName    string
}

// Brief reads the estate's name and service phone, and a staff member's name.
func (a *Tickets) Brief(ctx context.Context, in BriefInput) (BriefResult, error) {
	all := store.AllEstates()
	e, err := a.Store.Estate(ctx, all, in.EstateID)
	if err != nil {
		return BriefResult{}, permanent(err)
	}
	out := BriefResult{EstateName: e.Name, ServicePhone: e.ServicePhone}
	if in.StaffID != 0 {
		st, err := a.Store.StaffMember(ctx, all, in.StaffID)
		if err != nil {
			return BriefResult{}, permanent(err)
		}
		out.StaffName = st.Name
	}
	return out, nil
}

// FollowUpInput describes the complaint a low return-visit score opens.
type FollowUpInput struct {
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

// FollowUpResult is the complaint, with the estate's current policy and time
// zone for its workflow.
type FollowUpResult struct {
	Ticket   models.Ticket
	Created  bool
	Policy   models.Policy
	TimeZone string
}

// OpenFollowUp creates (once per key) a complaint linked to the parent ticket.
func (a *Tickets) OpenFollowUp(ctx context.Context, in FollowUpInput) (FollowUpResult, error) {
	all := store.AllEstates()
	parent := in.ParentID
	t := models.Ticket{
		EstateID: in.EstateID, Kind: models.TicketComplaint, Urgency: models.UrgencyNormal,
		Category: in.Category, Description: in.Description, HouseholdID: in.HouseholdID,
		Location: in.Location, ResidentID: in.ResidentID, Channel: models.ReportPhone,
		ReportedAt: in.ReportedAt, FirstReceiverID: in.FirstReceiverID, ParentTicketID: &parent,
		TicketProgress: models.TicketProgress{Status: models.StatusNew},
	}
	got, created, err := a.Store.CreateTicket(ctx, all, &t, in.Key)
	if err != nil {
		return FollowUpResult{}, permanent(fmt.Errorf("open follow-up of ticket %d: %w", in.ParentID, err))
	}
	pol, err := a.Store.Policy(ctx, all, in.EstateID)
	if err != nil {
		return FollowUpResult{}, permanent(fmt.Errorf("open follow-up of ticket %d: %w", in.ParentID, err))
	}
	est, err := a.Store.Estate(ctx, all, in.EstateID)
	if err != nil {
		return FollowUpResult{}, permanent(fmt.Errorf("open follow-up of ticket %d: %w", in.ParentID, err))
	}
	return FollowUpResult{Ticket: got, Created: created, Policy: pol.Policy, TimeZone: est.TimeZone}, nil
}

// permanent marks errors that a retry cannot fix (bad input, a missing
// record) as non-retryable; others (the database is down) stay retryable.
func permanent(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) || errors.Is(err, models.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "Permanent", err)
	}
	return err
}
