package models

import (
	"strconv"
	"strings"
	"time"
)

// AttachmentKind says what a photo shows.
type AttachmentKind string

// The attachment kinds.
const (
	// AttachReport: sent with the report (by the resident or the desk).
	AttachReport AttachmentKind = "report"
	// AttachBefore and AttachAfter: the technician's photos of the work.
	AttachBefore AttachmentKind = "before"
	AttachAfter  AttachmentKind = "after"
	// AttachEvidence: kept as evidence (a follow-up visit, a bill dispute).
	AttachEvidence AttachmentKind = "evidence"
)

var attachmentKinds = enum[AttachmentKind]{AttachReport, AttachBefore, AttachAfter, AttachEvidence}

// Check refuses an unknown kind as field.
func (k AttachmentKind) Check(field string) error { return attachmentKinds.check(field, k) }

// The records a photo can belong to, as the type of its Ref.
const (
	RefTicket   = "ticket"
	RefFollowUp = "followup" // the follow-up's visit record (走访记录)
	RefDispute  = "dispute"  // a bill dispute
)

// Attachment limits.
const (
	// MaxReportPhotos is how many photos a resident sends with a report.
	MaxReportPhotos = 6
	// DefaultUploadsPerHour is how many photos one staff member uploads
	// in an hour (WUYE_ATTACHMENTS_PER_HOUR).
	DefaultUploadsPerHour = 60
	// DefaultResidentUploadsPerHour is how many photos one resident's
	// link uploads in an hour (WUYE_ATTACHMENTS_RESIDENT_PER_HOUR).
	DefaultResidentUploadsPerHour = 12
)

// Attachment is one photo of a record: the record by Ref ("ticket:12",
// "followup:3", "dispute:5"), the stored bytes and thumbnail by the SHA-256
// of their content, and who uploaded it, a staff member or the resident.
type Attachment struct {
	ID        uint64         `gorm:"primaryKey" json:"id"`
	EstateID  uint64         `gorm:"not null;index" json:"estate_id"`
	Ref       string         `gorm:"size:40;not null;uniqueIndex:idx_attachment_ref_hash,priority:1" json:"ref"`
	Kind      AttachmentKind `gorm:"size:16;not null;uniqueIndex:idx_attachment_ref_hash,priority:2" json:"kind"`
	Hash      string         `gorm:"size:64;not null;uniqueIndex:idx_attachment_ref_hash,priority:3" json:"hash"`
	ThumbHash string         `gorm:"size:64;not null" json:"thumb_hash"`
	Size      int64          `gorm:"not null" json:"size"`
	Mime      string         `gorm:"size:32;not null" json:"mime"`
	Width     int            `json:"width"`
	Height    int            `json:"height"`
	// StaffID or ResidentID names who uploaded it.
	StaffID    *uint64 `gorm:"index" json:"staff_id,omitempty"`
	ResidentID *uint64 `json:"resident_id,omitempty"`
	// Uploader is the key uploads are counted by for the hourly limit:
	// "staff:5", or "link:<the link's id>" for a resident.
	Uploader   string    `gorm:"size:80;not null;index:idx_attachment_uploader,priority:1" json:"-"`
	UploadedAt time.Time `gorm:"not null;index:idx_attachment_uploader,priority:2" json:"uploaded_at"`
}

// RefOf is the Ref of record id of type typ: "ticket:12".
func RefOf(typ string, id uint64) string { return typ + ":" + strconv.FormatUint(id, 10) }

// ParseRef splits a Ref into its type and id; ok is false for anything but
// a known type and an id from 1.
func ParseRef(ref string) (typ string, id uint64, ok bool) {
	typ, n, found := strings.Cut(ref, ":")
	id, err := strconv.ParseUint(n, 10, 64)
	if !found || err != nil || id == 0 || (typ != RefTicket && typ != RefFollowUp && typ != RefDispute && typ != RefContractVersion) {
		return "", 0, false
	}
	return typ, id, true
}

// RateLimitError refuses a request for RetryAfter, after too many like it
// (429 with Retry-After).
type RateLimitError struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *RateLimitError) Error() string { return e.Reason }
