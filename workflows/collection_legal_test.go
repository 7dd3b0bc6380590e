package workflows

import (
	"testing"

	"github.com/wuye/wuye/models"
)

func legalAct(action string, by uint64, role models.Role, e LegalEntry) CaseAction {
	return CaseAction{Action: action, ActorID: by, ActorRole: role, Legal: e}
}

// Once referral is approved, legal staff keep the matter on the case: its
// documents and its outcome, each dated inside a window and in an order
// the validator holds (no withdrawal before filing, nothing after an end).
func TestLegalMatterDocumentsAndOutcome(t *testing.T) {
	h := newColl(t, collInput(), cday(3, 1, 10, 30), bill(1, 2, 50000))
	doc := LegalEntry{Kind: DocEvidence, Name: "书面催缴函及送达回执", Ref: "函-7", On: models.Date{Year: 2026, Month: 6, Day: 9}}
	filed := LegalEntry{Kind: LegalFiled, Court: "浦东新区人民法院", CaseNo: "(2026)沪0115民初1234号", On: models.Date{Year: 2026, Month: 9, Day: 10}}
	lg := func(action string, e LegalEntry) CaseAction { return legalAct(action, lawyer, models.RoleLegal, e) }
	// The written demand issued on 06-09 is served the next day, so that
	// the referral is asked for on 09-07.
	h.act(cday(6, 10, 10, 0), "serve", served(1, models.Date{Year: 2026, Month: 6, Day: 10}))
	h.act(cday(9, 7, 9, 0), "document while pending", lg(ActLegalDocument, doc))
	h.act(cday(9, 8, 10, 0), "approve", legal(true))
	h.act(cday(9, 9, 10, 0), "document", lg(ActLegalDocument, doc))
	future := doc
	future.On = models.Date{Year: 2026, Month: 9, Day: 10}
	h.act(cday(9, 9, 10, 5), "future document", lg(ActLegalDocument, future))
	h.act(cday(9, 9, 10, 10), "withdraw unfiled", lg(ActLegalOutcome, LegalEntry{Kind: LegalWithdrawn, On: models.Date{Year: 2026, Month: 9, Day: 9}}))
	noCaseNo := filed
	noCaseNo.CaseNo = ""
	h.act(cday(9, 10, 10, 0), "filed without case number", lg(ActLegalOutcome, noCaseNo))
	early := filed
	early.On = models.Date{Year: 2026, Month: 9, Day: 1}
	h.act(cday(9, 10, 10, 5), "filed before referral", lg(ActLegalOutcome, early))
	h.act(cday(9, 10, 10, 10), "desk records", legalAct(ActLegalOutcome, csAgent, models.RoleCustomerService, filed))
	h.act(cday(9, 10, 10, 15), "filed", lg(ActLegalOutcome, filed))
	h.act(cday(9, 15, 9, 59), "settled beyond any amount", lg(ActLegalOutcome, LegalEntry{Kind: LegalSettled, AmountFen: models.MaxAmountFen + 1, On: models.Date{Year: 2026, Month: 9, Day: 15}}))
	h.act(cday(9, 15, 10, 0), "settled", lg(ActLegalOutcome, LegalEntry{Kind: LegalSettled, AmountFen: 50000, On: models.Date{Year: 2026, Month: 9, Day: 15}}))
	h.act(cday(9, 15, 10, 5), "withdraw after settling", lg(ActLegalOutcome, LegalEntry{Kind: LegalWithdrawn, On: models.Date{Year: 2026, Month: 9, Day: 15}}))
	var pending, settled CaseView
	h.query(cday(9, 7, 12, 0), &pending)
	h.query(cday(9, 16, 12, 0), &settled)
	h.pay(cday(9, 20, 11, 0), 0)
	res := h.run()

	h.wantOK("serve", "approve", "document", "filed", "settled")
	h.wantRefused("document while pending", ErrTypeInvalidState, string(models.StageLegalPending))
	h.wantRefused("future document", ErrTypeInvalidInput, "date")
	h.wantRefused("withdraw unfiled", ErrTypeInvalidState, string(models.StageLegal))
	h.wantRefused("filed without case number", ErrTypeInvalidInput, "case_no")
	h.wantRefused("filed before referral", ErrTypeInvalidInput, "date")
	h.wantRefused("desk records", ErrTypeForbidden, "")
	h.wantRefused("settled beyond any amount", ErrTypeInvalidInput, "amount_fen")
	h.wantRefused("withdraw after settling", ErrTypeInvalidState, string(models.StageLegal))
	wantLines(t, "legal events", h.lines("legal_requested", "legal_approved", "legal_document", "legal_outcome", "closed"), []string{
		"09-07 00:00 legal_requested",
		"09-08 10:00 legal_approved",
		"09-09 10:00 legal_document /evidence",
		"09-10 10:15 legal_outcome /filed",
		"09-15 10:00 legal_outcome /settled",
		"09-20 11:00 closed",
	})
	if pending.LegalSince == nil || !pending.LegalSince.Equal(cday(9, 7, 0, 0)) || pending.Legal != nil {
		t.Errorf("while pending: got since %v, matter %+v; want since the request on 09-07, no matter", pending.LegalSince, pending.Legal)
	}
	m := settled.Legal
	if m == nil || m.Status != LegalSettled || !m.ReferredAt.Equal(cday(9, 8, 10, 0)) || len(m.Documents) != 1 || len(m.Outcomes) != 2 ||
		m.Outcomes[0].CaseNo != filed.CaseNo || m.Outcomes[1].AmountFen != 50000 || m.Outcomes[1].By != lawyer {
		t.Errorf("matter after settling: got %+v, want settled, referred 09-08 10:00, 1 document, filed then settled by %d", m, lawyer)
	}
	var last models.CaseProgress
	for _, r := range h.records {
		if r.Event.Type == "legal_outcome" {
			last = r.Progress
		}
	}
	if last.LegalStatus != LegalSettled || last.LegalSince == nil || !last.LegalSince.Equal(cday(9, 8, 10, 0)) {
		t.Errorf("read model after settling: got status %q since %v, want settled since 09-08 10:00", last.LegalStatus, last.LegalSince)
	}
	if res.Stage != models.StageClosed {
		t.Errorf("result: got %s, want closed once paid", res.Stage)
	}
}

// The legal actions are offered to legal staff on a case in legal only.
func TestLegalActionsOffered(t *testing.T) {
	tests := []struct {
		name  string
		stage models.CaseStage
		role  models.Role
		want  []string
	}{
		{"legal, in legal", models.StageLegal, models.RoleLegal, []string{ActLegalDocument, ActLegalOutcome}},
		{"legal, pending", models.StageLegalPending, models.RoleLegal, []string{}},
		{"manager, pending", models.StageLegalPending, models.RoleEstateManager, []string{ActLegalDecision}},
		{"desk, in legal", models.StageLegal, models.RoleCustomerService, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &collectionState{in: collInput(), c: CollectionCarry{Stage: tt.stage, Reached: -1}}
			s.loc = shanghai
			got := s.allowed(cday(9, 9, 10, 0), AllowedActionsInput{ActorID: lawyer, ActorRole: tt.role})
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
