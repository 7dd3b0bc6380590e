package activities

import (
	"context"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// StaffStore is what the staff activities need of the store.
type StaffStore interface {
	StaffToNotify(ctx context.Context, estateID uint64, role models.Role) ([]uint64, error)
	FollowUpAssignee(ctx context.Context, estateID, registrarID uint64, preferRegistrar bool) (uint64, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	StaffMember(ctx context.Context, scope store.Scope, id uint64) (models.Staff, error)
}

// Staff answers the processes' questions about people: who holds a role,
// who makes a visit, and the names messages show.
type Staff struct {
	Store StaffStore
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
func (a *Staff) Recipients(ctx context.Context, in RecipientsInput) (RecipientsResult, error) {
	ids, err := a.Store.StaffToNotify(ctx, in.EstateID, in.Role)
	if err != nil {
		return RecipientsResult{}, permanent(err)
	}
	return RecipientsResult{StaffIDs: ids}, nil
}

// BriefInput names what a message needs to show: its estate and, when
// StaffID is not zero, a staff member.
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
func (a *Staff) Brief(ctx context.Context, in BriefInput) (BriefResult, error) {
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

// AssignFollowUp picks the assignee of a move-in's follow-up visit: the
// registrar when preferred and in customer service, else the least-loaded
// customer-service member (lowest id on a tie), else the registrar.
func (a *Staff) AssignFollowUp(ctx context.Context, in AssigneeInput) (AssigneeResult, error) {
	id, err := a.Store.FollowUpAssignee(ctx, in.EstateID, in.RegistrarID, in.PreferRegistrar)
	if err != nil {
		return AssigneeResult{}, permanent(err)
	}
	return AssigneeResult{StaffID: id}, nil
}
