package activities

import (
	"context"
	"fmt"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// CaseStore is what recording transitions needs of the store.
type CaseStore interface {
	RecordTicketChange(ctx context.Context, c store.TicketChange) (bool, error)
	RecordFollowUpChange(ctx context.Context, c store.FollowUpChange) (bool, error)
	RecordCaseChange(ctx context.Context, c store.CaseChange) (bool, error)
	RecordInspectionChange(ctx context.Context, c store.InspectionChange) (bool, error)
	RecordContractChange(ctx context.Context, c store.ContractChange) (bool, error)
	AddContractVersion(ctx context.Context, scope store.Scope, v *models.ContractVersion) (bool, error)
	RecordOutageChange(ctx context.Context, c store.OutageChange) (bool, error)
	RecordNoticeChange(ctx context.Context, c store.NoticeChange) (bool, error)

	RecordSurveyChange(ctx context.Context, c store.SurveyChange) (bool, error)
}

// Cases records the transitions of every process: the process's row of the
// read model and its event in the case journal, in one transaction and
// idempotent by the event's key. Each process has its own method.
type Cases struct {
	Store CaseStore
}

// RecordResult says whether this call wrote the transition (false: an
// earlier attempt already had).
type RecordResult struct {
	Recorded bool
}

// recorded is the answer of a Record method: a failure names the row.
func recorded(ok bool, err error, row string, id uint64) (RecordResult, error) {
	if err != nil {
		return RecordResult{}, permanent(fmt.Errorf("record %s %d: %w", row, id, err))
	}
	return RecordResult{Recorded: ok}, nil
}

// RecordInput is one transition of a ticket for the read model (the
// store's own change: the same fields, so the same payload).
type RecordInput = store.TicketChange

// Record writes a ticket's transition.
func (a *Cases) Record(ctx context.Context, in RecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordTicketChange(ctx, in)
	return recorded(ok, err, "ticket", in.TicketID)
}

// FollowUpRecordInput is one transition of a follow-up for the read model.
type FollowUpRecordInput = store.FollowUpChange

// RecordFollowUp writes a follow-up's transition.
func (a *Cases) RecordFollowUp(ctx context.Context, in FollowUpRecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordFollowUpChange(ctx, in)
	return recorded(ok, err, "follow-up", in.FollowUpID)
}

// RecordCaseInput is one transition of a collection case for the read model.
type RecordCaseInput = store.CaseChange

// RecordCase writes a collection case's transition.
func (a *Cases) RecordCase(ctx context.Context, in RecordCaseInput) (RecordResult, error) {
	ok, err := a.Store.RecordCaseChange(ctx, in)
	return recorded(ok, err, "case", in.CaseID)
}

// RecordInspectionInput is one transition of an inspection occurrence.
type RecordInspectionInput = store.InspectionChange

// RecordInspection writes an inspection occurrence's transition.
func (a *Cases) RecordInspection(ctx context.Context, in RecordInspectionInput) (RecordResult, error) {
	ok, err := a.Store.RecordInspectionChange(ctx, in)
	return recorded(ok, err, "inspection", in.InspectionID)
}

// RecordContractInput is one transition of a service contract for the read
// model.
type RecordContractInput = store.ContractChange

// RecordContract writes a contract's transition.
func (a *Cases) RecordContract(ctx context.Context, in RecordContractInput) (RecordResult, error) {
	ok, err := a.Store.RecordContractChange(ctx, in)
	return recorded(ok, err, "contract", in.ContractID)
}

// AddContractVersion writes a contract's new version (a renewal), once per
// key, and returns it with its number.
func (a *Cases) AddContractVersion(ctx context.Context, v models.ContractVersion) (models.ContractVersion, error) {
	if _, err := a.Store.AddContractVersion(ctx, store.AllEstates(), &v); err != nil {
		return v, permanent(fmt.Errorf("add version of contract %d: %w", v.ContractID, err))
	}
	return v, nil
}

// OutageRecordInput is one transition of an outage for the read model.
type OutageRecordInput = store.OutageChange

// RecordOutage writes an outage's transition.
func (a *Cases) RecordOutage(ctx context.Context, in OutageRecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordOutageChange(ctx, in)
	return recorded(ok, err, "outage", in.OutageID)
}

// NoticeRecordInput is one transition of a notice for the read model.
type NoticeRecordInput = store.NoticeChange

// RecordNotice writes a notice's transition.
func (a *Cases) RecordNotice(ctx context.Context, in NoticeRecordInput) (RecordResult, error) {
	ok, err := a.Store.RecordNoticeChange(ctx, in)
	return recorded(ok, err, "notice", in.NoticeID)
}
