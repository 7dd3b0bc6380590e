package models

import (
	"fmt"
	"strings"
	"time"
)

// NoticeStatus is where a community notice (公告) stands: scheduled until
// its publish time, published until it expires (or is withdrawn).
type NoticeStatus string

// The notice statuses.
const (
	NoticeScheduled NoticeStatus = "scheduled"
	NoticePublished NoticeStatus = "published"
	NoticeExpired   NoticeStatus = "expired"
	NoticeWithdrawn NoticeStatus = "withdrawn"
)

var noticeStatuses = enum[NoticeStatus]{NoticeScheduled, NoticePublished, NoticeExpired, NoticeWithdrawn}

// NoticeStatuses lists every status in order of the process.
func NoticeStatuses() []NoticeStatus { return noticeStatuses.list() }

// Valid reports whether s is a known status.
func (s NoticeStatus) Valid() bool { return noticeStatuses.has(s) }

// Terminal reports whether a notice in s is finished.
func (s NoticeStatus) Terminal() bool { return s == NoticeExpired || s == NoticeWithdrawn }

// Bounds of a notice's text.
const (
	MaxNoticeTitle = 100
	MaxNoticeBody  = 2000
)

// NewNoticeRequest is what staff enter to publish a notice.
type NewNoticeRequest struct {
	EstateID uint64 `json:"estate_id"`
	// Buildings limits the notice to some buildings; empty: the estate.
	Buildings []string `json:"buildings"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	// PublishAt is when it goes out; nil: now.
	PublishAt *time.Time `json:"publish_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	// Emergency notices ignore quiet hours and the daily cap; only a
	// manager may set it.
	Emergency bool   `json:"emergency"`
	CreatedBy uint64 `json:"-"`
}

// Publish is when the notice goes out, now when not given.
func (r NewNoticeRequest) Publish(now time.Time) time.Time {
	if r.PublishAt == nil {
		return now
	}
	return *r.PublishAt
}

// Validate checks a notice request at now under policy p by a caller with
// role: the publish time not in the past and within MaxAhead, the expiry
// after it and within MaxAhead of it; then the emergency flag.
func (r NewNoticeRequest) Validate(now time.Time, p NoticePolicy, role Role) error {
	p = p.OrDefault()
	pub := r.Publish(now)
	limit := now.Add(p.MaxAhead.Std())
	if err := firstInvalid(
		checkBuildings("buildings", r.Buildings, false),
		checkText("title", strings.TrimSpace(r.Title), MaxNoticeTitle),
		checkText("body", strings.TrimSpace(r.Body), MaxNoticeBody),
		expect(!pub.Before(now.Add(-time.Minute)), "publish_at", "%s 已过去，应为现在或以后的时间", pub.UTC().Format(time.RFC3339)),
		expect(!pub.After(limit), "publish_at", "%s 无效，不能晚于 %s", pub.UTC().Format(time.RFC3339), limit.UTC().Format(time.RFC3339)),
		expect(!r.ExpiresAt.IsZero(), "expires_at", "必填"),
		expect(r.ExpiresAt.After(pub), "expires_at", "%s 无效，应晚于发布时间 publish_at", r.ExpiresAt.UTC().Format(time.RFC3339)),
		expect(!r.ExpiresAt.After(pub.Add(p.MaxAhead.Std())), "expires_at", "不能晚于发布时间 publish_at 之后 %s", p.MaxAhead),
	); err != nil {
		return err
	}
	if r.Emergency && !MayDeclareEmergency(role) {
		return fmt.Errorf("%w: only a manager may publish an emergency notice", ErrForbidden)
	}
	return nil
}

// NoticeProgress is the part of a notice its workflow owns.
type NoticeProgress struct {
	Status      NoticeStatus `gorm:"size:16;not null;index" json:"status"`
	PublishedAt *time.Time   `json:"published_at,omitempty"`
	// Households is how many households the notice was sent to; Capped
	// how many residents the daily cap held back.
	Households int        `gorm:"not null;default:0" json:"households"`
	Capped     int        `gorm:"not null;default:0" json:"capped"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Revision   int64      `gorm:"not null;default:0" json:"revision"`
}

// Notice is a community notice (公告) to an estate or some of its
// buildings; an outage's announcements are not notices.
type Notice struct {
	ID             uint64    `gorm:"primaryKey" json:"id"`
	EstateID       uint64    `gorm:"not null;index" json:"estate_id"`
	Buildings      []string  `gorm:"serializer:json;type:text" json:"buildings"`
	Title          string    `gorm:"size:100;not null" json:"title"`
	Body           string    `gorm:"type:text;not null" json:"body"`
	PublishAt      time.Time `gorm:"not null;index" json:"publish_at"`
	ExpiresAt      time.Time `gorm:"not null" json:"expires_at"`
	Emergency      bool      `gorm:"not null;default:false" json:"emergency"`
	CreatedBy      uint64    `gorm:"not null" json:"created_by"`
	NoticeProgress `gorm:"embedded"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// The kinds of the outage and notice processes.
const (
	KindOutage CaseKind = "outage"
	KindNotice CaseKind = "notice"
)
