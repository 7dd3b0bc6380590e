package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func newContract(estate uint64, end time.Time) (*models.Contract, *models.ContractVersion) {
	c := &models.Contract{EstateID: estate, CreatedBy: 7,
		ContractRecord: models.ContractRecord{Number: "HT-1", PartyAKind: models.PartyOwnersAssembly, PartyA: "业主大会", PartyB: "物业公司"},
		ContractTerms:  models.ContractTerms{ServiceLevel: models.ServiceLevel2},
		ContractProgress: models.ContractProgress{Status: models.ContractActive,
			TermStart: end.AddDate(-3, 0, 1), TermEnd: end}}
	return c, &models.ContractVersion{Key: "create", EffectiveOn: c.TermStart, Changes: "首次签订"}
}

func TestContracts(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		a, b := ticketEstate(t, s, "CA"), ticketEstate(t, s, "CB")
		std := models.FeeStandard{EstateID: a, Name: "住宅物业费", Method: models.PricingMethod("area")}
		must(t, s.DB().Create(&std).Error)
		end := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)

		c, v := newContract(a, end)
		other := std.ID + 1000
		c.FeeStandardID = &other
		wantField(t, "another estate's fee standard", s.CreateContract(ctx, c, v), "fee_standard_id")
		c, v = newContract(a, end)
		c.FeeStandardID = &std.ID
		must(t, s.CreateContract(ctx, c, v))
		if c.Version != 1 || v.Version != 1 || v.ContractID != c.ID || v.ServiceLevel != models.ServiceLevel2 {
			t.Fatalf("created %+v with %+v", c, v)
		}
		// One contract at a time per estate.
		c2, v2 := newContract(a, end)
		err := s.CreateContract(ctx, c2, v2)
		wantErr(t, "a second open contract", err, models.ErrConflict)

		// A supplementary agreement: a new version, the same term.
		sup := models.ContractVersion{ContractID: c.ID, Key: "k1", EffectiveOn: end.AddDate(-1, 0, 0), Changes: "调整服务等级",
			ContractTerms: models.ContractTerms{ServiceLevel: models.ServiceLevel1, FeeStandardID: &std.ID}}
		created, err := s.AddContractVersion(ctx, all, &sup)
		must(t, err)
		if !created || sup.Version != 2 || !sup.TermEnd.Equal(end) {
			t.Fatalf("supplementary agreement: created %v, %+v", created, sup)
		}
		again := models.ContractVersion{ContractID: c.ID, Key: "k1", Changes: "重试", ContractTerms: models.ContractTerms{ServiceLevel: models.ServiceLevel3}}
		created, err = s.AddContractVersion(ctx, all, &again)
		must(t, err)
		if created || again.ID != sup.ID {
			t.Errorf("the same key again: created %v, version %+v", created, again)
		}
		// Out of scope: not found.
		hidden := models.ContractVersion{ContractID: c.ID, Key: "k2", Changes: "x", ContractTerms: models.ContractTerms{ServiceLevel: models.ServiceLevel1}}
		_, err = s.AddContractVersion(ctx, store.Estates(b), &hidden)
		wantErr(t, "another estate's staff", err, models.ErrNotFound)

		got, err := s.Contract(ctx, all, c.ID)
		must(t, err)
		if got.Version != 2 || got.ServiceLevel != models.ServiceLevel1 {
			t.Errorf("contract after the agreement: %+v", got)
		}
		vs, err := s.ContractVersions(ctx, all, c.ID)
		must(t, err)
		if len(vs) != 2 || vs[0].Version != 1 || vs[1].Changes != "调整服务等级" {
			t.Errorf("versions: %+v", vs)
		}
		owner, err := s.AttachmentOwner(ctx, all, models.RefOf(models.RefContractVersion, vs[1].ID))
		must(t, err)
		if owner != a {
			t.Errorf("attachment owner: estate %d, want %d", owner, a)
		}
		_, err = s.AttachmentOwner(ctx, store.Estates(b), models.RefOf(models.RefContractVersion, vs[1].ID))
		wantErr(t, "attachment owner out of scope", err, models.ErrNotFound)

		// The process records its transitions; an older revision never
		// overwrites a newer one.
		next := end.AddDate(0, 0, -30)
		rec := func(rev int64, st models.ContractStatus, key string) {
			t.Helper()
			_, err := s.RecordContractChange(ctx, store.ContractChange{ContractID: c.ID,
				Progress: models.ContractProgress{Status: st, TermStart: c.TermStart, TermEnd: end, RemindersSent: 2, NextReminderAt: &next, Revision: rev},
				Event:    models.CaseEvent{Key: key, Type: "reminder", ToStatus: string(st), At: time.Now()}})
			must(t, err)
		}
		rec(2, models.ContractExpiring, "contract-1/2")
		rec(1, models.ContractActive, "contract-1/1")
		got, err = s.Contract(ctx, all, c.ID)
		must(t, err)
		if got.Status != models.ContractExpiring || got.RemindersSent != 2 || got.Version != 2 {
			t.Errorf("after the changes: %+v", got.ContractProgress)
		}
		evs, err := s.ContractEvents(ctx, all, c.ID)
		must(t, err)
		if len(evs) != 2 || evs[0].EstateID != a || evs[0].HouseholdID != 0 {
			t.Errorf("events: %+v", evs)
		}

		list, err := s.Contracts(ctx, all, store.ContractFilter{Status: models.ContractExpiring}, store.Page{Size: 10})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Errorf("list: %+v", list.Items)
		}
		list, err = s.Contracts(ctx, store.Estates(b), store.ContractFilter{}, store.Page{Size: 10})
		must(t, err)
		if len(list.Items) != 0 {
			t.Errorf("another estate's list: %+v", list.Items)
		}
		counts, err := s.ContractCounts(ctx, all, 0)
		must(t, err)
		if len(counts) != 1 || counts[0].Status != models.ContractExpiring || counts[0].Count != 1 {
			t.Errorf("counts: %+v", counts)
		}

		// Handed over: no more versions, and the estate may sign anew.
		rec(3, models.ContractHandedOver, "contract-1/3")
		late := models.ContractVersion{ContractID: c.ID, Key: "k3", Changes: "x", ContractTerms: models.ContractTerms{ServiceLevel: models.ServiceLevel1}}
		_, err = s.AddContractVersion(ctx, all, &late)
		wantErr(t, "a version after the hand-over", err, models.ErrInvalidState)
		c3, v3 := newContract(a, end.AddDate(3, 0, 0))
		must(t, s.CreateContract(ctx, c3, v3))
	})
}
