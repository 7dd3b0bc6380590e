package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestPhoneReveals(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		first := models.PhoneReveal{ResidentID: a.resident.ID, StaffID: 7, Ref: "ticket:12", RevealedAt: at}
		must(t, s.RecordPhoneReveal(ctx, store.Estates(a.estate.ID), &first))
		if first.ID == 0 || first.EstateID != a.estate.ID || first.HouseholdID != a.household.ID {
			t.Errorf("recorded: got %+v, want estate %d and household %d from the resident", first, a.estate.ID, a.household.ID)
		}
		second := models.PhoneReveal{ResidentID: a.resident.ID, StaffID: 8, RevealedAt: at.Add(time.Minute)}
		must(t, s.RecordPhoneReveal(ctx, store.AllEstates(), &second))
		must(t, s.RecordPhoneReveal(ctx, store.AllEstates(), &models.PhoneReveal{ResidentID: b.resident.ID, StaffID: 9, RevealedAt: at}))

		err := s.RecordPhoneReveal(ctx, store.Estates(a.estate.ID), &models.PhoneReveal{ResidentID: b.resident.ID, StaffID: 7, RevealedAt: at})
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("resident of another estate: got %v, want not found", err)
		}
		long := models.PhoneReveal{ResidentID: a.resident.ID, StaffID: 7, Ref: strings.Repeat("页", models.MaxRevealRefLen+1), RevealedAt: at}
		wantField(t, "long ref", s.RecordPhoneReveal(ctx, store.AllEstates(), &long), "ref")

		page := store.Page{Size: 50}
		got, err := s.PhoneReveals(ctx, store.Estates(a.estate.ID), store.PhoneRevealFilter{}, page)
		must(t, err)
		if got.Total != 2 || got.Items[0].ID != second.ID || got.Items[1].ID != first.ID || got.Items[1].Ref != "ticket:12" {
			t.Errorf("estate A's log: got %+v, want reveals %d then %d", got.Items, second.ID, first.ID)
		}
		if !got.Items[1].RevealedAt.Equal(at) {
			t.Errorf("revealed at: got %v, want %v", got.Items[1].RevealedAt, at)
		}
		byStaff, err := s.PhoneReveals(ctx, store.AllEstates(), store.PhoneRevealFilter{StaffID: 7}, page)
		must(t, err)
		if byStaff.Total != 1 || byStaff.Items[0].ID != first.ID {
			t.Errorf("by staff 7: got %+v, want reveal %d", byStaff.Items, first.ID)
		}
		byEstate, err := s.PhoneReveals(ctx, store.AllEstates(), store.PhoneRevealFilter{EstateID: b.estate.ID}, page)
		must(t, err)
		if byEstate.Total != 1 || byEstate.Items[0].ResidentID != b.resident.ID {
			t.Errorf("estate B: got %+v, want the reveal of resident %d", byEstate.Items, b.resident.ID)
		}
	})
}
