package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// TicketKind says whether a ticket is a repair (报修) or a complaint (投诉).
type TicketKind string

// The ticket kinds.
const (
	TicketRepair    TicketKind = "repair"
	TicketComplaint TicketKind = "complaint"
)

var ticketKinds = enum[TicketKind]{TicketRepair, TicketComplaint}

// Valid reports whether k is a known kind.
func (k TicketKind) Valid() bool { return ticketKinds.has(k) }

// ReportChannel is how a ticket reached the estate.
type ReportChannel string

// The report channels.
const (
	ReportPhone       ReportChannel = "phone"
	ReportWalkIn      ReportChannel = "walk_in"
	ReportApp         ReportChannel = "app"
	ReportIntegration ReportChannel = "integration"
)

var reportChannels = enum[ReportChannel]{ReportPhone, ReportWalkIn, ReportApp, ReportIntegration}

// Valid reports whether c is a known report channel.
func (c ReportChannel) Valid() bool { return reportChannels.has(c) }

// TicketStatus is the stage of a ticket. Repairs go new → assigned →
// accepted → in_progress → completed → return_visit → closed; complaints go
// new → acknowledged → answered → completed → return_visit → closed. Either
// may be on_hold while being worked on, and cancelled at any open stage.
type TicketStatus string

// The ticket statuses.
const (
	StatusNew          TicketStatus = "new"
	StatusAssigned     TicketStatus = "assigned"
	StatusAccepted     TicketStatus = "accepted"
	StatusInProgress   TicketStatus = "in_progress"
	StatusAcknowledged TicketStatus = "acknowledged"
	StatusAnswered     TicketStatus = "answered"
	StatusOnHold       TicketStatus = "on_hold"
	StatusCompleted    TicketStatus = "completed"
	StatusReturnVisit  TicketStatus = "return_visit"
	StatusClosed       TicketStatus = "closed"
	StatusCancelled    TicketStatus = "cancelled"
)

// Terminal reports whether a ticket in s is finished.
func (s TicketStatus) Terminal() bool { return s == StatusClosed || s == StatusCancelled }

// openTicketStatuses are the statuses that are not Terminal, in the order
// the dashboard lists them.
var openTicketStatuses = []TicketStatus{StatusNew, StatusAssigned, StatusAccepted, StatusInProgress,
	StatusAcknowledged, StatusAnswered, StatusOnHold, StatusCompleted, StatusReturnVisit}

// OpenTicketStatuses lists the statuses of a ticket not yet finished: a
// query names them (status IN …) so that an index leading with the status
// is read as ranges rather than scanned.
func OpenTicketStatuses() []TicketStatus { return slices.Clone(openTicketStatuses) }

// HoldReason says why work on a ticket is paused; the SLA clock stops.
type HoldReason string

// The hold reasons.
const (
	HoldWaitingParts        HoldReason = "waiting_parts"
	HoldResidentAbsent      HoldReason = "resident_absent"
	HoldResidentAppointment HoldReason = "resident_appointment"
)

var holdReasons = enum[HoldReason]{HoldWaitingParts, HoldResidentAbsent, HoldResidentAppointment}

// Valid reports whether r is a known hold reason.
func (r HoldReason) Valid() bool { return holdReasons.has(r) }

// Milestone names one promised step of a ticket.
type Milestone string

// The milestones of repairs (contact, on_site, complete) and of complaints
// (acknowledge, answer, resolve), plus the return visit after either.
const (
	MilestoneContact     Milestone = "contact"
	MilestoneOnSite      Milestone = "on_site"
	MilestoneComplete    Milestone = "complete"
	MilestoneAcknowledge Milestone = "acknowledge"
	MilestoneAnswer      Milestone = "answer"
	MilestoneResolve     Milestone = "resolve"
	MilestoneReturnVisit Milestone = "return_visit"
)

// milestoneLabels name the milestones in messages.
var milestoneLabels = map[Milestone]string{
	MilestoneContact:     "联系业主",
	MilestoneOnSite:      "到场",
	MilestoneComplete:    "完工",
	MilestoneAcknowledge: "受理",
	MilestoneAnswer:      "答复",
	MilestoneResolve:     "解决",
	MilestoneReturnVisit: "回访",
}

// Label is m's name in messages ("到场"); an unknown milestone is its value.
func (m Milestone) Label() string { return label(milestoneLabels, m) }

