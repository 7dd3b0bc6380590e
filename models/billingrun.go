package models

import (
	"cmp"
	"slices"
)

// BillableUnit is a household with the unit its fees are priced on.
type BillableUnit struct {
	HouseholdID  uint64       `json:"household_id"`
	UnitID       uint64       `json:"unit_id"`
	Label        string       `json:"label"` // 楼栋-房号, for people
	PropertyType PropertyType `json:"property_type"`
	Occupancy    Occupancy    `json:"occupancy"`
	Area         Area         `json:"area_m2"`
}

// BillingInput is everything a billing run of one estate and period reads.
type BillingInput struct {
	Period     Month
	Households []BillableUnit
	// Standards are the estate's standards with all their versions.
	Standards []FeeStandard
	// Readings are the estate's meter readings of Period.
	Readings []MeterReading
	// Items are the active FeeItems of the households.
	Items []FeeItem
	// Billed holds the households already billed for Period.
	Billed map[uint64]bool
}

// SkipReason is why a billing run leaves a household unbilled.
type SkipReason string

// The skip reasons.
const (
	SkipAlreadyBilled  SkipReason = "already_billed"  // a bill for the period exists
	SkipUndelivered    SkipReason = "undelivered"     // the unit is not handed over: no fees
	SkipNoStandard     SkipReason = "no_standard"     // no standard or fee item applies
	SkipReadingMissing SkipReason = "reading_missing" // a metered standard applies but the meter was not read
	SkipReadingFlagged SkipReason = "reading_flagged" // the reading awaits finance's review
	SkipZeroAmount     SkipReason = "zero_amount"     // every line came to 0 fen
	SkipAmountInvalid  SkipReason = "amount_invalid"  // a line or the total is beyond MaxAmountFen
)

// HouseholdCharge is the bill a run issues to one household.
type HouseholdCharge struct {
	HouseholdID uint64     `json:"household_id"`
	UnitID      uint64     `json:"unit_id"`
	Label       string     `json:"label"`
	Lines       []BillLine `json:"lines"`
	AmountFen   Money      `json:"amount_fen"`
}

// SkippedHousehold is a household a run does not bill, and why; Item names
// the standard concerned, when one is.
type SkippedHousehold struct {
	HouseholdID uint64     `json:"household_id"`
	UnitID      uint64     `json:"unit_id"`
	Label       string     `json:"label"`
	Reason      SkipReason `json:"reason"`
	Item        string     `json:"item,omitempty"`
}

// ItemTotal is one item's total over a run.
type ItemTotal struct {
	Name       string `json:"name"`
	Households int    `json:"households"`
	AmountFen  Money  `json:"amount_fen"`
}

// BillingPreview is what a billing run would issue (and, issued, did).
type BillingPreview struct {
	Period     Month              `json:"period"`
	Households []HouseholdCharge  `json:"households"`
	Items      []ItemTotal        `json:"items"`
	Skipped    []SkippedHousehold `json:"skipped"`
	TotalFen   Money              `json:"total_fen"`
}

