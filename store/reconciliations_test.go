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

func TestReconcile(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		a, hh := arrearsHousehold(t, s, "CA")
		b, _ := arrearsHousehold(t, s, "CB")
		day := models.Date{Year: 2026, Month: 12, Day: 5}
		at := func(h, m int) time.Time { return time.Date(2026, 12, 5, h, m, 0, 0, shanghai) }
		for _, p := range []models.FeePayment{
			{Reference: "wx-ok", AmountFen: 30000, PaidAt: at(9, 0), Channel: models.PayWeChat},
			{Reference: "wx-diff", AmountFen: 30000, PaidAt: at(10, 0), Channel: models.PayWeChat},
			{Reference: "wx-missing", AmountFen: 500, PaidAt: at(23, 59), Channel: models.PayWeChat},
			{Reference: "wx-yesterday", AmountFen: 500, PaidAt: at(0, 0).Add(-time.Minute), Channel: models.PayWeChat},
			{Reference: "cash-1", AmountFen: 500, PaidAt: at(11, 0), Channel: models.PayCash},
		} {
			p.HouseholdID, p.RecordedBy = hh, 1
			if _, _, err := s.RecordPayment(ctx, all, &p, shanghai); err != nil {
				t.Fatal(err)
			}
		}
		st := store.Statement{EstateID: a, Channel: models.PayWeChat, Day: day, Loc: shanghai, Digest: "d1", FileName: "wechat-2026-12-05.csv",
			Source: models.SourceUpload, Rows: []models.StatementRow{
				{Line: 2, Reference: "wx-ok", AmountFen: 30000, At: at(9, 0)},
				{Line: 3, Reference: "wx-diff", AmountFen: 29900, At: at(10, 0)},
				{Line: 4, Reference: "wx-new", AmountFen: 100, At: at(12, 0)},
				{Line: 5, Reference: "wx-yesterday", AmountFen: 500, At: at(0, 1)},
			}}
		r, created, err := s.Reconcile(ctx, all, st)
		if err != nil || !created || r.Rows != 4 || r.Matched != 2 || r.MismatchCount != 3 {
			t.Fatalf("reconcile: got %+v, %v, %v, want 4 rows, 2 matched, 3 mismatches", r, created, err)
		}
		got, err := s.Reconciliation(ctx, all, r.ID)
		must(t, err)
		want := []struct {
			kind models.MismatchKind
			ref  string
		}{{models.AmountDiffers, "wx-diff"}, {models.NotRecorded, "wx-new"}, {models.NotInFile, "wx-missing"}}
		if len(got.Mismatches) != len(want) {
			t.Fatalf("mismatches: got %+v, want %v", got.Mismatches, want)
		}
		for i, m := range got.Mismatches {
			if m.Kind != want[i].kind || m.Reference != want[i].ref || m.ReconciliationID != r.ID || m.EstateID != a {
				t.Errorf("mismatch %d: got %+v, want %v", i, m, want[i])
			}
		}
		if m := got.Mismatches[0]; m.FileFen == nil || *m.FileFen != 29900 || m.RecordedFen == nil || *m.RecordedFen != 30000 || m.PaymentID == nil {
			t.Errorf("amount mismatch: got %+v, want file 29900, recorded 30000 and the payment", m)
		}

		again, created, err := s.Reconcile(ctx, all, st)
		if err != nil || created || again.ID != r.ID || len(again.Mismatches) != 3 {
			t.Errorf("the same file again: got %d, %v, %v, want reconciliation %d with its mismatches", again.ID, created, err, r.ID)
		}
		var n int64
		must(t, s.DB().Model(&models.Mismatch{}).Count(&n).Error)
		if n != 3 {
			t.Errorf("mismatch rows after a re-run: got %d, want 3", n)
		}
		if _, _, err := s.Reconcile(ctx, store.Estates(b), st); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("reconcile A from B: got %v, want ErrNotFound", err)
		}
		if _, err := s.Reconciliation(ctx, store.Estates(b), r.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("read A's from B: got %v, want ErrNotFound", err)
		}
		st.Digest, st.Rows = "d2", nil
		empty, created, err := s.Reconcile(ctx, all, st)
		if err != nil || !created || empty.ID == r.ID || empty.MismatchCount != 3 {
			t.Errorf("an empty statement: got %+v, %v, %v, want a new reconciliation with the day's three payments missing", empty, created, err)
		}
		l, err := s.Reconciliations(ctx, all, store.ReconciliationFilter{EstateID: a, Day: day, Channel: models.PayWeChat}, store.Page{})
		if err != nil || l.Total != 2 {
			t.Errorf("list: got %+v, %v, want two", l, err)
		}
		l, err = s.Reconciliations(ctx, all, store.ReconciliationFilter{Day: models.Date{Year: 2026, Month: 12, Day: 6}}, store.Page{})
		if err != nil || l.Total != 0 {
			t.Errorf("list of another day: got %+v, %v, want none", l, err)
		}
	})
}
