package workflows

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // every zone an estate may keep, whatever the host has installed

	"github.com/wuye/wuye/models"
)

// The fuzz targets of this package (FuzzTicketWorkflow,
// FuzzCollectionWorkflow, FuzzFollowUpWorkflow) drive each workflow with
// input that the API's validation lets through, read from the fuzzer's
// bytes by a script: every enum value, dates at the edges of the date
// window and anywhere inside, policy windows from their minimum to their
// maximum, the largest counts and amounts, and staff actions at fuzzed
// moments. Each run is time-skipped and bounded (fuzzWatch); it must end
// without a panic or a failed workflow task, every refusal must be a typed
// application error, every query must answer and every record must be one
// the store takes.

// script reads the fuzzer's bytes as a sequence of choices. Once the bytes
// run out every choice is its first option or lower bound, so a short input
// is a small case; a run of 0x01 bytes is every bound at its maximum.
type script struct{ b []byte }

func (s *script) next() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

// intn picks 0..n-1 (n at most 256).
func (s *script) intn(n int) int { return int(s.next()) % n }

func (s *script) flag() bool { return s.next()&1 == 1 }

// between picks lo, hi, or a value from lo to hi read from eight more
// bytes: the edges come as often as everything between them.
func (s *script) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	switch s.next() % 3 {
	case 0:
		return lo
	case 1:
		return hi
	}
	var u uint64
	for range 8 {
		u = u<<8 | uint64(s.next())
	}
	return lo + int64(u%(uint64(hi-lo)+1))
}

func (s *script) intIn(lo, hi int) int { return int(s.between(int64(lo), int64(hi))) }

func (s *script) dur(lo, hi models.Duration) models.Duration {
	return models.Duration(s.between(int64(lo), int64(hi)))
}

// id picks an ID from 1 to 2^63-1, the largest the API takes.
func (s *script) id() uint64 { return uint64(s.between(1, math.MaxInt64)) }

// gap picks a wait before the next staff action: none, seconds to an hour,
// an hour to a week, or a week to 400 days.
func (s *script) gap() time.Duration {
	switch s.intn(4) {
	case 1:
		return s.dur(models.Duration(time.Second), models.Duration(time.Hour)).Std()
	case 2:
		return s.dur(models.Duration(time.Hour), models.Duration(7*models.Day)).Std()
	case 3:
		return s.dur(models.Duration(7*models.Day), models.Duration(400*models.Day)).Std()
	}
	return 0
}

// delay picks the wait before staff action i (gap). The first waits a
// minute at least: the test environment fires a delay it cannot skip to
// (while the workflow starts) on the wall clock, and a nanosecond there may
// come before the workflow has registered its handlers.
func (s *script) delay(i int) time.Duration {
	if i == 0 {
		return max(s.gap(), time.Minute)
	}
	return s.gap()
}

// text picks free text of up to max characters: one, max, or none.
func (s *script) text(max int) string {
	switch s.intn(3) {
	case 0:
		return "修"
	case 1:
		return strings.Repeat("修", max)
	}
	return ""
}

func pick[T any](s *script, list []T) T { return list[s.intn(len(list))] }

