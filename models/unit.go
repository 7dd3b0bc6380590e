package models

import (
	"fmt"
	"strconv"
	"strings"
)

// Area is a floor area in hundredths of a square metre (0.01 m², the
// precision of a property certificate's 建筑面积). Fees priced per m² are
// computed from it in integer arithmetic; no float ever holds an area. In
// JSON it is a decimal number of m² with at most two decimals (89.35).
type Area int64

// MaxArea bounds a unit's area: 100,000 m².
const MaxArea Area = 100_000_00

// M2 formats a as a decimal number of m² with two decimals: "89.35".
func (a Area) M2() string {
	sign := ""
	u := int64(a)
	if u < 0 {
		sign, u = "-", -u
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// String is a's M2 with the unit: "89.35 m²".
func (a Area) String() string { return a.M2() + " m²" }

// MarshalJSON writes a as a JSON number of m².
func (a Area) MarshalJSON() ([]byte, error) { return []byte(a.M2()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) of m², exactly:
// more than two decimals, a negative area or one above MaxArea is refused.
func (a *Area) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		return nil
	}
	v, err := ParseArea(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseArea reads a decimal number of m² ("89", "89.5", "89.35") exactly:
// no sign, no exponent, at most two decimals, at most MaxArea.
func ParseArea(s string) (Area, error) {
	v, ok := hundredths(s, 9)
	if !ok {
		return 0, fmt.Errorf("面积 %q 无效：应为不超过两位小数的非负数（平方米）", strings.TrimSpace(s))
	}
	if a := Area(v); a > MaxArea {
		return 0, fmt.Errorf("面积 %s 超出上限 %s", a, MaxArea)
	}
	return Area(v), nil
}

// hundredths reads a plain decimal ("89", "89.5", "89.35") as a whole number
// of hundredths: no sign, no exponent, at most two decimals and at most
// wholeDigits digits before the point.
func hundredths(s string, wholeDigits int) (int64, bool) {
	whole, frac, dot := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || (dot && (frac == "" || len(frac) > 2)) || !digits(whole) || !digits(frac) || len(whole) > wholeDigits {
		return 0, false
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return w*100 + f, true
}

// digits reports whether s is only ASCII digits (true for "").
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// PropertyType is what a unit is (物业类型); fee standards name the types
// they apply to.
type PropertyType string

// The property types.
const (
	PropertyResidential PropertyType = "residential" // 住宅
	PropertyShop        PropertyType = "shop"        // 商铺
	PropertyOffice      PropertyType = "office"      // 办公
	PropertyParking     PropertyType = "parking"     // 车位
	PropertyStorage     PropertyType = "storage"     // 储藏室
)

var propertyTypes = enum[PropertyType]{PropertyResidential, PropertyShop, PropertyOffice, PropertyParking, PropertyStorage}

// PropertyTypes lists the property types.
func PropertyTypes() []PropertyType { return propertyTypes.list() }

// Valid reports whether t is a known property type.
func (t PropertyType) Valid() bool { return propertyTypes.has(t) }

// Check refuses an unknown property type as field.
func (t PropertyType) Check(field string) error { return propertyTypes.check(field, t) }

// Occupancy is whether a unit is handed over and lived in (房屋状态); a
// fee standard may discount vacant units (空置房).
type Occupancy string

// The occupancies.
const (
	OccupancyUndelivered Occupancy = "undelivered" // 未交付: no fees yet
	OccupancyVacant      Occupancy = "vacant"      // 空置: delivered, nobody lives there
	OccupancyOccupied    Occupancy = "occupied"    // 入住
)

var occupancies = enum[Occupancy]{OccupancyUndelivered, OccupancyVacant, OccupancyOccupied}

// Occupancies lists the occupancies.
func Occupancies() []Occupancy { return occupancies.list() }

// Valid reports whether o is a known occupancy.
func (o Occupancy) Valid() bool { return occupancies.has(o) }

// Check refuses an unknown occupancy as field.
func (o Occupancy) Check(field string) error { return occupancies.check(field, o) }

// ParsePropertyType reads a property type by its code or its Chinese name
// (住宅, 商铺 …), as a spreadsheet may give either.
func ParsePropertyType(s string) (PropertyType, bool) {
	return byCodeOrLabel(propertyTypes, propertyTypeLabels, s)
}

// ParseOccupancy reads an occupancy by its code or its Chinese name.
func ParseOccupancy(s string) (Occupancy, bool) {
	return byCodeOrLabel(occupancies, occupancyLabels, s)
}

// byCodeOrLabel finds the value of e whose code or label is s.
func byCodeOrLabel[T ~string](e enum[T], labels map[T]string, s string) (T, bool) {
	s = strings.TrimSpace(s)
	for _, v := range e {
		if string(v) == s || labels[v] == s {
			return v, true
		}
	}
	var zero T
	return zero, false
}
