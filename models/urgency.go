package models

// Urgency is the tier of a repair ticket, which selects its SLA tier in
// RepairPolicy (seed 004, 对客服务承诺).
type Urgency string

// The urgency tiers, most urgent first.
const (
	UrgencyCritical Urgency = "critical" // 特急: on site within minutes
	UrgencyUrgent   Urgency = "urgent"   // 急
	UrgencyNormal   Urgency = "normal"   // 一般: the same day, or at the agreed time
)

// Urgencies returns every urgency, most urgent first. Each call returns a
// fresh slice.
func Urgencies() []Urgency { return urgencies.list() }

var urgencies = enum[Urgency]{UrgencyCritical, UrgencyUrgent, UrgencyNormal}

// Valid reports whether u is one of the urgency tiers.
func (u Urgency) Valid() bool { return urgencies.has(u) }
