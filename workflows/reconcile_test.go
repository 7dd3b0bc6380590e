package workflows

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// Each estate's days are its own: at 11:00 in Shanghai it is still the day
// before in New York.
func TestDailyReconciliationReadsEachEstatesLastDays(t *testing.T) {
	env := newTestEnv()
	env.SetStartTime(time.Date(2026, 12, 6, 11, 0, 0, 0, shanghai))
	var a *activities.Reconciler
	env.OnActivity(a.ReconcileEstates, mockAny).Return([]activities.ReconcileEstate{
		{EstateID: 1, TimeZone: "Asia/Shanghai"}, {EstateID: 2, TimeZone: "America/New_York"}}, nil)
	var asked []string
	env.OnActivity(a.ReconcileFolder, mockAny, mockAny).Return(
		func(_ context.Context, in activities.ReconcileFolderInput) ([]activities.FolderFile, error) {
			asked = append(asked, in.Day.String()+"@"+string(rune('0'+in.EstateID)))
			return []activities.FolderFile{{Name: in.Day.String()}}, nil
		})
	env.ExecuteWorkflow(DailyReconciliation, ReconcileInput{})
	var res ReconcileResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("result: got %v, want none", err)
	}
	want := []string{"2026-12-03@1", "2026-12-04@1", "2026-12-05@1", "2026-12-02@2", "2026-12-03@2", "2026-12-04@2"}
	if !slices.Equal(asked, want) || len(res.Files) != 6 {
		t.Errorf("days read: got %v (%d files), want %v", asked, len(res.Files), want)
	}
}

// The run reads the folder's files through the real activity and store:
// run again, it finds the same reconciliations and stores nothing new; a
// file it cannot read is named with the reason and stays unreconciled.
func TestDailyReconciliationIsSafeToRunAgain(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	ctx := context.Background()
	all := store.AllEstates()
	e := models.Estate{Code: "YG", Name: "阳光花园", TimeZone: "Asia/Shanghai"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	b := models.Building{EstateID: e.ID, Name: "1栋"}
	must(t, s.CreateBuilding(ctx, all, &b))
	u := models.Unit{BuildingID: b.ID, Number: "101"}
	must(t, s.CreateUnit(ctx, all, &u))
	h := models.Household{UnitID: u.ID}
	must(t, s.CreateHousehold(ctx, all, &h))
	p := models.FeePayment{HouseholdID: h.ID, AmountFen: 30000, PaidAt: time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai), Channel: models.PayWeChat, Reference: "wx-1", RecordedBy: 1}
	_, _, err := s.RecordPayment(ctx, all, &p, shanghai)
	must(t, err)
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "YG"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "YG", "wechat-2026-12-05.csv"),
		[]byte("transaction_id,amount,time\nwx-1,300.00,2026-12-05 09:00:00\nwx-2,1.00,2026-12-05 10:00:00\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "YG", "alipay-2026-12-05.csv"), []byte("id,money\n1,2\n"), 0o600))

	run := func() ReconcileResult {
		t.Helper()
		env := newTestEnv()
		env.SetStartTime(time.Date(2026, 12, 6, 11, 0, 0, 0, shanghai))
		env.RegisterActivity(&activities.Reconciler{Store: s, Dir: dir})
		env.ExecuteWorkflow(DailyReconciliation, ReconcileInput{Days: 1})
		var res ReconcileResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatalf("result: got %v, want none", err)
		}
		return res
	}
	first := run()
	if len(first.Files) != 2 || first.Files[0].Name != filepath.Join("YG", "wechat-2026-12-05.csv") || !first.Files[0].Created ||
		first.Files[0].Mismatches != 1 || first.Files[1].Refused == "" || first.Files[1].ReconciliationID != 0 {
		t.Fatalf("first run: got %+v, want wechat reconciled with one mismatch and alipay refused", first.Files)
	}
	second := run()
	if len(second.Files) != 2 || second.Files[0].Created || second.Files[0].ReconciliationID != first.Files[0].ReconciliationID {
		t.Errorf("second run: got %+v, want the first reconciliation found again", second.Files)
	}
	l, err := s.Reconciliations(ctx, all, store.ReconciliationFilter{EstateID: e.ID}, store.Page{})
	if err != nil || l.Total != 1 || l.Items[0].Source != models.SourceFolder || l.Items[0].Matched != 1 {
		t.Errorf("reconciliations: got %+v, %v, want one from the folder with wx-1 matched", l, err)
	}
}

func TestReconcileDays(t *testing.T) {
	got := ReconcileDays(time.Date(2026, 1, 1, 0, 30, 0, 0, shanghai), shanghai, 2)
	want := []models.Date{{Year: 2025, Month: 12, Day: 30}, {Year: 2025, Month: 12, Day: 31}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
