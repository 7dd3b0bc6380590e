package models

import (
	"fmt"
	"time"
)

// CaseKind is a kind of process the service runs: every process keeps the
// same shape, a read-model row per case and one journal of its transitions
// (CaseEvent).
type CaseKind string

// The kinds of process.
const (
	KindTicket     CaseKind = "ticket"
	KindFollowUp   CaseKind = "follow_up"
	KindCollection CaseKind = "collection"
)

// CaseRef names one case: its kind and the ID of its read-model row.
type CaseRef struct {
	Kind CaseKind `json:"kind"`
	ID   uint64   `json:"id"`
}

// String is "ticket 12".
func (r CaseRef) String() string { return fmt.Sprintf("%s %d", r.Kind, r.ID) }

// CaseEvent records one transition of a case, whatever its kind: who did
// what and when, the status (a ticket's status, a follow-up's, a collection
// case's stage) before and after, the channel and outcome of a contact, and
// details. Key makes recording idempotent within the kind.
type CaseEvent struct {
	ID     uint64   `gorm:"primaryKey" json:"id"`
	Kind   CaseKind `gorm:"size:16;not null;uniqueIndex:idx_case_event_key,priority:1;index:idx_case_event_case,priority:1;index:idx_case_event_estate_kind_type_at,priority:2;index:idx_case_event_kind_type_at,priority:1" json:"kind"`
	CaseID uint64   `gorm:"not null;index:idx_case_event_case,priority:2" json:"case_id"`
	// EstateID and HouseholdID (0 for none) are copied from the case, so
	// that journals are read by estate and by household without a join.
	EstateID    uint64 `gorm:"not null;index;index:idx_case_event_estate_kind_type_at,priority:1" json:"estate_id"`
	HouseholdID uint64 `gorm:"not null;default:0;index" json:"household_id,omitempty"`
	Key         string `gorm:"column:event_key;size:150;not null;uniqueIndex:idx_case_event_key,priority:2" json:"key"`
	Type        string `gorm:"size:32;not null;index;index:idx_case_event_estate_kind_type_at,priority:3;index:idx_case_event_kind_type_at,priority:2" json:"type"`
	// ActorID is nil for the system (timers).
	ActorID    *uint64 `json:"actor_id"`
	FromStatus string  `gorm:"size:16" json:"from_status"`
	ToStatus   string  `gorm:"size:16" json:"to_status"`
	// Channel and Outcome describe a contact (a reminder sent, a call made).
	Channel Channel           `gorm:"size:16" json:"channel,omitempty"`
	Outcome string            `gorm:"size:32" json:"outcome,omitempty"`
	Detail  map[string]string `gorm:"serializer:json;type:text" json:"detail"`
	At      time.Time         `gorm:"not null;index;index:idx_case_event_estate_kind_type_at,priority:4;index:idx_case_event_kind_type_at,priority:3" json:"at"`
	// Revision is the process's revision this event made; it orders the
	// events of one minute, whose writes may land in either order.
	Revision  int64     `gorm:"not null;default:0" json:"revision"`
	CreatedAt time.Time `json:"created_at"`
}
