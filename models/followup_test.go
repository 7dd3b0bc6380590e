package models

import (
	"errors"
	"testing"
	"time"
)

func TestNextAttemptAt(t *testing.T) {
	now := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		due       time.Time
		remaining int
		want      time.Time
	}{
		{"27 days, 2 tries left: a third of the way", now.Add(27 * Day), 2, now.Add(9 * Day)},
		{"one try left: half way", now.Add(10 * Day), 1, now.Add(5 * Day)},
		{"window ended: at once", now.Add(-time.Hour), 2, now},
		{"no tries left: at once", now.Add(10 * Day), 0, now},
	}
	for _, tt := range tests {
		if got := NextAttemptAt(now, tt.due, tt.remaining); !got.Equal(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVisitValidate(t *testing.T) {
	movedIn := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := movedIn.Add(10 * Day)
	ok := func() FollowUpVisit {
		return FollowUpVisit{VisitedAt: now.Add(-time.Hour), Channel: VisitInPerson, Participants: []string{"客服"}, Satisfaction: 3,
			Items: []VisitItem{{Kind: ItemRepair, Text: "漏水", Urgency: UrgencyUrgent}}, Actions: []string{"回电"}}
	}
	tests := []struct {
		name  string
		give  func(*FollowUpVisit)
		field string // "" for valid
	}{
		{"valid", func(*FollowUpVisit) {}, ""},
		{"no time", func(v *FollowUpVisit) { v.VisitedAt = time.Time{} }, "visited_at"},
		{"in the future", func(v *FollowUpVisit) { v.VisitedAt = now.Add(time.Hour) }, "visited_at"},
		{"before the move-in", func(v *FollowUpVisit) { v.VisitedAt = movedIn.Add(-time.Hour) }, "visited_at"},
		{"bad channel", func(v *FollowUpVisit) { v.Channel = "letter" }, "channel"},
		{"nobody took part", func(v *FollowUpVisit) { v.Participants = nil }, "participants"},
		{"empty participant", func(v *FollowUpVisit) { v.Participants = []string{""} }, "participants[0]"},
		{"satisfaction 0", func(v *FollowUpVisit) { v.Satisfaction = 0 }, "satisfaction"},
		{"satisfaction 6", func(v *FollowUpVisit) { v.Satisfaction = 6 }, "satisfaction"},
		{"unknown kind", func(v *FollowUpVisit) { v.Items[0].Kind = "gossip" }, "items[0].kind"},
		{"empty text", func(v *FollowUpVisit) { v.Items[0].Text = "" }, "items[0].text"},
		{"urgent praise", func(v *FollowUpVisit) { v.Items[0].Kind = ItemPraise }, "items[0].urgency"},
		{"bad urgency", func(v *FollowUpVisit) { v.Items[0].Urgency = "asap" }, "items[0].urgency"},
		{"empty action", func(v *FollowUpVisit) { v.Actions = []string{""} }, "follow_up_actions[0]"},
	}
	for _, tt := range tests {
		v := ok()
		tt.give(&v)
		wantMoveInField(t, tt.name, v.Validate(now, movedIn), tt.field)
	}
}

func TestMoveInRequestValidate(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ok := func() MoveInRequest {
		return MoveInRequest{UnitID: 1, RegisteredBy: 9, Residents: []NewResident{{Name: "张三", Phone: "13812345678", Role: ResidentOwner}}}
	}
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	tests := []struct {
		name  string
		give  func(*MoveInRequest)
		field string
	}{
		{"valid", func(*MoveInRequest) {}, ""},
		{"existing household and resident", func(r *MoveInRequest) { r.UnitID, r.HouseholdID, r.Residents, r.ResidentIDs = 0, 3, nil, []uint64{4} }, ""},
		{"no place", func(r *MoveInRequest) { r.UnitID = 0 }, "household_id"},
		{"both places", func(r *MoveInRequest) { r.HouseholdID = 3 }, "unit_id"},
		{"nobody", func(r *MoveInRequest) { r.Residents = nil }, "residents"},
		{"duplicate resident", func(r *MoveInRequest) { r.ResidentIDs = []uint64{4, 4} }, "resident_ids[1]"},
		{"no name", func(r *MoveInRequest) { r.Residents[0].Name = "" }, "residents[0].name"},
		{"bad phone", func(r *MoveInRequest) { r.Residents[0].Phone = "call me" }, "residents[0].phone"},
		{"bad role", func(r *MoveInRequest) { r.Residents[0].Role = "guest" }, "residents[0].role"},
		{"two years ago", func(r *MoveInRequest) { r.MovedInAt = at(-2 * 365 * Day) }, "moved_in_at"},
		{"next week", func(r *MoveInRequest) { r.MovedInAt = at(7 * Day) }, ""},
		{"next year", func(r *MoveInRequest) { r.MovedInAt = at(200 * Day) }, "moved_in_at"},
		{"fax", func(r *MoveInRequest) { r.Needs.PreferredChannel = "fax" }, "needs.preferred_channel"},
		{"long notes", func(r *MoveInRequest) { r.Needs.Notes = string(make([]rune, 501)) }, "needs.notes"},
		{"no registrar", func(r *MoveInRequest) { r.RegisteredBy = 0 }, "registered_by"},
	}
	for _, tt := range tests {
		r := ok()
		tt.give(&r)
		wantMoveInField(t, tt.name, r.Validate(now), tt.field)
	}
	if got := ok().MovedIn(now); !got.Equal(now) {
		t.Errorf("default move-in time: got %v, want now", got)
	}
}

func wantMoveInField(t *testing.T, name string, err error, field string) {
	t.Helper()
	var ve *ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: got %v, want valid", name, err)
	case field != "" && (!errors.As(err, &ve) || ve.Field != field):
		t.Errorf("%s: got %v, want a validation error on %s", name, err, field)
	}
}
