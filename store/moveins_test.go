package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// placeFixture is an estate with one building and two units.
type placeFixture struct {
	estate, unit1, unit2 uint64
}

func places(t *testing.T, s *store.Store, code string) placeFixture {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	f := placeFixture{estate: ticketEstate(t, s, code)}
	b := models.Building{EstateID: f.estate, Name: "1栋"}
	if err := s.CreateBuilding(ctx, all, &b); err != nil {
		t.Fatal(err)
	}
	for i, no := range []string{"101", "102"} {
		u := models.Unit{BuildingID: b.ID, Number: no}
		if err := s.CreateUnit(ctx, all, &u); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.unit1 = u.ID
		} else {
			f.unit2 = u.ID
		}
	}
	return f
}

func addStaff(t *testing.T, s *store.Store, estate uint64, user string, role models.Role, active bool) uint64 {
	t.Helper()
	st := models.Staff{EstateID: &estate, Username: user, Name: user, Role: role, PasswordHash: "x", Active: true}
	if err := s.CreateStaff(context.Background(), store.AllEstates(), &st); err != nil {
		t.Fatal(err)
	}
	if !active {
		off := false
		if _, err := s.UpdateStaff(context.Background(), store.AllEstates(), st.ID, store.StaffUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
	}
	return st.ID
}

func moveInto(unit uint64, at time.Time) models.MoveInRequest {
	return models.MoveInRequest{
		UnitID: unit, MovedInAt: &at, RegisteredBy: 7,
		Residents: []models.NewResident{{Name: "张三", Phone: "13812345678", Role: models.ResidentOwner},
			{Name: "李四", Phone: "13912345678", Role: models.ResidentTenant}},
		Needs: models.ServiceNeeds{ElderlyAtHome: true, PreferredChannel: models.ChannelPhone, PreferredTimes: "晚上"},
	}
}

func TestRegisterMoveIn(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := places(t, s, "A"), places(t, s, "B")
		movedIn := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

		rec, created, err := s.RegisterMoveIn(ctx, store.Estates(a.estate), moveInto(a.unit1, movedIn), "mi-1")
		if err != nil || !created {
			t.Fatalf("register: got created=%v, %v; want a new move-in", created, err)
		}
		h, f := rec.Household, rec.FollowUp
		if h.UnitID != a.unit1 || h.Status != models.HouseholdActive || h.MovedInOn == nil || !h.MovedInOn.Equal(movedIn) || h.Building != "1栋" {
			t.Errorf("household: got %+v, want an active household of unit %d moved in %v", h, a.unit1, movedIn)
		}
		if len(rec.Residents) != 2 || rec.Residents[0].Name != "张三" || rec.Residents[0].HouseholdID != h.ID || rec.Residents[1].EstateID != a.estate {
			t.Errorf("residents: got %+v, want 张三 then 李四 in household %d", rec.Residents, h.ID)
		}
		if !rec.MoveIn.Needs.ElderlyAtHome || rec.MoveIn.Needs.PreferredChannel != models.ChannelPhone || len(rec.MoveIn.ResidentIDs) != 2 {
			t.Errorf("move-in: got %+v, want the needs and two residents", rec.MoveIn)
		}
		wantDue := movedIn.Add(30 * models.Day)
		if f.MoveInID != rec.MoveIn.ID || f.Status != models.FollowUpPending || !f.DueAt.Equal(wantDue) || f.ResidentID != rec.Residents[0].ID || f.RegisteredBy != 7 {
			t.Errorf("follow-up: got %+v, want pending, due %v, contact %d", f, wantDue, rec.Residents[0].ID)
		}
		if rec.Estate.ID != a.estate || rec.Policy.FollowUp.Window != models.DefaultPolicy().FollowUp.Window {
			t.Errorf("estate and policy: got %d and %+v", rec.Estate.ID, rec.Policy.FollowUp)
		}

		again, created, err := s.RegisterMoveIn(ctx, store.Estates(a.estate), moveInto(a.unit1, movedIn), "mi-1")
		if err != nil || created || again.MoveIn.ID != rec.MoveIn.ID || again.FollowUp.ID != f.ID {
			t.Errorf("same key: got move-in %d, created=%v, %v; want %d again", again.MoveIn.ID, created, err, rec.MoveIn.ID)
		}
		if _, _, err := s.RegisterMoveIn(ctx, store.Estates(b.estate), moveInto(b.unit1, movedIn), "mi-1"); !errors.Is(err, models.ErrConflict) {
			t.Errorf("same key from another estate: got %v, want ErrConflict", err)
		}
		var ve *models.ValidationError
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit1, movedIn), ""); !errors.As(err, &ve) || ve.Field != "previous_household_id" {
			t.Errorf("unit with an active household, none named to move out: got %v, want a validation error on previous_household_id", err)
		}
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit1, movedIn), "mi-2"); !errors.As(err, &ve) || ve.Field != "previous_household_id" {
			t.Errorf("unit with an active household, with a new key: got %v, want a validation error on previous_household_id", err)
		}
		onHousehold := moveInto(0, movedIn)
		onHousehold.HouseholdID = h.ID
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), onHousehold, ""); !errors.As(err, &ve) || ve.Field != "household_id" {
			t.Errorf("household registered twice: got %v, want a validation error on household_id", err)
		}
		if _, _, err := s.RegisterMoveIn(ctx, store.Estates(b.estate), moveInto(a.unit2, movedIn), ""); !errors.As(err, &ve) || ve.Field != "unit_id" {
			t.Errorf("unit of another estate: got %v, want a validation error on unit_id", err)
		}

		// An existing household, naming one of its residents and adding one.
		hh := models.Household{UnitID: a.unit2}
		if err := s.CreateHousehold(ctx, store.AllEstates(), &hh); err != nil {
			t.Fatal(err)
		}
		r := models.Resident{HouseholdID: hh.ID, Name: "王五", Phone: "13700000000", Role: models.ResidentOwner}
		if err := s.CreateResident(ctx, store.AllEstates(), &r); err != nil {
			t.Fatal(err)
		}
		req := models.MoveInRequest{HouseholdID: hh.ID, ResidentIDs: []uint64{rec.Residents[0].ID}, RegisteredBy: 7}
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), req, ""); !errors.As(err, &ve) || ve.Field != "resident_ids[0]" {
			t.Errorf("resident of another household: got %v, want a validation error on resident_ids[0]", err)
		}
		req.ResidentIDs = []uint64{r.ID}
		req.Residents = []models.NewResident{{Name: "王小五", Phone: "13700000001", Role: models.ResidentOwner}}
		rec2, created, err := s.RegisterMoveIn(ctx, store.AllEstates(), req, "")
		if err != nil || !created || rec2.FollowUp.ResidentID != r.ID || len(rec2.Residents) != 2 || rec2.Household.ID != hh.ID {
			t.Fatalf("existing household: got %+v, created=%v, %v", rec2, created, err)
		}
		if got, err := s.MoveInsOfHousehold(ctx, store.Estates(b.estate), hh.ID); err != nil || len(got) != 0 {
			t.Errorf("move-ins from another estate: got %v, %v; want none", got, err)
		}

		// Moving out is idempotent.
		out, err := s.MoveOut(ctx, store.Estates(a.estate), h.ID, movedIn.Add(48*time.Hour))
		if err != nil || out.Status != models.HouseholdMovedOut || out.MovedOut == nil || !out.MovedOut.Equal(movedIn.Add(48*time.Hour)) {
			t.Fatalf("move out: got %+v, %v", out, err)
		}
		out, err = s.MoveOut(ctx, store.Estates(a.estate), h.ID, movedIn.Add(72*time.Hour))
		if err != nil || !out.MovedOut.Equal(movedIn.Add(48*time.Hour)) {
			t.Errorf("move out again: got %+v, %v; want the first move-out kept", out.MovedOut, err)
		}
		if _, err := s.MoveOut(ctx, store.Estates(b.estate), h.ID, movedIn); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("move out from another estate: got %v, want ErrNotFound", err)
		}
		moved := moveInto(0, movedIn)
		moved.HouseholdID = h.ID
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moved, ""); !errors.As(err, &ve) || ve.Field != "household_id" {
			t.Errorf("moved-out household: got %v, want a validation error on household_id", err)
		}
	})
}

