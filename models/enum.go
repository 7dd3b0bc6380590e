package models

import (
	"slices"
	"strings"
)

// enum is the closed set of values of a string kind, in their order. The
// kinds' Valid methods, their lists and the "want a, b or c" of their
// validation messages are read from it, so that each kind states its values
// once.
type enum[T ~string] []T

// has reports whether v is one of e.
func (e enum[T]) has(v T) bool { return slices.Contains(e, v) }

// list returns the values as a fresh slice.
func (e enum[T]) list() []T { return slices.Clone(e) }

// want lists the values for a validation message: "a、b 或 c", each
// with its name for people beside it where it has one: "repair（报修）".
func (e enum[T]) want() string {
	s := make([]string, len(e))
	for i, v := range e {
		s[i] = string(v)
		if l := enumLabel(v); l != "" {
			s[i] += "（" + l + "）"
		}
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	or := " 或 "
	if strings.HasSuffix(s[len(s)-2], "）") {
		or = "或 "
	}
	return strings.Join(s[:len(s)-1], "、") + or + s[len(s)-1]
}

// check refuses a value of field that is not one of e: `“x”无效，应为 a、
// b 或 c`.
func (e enum[T]) check(field string, v T) error {
	if e.has(v) {
		return nil
	}
	return Invalid(field, "“%s”无效，应为 %s", v, e.want())
}

// label is v's name in labels, the text people read, or v itself when it
// has none.
func label[T ~string](labels map[T]string, v T) string {
	if s, ok := labels[v]; ok {
		return s
	}
	return string(v)
}

// enumLabel is v's name for people when its kind has labels, else "".
func enumLabel(v any) string {
	var (
		l  string
		ok bool
	)
	switch v := v.(type) {
	case TicketKind:
		l, ok = ticketKindLabels[v]
	case Urgency:
		l, ok = urgencyLabels[v]
	case PropertyType:
		l, ok = propertyTypeLabels[v]
	case Occupancy:
		l, ok = occupancyLabels[v]
	case ResidentRole:
		l, ok = residentRoleLabels[v]
	case PaymentChannel:
		l, ok = paymentChannelLabels[v]
	case PricingMethod:
		l, ok = pricingMethodLabels[v]
	case MeterKind:
		l, ok = meterKindLabels[v]
	case Role:
		l, ok = roleLabels[v]
	case ServiceArea:
		l, ok = serviceAreaLabels[v]
	case LowScoreAction:
		l, ok = lowScoreActionLabels[v]
	case Utility:
		l, ok = utilityLabels[v]
	case Cadence:
		l, ok = cadenceLabels[v]
	case Severity:
		l, ok = severityLabels[v]
	}
	if !ok {
		return ""
	}
	return l
}

// The names for people of the newer processes' choices.
var (
	serviceAreaLabels = map[ServiceArea]string{AreaRepair: "维修", AreaCleaning: "保洁", AreaSecurity: "安保",
		AreaGreening: "绿化", AreaCustomerService: "客服"}
	lowScoreActionLabels = map[LowScoreAction]string{LowOpensComplaint: "投诉工单", LowOpensVisit: "回访", LowOpensNothing: "仅统计"}
	cadenceLabels        = map[Cadence]string{CadenceDaily: "每日", CadenceWeekly: "每周", CadenceMonthly: "每月",
		CadenceQuarterly: "每季度", CadenceYearly: "每年"}
	severityLabels = map[Severity]string{SeverityMajor: "重大隐患", SeverityModerate: "较大隐患", SeverityMinor: "一般隐患"}
)
