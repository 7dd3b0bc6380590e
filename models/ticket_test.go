package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewTicketRequestValidate(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Minute)
	hh := uint64(4)
	valid := func() NewTicketRequest {
		return NewTicketRequest{EstateID: 1, Kind: TicketRepair, Urgency: UrgencyNormal, Category: "水电",
			Description: "厨房漏水", HouseholdID: &hh, Channel: ReportApp, FirstReceiverID: 9}
	}
	tests := []struct {
		name string
		give func(r *NewTicketRequest)
		want string // the field, "" when valid
	}{
		{"valid", func(r *NewTicketRequest) {}, ""},
		{"appointment ahead", func(r *NewTicketRequest) { r.Appointment = &later }, ""},
		{"appointment now", func(r *NewTicketRequest) { r.Appointment = &now }, ""},
		{"common area", func(r *NewTicketRequest) { r.HouseholdID, r.Location = nil, "1栋电梯" }, ""},
		{"complaint", func(r *NewTicketRequest) { r.Kind = TicketComplaint }, ""},
		{"no estate", func(r *NewTicketRequest) { r.EstateID = 0 }, "estate_id"},
		{"bad kind", func(r *NewTicketRequest) { r.Kind = "praise" }, "kind"},
		{"bad urgency", func(r *NewTicketRequest) { r.Urgency = "asap" }, "urgency"},
		{"no category", func(r *NewTicketRequest) { r.Category = "" }, "category"},
		{"no description", func(r *NewTicketRequest) { r.Description = "" }, "description"},
		{"description at the limit", func(r *NewTicketRequest) { r.Description = strings.Repeat("漏", MaxTicketDescription) }, ""},
		{"description too long", func(r *NewTicketRequest) { r.Description = strings.Repeat("漏", MaxTicketDescription+1) }, "description"},
		{"nowhere", func(r *NewTicketRequest) { r.HouseholdID = nil }, "location"},
		{"bad channel", func(r *NewTicketRequest) { r.Channel = "fax" }, "channel"},
		{"no receiver", func(r *NewTicketRequest) { r.FirstReceiverID = 0 }, "first_receiver_id"},
		{"appointment in the past", func(r *NewTicketRequest) { r.Appointment = &earlier }, "appointment"},
		{"appointment for urgent", func(r *NewTicketRequest) { r.Urgency, r.Appointment = UrgencyUrgent, &later }, "appointment"},
		{"appointment for a complaint", func(r *NewTicketRequest) { r.Kind, r.Appointment = TicketComplaint, &later }, "appointment"},
		{"reporter phone", func(r *NewTicketRequest) { r.ReporterPhone, r.ReporterName = "13700001111", "王先生" }, ""},
		{"reporter landline", func(r *NewTicketRequest) { r.ReporterPhone = "0755-12345678" }, ""},
		{"bad reporter phone", func(r *NewTicketRequest) { r.ReporterPhone = "12345" }, "reporter_phone"},
		{"reporter phone and resident", func(r *NewTicketRequest) { r.ReporterPhone, r.ResidentID = "13700001111", &hh }, "reporter_phone"},
		{"reporter name alone", func(r *NewTicketRequest) { r.ReporterName = "王先生" }, "reporter_name"},
		{"reporter name too long", func(r *NewTicketRequest) { r.ReporterPhone, r.ReporterName = "13700001111", strings.Repeat("王", 51) }, "reporter_name"},
	}
	for _, tt := range tests {
		r := valid()
		tt.give(&r)
		err := r.Validate(now)
		var ve *ValidationError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v, want valid", tt.name, err)
		case tt.want != "" && (!errors.As(err, &ve) || ve.Field != tt.want):
			t.Errorf("%s: got %v, want a validation error on %s", tt.name, err, tt.want)
		}
	}
}

func TestCheckComplaintAnswer(t *testing.T) {
	for _, tt := range []struct {
		give string
		ok   bool
	}{{"已处理。", true}, {strings.Repeat("答", MaxComplaintAnswer), true}, {"", false}, {" \n ", false},
		{strings.Repeat("答", MaxComplaintAnswer+1), false}} {
		var ve *ValidationError
		err := CheckComplaintAnswer("note", tt.give)
		if tt.ok != (err == nil) || (err != nil && (!errors.As(err, &ve) || ve.Field != "note")) {
			t.Errorf("%d characters: got %v, want ok %v (else on note)", len([]rune(tt.give)), err, tt.ok)
		}
	}
}

func TestTicketSchedule(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	p := DefaultPolicy()
	reported := time.Date(2026, 3, 2, 2, 0, 0, 0, loc)
	got, err := TicketSchedule(p, TicketRepair, UrgencyCritical, reported, nil, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := []TicketDeadline{
		{Milestone: MilestoneContact, Due: reported.Add(5 * time.Minute)},
		{Milestone: MilestoneOnSite, Due: reported.Add(10 * time.Minute)},
		{Milestone: MilestoneComplete, Due: reported.Add(4 * time.Hour)},
	}
	for i := range want {
		if got[i].Milestone != want[i].Milestone || !got[i].Due.Equal(want[i].Due) {
			t.Errorf("repair %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	got, err = TicketSchedule(p, TicketComplaint, UrgencyNormal, reported, nil, loc)
	if err != nil || got[0].Milestone != MilestoneAcknowledge || !got[0].Due.Equal(reported.Add(30*time.Minute)) ||
		!got[1].Due.Equal(reported.Add(24*time.Hour)) || !got[2].Due.Equal(reported.Add(72*time.Hour)) {
		t.Errorf("complaint: got %+v, %v", got, err)
	}
	if _, err := TicketSchedule(p, "praise", UrgencyNormal, reported, nil, loc); err == nil {
		t.Errorf("unknown kind: got no error")
	}
}

func TestEscalationAt(t *testing.T) {
	breach := time.Date(2026, 3, 2, 2, 10, 0, 0, time.UTC)
	p := DefaultPolicy().Escalation // 0, 30m, 2h
	tests := []struct {
		give   int
		want   time.Time
		wantOK bool
	}{
		{0, time.Time{}, false},
		{1, breach, true},
		{2, breach.Add(30 * time.Minute), true},
		{3, breach.Add(150 * time.Minute), true},
		{4, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := p.EscalationAt(breach, tt.give)
		if ok != tt.wantOK || !got.Equal(tt.want) {
			t.Errorf("level %d: got %v, %v, want %v, %v", tt.give, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestReworkWindow(t *testing.T) {
	p := DefaultPolicy()
	if got, err := ReworkWindow(p, TicketRepair, UrgencyUrgent); err != nil || got != 8*time.Hour {
		t.Errorf("urgent repair: got %s, %v, want 8h", got, err)
	}
	if got, err := ReworkWindow(p, TicketComplaint, UrgencyNormal); err != nil || got != 72*time.Hour {
		t.Errorf("complaint: got %s, %v, want 72h", got, err)
	}
	p.Repair.Tiers = nil
	if _, err := ReworkWindow(p, TicketRepair, UrgencyUrgent); err == nil {
		t.Errorf("no tier: got no error")
	}
}
