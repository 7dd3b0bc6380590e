package models

import "testing"

// Every code a ticket, follow-up or case shows has a Chinese name of its
// own: none falls back to the code.
func TestEveryShownCodeHasALabel(t *testing.T) {
	check := func(code, label string) {
		t.Helper()
		if label == "" || label == code {
			t.Errorf("%s: got label %q, want a Chinese name", code, label)
		}
	}
	for _, k := range ticketKinds.list() {
		check(string(k), k.Label())
	}
	for _, u := range Urgencies() {
		check(string(u), u.Label())
	}
	for _, s := range []TicketStatus{StatusNew, StatusAssigned, StatusAccepted, StatusInProgress, StatusAcknowledged,
		StatusAnswered, StatusOnHold, StatusCompleted, StatusReturnVisit, StatusClosed, StatusCancelled} {
		check(string(s), s.Label())
	}
	for _, s := range FollowUpStatuses() {
		check(string(s), s.Label())
	}
	for _, s := range append(Stages(), StageOverdue) {
		check(string(s), s.Label())
	}
	for _, s := range []HouseholdStatus{HouseholdActive, HouseholdMovedOut} {
		check(string(s), s.Label())
	}
	for _, r := range residentRoles.list() {
		check(string(r), r.Label())
	}
	for _, c := range paymentChannels.list() {
		check(string(c), c.Label())
	}
	for _, m := range pricingMethods.list() {
		check(string(m), m.Label())
	}
	for _, k := range meterKinds.list() {
		check(string(k), k.Label())
	}
	if got := TicketStatus("unknown").Label(); got != "unknown" {
		t.Errorf("an unknown code: got %q, want the code itself", got)
	}
}

func TestParsePricingMethodAndMeterKind(t *testing.T) {
	methods := []struct {
		give string
		want PricingMethod
		ok   bool
	}{
		{"按面积", PricePerArea, true}, {"按建筑面积", PricePerArea, true}, {"per_area", PricePerArea, true},
		{"按户", PricePerUnit, true}, {" 按车位 ", PricePerSpace, true}, {"按读数", PriceMetered, true},
		{"按抄表", PriceMetered, true}, {"metered", PriceMetered, true}, {"按人头", "", false}, {"", "", false},
	}
	for _, tt := range methods {
		if got, ok := ParsePricingMethod(tt.give); got != tt.want || ok != tt.ok {
			t.Errorf("ParsePricingMethod(%q): got %q, %v, want %q, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
	kinds := []struct {
		give string
		want MeterKind
		ok   bool
	}{
		{"水", MeterWater, true}, {"水表", MeterWater, true}, {"电", MeterElectricity, true}, {"electricity", MeterElectricity, true},
		{"燃气", MeterGas, true}, {"燃气表", MeterGas, true}, {"暖气", "", false}, {"表", "", false},
	}
	for _, tt := range kinds {
		if got, ok := ParseMeterKind(tt.give); got != tt.want || ok != tt.ok {
			t.Errorf("ParseMeterKind(%q): got %q, %v, want %q, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}