// fuzzSeed is n bytes of a fixed pseudo-random sequence.
func fuzzSeed(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// everyMax is a script with every bound at its maximum.
var everyMax = bytes.Repeat([]byte{1}, 8192)

// member is a staff member who acts in a fuzzed run.
type member struct {
	id   uint64
	role models.Role
}

// fuzzStaff are the staff of the fuzzed estate: the harnesses' own, one of
// each other role, and a customer-service member with the largest ID.
var fuzzStaff = []member{
	{receiver, models.RoleCustomerService}, {tech, models.RoleTechnician}, {tech2, models.RoleTechnician},
	{supervisor, models.RoleSupervisor}, {manager, models.RoleEstateManager}, {admin, models.RoleCompanyAdmin},
	{clerk, models.RoleFinance}, {lawyer, models.RoleLegal}, {math.MaxInt64, models.RoleCustomerService},
}

// fuzzDesk are the staff who open tickets and register move-ins.
func fuzzDesk() []member {
	return slices.DeleteFunc(slices.Clone(fuzzStaff), func(m member) bool { return !isDesk(m.role) })
}

// fuzzZones are time zones an estate may keep: the usual one, UTC, and
// zones with daylight saving, odd offsets and the date line.
var fuzzZones = []string{
	"Asia/Shanghai", "UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
	"Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Santiago", "Europe/London",
}

// serviceNow reads unix seconds as the service's clock, which lies in the
// years a policy's calendar may name (2000 to 2099); anything else wraps.
func serviceNow(sec int64) time.Time {
	lo := time.Date(models.MinCalendarYear, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(models.MaxCalendarYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - lo
	return time.Unix(lo+((sec-lo)%span+span)%span, 0).UTC()
}

const fuzzMaxLevels = 10

// fuzzPolicy builds from s a policy that Policy.Validate accepts, with
// every window from its smallest (1ns) to its largest, every action,
// channel, template and role; now places the holidays. It fails t when the
// policy is refused or does not survive the JSON a workflow input goes
// through.
func fuzzPolicy(t *testing.T, s *script, now time.Time) models.Policy {
	t.Helper()
	const day = models.Duration(models.Day)
	p := models.DefaultPolicy()

	for i := range p.Repair.Tiers {
		u := p.Repair.Tiers[i].Urgency
		if u == models.UrgencyNormal && s.flag() {
			p.Repair.Tiers[i] = models.SLATier{Urgency: u, OnSiteSameDay: true, Contact: s.dur(1, 30*day), Complete: s.dur(1, 90*day)}
			continue
		}
		onSite := s.dur(1, 30*day)
		p.Repair.Tiers[i] = models.SLATier{Urgency: u, OnSite: onSite, Contact: s.dur(1, onSite), Complete: s.dur(onSite, 90*day)}
	}
	r := &p.Repair
	r.WarnAtPercent, r.ConfirmWindow, r.ReturnVisitWindow = s.intIn(1, 99), s.dur(1, 30*day), s.dur(1, 90*day)
	r.AppointmentHorizon, r.LowScoreThreshold, r.MaxReopens = s.dur(0, 366*day), s.intIn(0, 4), s.intIn(1, 100)

	c := &p.Complaint
	c.Acknowledge = s.dur(1, 30*day)
	c.Answer = s.dur(c.Acknowledge, 90*day)
	c.Resolve = s.dur(c.Answer, 90*day)

	p.Escalation.Levels = nil
	for i := range s.intIn(1, fuzzMaxLevels) {
		after := s.dur(1, 30*day)
		if i == 0 {
			after = s.dur(0, 30*day)
		}
		p.Escalation.Levels = append(p.Escalation.Levels, models.EscalationLevel{Level: i + 1, Role: pick(s, models.Roles()), After: after})
	}

	p.Calendar = fuzzCalendar(s, now, p.Calendar)
	p.Fees = fuzzFees(s)
	p.Dunning = fuzzDunning(s)

	f := &p.FollowUp
	f.Window, f.ReminderAt = s.dur(1, 366*day), nil
	for r := models.Duration(0); len(f.ReminderAt) < 5 && r+1 < f.Window; {
		r = s.dur(r+1, f.Window-1)
		f.ReminderAt = append(f.ReminderAt, r)
	}
	f.MaxAttempts, f.AssignRegistrar = s.intIn(1, 100), s.flag()

	p.QuietHours = models.QuietHours{Start: models.NoQuietHours, End: models.NoQuietHours}
	if s.flag() {
		start := s.intIn(0, 1439)
		end := (start + s.intIn(1, 1439)) % 1440
		p.QuietHours = models.QuietHours{Start: clock(start), End: clock(end)}
	}

	if err := p.Validate(); err != nil {
		t.Fatalf("generated policy: got %v, want one Validate accepts", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("policy to JSON: %v", err)
	}
	var back models.Policy
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("policy through JSON: got %+v (%v), want %+v", back, err, p)
	}
	return p
}

// fuzzCalendar varies the working day's clocks and weekdays, and lists the
// default holidays, none, or up to 60 days off in a row from now's date.
func fuzzCalendar(s *script, now time.Time, c models.ServiceCalendar) models.ServiceCalendar {
	start := s.intIn(0, 1437)
	end := s.intIn(start+1, 1439)
	c.WorkdayStart, c.WorkdayEnd = clock(start), clock(end)
	c.SameDayCutoff, c.NextDayBy = clock(s.intIn(start+1, end)), clock(s.intIn(start+1, end))
	if mask := s.next() & 0x7f; mask != 0 {
		c.Workdays = nil
		for d := time.Sunday; d <= time.Saturday; d++ {
			if mask&(1<<d) != 0 {
				c.Workdays = append(c.Workdays, d)
			}
		}
	}
	switch s.intn(3) {
	case 1:
		c.Holidays, c.ExtraWorkdays = nil, nil
	case 2:
		c.Holidays, c.ExtraWorkdays = nil, nil
		for i := range s.intIn(1, 60) {
			d := now.AddDate(0, 0, i)
			if d.Year() <= models.MaxCalendarYear {
				c.Holidays = append(c.Holidays, d.Format("2006-01-02"))
			}
		}
	}
	return c
}

// fuzzFees varies every fee term; the reminders are none, every day from 1
// to 28, or a subset.
func fuzzFees(s *script) models.FeePolicy {
	f := models.FeePolicy{
		DueDay: s.intIn(1, 28), LateFeePerTenThousand: s.intIn(0, 1000), LateFeeCapPercent: s.intIn(0, 1000),
		GraceDays: s.intIn(0, 90), DisputeBeforeDueDays: s.intIn(0, 28),
		Allocation:  pick(s, []models.Allocation{models.AllocationPrincipalFirst, models.AllocationLateFeeFirst}),
		AutoBilling: s.flag(), BillingDay: s.intIn(1, 28),
	}
	mask := uint32(0)
	switch s.intn(3) {
	case 1:
		mask = 1<<28 - 1
	case 2:
		for range 4 {
			mask = mask<<8 | uint32(s.next())
		}
	}
	for d := 1; d <= 28; d++ {
		if mask&(1<<(d-1)) != 0 {
			f.ReminderDaysBefore = append(f.ReminderDaysBefore, d)
		}
	}
	return f
}

// fuzzDunning builds a ladder of up to eight steps of every action, in
// strictly increasing order from 0 to three years, often ending in a legal
// referral the formal notice's period allows even when fast-tracked.
func fuzzDunning(s *script) models.DunningPolicy {
	const day = models.Duration(models.Day)
	const longest = 3 * 365 * day
	d := models.DunningPolicy{
		GoodPayerPoliteFor: s.dur(1, longest), LargeArrearsFen: s.between(1, int64(models.MaxAmountFen)),
		RepeatLateCount: s.intIn(1, 100), RepeatLateWindowMonths: s.intIn(1, 120), FastTrackPercent: s.intIn(1, 100),
		TaskDue: s.dur(1, 90*day), InstalmentGrace: s.dur(0, 90*day), LegalDecisionReminder: s.dur(models.MinLegalDecisionReminder, 90*day),
		FormalNoticePeriod: s.dur(1, 180*day),
	}
	roles := models.Roles()
	after := models.Duration(-1)
	notice := models.Duration(-1)
	for range s.intIn(1, 8) {
		if after >= longest {
			break
		}
		after = s.dur(after+1, longest)
		step := models.DunningStep{After: after}
		switch s.intn(4) {
		case 0:
			step.Action, step.Template = models.ActionMessage, pick(s, models.DunningMessageTemplates())
			step.Channel = pick(s, []models.Channel{models.ChannelSMS, models.ChannelWeChat, models.ChannelApp})
		case 1:
			step.Action, step.Channel, step.Role = models.ActionPhoneCall, models.ChannelPhone, pick(s, roles)
		case 2:
			step.Action, step.Channel, step.Role = models.ActionVisit, models.ChannelVisit, pick(s, roles)
		case 3:
			step.Action, step.Channel = models.ActionFormalNotice, models.ChannelLetter
			step.Role = pick(s, append([]models.Role{""}, roles...))
			notice = after
		}
		d.Steps = append(d.Steps, step)
	}
	if notice >= 0 && s.flag() {
		// The referral must come FormalNoticePeriod after the notice even
		// when every step is scaled by FastTrackPercent.
		gap := d.FormalNoticePeriod * 100 / models.Duration(d.FastTrackPercent)
		for scaled(gap, d.FastTrackPercent) < d.FormalNoticePeriod {
			gap++
		}
		if earliest := max(after+1, notice+gap); earliest <= longest {
			d.Steps = append(d.Steps, models.DunningStep{After: s.dur(earliest, longest), Action: models.ActionLegalReferral, Role: pick(s, roles)})
		}
	}
	return d
}

// scaled is d at percent as the policy's check computes it.
func scaled(d models.Duration, percent int) models.Duration {
	p := models.Duration(percent)
	return d/100*p + d%100*p/100
}

// clock shows minutes after midnight as "HH:MM".
func clock(minutes int) string {
	return time.Date(2000, 1, 1, minutes/60, minutes%60, 0, 0, time.UTC).Format("15:04")
}

// unstorable returns the path of the first time in v the store would
// refuse (models.Storable), or "" when every one is storable.
func unstorable(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return unstorable(v.Elem(), path)
		}
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if !models.Storable(t) {
				return path + " = " + t.String()
			}
			return ""
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				if p := unstorable(v.Field(i), path+"."+f.Name); p != "" {
					return p
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := unstorable(v.Index(i), path+"["+itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// wantStorable fails t when a record the workflow wrote holds a time the
// store refuses: its write would be retried for ever.
func wantStorable[R any](t *testing.T, what string, records []R) {
	t.Helper()
	for i, r := range records {
		if p := unstorable(reflect.ValueOf(r), what); p != "" {
			t.Errorf("record %d: got %s, want a time the store takes (years %d to %d)", i, p, models.MinStoredYear, models.MaxStoredYear)
			return
		}
	}
}

// refusals are the error types of a refused action.
var refusals = []string{ErrTypeInvalidState, ErrTypeForbidden, ErrTypeInvalidInput}

func isRefusal(typ string) bool { return slices.Contains(refusals, typ) }
