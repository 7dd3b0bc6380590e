package models

import (
	"fmt"
	"time"
)

// KindContract is an estate's property-service contract (物业服务合同) and
// its expiry process.
const KindContract CaseKind = "contract"

// RefContractVersion names the attachments of one contract version (the
// signed pages of the contract or of a supplementary agreement 补充协议).
const RefContractVersion = "contract_version"

// ContractStatus is where a property-service contract stands.
type ContractStatus string

// The contract statuses.
const (
	ContractActive     ContractStatus = "active"      // 有效
	ContractExpiring   ContractStatus = "expiring"    // 即将到期
	ContractExpired    ContractStatus = "expired"     // 已到期
	ContractRenewing   ContractStatus = "renewing"    // 续签中
	ContractHandedOver ContractStatus = "handed_over" // 已移交
)

var contractStatuses = enum[ContractStatus]{ContractActive, ContractExpiring, ContractExpired, ContractRenewing, ContractHandedOver}

var contractStatusLabels = map[ContractStatus]string{
	ContractActive: "有效", ContractExpiring: "即将到期", ContractExpired: "已到期", ContractRenewing: "续签中", ContractHandedOver: "已移交",
}

// ContractStatuses lists every status, in order of the process.
func ContractStatuses() []ContractStatus { return contractStatuses.list() }

// Valid reports whether s is a known status.
func (s ContractStatus) Valid() bool { return contractStatuses.has(s) }

// Label is the status as staff read it.
func (s ContractStatus) Label() string { return label(contractStatusLabels, s) }

// Terminal reports whether the contract is finished: handed over to the
// next company (已移交); its process has ended.
func (s ContractStatus) Terminal() bool { return s == ContractHandedOver }

// PartyAKind is who signs for the owners (甲方): the owners' assembly
// (业主大会), or before it exists the developer (建设单位, 前期物业服务合同).
type PartyAKind string

// The kinds of party A.
const (
	PartyOwnersAssembly PartyAKind = "owners_assembly"
	PartyDeveloper      PartyAKind = "developer"
)

var partyAKinds = enum[PartyAKind]{PartyOwnersAssembly, PartyDeveloper}

// ServiceLevel is the service grade the contract promises (物业服务等级,
// 一级 the highest).
type ServiceLevel string

// The service levels.
const (
	ServiceLevel1 ServiceLevel = "level1"
	ServiceLevel2 ServiceLevel = "level2"
	ServiceLevel3 ServiceLevel = "level3"
)

var serviceLevels = enum[ServiceLevel]{ServiceLevel1, ServiceLevel2, ServiceLevel3}

// ContractPolicy is how an estate's company is warned of its contract's end.
// The zero value (a policy stored before contracts existed) means
// DefaultContractPolicy.
type ContractPolicy struct {
	// ReminderDaysBefore are the reminders before the term ends, in days,
	// furthest first; each one reaches one rung higher up the escalation
	// chain (the last rung for the rest).
	ReminderDaysBefore []int `json:"reminder_days_before"`
	// ExpiringDays is how close to its end a contract counts as expiring
	// (即将到期).
	ExpiringDays int `json:"expiring_days"`
	// MaxTermYears bounds one term (a contract's or a renewal's).
	MaxTermYears int `json:"max_term_years"`
}

// DefaultContractPolicy reminds 180, 90 and 30 days before the end, counts
// the last 90 days as expiring and takes terms of up to 5 years.
func DefaultContractPolicy() ContractPolicy {
	return ContractPolicy{ReminderDaysBefore: []int{180, 90, 30}, ExpiringDays: 90, MaxTermYears: 5}
}

// Effective is p, or the defaults for the zero policy.
func (p ContractPolicy) Effective() ContractPolicy {
	if len(p.ReminderDaysBefore) == 0 && p.ExpiringDays == 0 && p.MaxTermYears == 0 {
		return DefaultContractPolicy()
	}
	return p
}

// Contract policy bounds.
const (
	MaxContractReminders   = 10
	MaxContractReminderDay = 730
)

