package models

import (
	"fmt"
	"time"
)

// FollowUpStatus is the stage of a move-in follow-up visit (回访). A visit is
// pending until staff agree a time (scheduled); once recorded it waits for
// the tickets it opened (tickets_open) and then is completed. It may end
// unreachable after too many failed attempts, or cancelled.
type FollowUpStatus string

// The follow-up statuses.
const (
	FollowUpPending     FollowUpStatus = "pending"
	FollowUpScheduled   FollowUpStatus = "scheduled"
	FollowUpTicketsOpen FollowUpStatus = "tickets_open"
	FollowUpCompleted   FollowUpStatus = "completed"
	FollowUpUnreachable FollowUpStatus = "unreachable"
	FollowUpCancelled   FollowUpStatus = "cancelled"
)

// FollowUpStatuses lists every status, in order of the process.
func FollowUpStatuses() []FollowUpStatus { return followUpStatuses.list() }

var followUpStatuses = enum[FollowUpStatus]{FollowUpPending, FollowUpScheduled, FollowUpTicketsOpen,
	FollowUpCompleted, FollowUpUnreachable, FollowUpCancelled}

// Terminal reports whether a follow-up in s is finished.
func (s FollowUpStatus) Terminal() bool {
	return s == FollowUpCompleted || s == FollowUpUnreachable || s == FollowUpCancelled
}

// AwaitingVisit reports whether the visit itself is still to be done: only
// then can it be overdue.
func (s FollowUpStatus) AwaitingVisit() bool { return s == FollowUpPending || s == FollowUpScheduled }

// AttemptOutcome is why an attempt to visit failed.
type AttemptOutcome string

// The failed-attempt outcomes.
const (
	AttemptNotHome      AttemptOutcome = "not_home"
	AttemptNotReachable AttemptOutcome = "not_reachable"
)

// Valid reports whether o is a known outcome.
func (o AttemptOutcome) Valid() bool { return o == AttemptNotHome || o == AttemptNotReachable }

// FollowUpAttempt is one failed try to visit.
type FollowUpAttempt struct {
	At      time.Time      `json:"at"`
	Outcome AttemptOutcome `json:"outcome"`
	Note    string         `json:"note,omitempty"`
	ByID    uint64         `json:"by_id"`
	// NextAt is the time the next try was set for; nil after the last.
	NextAt *time.Time `json:"next_at,omitempty"`
}

// VisitItemKind tags what the resident raised at the visit.
type VisitItemKind string

// The visit item kinds; repairs and complaints open tickets.
const (
	ItemRepair     VisitItemKind = "repair"
	ItemComplaint  VisitItemKind = "complaint"
	ItemSuggestion VisitItemKind = "suggestion"
	ItemPraise     VisitItemKind = "praise"
)

var visitItemKinds = enum[VisitItemKind]{ItemRepair, ItemComplaint, ItemSuggestion, ItemPraise}

// Valid reports whether k is a known kind.
func (k VisitItemKind) Valid() bool { return visitItemKinds.has(k) }

// OpensTicket reports whether an item of kind k becomes a ticket.
func (k VisitItemKind) OpensTicket() bool { return k == ItemRepair || k == ItemComplaint }

// VisitItem is one thing the resident raised.
type VisitItem struct {
	Kind VisitItemKind `json:"kind"`
	Text string        `json:"text"`
	// Category and Urgency describe the ticket a repair or complaint opens;
	// empty: "入住回访" and normal.
	Category string  `json:"category,omitempty"`
	Urgency  Urgency `json:"urgency,omitempty"`
	// TicketID is the ticket the item opened (set by the process).
	TicketID *uint64 `json:"ticket_id,omitempty"`
}

// VisitChannel says whether a visit was made in person or by phone.
type VisitChannel string

// The visit channels.
const (
	VisitInPerson VisitChannel = "in_person"
	VisitByPhone  VisitChannel = "phone"
)

var visitChannels = enum[VisitChannel]{VisitInPerson, VisitByPhone}

// FollowUpVisit is the record of the visit (走访记录): when, who took part,
// what the resident raised, satisfaction and the follow-up actions.
type FollowUpVisit struct {
	VisitedAt    time.Time    `json:"visited_at"`
	Channel      VisitChannel `json:"channel"`
	Participants []string     `json:"participants"`
	Items        []VisitItem  `json:"items"`
	Satisfaction int          `json:"satisfaction"`
	Actions      []string     `json:"follow_up_actions"`
	RecordedBy   uint64       `json:"recorded_by"`
}

// Visit record bounds.
const (
	MaxVisitItems   = 20
	MaxVisitText    = 2000
	MaxParticipants = 10
)

