package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestLookupHouseholds(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		a, b := places(t, s, "A"), places(t, s, "B")
		movedIn := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		recA, _, err := s.RegisterMoveIn(ctx, all, moveInto(a.unit1, movedIn), "lookup-a")
		must(t, err)
		_, _, err = s.RegisterMoveIn(ctx, all, moveInto(b.unit1, movedIn), "lookup-b")
		must(t, err)
		hA := recA.Household.ID
		open := newTicket(a.estate, movedIn)
		open.HouseholdID = &hA
		openT, _, err := s.CreateTicket(ctx, all, open, "")
		must(t, err)
		closed := newTicket(a.estate, movedIn)
		closed.HouseholdID = &hA
		closed.Status = models.StatusClosed
		_, _, err = s.CreateTicket(ctx, all, closed, "")
		must(t, err)

		onlyA := store.Estates(a.estate)
		tests := []struct {
			name       string
			scope      store.Scope
			give       string
			matchPhone bool
			want       int
		}{
			{"whole phone", onlyA, "13812345678", true, 1},
			{"phone with country code and spaces", onlyA, "+86 138 1234 5678", true, 1},
			{"phone for a role that may not see phones", onlyA, "13812345678", false, 0},
			{"another number", onlyA, "13812345679", true, 0},
			{"phone in every estate", all, "13812345678", true, 2},
			{"part of a name", onlyA, "三", false, 1},
			{"tenant's name", onlyA, "李四", false, 1},
			{"name nobody has", onlyA, "王五", false, 0},
			{"1栋101", onlyA, "1栋101", false, 1},
			{"1号楼101", onlyA, "1号楼101", false, 1},
			{"1-101", onlyA, "1-101", false, 1},
			{"room in any building", onlyA, "101", false, 1},
			{"a unit with no household", onlyA, "1栋102", false, 0},
			{"a building that does not exist", onlyA, "2栋101", false, 0},
			{"a name with LIKE wildcards", onlyA, "%", false, 0},
			{"nothing to look for", onlyA, "#12", true, 0},
		}
		for _, tt := range tests {
			got, err := s.LookupHouseholds(ctx, tt.scope, models.ParseLookup(tt.give), tt.matchPhone)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got) != tt.want {
				t.Errorf("%s: got %d households, want %d", tt.name, len(got), tt.want)
			}
		}

		got, err := s.LookupHouseholds(ctx, onlyA, models.ParseLookup("1栋101"), false)
		must(t, err)
		if len(got) != 1 {
			t.Fatalf("1栋101: got %d households, want 1", len(got))
		}
		h := got[0]
		if h.ID != hA || h.Building != "1栋" || h.UnitNumber != "101" {
			t.Errorf("household: got %d at %s %s, want %d at 1栋 101", h.ID, h.Building, h.UnitNumber, hA)
		}
		if len(h.Residents) != 2 || h.Residents[0].Name != "张三" || h.Residents[0].Role != models.ResidentOwner {
			t.Errorf("residents: got %+v, want the owner 张三 first of 2", h.Residents)
		}
		if len(h.OpenTickets) != 1 || h.OpenTickets[0].ID != openT.ID {
			t.Errorf("open tickets: got %d, want only ticket %d", len(h.OpenTickets), openT.ID)
		}
		if len(h.FollowUps) != 1 || h.FollowUps[0].ID != recA.FollowUp.ID {
			t.Errorf("follow-ups: got %d, want the move-in's follow-up %d", len(h.FollowUps), recA.FollowUp.ID)
		}
	})
}