// PreviewBilling computes a billing run without writing anything: for each
// household (in the order given) the lines of its bill, or why it is
// skipped. A household already billed or whose unit is undelivered is
// skipped; otherwise every standard with a version covering the period that
// applies to the unit's property type adds a line (per_area: the unit's
// area; per_unit, per_space: 1; metered: the period's billable reading's
// consumption), at the version's vacancy percent for a vacant unit; a
// metered standard without a billable reading skips the whole household,
// since its one bill of the period must be complete. Each active FeeItem
// adds a line of its amount. Standards are taken by ID, items by ID.
func PreviewBilling(in BillingInput) BillingPreview {
	out := BillingPreview{Period: in.Period, Households: []HouseholdCharge{}, Items: []ItemTotal{}, Skipped: []SkippedHousehold{}}
	standards := slices.Clone(in.Standards)
	slices.SortFunc(standards, func(a, b FeeStandard) int { return cmp.Compare(a.ID, b.ID) })
	readings := make(map[ReadingKey]MeterReading, len(in.Readings))
	for _, r := range in.Readings {
		readings[r.Key()] = r
	}
	items := map[uint64][]FeeItem{}
	for _, it := range in.Items {
		if it.Active {
			items[it.HouseholdID] = append(items[it.HouseholdID], it)
		}
	}
	totals := map[string]*ItemTotal{}
	for _, h := range in.Households {
		lines, reason, item := householdLines(h, in.Period, standards, readings, items[h.HouseholdID])
		var total Money
		if reason == "" {
			var err error
			total, err = SumLines(lines)
			switch {
			case err != nil:
				reason = SkipAmountInvalid
			case len(lines) == 0:
				reason = SkipNoStandard
			case total == 0:
				reason = SkipZeroAmount
			}
		}
		if in.Billed[h.HouseholdID] {
			reason, item = SkipAlreadyBilled, ""
		}
		if reason != "" {
			out.Skipped = append(out.Skipped, SkippedHousehold{HouseholdID: h.HouseholdID, UnitID: h.UnitID, Label: h.Label, Reason: reason, Item: item})
			continue
		}
		out.Households = append(out.Households, HouseholdCharge{HouseholdID: h.HouseholdID, UnitID: h.UnitID, Label: h.Label, Lines: lines, AmountFen: total})
		out.TotalFen = Money(addSat(int64(out.TotalFen), int64(total)))
		for _, l := range lines {
			t := totals[l.ItemName]
			if t == nil {
				t = &ItemTotal{Name: l.ItemName}
				totals[l.ItemName] = t
			}
			t.Households++
			t.AmountFen = Money(addSat(int64(t.AmountFen), int64(l.AmountFen)))
		}
	}
	for _, t := range totals {
		out.Items = append(out.Items, *t)
	}
	slices.SortFunc(out.Items, func(a, b ItemTotal) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// householdLines prices one household's bill, or says why it cannot be
// issued (and for which item).
func householdLines(h BillableUnit, period Month, standards []FeeStandard, readings map[ReadingKey]MeterReading, items []FeeItem) ([]BillLine, SkipReason, string) {
	if h.Occupancy == OccupancyUndelivered {
		return nil, SkipUndelivered, ""
	}
	var lines []BillLine
	for _, s := range standards {
		v, ok := s.VersionFor(period)
		if !ok || !v.AppliesTo(h.PropertyType) {
			continue
		}
		id := s.ID
		l := BillLine{ItemName: s.Name, StandardID: &id, StandardVersion: v.Version, QuantityUnit: QuantityUnit(s.Method, s.MeterKind),
			UnitPrice: v.UnitPrice, Percent: 100}
		if h.Occupancy == OccupancyVacant {
			l.Percent = v.VacantPercent
		}
		switch s.Method {
		case PricePerArea:
			l.Quantity = AreaQuantity(h.Area)
		case PricePerUnit, PricePerSpace:
			l.Quantity = 1000
		case PriceMetered:
			r, ok := readings[ReadingKey{h.UnitID, s.MeterKind, period.String()}]
			switch {
			case !ok:
				return nil, SkipReadingMissing, s.Name
			case !r.Status.Billable() || r.Consumption < 0:
				return nil, SkipReadingFlagged, s.Name
			}
			rid := r.ID
			l.Quantity, l.ReadingID = r.Consumption, &rid
		}
		amount, err := LineAmount(l.Quantity, l.UnitPrice, l.Percent)
		if err != nil {
			return nil, SkipAmountInvalid, s.Name
		}
		l.AmountFen = amount
		lines = append(lines, l)
	}
	slices.SortFunc(items, func(a, b FeeItem) int { return cmp.Compare(a.ID, b.ID) })
	for _, it := range items {
		if it.AmountFen < 0 || it.AmountFen > MaxAmountFen {
			return nil, SkipAmountInvalid, it.Name
		}
		lines = append(lines, BillLine{ItemName: it.Name, Quantity: 1000, QuantityUnit: "项",
			UnitPrice: Price(it.AmountFen) * 100, Percent: 100, AmountFen: it.AmountFen})
	}
	return lines, "", ""
}
