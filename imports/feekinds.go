package imports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// FeeStandards is the kind of fee standards (收费标准).
const FeeStandards = "fee_standards"

// feeStandardRecord is one fee standard of an import (business key: estate
// and item name) with the price it has from ValidFrom.
type feeStandardRecord struct {
	Name          string                `json:"name"`
	Method        models.PricingMethod  `json:"method"`
	MeterKind     models.MeterKind      `json:"meter_kind,omitempty"`
	UnitPrice     models.Price          `json:"unit_price"`
	PropertyTypes []models.PropertyType `json:"property_types"`
	VacantPercent int                   `json:"vacant_percent"`
	ValidFrom     string                `json:"valid_from"`
	ValidTo       string                `json:"valid_to,omitempty"`
}

func (r feeStandardRecord) standard(estateID uint64) (models.FeeStandard, models.FeeStandardVersion) {
	return models.FeeStandard{EstateID: estateID, Name: r.Name, Method: r.Method, MeterKind: r.MeterKind},
		models.FeeStandardVersion{UnitPrice: r.UnitPrice, PropertyTypes: r.PropertyTypes, VacantPercent: r.VacantPercent,
			ValidFrom: r.ValidFrom, ValidTo: r.ValidTo}
}

// sameVersion reports whether v already has r's price and terms (the
// store's test for an unchanged standard).
func (r feeStandardRecord) sameVersion(v models.FeeStandardVersion) bool {
	return v.UnitPrice == r.UnitPrice && slices.Equal(v.PropertyTypes, r.PropertyTypes) &&
		v.VacantPercent == r.VacantPercent && v.ValidFrom == r.ValidFrom
}

// The fee-standard columns, and the headers of the models' fields (for the
// reasons of rows the store refuses).
const (
	colItem, colMethod, colPrice, colTypes = "收费项目", "计费方式", "单价(元)", "适用物业类型"
	colVacant, colFrom, colTo, colMeter    = "空置折扣(%)", "生效账期", "截止账期", "表类"
)

var standardColumns = map[string]string{
	"name": colItem, "method": colMethod, "meter_kind": colMeter, "unit_price": colPrice, "property_types": colTypes,
	"vacant_percent": colVacant, "valid_from": colFrom, "valid_to": colTo,
}

