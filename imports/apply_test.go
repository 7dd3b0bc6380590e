package imports_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// checkFile checks a csv file of kind into estate e as the dry run does and
// returns the rows' records, failing the test on any bad row.
func checkFile(t *testing.T, s *store.Store, kind string, e models.Estate, file string) [][]byte {
	t.Helper()
	k := imports.Kinds()[kind]
	rows, err := imports.ReadAll(bytes.NewReader([]byte(file)))
	if err != nil {
		t.Fatal(err)
	}
	today := models.Date{Year: 2026, Month: time.December, Day: 6}
	env, err := imports.LoadEnv(context.Background(), s, k, e, rows, func(models.Role) bool { return true }, today)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := k.Check(rows, env)
	if err != nil || len(checked.Errors) > 0 {
		t.Fatalf("check %s: %+v, %v", kind, checked.Errors, err)
	}
	data := make([][]byte, len(checked.Rows))
	for i, r := range checked.Rows {
		data[i] = []byte(r.Data)
	}
	return data
}

// Fee standards and meter readings imported twice are imported once: the
// same price changes nothing, a new price adds a version from its period,
// a reading already recorded is left alone. Rows checked before the store
// changed under them fail with the reason: a different value for a
// recorded reading, a price older than the current one.
func TestFeeKindsApplyIdempotently(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := models.Estate{Code: "FEES", Name: "收费小区", TimeZone: "Asia/Shanghai"}
		must(t, s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil))
		must(t, s.UpsertUnits(ctx, e.ID, []store.UnitRecord{
			{Building: "1栋", Number: "101", Area: 8935, PropertyType: models.PropertyResidential, Occupancy: models.OccupancyOccupied},
			{Building: "1栋", Number: "102", Area: 8935, PropertyType: models.PropertyResidential, Occupancy: models.OccupancyVacant},
		}))
		by := uint64(7)
		a := imports.Applier{Store: s, By: &by}
		apply := func(kind string, data [][]byte) map[int]string {
			t.Helper()
			failed, err := imports.Kinds()[kind].Apply(ctx, a, e.ID, data)
			must(t, err)
			return failed
		}
		const fees = "收费项目,计费方式,单价(元),适用物业类型,空置折扣(%),生效账期,截止账期,表类\n"
		first := checkFile(t, s, imports.FeeStandards, e, fees+
			"物业服务费,按面积,2.35,住宅、商铺,70,2026-01,,\n"+
			"公摊水费,按读数,3.4567,住宅,,2026-01,,水\n")
		stale := checkFile(t, s, imports.FeeStandards, e, fees+"物业服务费,按面积,2.40,商铺、住宅,70,2026-03,,\n")
		for range 2 {
			if failed := apply(imports.FeeStandards, first); len(failed) != 0 {
				t.Errorf("fee standards: got failures %v, want none", failed)
			}
		}
		stds, err := s.EstateFeeStandards(ctx, e.ID)
		must(t, err)
		if len(stds) != 2 || len(stds[0].Versions) != 1 || len(stds[1].Versions) != 1 {
			t.Fatalf("standards after two imports: got %+v, want two of one version each", stds)
		}
		fee, water := stds[0], stds[1]
		v := fee.Versions[0]
		if fee.Name != "物业服务费" || fee.Method != models.PricePerArea || v.UnitPrice != 23500 || v.VacantPercent != 70 ||
			!slices.Equal(v.PropertyTypes, []models.PropertyType{models.PropertyResidential, models.PropertyShop}) ||
			v.ValidFrom != "2026-01" || v.ValidTo != "" || v.CreatedBy == nil || *v.CreatedBy != by {
			t.Errorf("物业服务费: got %+v %+v", fee, v)
		}
		if w := water.Versions[0]; water.MeterKind != models.MeterWater || water.Method != models.PriceMetered || w.UnitPrice != 34567 || w.VacantPercent != 100 {
			t.Errorf("公摊水费: got %+v %+v, want metered water at 3.4567 with no vacancy discount", water, w)
		}

		raised := checkFile(t, s, imports.FeeStandards, e, fees+"物业服务费,按面积,2.50,住宅、商铺,70,2026-07,,\n")
		for range 2 {
			if failed := apply(imports.FeeStandards, raised); len(failed) != 0 {
				t.Errorf("new price: got failures %v, want none", failed)
			}
		}
		stds, err = s.EstateFeeStandards(ctx, e.ID)
		must(t, err)
		if vs := stds[0].Versions; len(vs) != 2 || vs[0].ValidTo != "2026-06" || vs[1].ValidFrom != "2026-07" || vs[1].UnitPrice != 25000 || vs[1].Version != 2 {
			t.Errorf("versions after a new price: got %+v, want 2.35 to 2026-06 and 2.50 from 2026-07", vs)
		}
		if failed := apply(imports.FeeStandards, stale); failed[0] != "生效账期：应晚于当前版本的生效月份 2026-07" {
			t.Errorf("a price checked before a later one was applied: got %v, want the row failed on 生效账期", failed)
		}

		const readings = "楼栋,房号,表类,账期,读数,抄表日期\n"
		recorded := checkFile(t, s, "meter_readings", e, readings+
			"1栋,101,水,2026-10,100,2026-10-28\n"+
			"1栋,102,水表,2026-10,0,\n")
		// Checked before the readings above are recorded: applied after, its
		// second row meets another value.
		changed := checkFile(t, s, imports.MeterReadings, e, readings+"1栋,102,电,2026-10,5,\n1栋,101,水,2026-10,101.5,\n")
		for range 2 {
			if failed := apply("meter_readings", recorded); len(failed) != 0 {
				t.Errorf("readings: got failures %v, want none", failed)
			}
		}
		rs, err := s.Readings(ctx, store.Estates(e.ID), store.ReadingFilter{EstateID: e.ID}, store.Page{Size: 50})
		must(t, err)
		if rs.Total != 2 {
			t.Fatalf("readings after two imports: got %d, want 2", rs.Total)
		}
		byValue := map[models.Quantity]models.MeterReading{}
		for _, r := range rs.Items {
			byValue[r.Value] = r
		}
		r := byValue[100_000]
		if r.Status != models.ReadingFlagged || r.FlagReason != models.FlagNoPrevious || r.Note != "抄表日期 2026-10-28" ||
			r.RecordedBy == nil || *r.RecordedBy != by || r.Kind != models.MeterWater || r.Period != "2026-10" {
			t.Errorf("a first reading above 0: got %+v, want it recorded flagged no_previous with its date", r)
		}
		if r := byValue[0]; r.Status != models.ReadingOK || r.Note != "" {
			t.Errorf("a first reading of 0: got %+v, want it billable", r)
		}

		failed := apply(imports.MeterReadings, changed)
		want := map[int]string{1: "该房屋 2026-10 账期的水表已有读数 100.000，与本行的 101.500 不同（如需更正请在抄表页处理）"}
		if fmt.Sprint(failed) != fmt.Sprint(want) {
			t.Errorf("another value for a recorded reading: got %v, want %v", failed, want)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
