package models

import (
	"slices"
	"strconv"
	"time"
)

// The channels a message travels by, beside the dunning ladder's (sms,
// wechat, app): email, 企业微信 (WeCom) for staff, and the console's inbox.
const (
	ChannelEmail   Channel = "email"
	ChannelWeCom   Channel = "wecom"
	ChannelConsole Channel = "console"
)

// residentMessageChannels are the channels a message can reach a resident
// by: SMS, the WeChat 公众号/小程序 subscription message, the app's push, email.
var residentMessageChannels = enum[Channel]{ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail}

// staffMessageChannels are the channels a message can reach staff by:
// SMS, 企业微信, email and the console's inbox.
var staffMessageChannels = enum[Channel]{ChannelSMS, ChannelWeCom, ChannelEmail, ChannelConsole}

// ChannelPolicy is the order an estate tries channels in after the
// recipient's own preference, and how long it waits for a gateway's
// delivery receipt before it tries the next. A policy saved before it
// existed is zero and means DefaultChannelPolicy.
type ChannelPolicy struct {
	// Resident lists the fallbacks for residents, first tried first.
	Resident []Channel `json:"resident,omitempty"`
	// Staff lists the channels for staff, first tried first.
	Staff []Channel `json:"staff,omitempty"`
	// ReceiptWait is how long a message sent by a gateway may wait for its
	// receipt; without one it counts as failed and the next channel is
	// tried. Zero means the default.
	ReceiptWait Duration `json:"receipt_wait,omitempty"`
}

// DefaultChannelPolicy tries residents by SMS, WeChat, the app, then email,
// and staff by 企业微信, SMS, email, then the console's inbox (always
// there); a receipt may take six hours.
func DefaultChannelPolicy() ChannelPolicy {
	return ChannelPolicy{
		Resident:    []Channel{ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail},
		Staff:       []Channel{ChannelWeCom, ChannelSMS, ChannelEmail, ChannelConsole},
		ReceiptWait: Duration(6 * time.Hour),
	}
}

// OrDefault fills what p leaves empty from DefaultChannelPolicy.
func (p ChannelPolicy) OrDefault() ChannelPolicy {
	d := DefaultChannelPolicy()
	if len(p.Resident) > 0 {
		d.Resident = p.Resident
	}
	if len(p.Staff) > 0 {
		d.Staff = p.Staff
	}
	if p.ReceiptWait > 0 {
		d.ReceiptWait = p.ReceiptWait
	}
	return d
}

func (p ChannelPolicy) validate(path string) error {
	lists := []struct {
		name string
		list []Channel
		of   enum[Channel]
	}{{"resident", p.Resident, residentMessageChannels}, {"staff", p.Staff, staffMessageChannels}}
	for _, l := range lists {
		for i, ch := range l.list {
			field := path + "." + l.name + "[" + strconv.Itoa(i) + "]"
			if err := l.of.check(field, ch); err != nil {
				return err
			}
			if slices.Index(l.list, ch) < i {
				return Invalid(field, "“%s”重复，每个渠道只能出现一次", ch)
			}
		}
	}
	if p.ReceiptWait < 0 || p.ReceiptWait > Duration(7*Day) {
		return Invalid(path+".receipt_wait", "%s 无效，应为 0s（使用默认值）至 7d", p.ReceiptWait)
	}
	return nil
}

// Reach says which channels can address one recipient: a phone number for
// SMS, an email address for email. WeChat, the app and 企业微信 address the
// resident or staff member by id (the company's gateway maps it to an
// openid or a device), and the console's inbox reaches every staff member.
type Reach struct {
	Phone bool
	Email bool
}

func (r Reach) has(kind RecipientKind, ch Channel) bool {
	switch ch {
	case ChannelSMS:
		return r.Phone
	case ChannelEmail:
		return r.Email
	case ChannelWeChat, ChannelApp:
		return kind == RecipientResident
	case ChannelWeCom, ChannelConsole:
		return kind == RecipientStaff
	}
	return false
}

// PlanInput is what a message's channel plan is drawn from.
type PlanInput struct {
	Kind RecipientKind
	// Preferred is the recipient's own choice; empty, or a channel that
	// carries no message (phone), for none.
	Preferred Channel
	Policy    ChannelPolicy
	Reach     Reach
	// Configured lists the channels the company has a gateway for; the
	// console's inbox needs none.
	Configured []Channel
}

