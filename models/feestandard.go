// Fee standards (收费标准) and the lines of an itemised bill.
//
// A standard is an estate's named charge (物业服务费, 公摊水电, 垃圾清运费,
// 车位管理费 …) priced by one Method. Its price and terms live in versions,
// each valid for a range of periods; a change adds a version from a later
// period and closes the one before, so a bill already issued (whose lines
// copy the version, quantity and unit price) never changes.
//
// Precision, stated once:
//   - a unit price (Price) is in 0.0001 yuan (0.01 fen): ¥2.35/m² is 23500,
//     water at ¥3.4567/m³ is 34567;
//   - a quantity (Quantity) is in thousandths: an area of 89.35 m² is 89350,
//     a count of 1 is 1000, a consumption of 12.345 m³ is 12345;
//   - a line's amount is quantity × unit price × the vacancy percent (100
//     unless the unit is vacant), computed exactly in 128 bits and rounded
//     once, to the fen, half up (0.5 fen rounds to 1 fen). An amount above
//     MaxAmountFen is refused, never wrapped.

package models

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PricingMethod is how a fee standard prices a unit for a month.
type PricingMethod string

// The pricing methods.
const (
	PricePerArea  PricingMethod = "per_area"  // 按建筑面积: area m² × price per m²
	PricePerUnit  PricingMethod = "per_unit"  // 按户: one unit × price
	PricePerSpace PricingMethod = "per_space" // 按车位: one parking space × price
	PriceMetered  PricingMethod = "metered"   // 按抄表: consumption × price
)

var pricingMethods = enum[PricingMethod]{PricePerArea, PricePerUnit, PricePerSpace, PriceMetered}

// Check refuses an unknown method as field.
func (m PricingMethod) Check(field string) error { return pricingMethods.check(field, m) }

// MeterKind is what a meter measures (抄表).
type MeterKind string

// The meter kinds.
const (
	MeterWater       MeterKind = "water"       // 水, m³
	MeterElectricity MeterKind = "electricity" // 电, kWh
	MeterGas         MeterKind = "gas"         // 燃气, m³
)

var meterKinds = enum[MeterKind]{MeterWater, MeterElectricity, MeterGas}

// Check refuses an unknown meter kind as field.
func (k MeterKind) Check(field string) error { return meterKinds.check(field, k) }

// QuantityUnit is the unit a line's quantity is counted in under method m
// (of meter kind k when metered).
func QuantityUnit(m PricingMethod, k MeterKind) string {
	switch m {
	case PricePerArea:
		return "m²"
	case PricePerUnit:
		return "户"
	case PricePerSpace:
		return "个"
	}
	if k == MeterElectricity {
		return "kWh"
	}
	return "m³"
}

// Price is a unit price in 0.0001 yuan (0.01 fen). In JSON it is a decimal
// number of yuan with at most four decimals ("2.35").
type Price int64

// MaxPrice bounds a unit price: ¥100,000.
const MaxPrice Price = 100_000_0000

// Yuan formats p as yuan with four decimals: "2.3500".
func (p Price) Yuan() string { return decimal(int64(p), 4) }

// MarshalJSON writes p as a JSON number of yuan.
func (p Price) MarshalJSON() ([]byte, error) { return []byte(p.Yuan()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) of yuan
// exactly; more than four decimals, a negative price or one above MaxPrice
// is refused.
func (p *Price) UnmarshalJSON(b []byte) error {
	v, err := parseDecimal(strings.Trim(string(b), `"`), 4, int64(MaxPrice), "单价（元）")
	*p = Price(v)
	return err
}

// Quantity is a quantity in thousandths (an area, a count, a consumption).
// In JSON it is a decimal number with at most three decimals.
type Quantity int64

// MaxQuantity bounds a quantity: 1,000,000 (m², units, m³, kWh).
const MaxQuantity Quantity = 1_000_000_000

// Decimal formats q with three decimals: "89.350".
func (q Quantity) Decimal() string { return decimal(int64(q), 3) }

// MarshalJSON writes q as a JSON number.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(q.Decimal()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) exactly:
// more than three decimals, a negative value or one above MaxQuantity is
// refused.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	v, err := parseDecimal(strings.Trim(string(b), `"`), 3, int64(MaxQuantity), "数量")
	*q = Quantity(v)
	return err
}

// AreaQuantity is an area as a line's quantity (0.01 m² → thousandths).
func AreaQuantity(a Area) Quantity { return Quantity(int64(a) * 10) }

// decimal formats v scaled by 10^places.
func decimal(v int64, places int) string {
	sign := ""
	u := v
	if u < 0 {
		sign, u = "-", -u
	}
	div := int64(1)
	for range places {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, u/div, places, u%div)
}

// parseDecimal reads a non-negative decimal with at most places decimals as
// an integer scaled by 10^places, at most limit.
func parseDecimal(s string, places int, limit int64, what string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && (frac == "" || len(frac) > places)) || !digits(whole) || !digits(frac) || len(whole) > 12 {
		return 0, fmt.Errorf("%s %q 无效：应为不超过 %d 位小数的非负数", what, s, places)
	}
	v, _ := strconv.ParseInt(whole+frac+strings.Repeat("0", places-len(frac)), 10, 64)
	if v > limit {
		return 0, fmt.Errorf("%s %q 超出上限 %s", what, s, decimal(limit, places))
	}
	return v, nil
}

