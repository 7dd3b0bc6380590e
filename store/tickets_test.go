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

// ticketEstate creates an estate and returns its id.
func ticketEstate(t *testing.T, s *store.Store, code string) uint64 {
	t.Helper()
	e := models.Estate{Code: code, Name: "测试 " + code, TimeZone: "Asia/Shanghai"}
	if err := s.CreateEstate(context.Background(), &e, models.DefaultPolicy(), nil); err != nil {
		t.Fatalf("create estate %s: %v", code, err)
	}
	return e.ID
}

func newTicket(estateID uint64, reported time.Time) *models.Ticket {
	r := models.NewTicketRequest{
		EstateID: estateID, Kind: models.TicketRepair, Urgency: models.UrgencyUrgent, Category: "水电",
		Description: "厨房漏水", Location: "2栋大堂", Channel: models.ReportPhone, FirstReceiverID: 7,
	}
	t := r.Ticket(reported)
	return &t
}

func TestCreateTicketIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

		first, created, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, now), "req-1")
		if err != nil || !created || first.ID == 0 || first.Status != models.StatusNew {
			t.Fatalf("first create: got %+v, created=%v, %v; want a new ticket", first, created, err)
		}
		again, created, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, now.Add(time.Minute)), "req-1")
		if err != nil || created || again.ID != first.ID {
			t.Errorf("same key: got id %d, created=%v, %v; want id %d, created=false", again.ID, created, err, first.ID)
		}
		_, _, err = s.CreateTicket(ctx, store.Estates(b), newTicket(b, now), "req-1")
		if !errors.Is(err, models.ErrConflict) {
			t.Errorf("same key from another estate: got %v, want ErrConflict", err)
		}
		// No key: every call creates, and NULL keys do not collide.
		x, c1, err1 := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, now), "")
		y, c2, err2 := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, now), "")
		if err1 != nil || err2 != nil || !c1 || !c2 || x.ID == y.ID {
			t.Errorf("no key: got %d/%v/%v and %d/%v/%v, want two new tickets", x.ID, c1, err1, y.ID, c2, err2)
		}
		_, _, err = s.CreateTicket(ctx, store.Estates(b), newTicket(a, now), "")
		var ve *models.ValidationError
		if !errors.As(err, &ve) || ve.Field != "estate_id" {
			t.Errorf("estate outside scope: got %v, want a validation error on estate_id", err)
		}
		hh := uint64(999)
		bad := newTicket(a, now)
		bad.HouseholdID = &hh
		_, _, err = s.CreateTicket(ctx, store.AllEstates(), bad, "")
		if !errors.As(err, &ve) || ve.Field != "household_id" {
			t.Errorf("unknown household: got %v, want a validation error on household_id", err)
		}
		got, err := s.Ticket(ctx, store.Estates(b), first.ID)
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("ticket of A from B: got %+v, %v, want ErrNotFound", got, err)
		}
	})
}

func TestTicketFiltersAndOrder(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
		tech := uint64(5)
		// name, estate, next due, warn at, assignee
		rows := []struct {
			name      string
			estate    uint64
			due, warn *time.Time
			assignee  *uint64
		}{
			{"breached", a, at(-time.Minute), at(-5 * time.Minute), &tech},
			{"at risk", a, at(time.Minute), at(-time.Minute), nil},
			{"fine", a, at(time.Hour), at(30 * time.Minute), &tech},
			{"no deadline", a, nil, nil, nil},
			{"other estate", b, at(-time.Hour), at(-2 * time.Hour), nil},
		}
		ids := map[string]uint64{}
		for i, r := range rows {
			tk, _, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(r.estate, now), "")
			if err != nil {
				t.Fatal(err)
			}
			ids[r.name] = tk.ID
			p := models.TicketProgress{Status: models.StatusAssigned, AssigneeID: r.assignee, NextDueAt: r.due,
				NextDueKind: models.MilestoneOnSite, WarnAt: r.warn, Revision: 1}
			ev := models.CaseEvent{Key: "seed/" + r.name, Type: "dispatch", At: now.Add(time.Duration(i) * time.Second)}
			if ok, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID, Progress: p, Event: ev}); err != nil || !ok {
				t.Fatalf("record %s: got %v, %v", r.name, ok, err)
			}
		}
		list := func(f store.TicketFilter, scope store.Scope) []uint64 {
			t.Helper()
			f.Now = now
			got, err := s.Tickets(ctx, scope, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			out := []uint64{}
			for _, tk := range got.Items {
				out = append(out, tk.ID)
			}
			return out
		}
		tests := []struct {
			name  string
			give  store.TicketFilter
			scope store.Scope
			want  []string
		}{
			{"estate A by due date, no deadline last", store.TicketFilter{}, store.Estates(a),
				[]string{"breached", "at risk", "fine", "no deadline"}},
			{"all estates", store.TicketFilter{}, store.AllEstates(),
				[]string{"other estate", "breached", "at risk", "fine", "no deadline"}},
			{"breached", store.TicketFilter{Breached: true}, store.Estates(a), []string{"breached"}},
			{"at risk", store.TicketFilter{AtRisk: true}, store.AllEstates(), []string{"at risk"}},
			{"assignee", store.TicketFilter{AssigneeID: tech}, store.AllEstates(), []string{"breached", "fine"}},
			{"estate filter", store.TicketFilter{EstateID: b}, store.AllEstates(), []string{"other estate"}},
			{"status", store.TicketFilter{Status: models.StatusClosed}, store.AllEstates(), []string{}},
			{"kind and urgency", store.TicketFilter{Kind: models.TicketRepair, Urgency: models.UrgencyUrgent, EstateID: b},
				store.AllEstates(), []string{"other estate"}},
		}
		for _, tt := range tests {
			got := list(tt.give, tt.scope)
			want := []uint64{}
			for _, n := range tt.want {
				want = append(want, ids[n])
			}
			if len(got) != len(want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, want)
				continue
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: got %v, want %v", tt.name, got, want)
					break
				}
			}
		}
	})
}

func TestRecordTicketChangeIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := ticketEstate(t, s, "A")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		tk, _, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, now), "")
		if err != nil {
			t.Fatal(err)
		}
		tech := uint64(5)
		actor := uint64(7)
		change := store.TicketChange{TicketID: tk.ID,
			Progress: models.TicketProgress{Status: models.StatusAssigned, AssigneeID: &tech, Revision: 2,
				Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: now.Add(5 * time.Minute)}}},
			Event: models.CaseEvent{Key: "ticket-1/2", Type: "dispatch", ActorID: &actor, FromStatus: string(models.StatusNew),
				ToStatus: string(models.StatusAssigned), Detail: map[string]string{"assignee_id": "5"}, At: now}}
		for i, want := range []bool{true, false} {
			got, err := s.RecordTicketChange(ctx, change)
			if err != nil || got != want {
				t.Errorf("call %d: got %v, %v, want %v", i+1, got, err, want)
			}
		}
		// An older revision adds its event but does not roll the row back.
		old := change
		old.Progress = models.TicketProgress{Status: models.StatusNew, Revision: 1}
		old.Event.Key, old.Event.Type, old.Event.Detail = "ticket-1/1", "registered", nil
		if ok, err := s.RecordTicketChange(ctx, old); err != nil || !ok {
			t.Errorf("older revision: got %v, %v, want recorded", ok, err)
		}
		got, err := s.Ticket(ctx, store.AllEstates(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.StatusAssigned || got.AssigneeID == nil || *got.AssigneeID != tech ||
			got.Revision != 2 || len(got.Deadlines) != 1 || !got.Deadlines[0].Due.Equal(now.Add(5*time.Minute)) {
			t.Errorf("ticket: got %+v, want assigned to %d at revision 2 with its deadline", got.TicketProgress, tech)
		}
		evs, err := s.TicketEvents(ctx, store.AllEstates(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Written second but of the older revision, the registration still
		// comes first in the same minute.
		if len(evs) != 2 || evs[0].Type != "registered" || evs[1].Type != "dispatch" || evs[1].Revision != 2 ||
			evs[1].Detail["assignee_id"] != "5" || *evs[1].ActorID != actor {
			t.Errorf("events: got %+v, want the registration, then the dispatch", evs)
		}
		if _, err := s.TicketEvents(ctx, store.Estates(a+1), tk.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("events outside scope: got %v, want ErrNotFound", err)
		}
		if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: 9999, Event: models.CaseEvent{Key: "x"}}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown ticket: got %v, want ErrNotFound", err)
		}
	})
}

func TestStaffToNotify(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		add := func(name string, estate *uint64, role models.Role, active bool) uint64 {
			st := models.Staff{Username: name, Name: name, Role: role, PasswordHash: "x", EstateID: estate, Active: true}
			if err := s.CreateStaff(ctx, store.AllEstates(), &st); err != nil {
				t.Fatal(err)
			}
			if !active {
				off := false
				if _, err := s.UpdateStaff(ctx, store.AllEstates(), st.ID, store.StaffUpdate{Active: &off}); err != nil {
					t.Fatal(err)
				}
			}
			return st.ID
		}
		sup1 := add("sup1", &a, models.RoleSupervisor, true)
		add("sup2", &a, models.RoleSupervisor, false)
		add("supB", &b, models.RoleSupervisor, true)
		add("adminA", &a, models.RoleCompanyAdmin, true)
		admin := add("admin", nil, models.RoleCompanyAdmin, true)

		got, err := s.StaffToNotify(ctx, a, models.RoleSupervisor)
		if err != nil || len(got) != 1 || got[0] != sup1 {
			t.Errorf("supervisors of A: got %v, %v, want [%d]", got, err, sup1)
		}
		got, err = s.StaffToNotify(ctx, a, models.RoleCompanyAdmin)
		if err != nil || len(got) != 1 || got[0] != admin {
			t.Errorf("company admins: got %v, %v, want [%d]", got, err, admin)
		}
	})
}
