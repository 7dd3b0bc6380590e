package models

import (
	"errors"
	"testing"
	"time"
)

// FuzzRepairDeadlines checks the SLA rules for any tier, report time,
// appointment and hold: a deadline is never before the report, contact never
// after on-site, on-site never after completion; a hold of any length moves
// every deadline by exactly its length (never earlier), and a hold starting
// later moves only the deadlines still ahead.
func FuzzRepairDeadlines(f *testing.F) {
	f.Add(uint8(0), int64(1800), int64(7200), int64(86400), false, int64(1781000000), int64(-1), int64(3600), int64(0))
	f.Add(uint8(2), int64(3600), int64(0), int64(172800), true, int64(1790000000), int64(-1), int64(0), int64(1))
	f.Add(uint8(2), int64(7200), int64(0), int64(86400), true, int64(1790841599), int64(600), int64(86400), int64(100))
	f.Add(uint8(1), int64(1), int64(1), int64(1), false, int64(0), int64(-1), int64(1), int64(-5))
	f.Add(uint8(2), int64(60), int64(30), int64(30), false, int64(1781000000), int64(5), int64(10), int64(3))
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	const maxWindow = int64(400 * 24 * 3600) // seconds; longer windows are not a policy
	f.Fuzz(func(t *testing.T, urgency uint8, contact, onSite, complete int64, sameDay bool, reported, appointment, hold, holdStart int64) {
		p := DefaultPolicy()
		u := []Urgency{UrgencyCritical, UrgencyUrgent, UrgencyNormal}[int(urgency)%3]
		for i := range p.Repair.Tiers {
			if p.Repair.Tiers[i].Urgency == u {
				p.Repair.Tiers[i] = SLATier{Urgency: u, Contact: seconds(contact % maxWindow), OnSite: seconds(onSite % maxWindow),
					OnSiteSameDay: sameDay, Complete: seconds(complete % maxWindow)}
			}
		}
		at := time.Unix(reported%(200*365*24*3600), 0)
		var appt *time.Time
		if appointment >= 0 {
			a := at.Add(time.Duration(appointment%maxWindow) * time.Second)
			appt = &a
		}
		d, err := RepairDeadlines(p.Repair, p.Calendar, u, at, appt, loc)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("RepairDeadlines: got error %v, want a ValidationError or none", err)
			}
			return
		}
		for name, due := range map[string]time.Time{"contact": d.Contact, "on_site": d.OnSite, "complete": d.Complete} {
			if due.Before(at) {
				t.Fatalf("%s due %v: before the report %v", name, due, at)
			}
		}
		if d.Contact.After(d.OnSite) || d.OnSite.After(d.Complete) {
			t.Fatalf("got contact %v, on_site %v, complete %v: want them in order", d.Contact, d.OnSite, d.Complete)
		}
		if appt != nil && !d.OnSite.Equal(*appt) {
			t.Fatalf("on_site: got %v, want the appointment %v", d.OnSite, *appt)
		}

		by := time.Duration(abs64(hold)%maxWindow) * time.Second
		shifted := d.Shift(by)
		for _, pair := range [][2]time.Time{{d.Contact, shifted.Contact}, {d.OnSite, shifted.OnSite}, {d.Complete, shifted.Complete}} {
			if got := pair[1].Sub(pair[0]); got != by {
				t.Fatalf("Shift(%v) moved %v to %v (by %v): want exactly the hold", by, pair[0], pair[1], got)
			}
		}
		now := at.Add(time.Duration(abs64(holdStart)%maxWindow) * time.Second)
		pending := d.ShiftPending(by, now)
		for _, pair := range [][2]time.Time{{d.Contact, pending.Contact}, {d.OnSite, pending.OnSite}, {d.Complete, pending.Complete}} {
			want := pair[0]
			if pair[0].After(now) {
				want = pair[0].Add(by)
			}
			if !pair[1].Equal(want) {
				t.Fatalf("ShiftPending(%v, %v) moved %v to %v, want %v", by, now, pair[0], pair[1], want)
			}
		}
	})
}

func seconds(n int64) Duration { return Duration(time.Duration(n) * time.Second) }

func abs64(n int64) int64 {
	if n < 0 {
		if n == -n { // math.MinInt64
			return 0
		}
		return -n
	}
	return n
}