// TestMoveInChangesHands: a move-in into an occupied unit names the
// household living there, which moves out at the move-in time keeping its
// residents and bills; the new household is the unit's only active one.
func TestMoveInChangesHands(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx, all := context.Background(), store.AllEstates()
		a := places(t, s, "A")
		first := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		old, _, err := s.RegisterMoveIn(ctx, all, moveInto(a.unit1, first), "")
		if err != nil {
			t.Fatal(err)
		}
		bill, err := s.IssueBill(ctx, all, old.Household.ID, models.Month{Year: 2026, Month: 1}, 30000, models.DefaultPolicy().Fees, nil)
		if err != nil {
			t.Fatal(err)
		}

		var ve *models.ValidationError
		later := first.Add(60 * models.Day)
		wrong := moveInto(a.unit1, later)
		wrong.PreviousHouseholdID = old.Household.ID + 100
		if _, _, err := s.RegisterMoveIn(ctx, all, wrong, ""); !errors.As(err, &ve) || ve.Field != "previous_household_id" {
			t.Errorf("another household named: got %v, want a validation error on previous_household_id", err)
		}
		empty := moveInto(a.unit2, later)
		empty.PreviousHouseholdID = old.Household.ID
		if _, _, err := s.RegisterMoveIn(ctx, all, empty, ""); !errors.As(err, &ve) || ve.Field != "previous_household_id" {
			t.Errorf("household named for an empty unit: got %v, want a validation error on previous_household_id", err)
		}

		req := moveInto(a.unit1, later)
		req.PreviousHouseholdID = old.Household.ID
		rec, created, err := s.RegisterMoveIn(ctx, all, req, "change-1")
		if err != nil || !created || rec.Household.ID == old.Household.ID || rec.Household.Status != models.HouseholdActive {
			t.Fatalf("change of hands: got %+v, created=%v, %v; want a new active household", rec.Household, created, err)
		}
		prev, err := s.Household(ctx, all, old.Household.ID)
		if err != nil || prev.Status != models.HouseholdMovedOut || prev.MovedOut == nil || !prev.MovedOut.Equal(later) {
			t.Errorf("previous household: got %+v, %v; want moved out at %v", prev, err, later)
		}
		bills, err := s.Bills(ctx, all, store.BillFilter{HouseholdID: old.Household.ID}, store.Page{})
		if err != nil || bills.Total != 1 || bills.Items[0].ID != bill.ID {
			t.Errorf("previous household's bills: got %+v, %v; want its bill %d kept", bills.Items, err, bill.ID)
		}
		residents, err := s.Residents(ctx, all, store.ResidentFilter{HouseholdID: old.Household.ID}, store.Page{})
		if err != nil || residents.Total != 2 {
			t.Errorf("previous household's residents: got %d, %v; want its 2 kept", residents.Total, err)
		}
		active, err := s.Households(ctx, all, store.HouseholdFilter{UnitID: a.unit1, Status: models.HouseholdActive}, store.Page{})
		if err != nil || active.Total != 1 || active.Items[0].ID != rec.Household.ID {
			t.Errorf("active households of the unit: got %+v, %v; want only the new one", active.Items, err)
		}
		again, created, err := s.RegisterMoveIn(ctx, all, req, "change-1")
		if err != nil || created || again.MoveIn.ID != rec.MoveIn.ID {
			t.Errorf("same key again: got move-in %d, created=%v, %v; want %d", again.MoveIn.ID, created, err, rec.MoveIn.ID)
		}
	})
}