// Validate checks a visit record at now: it happened (not in the future, not
// before movedIn), with at least one participant, a satisfaction of 1..5
// and well-formed items and actions.
func (v FollowUpVisit) Validate(now, movedIn time.Time) error {
	switch {
	case v.VisitedAt.IsZero():
		return Invalid("visited_at", "必填")
	case v.VisitedAt.After(now.Add(time.Minute)):
		return Invalid("visited_at", "%s 无效，不能晚于现在", v.VisitedAt.Format(time.RFC3339))
	case v.VisitedAt.Before(movedIn):
		return Invalid("visited_at", "%s 无效，应晚于入住时间", v.VisitedAt.Format(time.RFC3339))
	case !visitChannels.has(v.Channel):
		return Invalid("channel", "“%s”无效，应为 %s", v.Channel, visitChannels.want())
	case len(v.Participants) == 0 || len(v.Participants) > MaxParticipants:
		return Invalid("participants", "参与人应为 1 至 %d 人", MaxParticipants)
	case v.Satisfaction < 1 || v.Satisfaction > 5:
		return Invalid("satisfaction", "%d 无效，应为 1 至 5", v.Satisfaction)
	case len(v.Items) > MaxVisitItems:
		return Invalid("items", "最多 %d 项", MaxVisitItems)
	case len(v.Actions) > MaxVisitItems:
		return Invalid("follow_up_actions", "最多 %d 项", MaxVisitItems)
	}
	for i, p := range v.Participants {
		if err := checkText(fmt.Sprintf("participants[%d]", i), p, 50); err != nil {
			return err
		}
	}
	for i, it := range v.Items {
		p := fmt.Sprintf("items[%d].", i)
		if err := firstInvalid(
			visitItemKinds.check(p+"kind", it.Kind),
			checkText(p+"text", it.Text, MaxVisitText),
			checkMaxText(p+"category", it.Category, 50),
			expect(it.Urgency == "" || it.Urgency.Valid(), p+"urgency", "“%s”无效，应为 %s", it.Urgency, urgencies.want()),
			expect(it.Urgency == "" || it.Urgency == UrgencyNormal || it.Kind == ItemRepair, p+"urgency", "只有报修事项可以设紧急程度"),
		); err != nil {
			return err
		}
	}
	for i, a := range v.Actions {
		if err := checkText(fmt.Sprintf("follow_up_actions[%d]", i), a, 500); err != nil {
			return err
		}
	}
	return nil
}

// FollowUpProgress is the part of a follow-up that its workflow owns and
// rewrites at every transition; lists filter and sort on it.
type FollowUpProgress struct {
	Status     FollowUpStatus `gorm:"size:16;not null;index" json:"status"`
	AssigneeID *uint64        `gorm:"index" json:"assignee_id"`
	// DueAt is the end of the window: the visit is overdue after it.
	DueAt       time.Time         `gorm:"not null;index;index:idx_follow_up_estate_due,priority:2" json:"due_at"`
	ScheduledAt *time.Time        `json:"scheduled_at,omitempty"`
	Attempts    []FollowUpAttempt `gorm:"serializer:json;type:text" json:"attempts"`
	// EscalationLevel is the highest rung of the escalation chain reached.
	EscalationLevel int            `gorm:"not null;default:0" json:"escalation_level"`
	Visit           *FollowUpVisit `gorm:"serializer:json;type:text" json:"visit,omitempty"`
	// TicketIDs are the tickets the visit opened; OpenTickets how many of
	// them are not closed yet.
	TicketIDs    []uint64   `gorm:"serializer:json;type:text" json:"ticket_ids"`
	OpenTickets  int        `gorm:"not null;default:0" json:"open_tickets"`
	Summary      string     `gorm:"size:500" json:"summary,omitempty"`
	CancelReason string     `gorm:"size:200" json:"cancel_reason,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	// Revision grows with every recorded transition, so an older write
	// never overwrites a newer one.
	Revision int64 `gorm:"not null;default:0" json:"revision"`
}

// FollowUp is the follow-up visit of one move-in; its workflow's ID is
// derived from MoveInID. ResidentID is the household's contact.
type FollowUp struct {
	ID               uint64    `gorm:"primaryKey" json:"id"`
	EstateID         uint64    `gorm:"not null;index;index:idx_follow_up_estate_due,priority:1" json:"estate_id"`
	MoveInID         uint64    `gorm:"not null;uniqueIndex" json:"move_in_id"`
	HouseholdID      uint64    `gorm:"not null;index" json:"household_id"`
	ResidentID       uint64    `gorm:"not null;index" json:"resident_id"`
	RegisteredBy     uint64    `gorm:"not null" json:"registered_by"`
	MovedInAt        time.Time `gorm:"not null" json:"moved_in_at"`
	FollowUpProgress `gorm:"embedded"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// FollowUpDue is the end of the follow-up window of a move-in at movedIn.
func (p FollowUpPolicy) FollowUpDue(movedIn time.Time) time.Time {
	return movedIn.Add(p.Window.Std())
}

// NextAttemptAt is when the next try after a failed attempt at now should
// be: the rest of the window shared evenly among the tries left
// (remaining >= 1), so that the last try still falls inside it. Past the
// window's end it is now: try again as soon as possible.
func NextAttemptAt(now, due time.Time, remaining int) time.Time {
	if !due.After(now) || remaining < 1 {
		return now
	}
	return now.Add(due.Sub(now) / time.Duration(remaining+1))
}
