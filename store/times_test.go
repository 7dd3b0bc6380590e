package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// A time the databases cannot read back is refused before it is written, so
// the list that would hold it keeps working (issue: a bill for period
// 9999-12 fell due in year 10000 and made GET /bills fail for the estate).
func TestStoreRefusesUnreadableTimes(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "A")
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees

		_, err := s.IssueBill(ctx, all, f.household.ID, models.Month{Year: 9999, Month: time.December}, 100, fees, nil)
		wantField(t, "bill for 9999-12", err, "due_on")
		_, err = s.IssueBill(ctx, all, f.household.ID, models.Month{Year: 1, Month: time.January}, 100, fees, nil)
		wantField(t, "bill for 0001-01", err, "due_on")

		_, err = s.IssueBill(ctx, all, f.household.ID, models.Month{Year: 2026, Month: time.November}, 100, fees, nil)
		must(t, err)
		l, err := s.Bills(ctx, all, store.BillFilter{}, store.Page{})
		if err != nil || l.Total != 1 {
			t.Errorf("bills after the refused ones: got %d, %v, want the one storable bill", l.Total, err)
		}

		// Column maps (Updates with a map) are checked too.
		far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		err = s.DB().WithContext(ctx).Model(&models.HouseholdBill{}).Where("id = ?", l.Items[0].ID).
			Updates(map[string]any{"due_on": far}).Error
		wantField(t, "update to year 10000", err, "due_on")
	})
}
