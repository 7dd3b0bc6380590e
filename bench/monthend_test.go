package main

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/imports"
)

// TestMonthEndFiles: each month-end file has its import kind's columns in
// order and one row a household, unit numbers and phones distinct.
func TestMonthEndFiles(t *testing.T) {
	kinds := imports.Kinds()
	for _, kind := range []string{"units", "households", "opening_balances"} {
		b, err := monthEndFile(kind, 250)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		rows, err := imports.ReadAll(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: read back: %v", kind, err)
		}
		var want []string
		for _, c := range kinds[kind].Columns {
			want = append(want, c.Header)
		}
		if len(rows) != 251 || !slices.Equal(rows[0], want) {
			t.Fatalf("%s: got %d rows headed %q, want 251 headed %q", kind, len(rows), rows[0], want)
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			if len(r) != len(want) {
				t.Fatalf("%s: row %q, want %d cells", kind, r, len(want))
			}
			key := r[1]
			if kind == "households" {
				key += r[4]
			}
			if seen[key] {
				t.Fatalf("%s: %q twice", kind, key)
			}
			seen[key] = true
		}
	}
	if _, err := monthEndFile("staff", 1); err == nil {
		t.Error("staff: got a file, want an error")
	}
}

// TestReleaseMinute: the release is a whole minute at least the lead away.
func TestReleaseMinute(t *testing.T) {
	for _, c := range []struct {
		now  string
		lead time.Duration
		want string
	}{
		{"2026-12-07T01:00:00Z", time.Minute, "2026-12-07T01:01:00Z"},
		{"2026-12-07T01:00:01Z", time.Minute, "2026-12-07T01:02:00Z"},
		{"2026-12-07T01:00:59Z", 90 * time.Second, "2026-12-07T01:03:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		got := releaseMinute(now, c.lead)
		if got.Format(time.RFC3339) != c.want || got.Sub(now) < c.lead {
			t.Errorf("releaseMinute(%s, %v) = %s, want %s", c.now, c.lead, got.Format(time.RFC3339), c.want)
		}
	}
}

// TestMonthEndBoundFits: the target's 10,000 households at 50 SMS/s get a
// bound covering the lead and three times the ideal release, and the
// lead grows with the households.
func TestMonthEndBoundFits(t *testing.T) {
	big := config{monthEnd: 10000, monthEndRate: 50, monthEndOpenRate: 10}
	small := config{monthEnd: 500, monthEndRate: 100, monthEndOpenRate: 10}
	lead := monthEndLead(10000, 10)
	if lead != 1060*time.Second || lead <= monthEndLead(500, 10) || monthEndLead(10000, 0) != 10060*time.Second {
		t.Errorf("lead: %v for 10,000, %v for 500, %v at rate 0, want 1,060 s, less, and rate 0 as 1", lead, monthEndLead(500, 10), monthEndLead(10000, 0))
	}
	if b := big.monthEndBound(); b < lead+time.Minute+3*200*time.Second || b <= small.monthEndBound() {
		t.Errorf("bound: %v for 10,000 (small %v), want at least the lead %v, a minute and 600 s", b, small.monthEndBound(), lead)
	}
}
