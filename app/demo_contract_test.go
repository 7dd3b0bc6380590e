package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestSeedDemoContract: the demo estate's contract ends in 80 days, inside
// the 90 days' reminder, and charges by the demo's 物业服务费.
func TestSeedDemoContract(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	cfg := testConfig(t, t.TempDir())
	ctx := context.Background()
	if err := seedDemo(ctx, s, cfg, io.Discard, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	l, err := s.Contracts(ctx, store.AllEstates(), store.ContractFilter{}, store.Page{Size: 10})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("contracts: %+v, %v", l.Items, err)
	}
	c := l.Items[0]
	days := int(time.Until(c.TermEnd).Hours() / 24)
	if c.Status != models.ContractExpiring || days < 78 || days > 81 || c.FeeStandardID == nil || c.CreatedBy == 0 {
		t.Errorf("demo contract %+v (%d days left)", c, days)
	}
}
