package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// Legal matters (法务) are staff actions on the collection case itself, not
// records kept beside it: a case the estate manager referred to legal stays
// open in StageLegal, its workflow running, until the household has paid,
// so the process remains the one source of truth for where the matter
// stands (the read model's legal_status and the case view come from it),
// and the validator refuses what the matter's state does not allow (409)
// at once. Recording a document or an outcome adds an update and events to
// a running history but no command to the histories recorded before, which
// held no such action: no workflow.GetVersion is needed. The case still
// closes only when everything is paid (a settlement is paid as payments).

// The legal actions of CaseAction.Action.
const (
	ActLegalDocument = "legal_document" // legal staff add a document to the matter (Legal)
	ActLegalOutcome  = "legal_outcome"  // legal staff record the matter's outcome (Legal)
)

// The kinds of legal document (LegalEntry.Kind of ActLegalDocument).
const (
	DocComplaint = "complaint" // 起诉状
	DocEvidence  = "evidence"  // 证据
	DocJudgment  = "judgment"  // 判决书
	DocMediation = "mediation" // 调解书
	DocOther     = "other"     // 其他
)

// LegalDocKinds lists the document kinds.
func LegalDocKinds() []string {
	return []string{DocComplaint, DocEvidence, DocJudgment, DocMediation, DocOther}
}

// The outcomes of a legal matter (LegalEntry.Kind of ActLegalOutcome) and
// its status before any: referred.
const (
	LegalReferred  = "referred"  // 已转法务, nothing recorded yet
	LegalFiled     = "filed"     // 起诉: Court, CaseNo
	LegalMediated  = "mediated"  // 调解
	LegalSettled   = "settled"   // 和解: AmountFen
	LegalWithdrawn = "withdrawn" // 撤回: Reason (of the CaseAction)
)

// LegalOutcomes lists the outcomes in the order a console offers them.
func LegalOutcomes() []string {
	return []string{LegalFiled, LegalMediated, LegalSettled, LegalWithdrawn}
}

// legalNames name the outcomes in refusals.
var legalNames = map[string]string{LegalFiled: "起诉", LegalMediated: "调解", LegalSettled: "和解", LegalWithdrawn: "撤回"}

// legalEnds are the outcomes after which the matter takes no other.
var legalEnds = []string{LegalMediated, LegalSettled, LegalWithdrawn}

// MaxDocumentAge bounds how far back a document's date may lie: evidence
// (bills, letters) may predate the referral, by at most the years a debt
// may be pursued and some.
const MaxDocumentAge = 5 * 366

// LegalEntry is what a legal action records: a document or an outcome.
type LegalEntry struct {
	Kind      string       // the document's kind, or the outcome
	Name      string       // a document's name
	Ref       string       // a document's reference number or where it is kept
	On        models.Date  // the document's date, or the outcome's
	Court     string       // filed: the court
	CaseNo    string       // filed: the court's case number
	AmountFen models.Money // settled: the amount agreed
}

// LegalRecord is a document or outcome recorded, with who and when.
type LegalRecord struct {
	LegalEntry
	Note   string
	Reason string
	By     uint64
	At     time.Time
}

// LegalMatter is the case's legal matter once referral was approved.
type LegalMatter struct {
	ReferredAt time.Time // zero for a case referred before it was kept
	Status     string
	Documents  []LegalRecord
	Outcomes   []LegalRecord
}

// legalRoles may record a matter's documents and outcomes.
var legalRoles = []models.Role{models.RoleLegal, models.RoleEstateManager, models.RoleCompanyAdmin}

// matter is the case's legal matter, made for a case referred before
// matters were kept.
func (s *collectionState) matter() *LegalMatter {
	if s.c.Legal == nil {
		s.c.Legal = &LegalMatter{Status: LegalReferred}
	}
	return s.c.Legal
}

// legalStatus is the matter's status for the read model ("" before legal).
func (s *collectionState) legalStatus() string {
	switch {
	case s.c.Legal != nil:
		return s.c.Legal.Status
	case s.c.Stage == models.StageLegal:
		return LegalReferred
	}
	return ""
}

// legalSince is when the case went to legal: the referral's approval, or
// while it awaits one the request.
func (s *collectionState) legalSince() time.Time {
	if s.c.Stage == models.StageLegalPending {
		return s.c.LegalRequestedAt
	}
	if s.c.Legal != nil {
		return s.c.Legal.ReferredAt
	}
	return time.Time{}
}

