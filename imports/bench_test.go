package imports_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// The target of issue 12: importing 20,000 households with 40,000
// residents takes at most 30 s for the dry run and 90 s to apply. Run with
//
//	go test -run '^$' -bench Import -benchtime 1x ./imports
const (
	benchHouseholds = 20_000
	benchResidents  = 2 // per household
)

// benchEstate opens a store with an estate of benchHouseholds units and
// returns the households file of benchHouseholds × benchResidents rows.
func benchEstate(b *testing.B, s *store.Store) (models.Estate, []byte) {
	b.Helper()
	ctx := context.Background()
	e := models.Estate{Code: "BENCH", Name: "压测小区", TimeZone: "Asia/Shanghai"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		b.Fatal(err)
	}
	units := make([]store.UnitRecord, 0, 500)
	var file bytes.Buffer
	file.WriteString("楼栋,房号,入住日期,姓名,手机,身份\n")
	for i := range benchHouseholds {
		building, number := fmt.Sprintf("%d栋", i/200+1), fmt.Sprintf("%d", 101+i%200)
		units = append(units, store.UnitRecord{Building: building, Number: number, Area: 8935,
			PropertyType: models.PropertyResidential, Occupancy: models.OccupancyOccupied})
		if len(units) == cap(units) || i == benchHouseholds-1 {
			if err := s.UpsertUnits(ctx, e.ID, units); err != nil {
				b.Fatal(err)
			}
			units = units[:0]
		}
		for r := range benchResidents {
			role := "业主"
			if r > 0 {
				role = "租户"
			}
			fmt.Fprintf(&file, "%s,%s,2024-05-01,住户%d-%d,13%09d,%s\n", building, number, i, r, i*benchResidents+r, role)
		}
	}
	return e, file.Bytes()
}

func benchStores(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b, storetest.Options{})) })
	b.Run("mysql", func(b *testing.B) { fn(b, storetest.MySQL(b, storetest.Options{})) })
}

func dryRun(b *testing.B, s *store.Store, e models.Estate, file []byte) imports.Checked {
	b.Helper()
	k := imports.Kinds()["households"]
	rows, err := imports.ReadAll(bytes.NewReader(file))
	if err != nil {
		b.Fatal(err)
	}
	env, err := imports.LoadEnv(context.Background(), s, k, e, rows, func(models.Role) bool { return true }, models.DateOf(time.Now(), nil))
	if err != nil {
		b.Fatal(err)
	}
	checked, err := k.Check(rows, env)
	if err != nil || len(checked.Errors) > 0 || checked.Valid != benchHouseholds*benchResidents {
		b.Fatalf("check: %d valid, errors %v, %v", checked.Valid, checked.Errors[:min(3, len(checked.Errors))], err)
	}
	return checked
}

// BenchmarkImportDryRun reads and checks the households file (csv).
func BenchmarkImportDryRun(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		e, file := benchEstate(b, s)
		b.ResetTimer()
		for b.Loop() {
			dryRun(b, s, e, file)
		}
	})
}

// BenchmarkImportApply stores the checked rows and applies them in the
// workflow's batches through its activity, as the Import workflow does.
func BenchmarkImportApply(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		e, file := benchEstate(b, s)
		checked := dryRun(b, s, e, file)
		act := &activities.Imports{Store: s, Kinds: imports.Kinds()}
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			imp := models.Import{EstateID: e.ID, Kind: "households", CreatedBy: 1}
			rows := append([]models.ImportRow(nil), checked.Rows...)
			if err := s.CreateImport(ctx, store.AllEstates(), &imp, rows); err != nil {
				b.Fatal(err)
			}
			for {
				r, err := act.ApplyImportBatch(ctx, activities.ImportBatchInput{ImportID: imp.ID, Size: workflows.ImportBatchSize})
				if err != nil {
					b.Fatal(err)
				}
				if !r.More {
					break
				}
			}
		}
		b.StopTimer()
		got, err := s.Residents(ctx, store.AllEstates(), store.ResidentFilter{EstateID: e.ID}, store.Page{Size: 1})
		if err != nil || got.Total != benchHouseholds*benchResidents {
			b.Fatalf("residents: got %d, %v; want %d", got.Total, err, benchHouseholds*benchResidents)
		}
	})
}
