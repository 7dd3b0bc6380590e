package models

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// NoticePolicy holds the rules of outage notices (停水停电通知) and community
// notices (公告): seed 004 promises notice 24 hours ahead of a planned
// outage, "情况特别紧急时除外".
type NoticePolicy struct {
	// OutageLead is how long before a planned outage starts residents
	// must be told; a start sooner than that needs the emergency flag.
	OutageLead Duration `json:"outage_lead"`
	// ReminderBefore is when, before the start, residents are reminded.
	ReminderBefore Duration `json:"reminder_before"`
	// MaxAhead bounds how far ahead an outage may be planned or a notice
	// published.
	MaxAhead Duration `json:"max_ahead"`
	// MaxOutage bounds an outage's planned length (start to end).
	MaxOutage Duration `json:"max_outage"`
	// DailyCap is how many ordinary notices one resident receives a day
	// at most; emergency ones always go.
	DailyCap int `json:"daily_cap"`
	// BatchSize is how many households one sending activity handles.
	BatchSize int `json:"batch_size"`
	// Categories maps each utility to the repair categories (报修类别)
	// that an outage of it explains.
	Categories []UtilityCategories `json:"categories"`
}

// UtilityCategories are the repair categories of one utility.
type UtilityCategories struct {
	Utility    Utility  `json:"utility"`
	Categories []string `json:"categories"`
}

// DefaultNoticePolicy returns the defaults: 24 h lead (seed 004), a
// reminder 1 h before, planning up to 90 days ahead, outages up to 3 days,
// three ordinary notices per resident a day, 200 households per batch.
func DefaultNoticePolicy() NoticePolicy {
	return NoticePolicy{
		OutageLead:     Duration(24 * time.Hour),
		ReminderBefore: Duration(time.Hour),
		MaxAhead:       Duration(90 * Day),
		MaxOutage:      Duration(3 * Day),
		DailyCap:       3,
		BatchSize:      200,
		Categories: []UtilityCategories{
			{Utility: UtilityWater, Categories: []string{"水", "供水", "给排水", "停水", "水管"}},
			{Utility: UtilityPower, Categories: []string{"电", "供电", "停电", "电路", "照明"}},
			{Utility: UtilityGas, Categories: []string{"燃气", "煤气", "停气"}},
			{Utility: UtilityLift, Categories: []string{"电梯"}},
		},
	}
}

// OrDefault fills what p leaves zero (a policy saved before notices
// existed) from DefaultNoticePolicy.
func (p NoticePolicy) OrDefault() NoticePolicy {
	d := DefaultNoticePolicy()
	out := NoticePolicy{
		OutageLead: cmp.Or(p.OutageLead, d.OutageLead), ReminderBefore: cmp.Or(p.ReminderBefore, d.ReminderBefore),
		MaxAhead: cmp.Or(p.MaxAhead, d.MaxAhead), MaxOutage: cmp.Or(p.MaxOutage, d.MaxOutage),
		DailyCap: cmp.Or(p.DailyCap, d.DailyCap), BatchSize: cmp.Or(p.BatchSize, d.BatchSize), Categories: p.Categories,
	}
	if len(out.Categories) == 0 {
		out.Categories = d.Categories
	}
	return out
}

// CategoriesOf lists the repair categories of utility u.
func (p NoticePolicy) CategoriesOf(u Utility) []string {
	for _, c := range p.OrDefault().Categories {
		if c.Utility == u {
			return c.Categories
		}
	}
	return nil
}

// validate checks a stored policy; zero values are allowed (they read as
// the defaults, OrDefault).
func (p NoticePolicy) validate(path string) error {
	bounded := []struct {
		name string
		d    Duration
		max  time.Duration
	}{
		{"outage_lead", p.OutageLead, 30 * Day},
		{"reminder_before", p.ReminderBefore, 7 * Day},
		{"max_ahead", p.MaxAhead, 366 * Day},
		{"max_outage", p.MaxOutage, 30 * Day},
	}
	for _, b := range bounded {
		if b.d == 0 {
			continue
		}
		if err := within(path+"."+b.name, b.d, b.max); err != nil {
			return err
		}
	}
	if p.ReminderBefore > 0 && p.OutageLead > 0 && p.ReminderBefore >= p.OutageLead {
		return Invalid(path+".reminder_before", "%s 无效，应短于停水停电提前通知时长（%s）", p.ReminderBefore, p.OutageLead)
	}
	if p.DailyCap != 0 {
		if err := intIn(path+".daily_cap", p.DailyCap, 1, 50); err != nil {
			return err
		}
	}
	if p.BatchSize != 0 {
		if err := intIn(path+".batch_size", p.BatchSize, 10, 1000); err != nil {
			return err
		}
	}
	var seen []Utility
	for i, c := range p.Categories {
		cp := fmt.Sprintf("%s.categories[%d]", path, i)
		if err := utilities.check(cp+".utility", c.Utility); err != nil {
			return err
		}
		if slices.Contains(seen, c.Utility) {
			return Invalid(cp+".utility", "“%s”重复，每种类型只能出现一次", c.Utility)
		}
		seen = append(seen, c.Utility)
		if len(c.Categories) == 0 || len(c.Categories) > 20 {
			return Invalid(cp+".categories", "应为 1 至 20 个类别")
		}
		for j, name := range c.Categories {
			if err := checkText(fmt.Sprintf("%s.categories[%d]", cp, j), name, 50); err != nil {
				return err
			}
		}
	}
	return nil
}