func TestFollowUpReadModel(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := places(t, s, "A"), places(t, s, "B")
		now := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
		// Moved in 40 days ago (overdue) and 10 days ago.
		old, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit1, now.Add(-40*models.Day)), "")
		if err != nil {
			t.Fatal(err)
		}
		recent, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit2, now.Add(-10*models.Day)), "")
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(b.unit1, now.Add(-40*models.Day)), "")
		if err != nil {
			t.Fatal(err)
		}
		assignee := uint64(5)
		p := old.FollowUp.FollowUpProgress
		p.AssigneeID, p.EscalationLevel, p.Revision = &assignee, 1, 2
		ch := store.FollowUpChange{FollowUpID: old.FollowUp.ID, Progress: p,
			Event: models.CaseEvent{Key: "followup-1/2", Type: "escalation", At: now, Detail: map[string]string{"level": "1"}}}
		if ok, err := s.RecordFollowUpChange(ctx, ch); err != nil || !ok {
			t.Fatalf("record: got %v, %v", ok, err)
		}
		if ok, err := s.RecordFollowUpChange(ctx, ch); err != nil || ok {
			t.Errorf("record the same key again: got %v, %v; want false, nil", ok, err)
		}
		stale := ch
		stale.Progress.Revision, stale.Progress.EscalationLevel = 1, 0
		stale.Event.Key = "followup-1/1"
		if ok, err := s.RecordFollowUpChange(ctx, stale); err != nil || !ok {
			t.Errorf("record an older revision: got %v, %v; want its event recorded", ok, err)
		}
		got, err := s.FollowUp(ctx, store.Estates(a.estate), old.FollowUp.ID)
		if err != nil || got.EscalationLevel != 1 || got.Revision != 2 || got.AssigneeID == nil || *got.AssigneeID != 5 {
			t.Errorf("follow-up after changes: got %+v, %v; want revision 2 kept", got.FollowUpProgress, err)
		}
		evs, err := s.FollowUpEvents(ctx, store.Estates(a.estate), old.FollowUp.ID)
		if err != nil || len(evs) != 2 || evs[0].Detail["level"] != "1" || evs[0].EstateID != a.estate {
			t.Errorf("events: got %+v, %v", evs, err)
		}
		if _, err := s.FollowUpEvents(ctx, store.Estates(b.estate), old.FollowUp.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("events from another estate: got %v, want ErrNotFound", err)
		}

		ids := func(f store.FollowUpFilter, scope store.Scope) []uint64 {
			t.Helper()
			f.Now = now
			l, err := s.FollowUps(ctx, scope, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			out := []uint64{}
			for _, it := range l.Items {
				out = append(out, it.ID)
			}
			return out
		}
		o, r, x := old.FollowUp.ID, recent.FollowUp.ID, other.FollowUp.ID
		tests := []struct {
			name  string
			give  store.FollowUpFilter
			scope store.Scope
			want  []uint64
		}{
			{"all, soonest due first", store.FollowUpFilter{}, store.AllEstates(), []uint64{o, x, r}},
			{"estate A", store.FollowUpFilter{}, store.Estates(a.estate), []uint64{o, r}},
			{"overdue", store.FollowUpFilter{Overdue: true}, store.Estates(a.estate), []uint64{o}},
			{"by assignee", store.FollowUpFilter{AssigneeID: 5}, store.AllEstates(), []uint64{o}},
			{"due before", store.FollowUpFilter{DueBefore: now.Add(5 * models.Day)}, store.AllEstates(), []uint64{o, x}},
			{"status", store.FollowUpFilter{Status: models.FollowUpPending, EstateID: b.estate}, store.AllEstates(), []uint64{x}},
			{"household", store.FollowUpFilter{HouseholdID: recent.Household.ID}, store.AllEstates(), []uint64{r}},
		}
		for _, tt := range tests {
			if got := ids(tt.give, tt.scope); !equalIDs(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		closed := recent.FollowUp.FollowUpProgress
		closed.Status, closed.Revision = models.FollowUpCancelled, 1
		if _, err := s.RecordFollowUpChange(ctx, store.FollowUpChange{FollowUpID: r, Progress: closed,
			Event: models.CaseEvent{Key: "followup-2/1", Type: "cancel", At: now}}); err != nil {
			t.Fatal(err)
		}
		if got := ids(store.FollowUpFilter{Overdue: true, Now: now.Add(60 * models.Day)}, store.Estates(a.estate)); !equalIDs(got, []uint64{o}) {
			t.Errorf("overdue once the second is cancelled: got %v, want %v", got, []uint64{o})
		}
	})
}