func (p ContractPolicy) validate(path string) error {
	if len(p.ReminderDaysBefore) == 0 && p.ExpiringDays == 0 && p.MaxTermYears == 0 {
		return nil // the defaults
	}
	if len(p.ReminderDaysBefore) > MaxContractReminders {
		return Invalid(path+".reminder_days_before", "最多 %d 次提醒", MaxContractReminders)
	}
	for i, d := range p.ReminderDaysBefore {
		rp := fmt.Sprintf("%s.reminder_days_before[%d]", path, i)
		if err := intIn(rp, d, 1, MaxContractReminderDay); err != nil {
			return err
		}
		if i > 0 && d >= p.ReminderDaysBefore[i-1] {
			return Invalid(rp, "%d 无效，天数应少于上一次提醒的 %d 天", d, p.ReminderDaysBefore[i-1])
		}
	}
	if err := intIn(path+".expiring_days", p.ExpiringDays, 1, MaxContractReminderDay); err != nil {
		return err
	}
	return intIn(path+".max_term_years", p.MaxTermYears, 1, DateWindowYears)
}

// ContractEnd is the instant a term whose last day is lastDay ends: the
// midnight after it, in loc.
func ContractEnd(lastDay time.Time, loc *time.Location) time.Time {
	y, m, d := lastDay.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// ReminderAt is when reminder i (0 the furthest) of a term ending at end
// is due: that many days before the end, at the same local clock.
func (p ContractPolicy) ReminderAt(end time.Time, i int) time.Time {
	return end.AddDate(0, 0, -p.Effective().ReminderDaysBefore[i])
}

// DueReminder says which reminder is due at now for a term ending at end
// when the first done of them are sent or skipped: the latest one whose
// time has come (the earlier ones missed, say by a contract recorded late,
// are skipped: one reminder says it all), none once the term has ended.
func (p ContractPolicy) DueReminder(end, now time.Time, done int) (int, bool) {
	p = p.Effective()
	if !now.Before(end) {
		return 0, false
	}
	due, ok := 0, false
	for i := done; i < len(p.ReminderDaysBefore); i++ {
		if !p.ReminderAt(end, i).After(now) {
			due, ok = i, true
		}
	}
	return due, ok
}

// ContractStatusAt is the status of a contract whose term ends at end, at
// now: handed over, renewing (staff are negotiating the renewal, even past
// the end), expired once the end has come, expiring within ExpiringDays of
// it, else active.
func (p ContractPolicy) ContractStatusAt(end, now time.Time, renewing, handedOver bool) ContractStatus {
	switch {
	case handedOver:
		return ContractHandedOver
	case renewing:
		return ContractRenewing
	case !now.Before(end):
		return ContractExpired
	case !now.Before(end.AddDate(0, 0, -p.Effective().ExpiringDays)):
		return ContractExpiring
	}
	return ContractActive
}

// ExpiringAt is when a term ending at end starts to count as expiring.
func (p ContractPolicy) ExpiringAt(end time.Time) time.Time {
	return end.AddDate(0, 0, -p.Effective().ExpiringDays)
}

// ContractTerm is one term of a contract: its first and last day (dates,
// 00:00 UTC).
type ContractTerm struct {
	Start time.Time `json:"term_start"`
	End   time.Time `json:"term_end"`
}

// CheckTerm refuses a term that ends before it starts, lasts longer than
// MaxTermYears, or lies outside the date window around now. prevEnd (zero:
// none) is the previous term's last day, which a renewal must follow.
func (p ContractPolicy) CheckTerm(t ContractTerm, prevEnd, now time.Time) error {
	p = p.Effective()
	switch {
	case t.Start.IsZero():
		return Invalid("term_start", "必填")
	case t.End.IsZero():
		return Invalid("term_end", "必填")
	}
	if err := firstInvalid(CheckTime("term_start", t.Start, now), CheckTime("term_end", t.End, now)); err != nil {
		return err
	}
	switch {
	case t.End.Before(t.Start):
		return Invalid("term_end", "%s 无效，不能早于合同开始日 term_start（%s）", termDay(t.End), termDay(t.Start))
	case !t.End.Before(t.Start.AddDate(p.MaxTermYears, 0, 0)):
		return Invalid("term_end", "%s 无效，合同期限不能超过 %d 年", termDay(t.End), p.MaxTermYears)
	case !prevEnd.IsZero() && !t.Start.After(prevEnd):
		return Invalid("term_start", "%s 无效，应晚于当前合同期的结束日（%s）", termDay(t.Start), termDay(prevEnd))
	}
	return nil
}

func termDay(t time.Time) string { return t.Format(time.DateOnly) }

// ContractTerms are the parts of a contract a version may change.
type ContractTerms struct {
	// FeeStandardID is the estate's fee standard (收费标准) the contract
	// charges by; nil for none named.
	FeeStandardID *uint64      `json:"fee_standard_id"`
	ServiceLevel  ServiceLevel `json:"service_level" gorm:"size:16;not null"`
}

// ContractRecord is what staff record of a contract when they enter it.
type ContractRecord struct {
	Number     string     `json:"number" gorm:"size:50;not null"`
	PartyAKind PartyAKind `json:"party_a_kind" gorm:"size:16;not null"`
	PartyA     string     `json:"party_a" gorm:"size:100;not null"`
	PartyB     string     `json:"party_b" gorm:"size:100;not null"`
	Notes      string     `json:"notes" gorm:"size:2000"`
}

// Validate checks the record's fields.
func (r ContractRecord) Validate() error {
	return firstInvalid(
		checkText("number", r.Number, 50),
		partyAKinds.check("party_a_kind", r.PartyAKind),
		checkText("party_a", r.PartyA, 100),
		checkText("party_b", r.PartyB, 100),
		checkMaxText("notes", r.Notes, 2000),
	)
}

// Validate checks the terms' fields.
func (t ContractTerms) Validate() error {
	return firstInvalid(
		serviceLevels.check("service_level", t.ServiceLevel),
		expect(t.FeeStandardID == nil || *t.FeeStandardID > 0, "fee_standard_id", "应为收费标准的 ID"),
	)
}

// ContractProgress is the part of a contract its process owns and rewrites
// at every transition.
type ContractProgress struct {
	Status ContractStatus `gorm:"size:16;not null;index" json:"status"`
	// TermStart and TermEnd are the current term's first and last days.
	TermStart time.Time `gorm:"not null" json:"term_start"`
	TermEnd   time.Time `gorm:"not null;index" json:"term_end"`
	// RemindersSent counts the reminders sent (or skipped) of this term.
	RemindersSent   int        `gorm:"not null;default:0" json:"reminders_sent"`
	NextReminderAt  *time.Time `json:"next_reminder_at"`
	EscalationLevel int        `gorm:"not null;default:0" json:"escalation_level"`
	// HandOverNote says to whom and how the estate was handed over.
	HandOverNote string     `gorm:"size:500" json:"hand_over_note,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Revision     int64      `gorm:"not null;default:0" json:"revision"`
}

// Contract is an estate's property-service contract; its process's ID is
// derived from ID.
type Contract struct {
	ID             uint64 `gorm:"primaryKey" json:"id"`
	EstateID       uint64 `gorm:"not null;index" json:"estate_id"`
	ContractRecord `gorm:"embedded"`
	ContractTerms  `gorm:"embedded"`
	CreatedBy      uint64 `gorm:"not null" json:"created_by"`
	// Version is the latest version's number (its terms are ContractTerms),
	// written with the version; the term is the process's (progress).
	Version          int `gorm:"not null;default:1" json:"version"`
	ContractProgress `gorm:"embedded"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// ContractVersion is one version of a contract: the first signing, a
// renewal (续签, a new term) or a supplementary agreement (补充协议):
// when it takes effect, what changed, the terms from then on. Its
// attachments are under RefOf(RefContractVersion, ID).
type ContractVersion struct {
	ID uint64 `gorm:"primaryKey" json:"id"`
	// Key makes adding a version idempotent: the process's transition or
	// the caller's Idempotency-Key (unique per contract).
	Key           string    `gorm:"column:version_key;size:150;not null;uniqueIndex:idx_contract_version_key,priority:2" json:"-"`
	ContractID    uint64    `gorm:"not null;uniqueIndex:idx_contract_version,priority:1;uniqueIndex:idx_contract_version_key,priority:1" json:"contract_id"`
	Version       int       `gorm:"not null;uniqueIndex:idx_contract_version,priority:2" json:"version"`
	EstateID      uint64    `gorm:"not null;index" json:"estate_id"`
	EffectiveOn   time.Time `gorm:"not null" json:"effective_on"`
	Changes       string    `gorm:"size:2000;not null" json:"changes"`
	TermStart     time.Time `gorm:"not null" json:"term_start"`
	TermEnd       time.Time `gorm:"not null" json:"term_end"`
	ContractTerms `gorm:"embedded"`
	CreatedBy     uint64    `gorm:"not null" json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// CheckChanges checks a version's text of what changed.
func CheckChanges(s string) error { return checkText("changes", s, 2000) }

// ContractDate reads a date-only term day as the 00:00 UTC instant the
// store keeps.
func ContractDate(d Date) time.Time { return d.In(time.UTC) }
