package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Utility is what an outage (停水停电) cuts off.
type Utility string

// The utilities.
const (
	UtilityWater Utility = "water" // 停水
	UtilityPower Utility = "power" // 停电
	UtilityGas   Utility = "gas"   // 停气
	UtilityLift  Utility = "lift"  // 电梯停运
)

var utilities = enum[Utility]{UtilityWater, UtilityPower, UtilityGas, UtilityLift}

// Utilities lists every utility.
func Utilities() []Utility { return utilities.list() }

// Valid reports whether u is a known utility.
func (u Utility) Valid() bool { return utilities.has(u) }

var utilityLabels = map[Utility]string{UtilityWater: "停水", UtilityPower: "停电", UtilityGas: "停气", UtilityLift: "电梯停运"}

var utilityRestored = map[Utility]string{UtilityWater: "供水", UtilityPower: "供电", UtilityGas: "供气", UtilityLift: "电梯运行"}

// Restored is what comes back when u's outage ends ("供水").
func (u Utility) Restored() string { return label(utilityRestored, u) }

// Label is u's name in messages ("停水").
func (u Utility) Label() string { return label(utilityLabels, u) }

// OutageStatus is where a planned outage stands.
type OutageStatus string

// The outage statuses: announced until it starts, ongoing until staff
// record restoration; overdue once its planned end passed unrestored;
// restored or cancelled at the end.
const (
	OutageAnnounced OutageStatus = "announced"
	OutageOngoing   OutageStatus = "ongoing"
	OutageOverdue   OutageStatus = "overdue"
	OutageRestored  OutageStatus = "restored"
	OutageCancelled OutageStatus = "cancelled"
)

var outageStatuses = enum[OutageStatus]{OutageAnnounced, OutageOngoing, OutageOverdue, OutageRestored, OutageCancelled}

// OutageStatuses lists every status in order of the process.
func OutageStatuses() []OutageStatus { return outageStatuses.list() }

// Valid reports whether s is a known status.
func (s OutageStatus) Valid() bool { return outageStatuses.has(s) }

// Terminal reports whether an outage in s is finished.
func (s OutageStatus) Terminal() bool { return s == OutageRestored || s == OutageCancelled }

// Bounds of an outage's text fields.
const (
	MaxOutageBuildings = 200
	MaxOutageReason    = 500
)