// PlanChannels is the order a message tries its channels in: the
// recipient's preferred channel, then the estate's fallbacks (the policy's,
// or the defaults), each once, leaving out those the recipient has no
// address for and those the company has not configured. An empty plan
// means the message cannot go anywhere.
func PlanChannels(in PlanInput) []Channel {
	p := in.Policy.OrDefault()
	order := p.Resident
	allowed := residentMessageChannels
	if in.Kind == RecipientStaff {
		order, allowed = p.Staff, staffMessageChannels
	}
	var plan []Channel
	for _, ch := range append([]Channel{in.Preferred}, order...) {
		usable := allowed.has(ch) && in.Reach.has(in.Kind, ch) &&
			(ch == ChannelConsole || slices.Contains(in.Configured, ch))
		if usable && !slices.Contains(plan, ch) {
			plan = append(plan, ch)
		}
	}
	return plan
}

// ContactWindow is when a resident agrees to be contacted: from From to To
// ("HH:MM", From before To) in the estate's time zone, on Weekdays (none
// listed: every day).
type ContactWindow struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	Weekdays []time.Weekday `json:"weekdays,omitempty"`
}

// Validate checks the window's fields; paths start with prefix.
func (w ContactWindow) Validate(prefix string) error {
	from, err := parseClock(w.From)
	if err != nil {
		return Invalid(prefix+"from", "%v", err)
	}
	to, err := parseClock(w.To)
	if err != nil {
		return Invalid(prefix+"to", "%v", err)
	}
	if to <= from {
		return Invalid(prefix+"to", "%s 无效，应晚于开始时间 from（%s）", w.To, w.From)
	}
	for i, d := range w.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return Invalid(prefix+"weekdays["+strconv.Itoa(i)+"]", "%d 无效，应为 0（星期日）至 6（星期六）", d)
		}
	}
	return nil
}

// nextOpen returns t if the window is open at t in loc, else when it next
// opens. A nil or invalid window is always open.
func (w *ContactWindow) nextOpen(t time.Time, loc *time.Location) time.Time {
	if w == nil || w.Validate("") != nil {
		return t
	}
	lt := t.In(loc)
	from, _ := parseClock(w.From)
	to, _ := parseClock(w.To)
	for day := 0; day < 8; day++ {
		d := atClock(lt, day, "00:00", loc)
		if len(w.Weekdays) > 0 && !slices.Contains(w.Weekdays, d.Weekday()) {
			continue
		}
		start := atClock(lt, day, w.From, loc)
		if day == 0 {
			now := sinceMidnight(lt)
			if now >= from && now < to {
				return t
			}
			if now >= to {
				continue
			}
		}
		return start
	}
	return t
}

// NextContact is the earliest time from now when a message may go to a
// resident: outside the estate's quiet hours and inside the resident's
// contact window (nil: none). When the two never meet (a window that lies
// inside the quiet hours) the window gives way: the quiet hours alone hold.
func NextContact(now time.Time, loc *time.Location, quiet QuietHours, window *ContactWindow) time.Time {
	t := now
	for range 16 {
		next := window.nextOpen(quiet.NextAllowed(t, loc), loc)
		if next.Equal(t) {
			return t
		}
		t = next
	}
	return quiet.NextAllowed(now, loc)
}

// DeliveryStatus is where one channel's delivery of a message stands.
type DeliveryStatus string

// Delivery statuses: pending while the channel is being tried, sent when
// the gateway took it, then delivered or failed when its receipt says so
// (or failed when the gateway refused it, or no receipt came in time). A
// channel without receipts (email, the console's inbox, the log) counts as
// delivered once it took the message.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Final reports whether s is delivered or failed.
func (s DeliveryStatus) Final() bool { return s == DeliveryDelivered || s == DeliveryFailed }

// MessageDelivery is one channel's delivery of a message: at most one per
// message and channel, however often the sender is retried or a receipt
// repeated.
type MessageDelivery struct {
	ID        uint64         `gorm:"primaryKey" json:"id"`
	MessageID uint64         `gorm:"not null;uniqueIndex:idx_message_delivery" json:"message_id"`
	Channel   Channel        `gorm:"size:16;not null;uniqueIndex:idx_message_delivery" json:"channel"`
	Status    DeliveryStatus `gorm:"size:16;not null" json:"status"`
	// Reason is the gateway's or the sender's word on a failure.
	Reason      string     `gorm:"size:255;not null;default:''" json:"reason,omitempty"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	FailedAt    *time.Time `json:"failed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}