// TicketDeadline is one promised step and when it was met.
type TicketDeadline struct {
	Milestone Milestone  `json:"milestone"`
	Due       time.Time  `json:"due"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
}

// TicketProgress is the part of a ticket that its workflow owns and rewrites
// at every transition; lists filter and sort on it.
type TicketProgress struct {
	Status          TicketStatus `gorm:"size:16;not null;index;index:idx_ticket_open,priority:2;index:idx_ticket_estate_status_due,priority:2" json:"status"`
	AssigneeID      *uint64      `gorm:"index" json:"assignee_id"`
	EscalationLevel int          `gorm:"not null;default:0" json:"escalation_level"`
	// NextDueAt is the nearest deadline not yet met (nil when none, or while
	// on hold: the clock is stopped); WarnAt is when staff are warned of it.
	NextDueAt   *time.Time       `gorm:"index;index:idx_ticket_open,priority:4;index:idx_ticket_estate_due,priority:2;index:idx_ticket_estate_status_due,priority:3" json:"next_due_at"`
	NextDueKind Milestone        `gorm:"size:16" json:"next_due_kind"`
	WarnAt      *time.Time       `gorm:"index;index:idx_ticket_open,priority:5" json:"warn_at"`
	Deadlines   []TicketDeadline `gorm:"serializer:json;type:text" json:"deadlines"`
	HeldSeconds int64            `gorm:"not null;default:0" json:"held_seconds"`
	HoldReason  HoldReason       `gorm:"size:24" json:"hold_reason,omitempty"`
	OnHoldSince *time.Time       `json:"on_hold_since,omitempty"`
	ReopenCount int              `gorm:"not null;default:0" json:"reopen_count"`
	ChargeFen   Money            `gorm:"not null;default:0" json:"charge_fen"`
	Score       *int             `json:"score,omitempty"`
	ClosedAt    *time.Time       `gorm:"index:idx_ticket_closed,priority:2" json:"closed_at,omitempty"`
	// FollowUpID is the complaint opened by a low return-visit score.
	FollowUpID *uint64 `json:"follow_up_id,omitempty"`
	// Revision grows with every recorded transition, so an older write
	// never overwrites a newer one.
	Revision int64 `gorm:"not null;default:0" json:"revision"`
}

// Ticket is a repair request or a complaint. Location describes a common
// area when there is no household. FirstReceiverID is the staff member who
// took it (首问负责人): it never changes.
type Ticket struct {
	ID              uint64        `gorm:"primaryKey" json:"id"`
	EstateID        uint64        `gorm:"not null;index;index:idx_ticket_open,priority:1;index:idx_ticket_closed,priority:1;index:idx_ticket_estate_due,priority:1;index:idx_ticket_estate_status_due,priority:1;index:idx_ticket_estate_reported,priority:1" json:"estate_id"`
	Kind            TicketKind    `gorm:"size:16;not null;index" json:"kind"`
	Urgency         Urgency       `gorm:"size:16;not null;index;index:idx_ticket_open,priority:3" json:"urgency"`
	Category        string        `gorm:"size:50;not null" json:"category"`
	Description     string        `gorm:"type:text;not null" json:"description"`
	HouseholdID     *uint64       `gorm:"index" json:"household_id"`
	Location        string        `gorm:"size:200" json:"location"`
	ResidentID      *uint64       `gorm:"index" json:"resident_id"`
	Channel         ReportChannel `gorm:"size:16;not null" json:"channel"`
	Appointment     *time.Time    `json:"appointment,omitempty"`
	ReportedAt      time.Time     `gorm:"not null;index:idx_ticket_estate_reported,priority:2" json:"reported_at"`
	FirstReceiverID uint64        `gorm:"not null;index" json:"first_receiver_id"`
	ParentTicketID  *uint64       `gorm:"index" json:"parent_ticket_id,omitempty"`
	// IdempotencyKey makes creation safe to retry; nil when the caller gave none.
	IdempotencyKey *string `gorm:"size:100;uniqueIndex" json:"-"`
	TicketProgress `gorm:"embedded"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// MaxTicketDescription bounds a ticket's description, in characters.
const MaxTicketDescription = 2000

// MaxComplaintAnswer bounds a complaint's answer (答复), in characters: the
// text goes to the resident in a message.
const MaxComplaintAnswer = 500

// CheckComplaintAnswer requires a complaint's answer to be 1 to
// MaxComplaintAnswer characters, not only spaces.
func CheckComplaintAnswer(field, answer string) error {
	return checkText(field, strings.TrimSpace(answer), MaxComplaintAnswer)
}

// NewTicketRequest is what staff enter to open a ticket.
type NewTicketRequest struct {
	EstateID    uint64        `json:"estate_id"`
	Kind        TicketKind    `json:"kind"`
	Urgency     Urgency       `json:"urgency"`
	Category    string        `json:"category"`
	Description string        `json:"description"`
	HouseholdID *uint64       `json:"household_id"`
	Location    string        `json:"location"`
	ResidentID  *uint64       `json:"resident_id"`
	Channel     ReportChannel `json:"channel"`
	Appointment *time.Time    `json:"appointment"`
	// ReporterPhone reaches whoever reported a ticket without resident_id
	// (a walk-in, a call the desk did not look up): it is resolved to a
	// resident of the estate with that phone, or recorded as a contact
	// (ResidentContact) named ReporterName, and the ticket's messages go
	// there. Personal data: answers mask it.
	ReporterPhone   string `json:"reporter_phone,omitempty"`
	ReporterName    string `json:"reporter_name,omitempty"`
	FirstReceiverID uint64 `json:"-"` // the signed-in staff member
}

// Validate checks what can be checked without the database, at now.
func (r NewTicketRequest) Validate(now time.Time) error {
	descLen := utf8.RuneCountInString(r.Description)
	if err := firstInvalid(
		expect(r.EstateID != 0, "estate_id", "必填"),
		ticketKinds.check("kind", r.Kind),
		urgencies.check("urgency", r.Urgency),
		checkText("category", r.Category, 50),
		expect(r.Description != "", "description", "必填"),
		expect(descLen <= MaxTicketDescription, "description", "共 %d 个字，不能超过 %d 个字", descLen, MaxTicketDescription),
		expect(r.HouseholdID != nil || r.Location != "", "location", "请选择房屋，或填写公共区域位置"),
		checkMaxText("location", r.Location, 200),
		reportChannels.check("channel", r.Channel),
		r.checkReporter(),
		expect(r.FirstReceiverID != 0, "first_receiver_id", "必填"),
	); err != nil {
		return err
	}
	if r.Appointment != nil {
		if r.Kind != TicketRepair || r.Urgency != UrgencyNormal {
			return Invalid("appointment", "只有普通报修可以预约上门时间")
		}
		if r.Appointment.Before(now) {
			return Invalid("appointment", "%s 已过去，应为现在或以后的时间", r.Appointment.Format(time.RFC3339))
		}
	}
	return nil
}

// checkReporter checks the reporter's contact: a phone only without a
// resident, a name only with a phone.
func (r NewTicketRequest) checkReporter() error {
	switch {
	case r.ReporterPhone == "":
		return expect(r.ReporterName == "", "reporter_name", "填写报事人电话（reporter_phone）时才能填写报事人姓名")
	case r.ResidentID != nil:
		return Invalid("reporter_phone", "住户（resident_id）与报事人电话（reporter_phone）只能填写其一")
	}
	return firstInvalid(CheckPhone("reporter_phone", r.ReporterPhone), checkMaxText("reporter_name", r.ReporterName, 50))
}

// Ticket returns the new ticket the request describes, reported at now.
func (r NewTicketRequest) Ticket(now time.Time) Ticket {
	return Ticket{
		EstateID: r.EstateID, Kind: r.Kind, Urgency: r.Urgency, Category: r.Category,
		Description: r.Description, HouseholdID: r.HouseholdID, Location: r.Location,
		ResidentID: r.ResidentID, Channel: r.Channel, Appointment: r.Appointment,
		ReportedAt: now, FirstReceiverID: r.FirstReceiverID,
		TicketProgress: TicketProgress{Status: StatusNew},
	}
}

// TicketSchedule returns a ticket's deadlines, in order, from the policy in
// force when it was reported: contact, on_site, complete for a repair;
// acknowledge, answer, resolve for a complaint.
func TicketSchedule(p Policy, kind TicketKind, u Urgency, reported time.Time, appointment *time.Time, loc *time.Location) ([]TicketDeadline, error) {
	switch kind {
	case TicketRepair:
		d, err := RepairDeadlines(p.Repair, p.Calendar, u, reported, appointment, loc)
		if err != nil {
			return nil, err
		}
		return []TicketDeadline{
			{Milestone: MilestoneContact, Due: d.Contact},
			{Milestone: MilestoneOnSite, Due: d.OnSite},
			{Milestone: MilestoneComplete, Due: d.Complete},
		}, nil
	case TicketComplaint:
		d := p.Complaint.Deadlines(reported)
		return []TicketDeadline{
			{Milestone: MilestoneAcknowledge, Due: d.Acknowledge.In(loc)},
			{Milestone: MilestoneAnswer, Due: d.Answer.In(loc)},
			{Milestone: MilestoneResolve, Due: d.Resolve.In(loc)},
		}, nil
	}
	return nil, Invalid("kind", "“%s”无效，应为 repair（报修）或 complaint（投诉）", kind)
}

// ReworkWindow is how long a reopened ticket has to be completed again: the
// tier's Complete window for a repair, Resolve for a complaint.
func ReworkWindow(p Policy, kind TicketKind, u Urgency) (time.Duration, error) {
	if kind == TicketComplaint {
		return p.Complaint.Resolve.Std(), nil
	}
	t, ok := p.Repair.Tier(u)
	if !ok {
		return 0, fmt.Errorf("rework window: %w", Invalid("repair.tiers", "缺少“%s”级别的时限", u))
	}
	return t.Complete.Std(), nil
}

// EscalationAt returns when level (1-based) of the chain is reached for a
// deadline breached at breach: level 1 at breach + Levels[0].After, each next
// level After later. ok is false past the last level.
func (p EscalationPolicy) EscalationAt(breach time.Time, level int) (at time.Time, ok bool) {
	if level < 1 || level > len(p.Levels) {
		return time.Time{}, false
	}
	at = breach
	for _, l := range p.Levels[:level] {
		at = at.Add(l.After.Std())
	}
	return at, true
}