// NewOutageRequest is what staff enter to plan an outage.
type NewOutageRequest struct {
	EstateID  uint64    `json:"estate_id"`
	Utility   Utility   `json:"utility"`
	Buildings []string  `json:"buildings"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Reason    string    `json:"reason"`
	// Emergency lifts the lead time; only a manager may set it.
	Emergency bool   `json:"emergency"`
	CreatedBy uint64 `json:"-"`
}

// MayDeclareEmergency reports whether role r may set the emergency flag of
// an outage or a notice: estate managers and company administrators.
func MayDeclareEmergency(r Role) bool { return r.Rank() >= RoleEstateManager.Rank() }

// EarliestOutageStart is the earliest start an ordinary outage planned at
// now may have: the policy's lead time ahead.
func (p NoticePolicy) EarliestOutageStart(now time.Time) time.Time {
	return now.Add(p.OrDefault().OutageLead.Std())
}

// CheckOutageStart refuses, as a *ValidationError on starts_at, a start
// inside the lead time unless the outage is an emergency.
func (p NoticePolicy) CheckOutageStart(now, startsAt time.Time, emergency bool) error {
	earliest := p.EarliestOutageStart(now)
	if emergency || !startsAt.Before(earliest) {
		return nil
	}
	return Invalid("starts_at", "%s 无效，不能早于 %s（须提前 %s 通知），经理宣布的紧急情况除外",
		startsAt.UTC().Format(time.RFC3339), earliest.UTC().Format(time.RFC3339), p.OrDefault().OutageLead)
}

// Validate checks an outage request at now under policy p by a caller with
// role: fields first (400 naming the field), then the emergency flag
// (ErrForbidden unless MayDeclareEmergency).
func (r NewOutageRequest) Validate(now time.Time, p NoticePolicy, role Role) error {
	p = p.OrDefault()
	if err := firstInvalid(
		utilities.check("utility", r.Utility),
		checkBuildings("buildings", r.Buildings, true),
		expect(!r.StartsAt.IsZero(), "starts_at", "必填"),
		expect(!r.EndsAt.IsZero(), "ends_at", "必填"),
		checkText("reason", strings.TrimSpace(r.Reason), MaxOutageReason),
	); err != nil {
		return err
	}
	if err := r.checkWindow(now, p); err != nil {
		return err
	}
	if r.Emergency && !MayDeclareEmergency(role) {
		return fmt.Errorf("%w: only a manager may declare an emergency outage", ErrForbidden)
	}
	return p.CheckOutageStart(now, r.StartsAt, r.Emergency)
}

// checkWindow: the start not in the past (a minute's slack) and at most
// MaxAhead away; the end after the start, at most MaxOutage later.
func (r NewOutageRequest) checkWindow(now time.Time, p NoticePolicy) error {
	limit := now.Add(p.MaxAhead.Std())
	switch {
	case r.StartsAt.Before(now.Add(-time.Minute)):
		return Invalid("starts_at", "%s 已过去，应为现在或以后的时间", r.StartsAt.UTC().Format(time.RFC3339))
	case r.StartsAt.After(limit):
		return Invalid("starts_at", "%s 无效，不能晚于 %s（最多提前 %s）", r.StartsAt.UTC().Format(time.RFC3339),
			limit.UTC().Format(time.RFC3339), p.MaxAhead)
	case !r.EndsAt.After(r.StartsAt):
		return Invalid("ends_at", "%s 无效，应晚于开始时间 starts_at", r.EndsAt.UTC().Format(time.RFC3339))
	case r.EndsAt.Sub(r.StartsAt) > p.MaxOutage.Std():
		return Invalid("ends_at", "%s 无效，不能晚于开始时间 starts_at 之后 %s", r.EndsAt.UTC().Format(time.RFC3339), p.MaxOutage)
	}
	return nil
}

// CheckExtension refuses a new planned end that is not after the current
// one, nor within MaxOutage of the start.
func (p NoticePolicy) CheckExtension(start, end, newEnd time.Time) error {
	p = p.OrDefault()
	switch {
	case !newEnd.After(end):
		return Invalid("ends_at", "%s 无效，应晚于原定结束时间 %s", newEnd.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	case newEnd.Sub(start) > p.MaxOutage.Std():
		return Invalid("ends_at", "%s 无效，不能晚于开始之后 %s", newEnd.UTC().Format(time.RFC3339), p.MaxOutage)
	}
	return nil
}

// checkBuildings requires (when required) 1 to MaxOutageBuildings building
// names, each 1 to 50 characters and named once.
func checkBuildings(field string, bs []string, required bool) error {
	if (required && len(bs) == 0) || len(bs) > MaxOutageBuildings {
		lo := 0
		if required {
			lo = 1
		}
		return Invalid(field, "应为 %d 至 %d 栋楼", lo, MaxOutageBuildings)
	}
	for i, b := range bs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := checkText(f, strings.TrimSpace(b), 50); err != nil {
			return err
		}
		if slices.Index(bs, b) < i {
			return Invalid(f, "“%s”重复，每栋楼只能出现一次", b)
		}
	}
	return nil
}

// OutageReminderAt is when residents are reminded of an outage starting at
// start: ReminderBefore ahead of it; zero when that moment is not after
// announced (the announcement itself came late enough).
func (p NoticePolicy) OutageReminderAt(start, announced time.Time) time.Time {
	at := start.Add(-p.OrDefault().ReminderBefore.Std())
	if !at.After(announced) {
		return time.Time{}
	}
	return at
}

// UnderDailyCap reports whether one more notice may go to a resident who
// has had sentToday ordinary notices today: an emergency always goes.
func (p NoticePolicy) UnderDailyCap(sentToday int, emergency bool) bool {
	return emergency || sentToday < p.OrDefault().DailyCap
}

// OutageSpan is what matching a repair report needs of an outage.
type OutageSpan struct {
	EstateID  uint64
	Utility   Utility
	Buildings []string
	StartsAt  time.Time
	EndsAt    time.Time
	Status    OutageStatus
}

// RepairReport is what matching needs of a new repair report.
type RepairReport struct {
	EstateID uint64
	Kind     TicketKind
	Building string
	Category string
	At       time.Time
}

// Explains reports whether the outage explains repair report r: a repair
// in the same estate, from an affected building, in one of the utility's
// repair categories (policy p), reported within the outage window (from
// its start to its planned end, or later while it is overdue and not yet
// restored).
func (o OutageSpan) Explains(r RepairReport, p NoticePolicy) bool {
	switch {
	case o.Status.Terminal() || r.Kind != TicketRepair || o.EstateID != r.EstateID:
		return false
	case !slices.Contains(o.Buildings, r.Building):
		return false
	case !slices.Contains(p.CategoriesOf(o.Utility), strings.TrimSpace(r.Category)):
		return false
	case r.At.Before(o.StartsAt):
		return false
	case r.At.After(o.EndsAt) && o.Status != OutageOverdue:
		return false
	}
	return true
}

// OutageProgress is the part of an outage its workflow owns and rewrites
// at every transition.
type OutageProgress struct {
	Status OutageStatus `gorm:"size:16;not null;index" json:"status"`
	// EndsAt is the planned end, moved by an extension.
	EndsAt      time.Time  `gorm:"not null;index" json:"ends_at"`
	AnnouncedAt *time.Time `json:"announced_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	RestoredAt  *time.Time `json:"restored_at,omitempty"`
	// Households is how many households the announcement reached.
	Households      int    `gorm:"not null;default:0" json:"households"`
	EscalationLevel int    `gorm:"not null;default:0" json:"escalation_level"`
	Extensions      int    `gorm:"not null;default:0" json:"extensions"`
	Note            string `gorm:"size:500" json:"note,omitempty"`
	Revision        int64  `gorm:"not null;default:0" json:"revision"`
}