// fee_standards (收费标准): 收费项目, 计费方式, 单价(元), 适用物业类型,
// 空置折扣(%), 生效账期, 截止账期, 表类 — the estate's standard of that name
// is created, left alone when its current version has the row's price and
// terms, or given a new version from 生效账期; business key item name.
func feeStandardsKind() *Kind {
	cols := []Column{{colItem, "物业服务费"}, {colMethod, "按面积"}, {colPrice, "2.35"}, {colTypes, "住宅、商铺"},
		{colVacant, "70"}, {colFrom, "2026-01"}, {colTo, ""}, {colMeter, ""}}
	return entry(FeeStandards, "收费标准", balanceRoles, cols,
		func(c *cells, env *Env) (feeStandardRecord, string) {
			r := feeStandardRecord{Name: strings.TrimSpace(c.text(colItem, models.MaxStandardNameLen, true)), VacantPercent: 100}
			if v := c.text(colMethod, 10, true); v != "" {
				m, ok := models.ParsePricingMethod(v)
				if !ok {
					c.fail(colMethod, "计费方式 %q 无效：应为 按面积、按户、按车位 或 按读数", v)
				}
				r.Method = m
			}
			if v := c.text(colPrice, 20, true); v != "" {
				if strings.HasPrefix(strings.TrimSpace(v), "-") {
					c.fail(colPrice, "单价不能为负")
				} else if err := r.UnitPrice.UnmarshalJSON([]byte(v)); err != nil {
					c.fail(colPrice, "%v", err)
				}
			}
			r.PropertyTypes = c.propertyTypes(colTypes)
			if v := strings.TrimSuffix(strings.TrimSpace(c.text(colVacant, 4, false)), "%"); v != "" {
				p, err := strconv.Atoi(v)
				if err != nil || p < 0 || p > 100 {
					c.fail(colVacant, "空置折扣 %q 无效：应为 0 至 100 的整数（空置房按该百分比收费，100 或留空为不打折，0 为不收费）", v)
				}
				r.VacantPercent = p
			}
			latest := models.Month{Year: env.Today.Year + 5, Month: time.December}
			from := c.period(colFrom, true, latest)
			to := c.period(colTo, false, latest)
			r.ValidFrom, r.ValidTo = from.String(), to.String()
			if r.ValidFrom != "" && r.ValidTo != "" && r.ValidTo < r.ValidFrom {
				c.fail(colTo, "截止账期 %s 早于生效账期 %s", r.ValidTo, r.ValidFrom)
			}
			meter := c.text(colMeter, 16, r.Method == models.PriceMetered)
			switch {
			case meter == "":
			case r.Method != models.PriceMetered:
				c.fail(colMeter, "仅按读数计费的项目填写表类")
			default:
				k, ok := models.ParseMeterKind(meter)
				if !ok {
					c.fail(colMeter, "表类 %q 无效：应为 水、电 或 燃气", meter)
				}
				r.MeterKind = k
			}
			if len(c.errs) == 0 {
				c.checkStandard(r, env)
			}
			return r, r.Name
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []feeStandardRecord) (map[int]string, error) {
			failed := map[int]string{}
			for i, r := range recs {
				std, v := r.standard(estateID)
				_, _, _, err := a.Store.UpsertFeeStandard(ctx, store.Estates(estateID), std, v, a.By)
				var ve *models.ValidationError
				switch {
				case errors.As(err, &ve):
					failed[i] = standardColumns[ve.Field] + "：" + ve.Reason
				case err != nil:
					return nil, err
				}
			}
			return failed, nil
		})
}

// propertyTypes reads column as property types separated by 、 or commas,
// in the models' order; at least one.
func (c *cells) propertyTypes(column string) []models.PropertyType {
	v := c.text(column, 50, true)
	if v == "" {
		return nil
	}
	seen := map[models.PropertyType]bool{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("、,，;；/ ", r) }) {
		t, ok := models.ParsePropertyType(part)
		switch {
		case !ok:
			c.fail(column, "物业类型 %q 无效：应为 住宅、商铺、办公、车位 或 储藏室", part)
		case seen[t]:
			c.fail(column, "物业类型 %s 重复", part)
		}
		seen[t] = true
	}
	var out []models.PropertyType
	for _, t := range models.PropertyTypes() {
		if seen[t] {
			out = append(out, t)
		}
	}
	return out
}

// checkStandard checks a row against the models' rules and the estate's
// standard of the same name: the same method, and a changed price starting
// after the current version starts.
func (c *cells) checkStandard(r feeStandardRecord, env *Env) {
	std, v := r.standard(env.Estate.ID)
	for _, err := range []error{std.Validate(), v.Validate()} {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			c.fail(standardColumns[ve.Field], "%s", ve.Reason)
		}
	}
	cur, ok := env.Standards[r.Name]
	if !ok || len(c.errs) > 0 {
		return
	}
	if cur.Method != r.Method || cur.MeterKind != r.MeterKind {
		c.fail(colMethod, "收费项目“%s”的计费方式为%s%s，不能改为%s%s", r.Name, cur.Method.Label(), meterLabel(cur.MeterKind), r.Method.Label(), meterLabel(r.MeterKind))
		return
	}
	if len(cur.Versions) == 0 {
		return
	}
	last := cur.Versions[len(cur.Versions)-1]
	if !r.sameVersion(last) && r.ValidFrom <= last.ValidFrom {
		c.fail(colFrom, "现行标准自 %s 起单价 %s 元：新价格的生效账期应晚于 %s", last.ValidFrom, last.UnitPrice.Yuan(), last.ValidFrom)
	}
}

func meterLabel(k models.MeterKind) string {
	if k == "" {
		return ""
	}
	return "（" + k.Label() + "）"
}