// checkLegal is check for the legal actions: state (InvalidState), role
// (Forbidden), then fields (InvalidInput).
func (s *collectionState) checkLegal(now time.Time, a CaseAction) error {
	if s.c.Stage != models.StageLegal {
		return invalidState(s.c.Stage, "案件尚未转法务")
	}
	m := s.c.Legal
	if a.Action == ActLegalOutcome && m != nil && slices.Contains(legalEnds, m.Status) {
		return invalidState(models.StageLegal, "法务事项已有结果（"+legalNames[m.Status]+"），不能再记录结果")
	}
	if !slices.Contains(legalRoles, a.ActorRole) {
		return forbidden("只有法务或项目经理可以记录法务事项")
	}
	e := a.Legal
	today := models.DateOf(now, s.loc)
	if len([]rune(a.Note)) > 1000 {
		return invalidInput("note", "不能超过1000字")
	}
	if a.Action == ActLegalDocument {
		if !slices.Contains(LegalDocKinds(), e.Kind) {
			return invalidInput("kind", "请选择文书类型：起诉状、证据、判决书、调解书或其他")
		}
		if e.Name == "" || len([]rune(e.Name)) > 100 {
			return invalidInput("name", "请填写文书名称（不超过100字）")
		}
		if len([]rune(e.Ref)) > 100 {
			return invalidInput("reference", "不能超过100字")
		}
		return inWindow("date", e.On, today.AddDays(-MaxDocumentAge), today)
	}
	if !slices.Contains(LegalOutcomes(), e.Kind) {
		return invalidInput("outcome", "请选择结果：起诉、调解、和解或撤回")
	}
	from := today.AddDays(-MaxDocumentAge)
	if m != nil && !m.ReferredAt.IsZero() {
		from = models.DateOf(m.ReferredAt, s.loc)
	}
	filed := m != nil && slices.ContainsFunc(m.Outcomes, func(r LegalRecord) bool { return r.Kind == LegalFiled })
	if m != nil && len(m.Outcomes) > 0 {
		from = m.Outcomes[len(m.Outcomes)-1].On // not before the last outcome
	}
	switch e.Kind {
	case LegalFiled:
		if filed {
			return invalidState(models.StageLegal, "已记录起诉")
		}
		if e.Court == "" || len([]rune(e.Court)) > 100 {
			return invalidInput("court", "请填写受理法院（不超过100字）")
		}
		if e.CaseNo == "" || len([]rune(e.CaseNo)) > 50 {
			return invalidInput("case_no", "请填写案号（不超过50字）")
		}
	case LegalSettled:
		if e.AmountFen <= 0 || e.AmountFen > models.MaxAmountFen {
			return invalidInput("amount_fen", fmt.Sprintf("请填写和解金额（大于 0，不超过 %s）", models.MaxAmountFen))
		}
	case LegalWithdrawn:
		if !filed {
			return invalidState(models.StageLegal, "尚未起诉，无从撤回")
		}
		if a.Reason == "" || len([]rune(a.Reason)) > models.MaxReasonLen {
			return invalidInput("reason", "请填写撤回原因（不超过500字）")
		}
	}
	return inWindow("date", e.On, from, today)
}

// inWindow refuses a date outside from..to, naming the window.
func inWindow(field string, d, from, to models.Date) error {
	if d.IsZero() || d.Before(from) || d.After(to) {
		return invalidInput(field, fmt.Sprintf("日期须在 %s 至 %s 之间", from, to))
	}
	return nil
}

// recordLegal records a document or an outcome of the matter.
func (s *collectionState) recordLegal(ctx workflow.Context, now time.Time, a CaseAction, detail map[string]string) {
	m := s.matter()
	r := LegalRecord{LegalEntry: a.Legal, Note: a.Note, Reason: a.Reason, By: a.ActorID, At: now}
	detail["kind"], detail["on"] = r.Kind, r.On.String()
	typ := "legal_document"
	if a.Action == ActLegalDocument {
		m.Documents = append(m.Documents, r)
		detail["name"] = r.Name
		if r.Ref != "" {
			detail["ref"] = r.Ref
		}
	} else {
		typ = "legal_outcome"
		m.Outcomes = append(m.Outcomes, r)
		m.Status = r.Kind
		switch r.Kind {
		case LegalFiled:
			detail["court"], detail["case_no"] = r.Court, r.CaseNo
		case LegalSettled:
			detail["amount_fen"] = strconv.FormatInt(int64(r.AmountFen), 10)
		}
	}
	s.record(ctx, typ, a.ActorID, "", r.Kind, detail)
}
