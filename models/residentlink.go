package models

import (
	"time"
)

// LinkPurpose is what a resident's signed link (住户链接) lets them do, by
// themselves and without signing in: each link serves one purpose.
type LinkPurpose string

// The purposes of resident links.
const (
	LinkMyBill  LinkPurpose = "my_bill" // 我的账单: the household's statement
	LinkDispute LinkPurpose = "dispute" // 异议: dispute a bill
	LinkPromise LinkPurpose = "promise" // 承诺缴费: promise to pay by a date
	LinkRate    LinkPurpose = "rate"    // 评价: rate a repair (the return visit)
	LinkConfirm LinkPurpose = "confirm" // 确认完成: confirm a completed repair
	LinkReport  LinkPurpose = "report"  // 报事报修: report a repair or a complaint
	LinkTicket  LinkPurpose = "ticket"  // 工单进度: follow a ticket and press 催单

	LinkSurvey LinkPurpose = "survey" // 满意度调查: answer a survey campaign, once
)

var linkPurposes = enum[LinkPurpose]{LinkMyBill, LinkDispute, LinkPromise, LinkRate, LinkConfirm, LinkReport, LinkTicket, LinkSurvey}

// LinkPurposes returns every purpose, in the order listed above.
func LinkPurposes() []LinkPurpose { return linkPurposes.list() }

// Valid reports whether p is one of the purposes.
func (p LinkPurpose) Valid() bool { return linkPurposes.has(p) }

// Label is the purpose's Chinese name.
func (p LinkPurpose) Label() string {
	return label(map[LinkPurpose]string{
		LinkMyBill: "我的账单", LinkDispute: "账单异议", LinkPromise: "承诺缴费",
		LinkRate: "维修评价", LinkConfirm: "维修确认", LinkReport: "报事报修", LinkTicket: "工单进度",
		LinkSurvey: "满意度调查",
	}, p)
}

// SubjectKind is the kind of record a link of purpose p is about: a ticket
// for confirm and rate (required), a bill for dispute and promise (optional:
// without one the resident picks among the household's bills), none for the
// others.
func (p LinkPurpose) SubjectKind() string {
	switch p {
	case LinkConfirm, LinkRate, LinkTicket:
		return "ticket"
	case LinkDispute, LinkPromise:
		return "bill"
	case LinkSurvey:
		return "survey"
	}
	return ""
}

// SubjectRequired reports whether a link of purpose p must name its subject.
func (p LinkPurpose) SubjectRequired() bool {
	return p == LinkConfirm || p == LinkRate || p == LinkTicket || p == LinkSurvey
}

// OneShot reports whether a link of purpose p is used up by its action:
// a confirmation, a rating, a dispute and a promise are given once per link;
// the statement and the report page can be opened again until the link
// expires.
func (p LinkPurpose) OneShot() bool {
	return p == LinkConfirm || p == LinkRate || p == LinkDispute || p == LinkPromise || p == LinkSurvey
}

// Link lifetimes: DefaultLinkTTL when the issuer names none, MaxLinkTTL at
// most.
const (
	DefaultLinkTTL = 7 * 24 * time.Hour
	MaxLinkTTL     = 90 * 24 * time.Hour
)

// MaxLinkNoteLen is the longest note (what the link was made for) in runes.
const MaxLinkNoteLen = 100

// ResidentLink is a link issued to one resident for one purpose: the URL
// carries a signed reference to it, and it holds the rest, so that it can
// expire, be revoked and be used up.
type ResidentLink struct {
	ID          uint64      `gorm:"primaryKey" json:"id"`
	EstateID    uint64      `gorm:"not null;index" json:"estate_id"`
	HouseholdID uint64      `gorm:"not null;index" json:"household_id"`
	ResidentID  uint64      `gorm:"not null;index" json:"resident_id"`
	Purpose     LinkPurpose `gorm:"size:16;not null" json:"purpose"`
	// SubjectID is the ticket or bill the link is about (SubjectKind of
	// the purpose); 0 when none.
	SubjectID uint64     `gorm:"not null;default:0" json:"subject_id"`
	ExpiresAt time.Time  `gorm:"not null" json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	RevokedBy uint64     `gorm:"not null;default:0" json:"revoked_by"`
	// UsedAt is when a one-shot link's action was taken.
	UsedAt *time.Time `json:"used_at"`
	// CreatedBy is the staff member who issued it; 0 when the service
	// issued it for a message.
	CreatedBy uint64 `gorm:"not null;default:0" json:"created_by"`
	// Note says what it was made for: "message:12", or the issuer's words.
	Note      string    `gorm:"size:100" json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// LinkState is where a link stands at a time.
type LinkState string

// The states of a link, in the order they are checked.
const (
	LinkRevoked LinkState = "revoked"
	LinkUsed    LinkState = "used"
	LinkExpired LinkState = "expired"
	LinkActive  LinkState = "active"
)

// State is l's state at now: revoked wins over used, used over expired.
func (l ResidentLink) State(now time.Time) LinkState {
	switch {
	case l.RevokedAt != nil:
		return LinkRevoked
	case l.UsedAt != nil:
		return LinkUsed
	case !now.Before(l.ExpiresAt):
		return LinkExpired
	}
	return LinkActive
}

// CheckNew validates a link about to be issued at now, setting its expiry
// to now+DefaultLinkTTL when it has none.
func (l *ResidentLink) CheckNew(now time.Time) error {
	switch {
	case !l.Purpose.Valid():
		return linkPurposes.check("purpose", l.Purpose)
	case l.ResidentID == 0:
		return Invalid("resident_id", "必填")
	case l.Purpose.SubjectRequired() && l.SubjectID == 0:
		return Invalid("subject_id", "用途 %s 须指定%s", l.Purpose, subjectLabel(l.Purpose))
	case l.Purpose.SubjectKind() == "" && l.SubjectID != 0:
		return Invalid("subject_id", "用途 %s 不指定对象", l.Purpose)
	case len([]rune(l.Note)) > MaxLinkNoteLen:
		return Invalid("note", "最多 %d 个字符", MaxLinkNoteLen)
	}
	if l.ExpiresAt.IsZero() {
		l.ExpiresAt = now.Add(DefaultLinkTTL)
	}
	if !l.ExpiresAt.After(now) || l.ExpiresAt.Sub(now) > MaxLinkTTL {
		return Invalid("expires_at", "须在现在之后 %d 天以内", int(MaxLinkTTL/(24*time.Hour)))
	}
	return nil
}

func subjectLabel(p LinkPurpose) string {
	switch p.SubjectKind() {
	case "ticket":
		return "工单"
	case "survey":
		return "调查"
	}
	return "账单"
}

// MaxLinkActionLen is the longest action name a use records.
const MaxLinkActionLen = 32

// ResidentLinkUse is one use of a link: the page opened or the action taken,
// with when and from which client address. Refused uses (a bad state, a
// record not the resident's) are recorded too, with Refused set.
type ResidentLinkUse struct {
	ID         uint64    `gorm:"primaryKey" json:"id"`
	LinkID     uint64    `gorm:"not null;index" json:"link_id"`
	EstateID   uint64    `gorm:"not null;index" json:"estate_id"`
	ResidentID uint64    `gorm:"not null" json:"resident_id"`
	Action     string    `gorm:"size:32;not null" json:"action"`
	Refused    bool      `gorm:"not null;default:false" json:"refused"`
	ClientIP   string    `gorm:"size:64" json:"client_ip"`
	UsedAt     time.Time `gorm:"not null" json:"used_at"`
}