// Outage is a planned or emergency outage of a utility in some buildings
// of an estate; its workflow's ID is derived from its ID.
type Outage struct {
	ID             uint64    `gorm:"primaryKey" json:"id"`
	EstateID       uint64    `gorm:"not null;index" json:"estate_id"`
	Utility        Utility   `gorm:"size:16;not null" json:"utility"`
	Buildings      []string  `gorm:"serializer:json;type:text" json:"buildings"`
	StartsAt       time.Time `gorm:"not null;index" json:"starts_at"`
	PlannedEnd     time.Time `gorm:"not null" json:"planned_end"`
	Reason         string    `gorm:"size:500;not null" json:"reason"`
	Emergency      bool      `gorm:"not null;default:false" json:"emergency"`
	CreatedBy      uint64    `gorm:"not null" json:"created_by"`
	OutageProgress `gorm:"embedded"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Span is what matching repair reports needs of o.
func (o Outage) Span() OutageSpan {
	return OutageSpan{EstateID: o.EstateID, Utility: o.Utility, Buildings: o.Buildings, StartsAt: o.StartsAt, EndsAt: o.EndsAt, Status: o.Status}
}

// OutageTicket links a repair ticket to the outage that explains it: the
// ticket shows the outage ("已知停水") instead of climbing its own
// escalation chain, and is answered with the others once it is restored.
type OutageTicket struct {
	ID         uint64     `gorm:"primaryKey" json:"id"`
	OutageID   uint64     `gorm:"not null;index" json:"outage_id"`
	TicketID   uint64     `gorm:"not null;uniqueIndex" json:"ticket_id"`
	EstateID   uint64     `gorm:"not null;index" json:"estate_id"`
	LinkedAt   time.Time  `gorm:"not null" json:"linked_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// KnownLabel is what a linked ticket shows: "已知停水".
func (u Utility) KnownLabel() string { return "已知" + u.Label() }