func TestFollowUpAssignee(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := places(t, s, "A")
		lonely := ticketEstate(t, s, "L")
		cs1 := addStaff(t, s, a.estate, "cs1", models.RoleCustomerService, true)
		cs2 := addStaff(t, s, a.estate, "cs2", models.RoleCustomerService, true)
		addStaff(t, s, a.estate, "cs-gone", models.RoleCustomerService, false)
		sup := addStaff(t, s, a.estate, "sup", models.RoleSupervisor, true)

		// cs1 already has one visit to make.
		rec, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit1, time.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		p := rec.FollowUp.FollowUpProgress
		p.AssigneeID, p.Revision = &cs1, 1
		if _, err := s.RecordFollowUpChange(ctx, store.FollowUpChange{FollowUpID: rec.FollowUp.ID, Progress: p,
			Event: models.CaseEvent{Key: "k1", Type: "assigned", At: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name      string
			estate    uint64
			registrar uint64
			prefer    bool
			want      uint64
		}{
			{"registrar is customer service", a.estate, cs1, true, cs1},
			{"registrar not preferred: least loaded", a.estate, cs1, false, cs2},
			{"registrar is a supervisor", a.estate, sup, true, cs2},
			{"no customer service: the registrar", lonely, sup, true, sup},
		}
		for _, tt := range tests {
			got, err := s.FollowUpAssignee(ctx, tt.estate, tt.registrar, tt.prefer)
			if err != nil || got != tt.want {
				t.Errorf("%s: got %d, %v; want %d", tt.name, got, err, tt.want)
			}
		}
	})
}