// MeterReadings is the kind of meter readings (抄表读数).
const MeterReadings = "meter_readings"

// meterReadingRecord is one meter reading of an import (business key: unit,
// meter kind and period).
type meterReadingRecord struct {
	UnitID uint64           `json:"unit_id"`
	Kind   models.MeterKind `json:"kind"`
	Period string           `json:"period"`
	Value  models.Quantity  `json:"value"`
	ReadOn *time.Time       `json:"read_on,omitempty"`
}

// meter_readings (抄表读数): 楼栋, 房号, 表类, 账期, 读数, 抄表日期 —
// recorded as the meter page records them (idempotent by unit, meter and
// period; a reading the store flags is kept flagged for review); a
// different value already recorded fails the row.
func meterReadingsKind() *Kind {
	const colPeriod, colValue, colReadOn = "账期", "读数", "抄表日期"
	cols := []Column{{colBuilding, "1栋"}, {colNumber, "101"}, {colMeter, "水"}, {colPeriod, "2026-01"}, {colValue, "1234.567"}, {colReadOn, "2026-01-28"}}
	return entry(MeterReadings, "抄表读数", balanceRoles, cols,
		func(c *cells, env *Env) (meterReadingRecord, string) {
			r := meterReadingRecord{UnitID: c.unit(env)}
			if v := c.text(colMeter, 16, true); v != "" {
				k, ok := models.ParseMeterKind(v)
				if !ok {
					c.fail(colMeter, "表类 %q 无效：应为 水、电 或 燃气", v)
				}
				r.Kind = k
			}
			r.Period = c.period(colPeriod, true, env.thisMonth()).String()
			if v := strings.TrimSpace(c.text(colValue, 20, true)); v != "" {
				if strings.HasPrefix(v, "-") {
					c.fail(colValue, "读数不能为负")
				} else if err := r.Value.UnmarshalJSON([]byte(v)); err != nil {
					c.fail(colValue, "读数 %q 无效：应为 0 至 %s、不超过三位小数的数", v, models.MaxQuantity.Decimal())
				}
			}
			r.ReadOn = c.date(colReadOn, false, earliest, env.Today)
			key := models.ReadingKey{UnitID: r.UnitID, Kind: r.Kind, Period: r.Period}
			if have, ok := env.Readings[key]; ok && len(c.errs) == 0 && have != r.Value {
				c.fail(colValue, "%s", conflictReason(r, have))
			}
			return r, c.text(colBuilding, 50, false) + " " + c.text(colNumber, 20, false) + " " + r.Kind.Label() + " " + r.Period
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []meterReadingRecord) (map[int]string, error) {
			rs := make([]models.MeterReading, len(recs))
			for i, r := range recs {
				rs[i] = models.MeterReading{UnitID: r.UnitID, Kind: r.Kind, Period: r.Period, Value: r.Value, RecordedBy: a.By}
				if r.ReadOn != nil {
					rs[i].Note = "抄表日期 " + r.ReadOn.Format("2006-01-02")
				}
			}
			results, err := a.Store.RecordReadings(ctx, store.Estates(estateID), rs)
			if err != nil {
				return nil, err
			}
			failed := map[int]string{}
			for _, res := range results {
				r := recs[res.Index]
				switch res.Outcome {
				case store.ReadingConflict:
					failed[res.Index] = conflictReason(r, res.Reading.Value)
				case store.ReadingInvalid:
					var ve *models.ValidationError
					if errors.As(res.Err, &ve) && ve.Field == "unit_id" {
						failed[res.Index] = "房屋不存在"
					} else {
						failed[res.Index] = "读数无效：" + res.Err.Error()
					}
				}
			}
			return failed, nil
		})
}

// conflictReason says that another value than r's is recorded for its
// unit, meter and period.
func conflictReason(r meterReadingRecord, have models.Quantity) string {
	return fmt.Sprintf("该房屋 %s 账期的%s表已有读数 %s，与本行的 %s 不同（如需更正请在抄表页处理）",
		r.Period, r.Kind.Label(), have.Decimal(), r.Value.Decimal())
}
