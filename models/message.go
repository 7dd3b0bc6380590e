package models

import "time"

// RecipientKind says whether a message goes to a resident or to staff.
type RecipientKind string

// Recipient kinds.
const (
	RecipientResident RecipientKind = "resident"
	RecipientStaff    RecipientKind = "staff"
)

// Valid reports whether k is a known recipient kind.
func (k RecipientKind) Valid() bool { return k == RecipientResident || k == RecipientStaff }

// MessageStatus is where a message stands: pending until its first attempt,
// then sent, or failed until an attempt succeeds.
type MessageStatus string

// Message statuses.
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
)

// MaxMessageKeyLen bounds Message.Key so that its unique index fits MySQL's
// utf8mb4 index limit.
const MaxMessageKeyLen = 191

// MaxErrorTextLen bounds Message.LastError and MessageAttempt.Error, in
// characters; longer text is cut.
const MaxErrorTextLen = 255

// Message is one notification that left (or tried to leave) the service.
// Key is the caller's idempotency key ("ticket-12/escalate-2"): one key is
// one message, however often the sending activity is retried.
//
// Address records where the message went without exposing residents: a
// resident's phone is stored masked (138****5678), a staff member's in
// full. Subject and Body are the rendered text; templates never put a
// resident's phone number in them, and a resident's name only in the
// assignment text to the staff member sent to them.
type Message struct {
	ID            uint64        `gorm:"primaryKey" json:"id"`
	Key           string        `gorm:"column:message_key;size:191;not null;uniqueIndex" json:"key"`
	EstateID      uint64        `gorm:"not null;index" json:"estate_id"`
	RecipientKind RecipientKind `gorm:"size:16;not null;index:idx_message_recipient" json:"recipient_kind"`
	RecipientID   uint64        `gorm:"not null;index:idx_message_recipient" json:"recipient_id"`
	Channel       string        `gorm:"size:16;not null" json:"channel"`
	Address       string        `gorm:"size:254;not null" json:"address"`
	Template      string        `gorm:"size:64;not null" json:"template"`
	Subject       string        `gorm:"size:200;not null" json:"subject"`
	Body          string        `gorm:"type:text;not null" json:"body"`
	// Params are the template's parameters as sent, so that a later
	// channel of the message's plan sends the same (nil before channels
	// were planned).
	Params map[string]string `gorm:"serializer:json;type:text" json:"-"`
	// Ref links the message to what it is about: "ticket:12", "case:7".
	Ref       string        `gorm:"size:64;not null;index" json:"ref"`
	Status    MessageStatus `gorm:"size:16;not null;default:pending" json:"status"`
	Attempts  int           `gorm:"not null;default:0" json:"attempts"`
	LastError string        `gorm:"size:255;not null;default:''" json:"last_error,omitempty"`
	SentAt    *time.Time    `json:"sent_at,omitempty"`
	// ReadAt is when the staff recipient first marked the message read in
	// the console's inbox; nil while unread (and always for residents).
	ReadAt *time.Time `json:"read_at,omitempty"`
	// Deliveries are the message's channels tried, in order; filled by the
	// history answers, not stored here.
	Deliveries []MessageDelivery `gorm:"-" json:"deliveries,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// MessageAttempt is one try at delivering a message, successful or not.
type MessageAttempt struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	MessageID uint64    `gorm:"not null;uniqueIndex:idx_message_attempt" json:"message_id"`
	Attempt   int       `gorm:"not null;uniqueIndex:idx_message_attempt" json:"attempt"`
	At        time.Time `gorm:"not null" json:"at"`
	OK        bool      `gorm:"not null" json:"ok"`
	Error     string    `gorm:"size:255;not null;default:''" json:"error,omitempty"`
}
