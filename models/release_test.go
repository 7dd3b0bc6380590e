package models

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var releaseLoc = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func sh(day, hour, min, sec, ms int) time.Time {
	return time.Date(2026, 3, day, hour, min, sec, ms*int(time.Millisecond), releaseLoc)
}

func TestReleaseAt(t *testing.T) {
	quiet := QuietHours{Start: "21:30", End: "08:00"}
	none := QuietHours{Start: NoQuietHours, End: NoQuietHours}
	tests := []struct {
		name  string
		start time.Time
		n     int64
		rate  int
		quiet QuietHours
		want  time.Time
	}{
		{"first at the start", sh(31, 18, 0, 0, 0), 0, 50, quiet, sh(31, 18, 0, 0, 0)},
		{"last of the first second", sh(31, 18, 0, 0, 0), 49, 50, quiet, sh(31, 18, 0, 0, 980)},
		{"first of the next second", sh(31, 18, 0, 0, 0), 50, 50, quiet, sh(31, 18, 0, 1, 0)},
		{"the 10,000th at 50/s", sh(31, 18, 0, 0, 0), 9999, 50, quiet, sh(31, 18, 3, 19, 980)},
		{"last before quiet hours", sh(31, 21, 29, 0, 0), 2999, 50, quiet, sh(31, 21, 29, 59, 980)},
		{"first past quiet hours", sh(31, 21, 29, 0, 0), 3000, 50, quiet, time.Date(2026, 4, 1, 8, 0, 0, 0, releaseLoc)},
		{"second past quiet hours", sh(31, 21, 29, 0, 0), 3001, 50, quiet, time.Date(2026, 4, 1, 8, 0, 0, 20*int(time.Millisecond), releaseLoc)},
		{"due inside quiet hours", sh(31, 23, 0, 0, 0), 0, 50, quiet, time.Date(2026, 4, 1, 8, 0, 0, 0, releaseLoc)},
		{"due before dawn", sh(31, 6, 0, 0, 0), 100, 50, quiet, sh(31, 8, 0, 2, 0)},
		{"no quiet hours", sh(31, 23, 59, 59, 0), 100, 50, none, time.Date(2026, 4, 1, 0, 0, 1, 0, releaseLoc)},
		{"rate below 1 counts as 1", sh(31, 18, 0, 0, 0), 3, 0, quiet, sh(31, 18, 0, 3, 0)},
		{"a rate that does not divide a second", sh(31, 21, 29, 59, 0), 3, 3, quiet, time.Date(2026, 4, 1, 8, 0, 0, 0, releaseLoc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReleaseAt(tt.start, tt.n, tt.rate, tt.quiet, releaseLoc); !got.Equal(tt.want) {
				t.Errorf("ReleaseAt(%s, %d, %d): got %s, want %s", tt.start.Format("01-02 15:04:05"), tt.n, tt.rate,
					got.In(releaseLoc).Format("01-02 15:04:05.000"), tt.want.Format("01-02 15:04:05.000"))
			}
		})
	}
}

// TestMonthEndReleaseSpan: 10,000 households reminded at one local
// minute go out over 200 s at 50 SMS/s, each in its own slot, never in
// quiet hours; due at 21:29 the 3,000 the evening holds go first and the
// other 7,000 from 08:00.
func TestMonthEndReleaseSpan(t *testing.T) {
	quiet := QuietHours{Start: "21:30", End: "08:00"}
	rate := DefaultReleasePolicy().Rate(ChannelSMS)
	tests := []struct {
		name      string
		start     time.Time
		wantFirst time.Time
		wantLast  time.Time
	}{
		{"evening", sh(31, 18, 0, 0, 0), sh(31, 18, 0, 0, 0), sh(31, 18, 3, 19, 980)},
		{"at quiet hours", sh(31, 21, 29, 0, 0), sh(31, 21, 29, 0, 0), time.Date(2026, 4, 1, 8, 2, 19, 980*int(time.Millisecond), releaseLoc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[time.Time]bool{}
			var prev time.Time
			for n := int64(0); n < 10000; n++ {
				at := ReleaseAt(tt.start, n, rate, quiet, releaseLoc)
				if seen[at] {
					t.Fatalf("slot %d at %s taken twice", n, at)
				}
				seen[at] = true
				if !prev.IsZero() && !at.After(prev) {
					t.Fatalf("slot %d at %s not after the one before, %s", n, at, prev)
				}
				if !quiet.NextAllowed(at, releaseLoc).Equal(at) {
					t.Fatalf("slot %d at %s is in quiet hours", n, at.In(releaseLoc))
				}
				prev = at
			}
			first := ReleaseAt(tt.start, 0, rate, quiet, releaseLoc)
			if !first.Equal(tt.wantFirst) || !prev.Equal(tt.wantLast) {
				t.Errorf("10,000 released %s to %s, want %s to %s", first.In(releaseLoc), prev.In(releaseLoc), tt.wantFirst, tt.wantLast)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	window := Duration(30 * time.Minute)
	if got := Jitter("billing-run/1/2026-03", 0); got != 0 {
		t.Errorf("no window: got %v, want 0", got)
	}
	a, b := Jitter("billing-run/1/2026-03", window), Jitter("billing-run/1/2026-03", window)
	if a != b {
		t.Errorf("same key: got %v and %v, want the same", a, b)
	}
	distinct := map[time.Duration]bool{}
	for i := range 1000 {
		j := Jitter(fmt.Sprintf("collection-%d/month-start/2026-04", i), window)
		if j < 0 || j >= window.Std() || j%time.Second != 0 {
			t.Fatalf("key %d: got %v, want whole seconds in [0, 30m)", i, j)
		}
		distinct[j] = true
	}
	if len(distinct) < 500 {
		t.Errorf("1,000 keys over 1,800 s: got %d distinct delays, want them spread", len(distinct))
	}
}

func TestReleasePolicyValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*ReleasePolicy)
		wantField string
	}{
		{"defaults", func(*ReleasePolicy) {}, ""},
		{"zero means defaults", func(p *ReleasePolicy) { *p = ReleasePolicy{} }, ""},
		{"rate 0", func(p *ReleasePolicy) { p.Rates[ChannelSMS] = 0 }, "release.rates.sms"},
		{"rate too high", func(p *ReleasePolicy) { p.Rates[ChannelWeChat] = MaxReleaseRate + 1 }, "release.rates.wechat"},
		{"unknown channel", func(p *ReleasePolicy) { p.Rates["fax"] = 5 }, "release.rates"},
		{"jitter over a day", func(p *ReleasePolicy) { p.JitterWindow = Duration(25 * time.Hour) }, "release.jitter_window"},
		{"negative jitter", func(p *ReleasePolicy) { p.JitterWindow = -1 }, "release.jitter_window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.edit(&p.Release)
			err := p.Validate()
			var ve *ValidationError
			switch {
			case tt.wantField == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case tt.wantField != "" && (!errors.As(err, &ve) || ve.Field != tt.wantField):
				t.Errorf("got %v, want an error on %s", err, tt.wantField)
			}
		})
	}
	if got := (ReleasePolicy{Rates: map[Channel]int{ChannelSMS: 10}}).Rate(ChannelSMS); got != 10 {
		t.Errorf("estate's SMS rate: got %d, want 10", got)
	}
	if got := (ReleasePolicy{}).Rate(ChannelWeChat); got != 100 {
		t.Errorf("default WeChat rate: got %d, want 100", got)
	}
}