func TestResidentTickets(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := places(t, s, "A"), places(t, s, "B")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		rec, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(a.unit1, now), "")
		if err != nil {
			t.Fatal(err)
		}
		res := rec.Residents[0].ID
		byResident := newTicket(a.estate, now)
		byResident.ResidentID = &res
		byHousehold := newTicket(a.estate, now.Add(time.Hour))
		byHousehold.HouseholdID = &rec.Household.ID
		for _, tk := range []*models.Ticket{byResident, byHousehold, newTicket(a.estate, now)} {
			if _, _, err := s.CreateTicket(ctx, store.AllEstates(), tk, ""); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ResidentTickets(ctx, store.Estates(a.estate), res, rec.Household.ID)
		if err != nil || len(got) != 2 || got[0].ID != byHousehold.ID || got[1].ID != byResident.ID {
			t.Errorf("tickets: got %+v, %v; want the household's then the resident's", got, err)
		}
		if got, err := s.ResidentTickets(ctx, store.Estates(b.estate), res, rec.Household.ID); err != nil || len(got) != 0 {
			t.Errorf("tickets from another estate: got %d, %v; want none", len(got), err)
		}
	})
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMoveInContactNeeds: the residents who move in take the needs'
// preferred channel, contact times and contact window.
func TestMoveInContactNeeds(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		a := places(t, s, "A")
		req := moveInto(a.unit1, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		req.Needs.PreferredChannel = models.ChannelWeChat
		req.Needs.ContactWindow = &models.ContactWindow{From: "18:00", To: "21:00", Weekdays: []time.Weekday{time.Saturday}}
		rec, _, err := s.RegisterMoveIn(context.Background(), store.AllEstates(), req, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Residents {
			got, err := s.Resident(context.Background(), store.AllEstates(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			w := got.ContactWindow
			if got.PreferredChannel != models.ChannelWeChat || got.ContactTimes != "晚上" || w == nil || w.From != "18:00" || len(w.Weekdays) != 1 {
				t.Errorf("resident %d: got %+v (window %+v), want wechat, 晚上, 18:00-21:00 on Saturdays", r.ID, got, w)
			}
		}
	})
}