// TestLookupHouseholdsIsBounded: a name many residents share finds at most
// MaxLookup households, active ones first.
func TestLookupHouseholdsIsBounded(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		e := ticketEstate(t, s, "A")
		b := models.Building{EstateID: e, Name: "1栋"}
		must(t, s.CreateBuilding(ctx, all, &b))
		for i := range store.MaxLookup + 2 {
			u := models.Unit{BuildingID: b.ID, Number: fmt.Sprintf("%d", 101+i)}
			must(t, s.CreateUnit(ctx, all, &u))
			h := models.Household{UnitID: u.ID}
			if i == 0 {
				h.Status = models.HouseholdMovedOut
			}
			must(t, s.CreateHousehold(ctx, all, &h))
			must(t, s.CreateResident(ctx, all, &models.Resident{HouseholdID: h.ID, Name: "王业主", Phone: "13812345678", Role: models.ResidentOwner}))
		}
		got, err := s.LookupHouseholds(ctx, all, models.ParseLookup("业主"), false)
		must(t, err)
		if len(got) != store.MaxLookup {
			t.Fatalf("got %d households, want %d", len(got), store.MaxLookup)
		}
		for _, h := range got {
			if h.Status != models.HouseholdActive {
				t.Errorf("got household %d (%s) among the first %d, want active ones first", h.ID, h.Status, store.MaxLookup)
			}
		}
	})
}

// TestReporterContact: a ticket's reporter phone finds the estate's
// resident with that number (in any stored form, the ticket's household
// first), or becomes a contact in no household, found again next time.
func TestReporterContact(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		a, b := places(t, s, "A"), places(t, s, "B")
		moveIn := func(unit uint64, key string) store.MoveInRecord {
			rec, _, err := s.RegisterMoveIn(context.Background(), store.AllEstates(), moveInto(unit, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), key)
			must(t, err)
			return rec
		}
		owner := moveIn(a.unit1, "reporter-a").Residents[0] // 张三, 13812345678
		// The same number on a second household of A: the ticket's own
		// household decides.
		hA2 := moveIn(a.unit2, "reporter-a2").Household.ID
		ctx, all := context.Background(), store.AllEstates()
		onlyA := store.Estates(a.estate)

		got, created, err := s.ReporterContact(ctx, onlyA, a.estate, nil, "+86 138 1234 5678", "")
		if err != nil || created || got.ID != owner.ID {
			t.Errorf("a resident's number: got %+v, created %v, %v; want resident %d", got, created, err, owner.ID)
		}
		got, _, err = s.ReporterContact(ctx, onlyA, a.estate, &hA2, "13812345678", "")
		if err != nil || got.HouseholdID != hA2 {
			t.Errorf("with the ticket's household: got %+v, %v; want the resident of household %d", got, err, hA2)
		}

		contact, created, err := s.ReporterContact(ctx, onlyA, a.estate, nil, "13700001111", "王先生")
		if err != nil || !created || contact.Role != models.ResidentContact || contact.HouseholdID != 0 ||
			contact.EstateID != a.estate || contact.Name != "王先生" || contact.Phone != "13700001111" {
			t.Fatalf("a new number: got %+v, created %v, %v; want a contact of estate %d in no household", contact, created, err, a.estate)
		}
		again, created, err := s.ReporterContact(ctx, onlyA, a.estate, nil, "13700001111", "")
		if err != nil || created || again.ID != contact.ID {
			t.Errorf("the same number again: got %+v, created %v, %v; want contact %d", again, created, err, contact.ID)
		}
		unnamed, _, err := s.ReporterContact(ctx, onlyA, a.estate, nil, "0755-12345678", "")
		if err != nil || unnamed.Name != "报事人" {
			t.Errorf("no name: got %+v, %v; want 报事人", unnamed, err)
		}
		// Another estate's reporter with the same number is its own contact.
		other, created, err := s.ReporterContact(ctx, all, b.estate, nil, "13700001111", "")
		if err != nil || !created || other.ID == contact.ID || other.EstateID != b.estate {
			t.Errorf("in estate B: got %+v, created %v, %v; want a contact of its own", other, created, err)
		}
		var ve *models.ValidationError
		if _, _, err := s.ReporterContact(ctx, onlyA, b.estate, nil, "13700001111", ""); !errors.As(err, &ve) || ve.Field != "estate_id" {
			t.Errorf("outside the scope: got %v, want a validation error on estate_id", err)
		}
		// The notifier reaches the contact by its phone.
		c, err := s.ResidentContact(ctx, contact.ID)
		if err != nil || c.Phone != "13700001111" || c.EstateID != a.estate || !c.Active {
			t.Errorf("contact for messages: got %+v, %v", c, err)
		}
	})
}
