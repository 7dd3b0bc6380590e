package models

import (
	"fmt"
	"time"
)

// ServiceNeeds are what residents mention at move-in that the service desk
// should keep in mind (业主档案: service needs).
type ServiceNeeds struct {
	ElderlyAtHome bool `json:"elderly_at_home"`
	SmallChildren bool `json:"small_children"`
	Pets          bool `json:"pets"`
	// PreferredChannel is how the household likes to be contacted: sms,
	// wechat, app, email or phone; empty when not said.
	PreferredChannel Channel `json:"preferred_channel,omitempty"`
	// PreferredTimes says when to contact them, in their words ("工作日晚上").
	PreferredTimes string `json:"preferred_times,omitempty"`
	// ContactWindow is PreferredTimes as hours and weekdays messages keep
	// to; nil when not given. The residents who move in take it on.
	ContactWindow *ContactWindow `json:"contact_window,omitempty"`
	Notes         string         `json:"notes,omitempty"`
}

// preferredChannels are the channels a household may prefer.
var preferredChannels = enum[Channel]{ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail, ChannelPhone}

// Validate checks the needs' fields; paths start with prefix.
func (n ServiceNeeds) Validate(prefix string) error {
	var channelErr error
	if n.PreferredChannel != "" {
		channelErr = preferredChannels.check(prefix+"preferred_channel", n.PreferredChannel)
	}
	var windowErr error
	if n.ContactWindow != nil {
		windowErr = n.ContactWindow.Validate(prefix + "contact_window.")
	}
	return firstInvalid(
		channelErr,
		windowErr,
		checkMaxText(prefix+"preferred_times", n.PreferredTimes, 100),
		checkMaxText(prefix+"notes", n.Notes, 500),
	)
}

// MoveIn is the registration of a household moving in (入住登记): who moved
// in, when, and what they need. It opens the owner file (业主档案) and one
// follow-up visit.
type MoveIn struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	EstateID    uint64    `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64    `gorm:"not null;index" json:"household_id"`
	MovedInAt   time.Time `gorm:"not null" json:"moved_in_at"`
	// RegisteredBy is the staff member who registered it.
	RegisteredBy uint64 `gorm:"not null" json:"registered_by"`
	// ResidentIDs are the residents who moved in; the first is the contact.
	ResidentIDs []uint64     `gorm:"serializer:json;type:text" json:"resident_ids"`
	Needs       ServiceNeeds `gorm:"serializer:json;type:text" json:"needs"`
	// IdempotencyKey makes registration safe to retry; nil when none given.
	IdempotencyKey *string   `gorm:"size:100;uniqueIndex" json:"-"`
	CreatedAt      time.Time `json:"created_at"`
}

// NewResident is a resident entered with a move-in.
type NewResident struct {
	Name  string       `json:"name"`
	Phone string       `json:"phone"`
	Role  ResidentRole `json:"role"`
}

// MoveInRequest is what customer service enters to register a move-in:
// an existing household, or a unit to create the household in; residents
// already on file (ResidentIDs) and new ones; the move-in time and needs.
//
// A unit that has an active household changes hands (a new owner or
// tenant): PreviousHouseholdID names that household, which moves out at the
// move-in time; it keeps its residents and its bills (arrears stay with it).
type MoveInRequest struct {
	HouseholdID         uint64        `json:"household_id"`
	UnitID              uint64        `json:"unit_id"`
	PreviousHouseholdID uint64        `json:"previous_household_id"`
	ResidentIDs         []uint64      `json:"resident_ids"`
	Residents           []NewResident `json:"residents"`
	// MovedInAt defaults to the registration time.
	MovedInAt    *time.Time   `json:"moved_in_at"`
	Needs        ServiceNeeds `json:"needs"`
	RegisteredBy uint64       `json:"-"` // the signed-in staff member
}

// Move-in registration bounds.
const (
	MaxMoveInResidents = 10
	// MoveInPastLimit and MoveInFutureLimit bound MovedInAt around the
	// registration time: a late registration, or keys handed over soon.
	MoveInPastLimit   = 365 * Day
	MoveInFutureLimit = 90 * Day
)

// Validate checks what can be checked without the database, at now.
func (r MoveInRequest) Validate(now time.Time) error {
	switch {
	case r.HouseholdID == 0 && r.UnitID == 0:
		return Invalid("household_id", "请选择已有住户，或填写房屋 unit_id 以新建住户")
	case r.HouseholdID != 0 && r.UnitID != 0:
		return Invalid("unit_id", "住户 household_id 与房屋 unit_id 只能填写其一")
	case r.PreviousHouseholdID != 0 && r.UnitID == 0:
		return Invalid("previous_household_id", "只能与房屋 unit_id 同时填写：指该房屋中迁出的住户")
	case len(r.ResidentIDs)+len(r.Residents) == 0:
		return Invalid("residents", "至少需要一名住户成员")
	case len(r.ResidentIDs)+len(r.Residents) > MaxMoveInResidents:
		return Invalid("residents", "住户成员最多 %d 人", MaxMoveInResidents)
	case r.RegisteredBy == 0:
		return Invalid("registered_by", "必填")
	}
	seen := map[uint64]bool{}
	for i, id := range r.ResidentIDs {
		if id == 0 || seen[id] {
			return Invalid(fmt.Sprintf("resident_ids[%d]", i), "住户成员 ID 不能重复")
		}
		seen[id] = true
	}
	for i, nr := range r.Residents {
		p := fmt.Sprintf("residents[%d].", i)
		if err := firstInvalid(
			checkText(p+"name", nr.Name, 50),
			CheckPhone(p+"phone", nr.Phone),
			residentRoles.check(p+"role", nr.Role),
		); err != nil {
			return err
		}
	}
	if r.MovedInAt != nil {
		if r.MovedInAt.Before(now.Add(-MoveInPastLimit)) || r.MovedInAt.After(now.Add(MoveInFutureLimit)) {
			return Invalid("moved_in_at", "应在今天之前一年至之后 90 天以内")
		}
	}
	return r.Needs.Validate("needs.")
}

// MovedIn returns the move-in time: MovedInAt, or now when not given.
func (r MoveInRequest) MovedIn(now time.Time) time.Time {
	if r.MovedInAt != nil {
		return r.MovedInAt.UTC()
	}
	return now.UTC()
}