// FeeStandard is an estate's named charge and how it is priced; (estate,
// name) is unique. Its prices are in Versions.
type FeeStandard struct {
	ID       uint64        `gorm:"primaryKey" json:"id"`
	EstateID uint64        `gorm:"not null;uniqueIndex:idx_standard_name" json:"estate_id"`
	Name     string        `gorm:"size:50;not null;uniqueIndex:idx_standard_name" json:"name"`
	Method   PricingMethod `gorm:"size:16;not null" json:"method"`
	// MeterKind is the meter a metered standard bills (empty otherwise).
	MeterKind MeterKind `gorm:"size:16" json:"meter_kind,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Versions are its versions, oldest first (not a column).
	Versions []FeeStandardVersion `gorm:"-" json:"versions"`
}

// FeeStandardVersion is a standard's price and terms for a range of
// periods, ValidFrom to ValidTo inclusive ("YYYY-MM"; ValidTo empty: open).
// (standard, version) is unique.
type FeeStandardVersion struct {
	ID         uint64 `gorm:"primaryKey" json:"id"`
	StandardID uint64 `gorm:"not null;uniqueIndex:idx_standard_version" json:"standard_id"`
	Version    int    `gorm:"not null;uniqueIndex:idx_standard_version" json:"version"`
	UnitPrice  Price  `gorm:"column:unit_price;not null" json:"unit_price"`
	// PropertyTypes are the unit types it applies to (at least one).
	PropertyTypes []PropertyType `gorm:"serializer:json;type:text;not null" json:"property_types"`
	// VacantPercent is the share billed for a vacant unit (空置房): 100 is
	// the full price, 70 bills 70 %.
	VacantPercent int       `gorm:"not null;default:100" json:"vacant_percent"`
	ValidFrom     string    `gorm:"size:7;not null" json:"valid_from"`
	ValidTo       string    `gorm:"size:7;not null;default:''" json:"valid_to"`
	CreatedBy     *uint64   `json:"created_by,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// MaxStandardNameLen bounds a standard's name (runes).
const MaxStandardNameLen = 50

// Validate checks a standard's own fields.
func (s FeeStandard) Validate() error {
	if n := utf8.RuneCountInString(strings.TrimSpace(s.Name)); n == 0 || utf8.RuneCountInString(s.Name) > MaxStandardNameLen {
		return Invalid("name", "应为 1 至 %d 个字", MaxStandardNameLen)
	}
	if err := s.Method.Check("method"); err != nil {
		return err
	}
	if s.Method == PriceMetered {
		return s.MeterKind.Check("meter_kind")
	}
	if s.MeterKind != "" {
		return Invalid("meter_kind", "仅按抄表计费的标准填写表类")
	}
	return nil
}

// Validate checks a version's price and terms.
func (v FeeStandardVersion) Validate() error {
	switch {
	case v.UnitPrice < 0 || v.UnitPrice > MaxPrice:
		return Invalid("unit_price", "应为 0 至 %s 元", MaxPrice.Yuan())
	case len(v.PropertyTypes) == 0:
		return Invalid("property_types", "至少选择一种物业类型")
	case v.VacantPercent < 0 || v.VacantPercent > 100:
		return Invalid("vacant_percent", "应为 0 至 100")
	}
	seen := map[PropertyType]bool{}
	for i, t := range v.PropertyTypes {
		field := fmt.Sprintf("property_types[%d]", i)
		if !t.Valid() {
			return Invalid(field, "未知的物业类型 %q，应为 %s", t, propertyTypes.want())
		}
		if seen[t] {
			return Invalid(field, "物业类型 %s 重复", t)
		}
		seen[t] = true
	}
	from, err := parsePeriod("valid_from", v.ValidFrom, true)
	if err != nil {
		return err
	}
	to, err := parsePeriod("valid_to", v.ValidTo, false)
	if err != nil {
		return err
	}
	if v.ValidTo != "" && to.before(from) {
		return Invalid("valid_to", "不能早于生效月份 %s", v.ValidFrom)
	}
	return nil
}

// parsePeriod reads a "YYYY-MM" period of field (empty allowed unless
// required).
func parsePeriod(field, s string, required bool) (Month, error) {
	var m Month
	if s == "" && !required {
		return m, nil
	}
	if err := m.UnmarshalText([]byte(s)); err != nil || s == "" {
		return m, Invalid(field, "应为月份，格式 YYYY-MM")
	}
	return m, nil
}

// before reports whether m is an earlier month than o.
func (m Month) before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

// Covers reports whether the version is valid for period.
func (v FeeStandardVersion) Covers(period Month) bool {
	p := period.String()
	return v.ValidFrom <= p && (v.ValidTo == "" || p <= v.ValidTo)
}

// AppliesTo reports whether the version prices units of type t.
func (v FeeStandardVersion) AppliesTo(t PropertyType) bool {
	for _, x := range v.PropertyTypes {
		if x == t {
			return true
		}
	}
	return false
}

// VersionFor is the version of s valid for period: the latest-starting one
// that covers it.
func (s FeeStandard) VersionFor(period Month) (FeeStandardVersion, bool) {
	var best FeeStandardVersion
	ok := false
	for _, v := range s.Versions {
		if v.Covers(period) && (!ok || v.ValidFrom > best.ValidFrom) {
			best, ok = v, true
		}
	}
	return best, ok
}

// NextVersion checks v as the next version of s (whose Versions are all of
// them) and returns it numbered, with the previous version it closes
// (ValidTo set to the month before v starts) when one is open or runs past
// that month. A new version must start after the latest one starts.
func (s FeeStandard) NextVersion(v FeeStandardVersion) (FeeStandardVersion, *FeeStandardVersion, error) {
	if err := v.Validate(); err != nil {
		return v, nil, err
	}
	v.StandardID, v.Version = s.ID, 1
	if len(s.Versions) == 0 {
		return v, nil, nil
	}
	last := s.Versions[0]
	for _, x := range s.Versions {
		if x.Version > last.Version {
			last = x
		}
	}
	if v.ValidFrom <= last.ValidFrom {
		return v, nil, Invalid("valid_from", "应晚于当前版本的生效月份 %s", last.ValidFrom)
	}
	v.Version = last.Version + 1
	from, _ := parsePeriod("valid_from", v.ValidFrom, true)
	prev := time.Date(from.Year, from.Month-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	if last.ValidTo == "" || last.ValidTo > prev {
		last.ValidTo = prev
		return v, &last, nil
	}
	return v, nil, nil
}

// BillLine is one item of an itemised bill: what was charged, on what
// quantity and at what unit price, under which standard version. A legacy
// bill (or an opening balance) has no lines and is its amount alone; a
// line from a household's FeeItem has no standard and a quantity of 1.
type BillLine struct {
	ID       uint64 `gorm:"primaryKey" json:"id"`
	BillID   uint64 `gorm:"not null;index" json:"bill_id"`
	ItemName string `gorm:"size:50;not null" json:"item_name"`
	// StandardID and StandardVersion name the fee standard version that
	// priced the line (nil for a FeeItem line).
	StandardID      *uint64  `json:"standard_id,omitempty"`
	StandardVersion int      `gorm:"not null;default:0" json:"standard_version,omitempty"`
	Quantity        Quantity `gorm:"not null" json:"quantity"`
	QuantityUnit    string   `gorm:"size:8;not null" json:"quantity_unit"`
	UnitPrice       Price    `gorm:"not null" json:"unit_price"`
	// Percent is the share billed (100, or the vacancy percent).
	Percent   int   `gorm:"not null;default:100" json:"percent"`
	AmountFen Money `gorm:"not null" json:"amount_fen"`
	// ReadingID is the meter reading a metered line bills.
	ReadingID *uint64 `json:"reading_id,omitempty"`
}

// LineAmount is the amount of a line: quantity (thousandths) × unit price
// (0.01 fen) × percent / 100, rounded half up to the fen once. Negative
// inputs, a percent outside 0..100 and an amount above MaxAmountFen are
// refused.
func LineAmount(q Quantity, p Price, percent int) (Money, error) {
	if q < 0 || p < 0 || percent < 0 || percent > 100 {
		return 0, Invalid("amount_fen", "数量、单价与比例不能为负，比例不超过 100")
	}
	// fen = q/1000 × p/100 × percent/100 = q × p × percent / 10^7, in 128
	// bits: (hi, lo) = q × p × percent + 10^7/2, then divided.
	const div = 10_000_000
	tooLarge := Invalid("amount_fen", "金额超出上限 %d 分", MaxAmountFen)
	qpHi, qpLo := bits.Mul64(uint64(q), uint64(p))
	carryLo, lo := bits.Mul64(qpLo, uint64(percent))
	over, hi := bits.Mul64(qpHi, uint64(percent))
	hi, c1 := bits.Add64(hi, carryLo, 0)
	lo, c2 := bits.Add64(lo, div/2, 0)
	hi, c3 := bits.Add64(hi, c2, 0)
	if over != 0 || c1 != 0 || c3 != 0 || hi >= div {
		return 0, tooLarge
	}
	fen, _ := bits.Div64(hi, lo, div)
	if fen > uint64(MaxAmountFen) {
		return 0, tooLarge
	}
	return Money(fen), nil
}

// SumLines is the total of lines, refused above MaxAmountFen.
func SumLines(lines []BillLine) (Money, error) {
	var t Money
	for _, l := range lines {
		t += l.AmountFen // each ≤ MaxAmountFen: a sum of a few cannot wrap
		if t > MaxAmountFen || l.AmountFen < 0 {
			return 0, Invalid("amount_fen", "账单合计超出上限 %d 分", MaxAmountFen)
		}
	}
	return t, nil
}
