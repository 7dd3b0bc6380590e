package models

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestPlanChannels(t *testing.T) {
	all := []Channel{ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail, ChannelWeCom}
	phone := Reach{Phone: true}
	tests := []struct {
		name string
		give PlanInput
		want []Channel
	}{
		{"resident, no preference: the default order", PlanInput{Kind: RecipientResident, Reach: Reach{Phone: true, Email: true}, Configured: all},
			[]Channel{ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail}},
		{"preferred first, once", PlanInput{Kind: RecipientResident, Preferred: ChannelWeChat, Reach: phone, Configured: all},
			[]Channel{ChannelWeChat, ChannelSMS, ChannelApp}},
		{"phone preference carries no message", PlanInput{Kind: RecipientResident, Preferred: ChannelPhone, Reach: phone, Configured: all},
			[]Channel{ChannelSMS, ChannelWeChat, ChannelApp}},
		{"no phone: no sms", PlanInput{Kind: RecipientResident, Preferred: ChannelSMS, Configured: all},
			[]Channel{ChannelWeChat, ChannelApp}},
		{"unconfigured channels left out", PlanInput{Kind: RecipientResident, Preferred: ChannelApp, Reach: phone, Configured: []Channel{ChannelSMS}},
			[]Channel{ChannelSMS}},
		{"estate's own order", PlanInput{Kind: RecipientResident, Reach: phone, Configured: all,
			Policy: ChannelPolicy{Resident: []Channel{ChannelApp, ChannelSMS}}}, []Channel{ChannelApp, ChannelSMS}},
		{"resident never gets staff channels", PlanInput{Kind: RecipientResident, Preferred: ChannelWeCom, Configured: all,
			Policy: ChannelPolicy{Resident: []Channel{ChannelConsole}}}, nil},
		{"nothing configured: nowhere", PlanInput{Kind: RecipientResident, Reach: phone}, nil},
		{"staff: wecom, sms, console", PlanInput{Kind: RecipientStaff, Reach: phone, Configured: all},
			[]Channel{ChannelWeCom, ChannelSMS, ChannelConsole}},
		{"staff, nothing configured: the console", PlanInput{Kind: RecipientStaff, Reach: phone}, []Channel{ChannelConsole}},
		{"staff with email, wechat preference ignored", PlanInput{Kind: RecipientStaff, Preferred: ChannelWeChat, Reach: Reach{Email: true}, Configured: all},
			[]Channel{ChannelWeCom, ChannelEmail, ChannelConsole}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlanChannels(tt.give); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextContact(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, loc) } // 2026-12-07 is a Monday
	quiet := QuietHours{Start: "21:30", End: "08:00"}
	evenings := &ContactWindow{From: "18:00", To: "21:00", Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
	weekend := &ContactWindow{From: "09:00", To: "12:00", Weekdays: []time.Weekday{time.Saturday, time.Sunday}}
	tests := []struct {
		name   string
		now    time.Time
		quiet  QuietHours
		window *ContactWindow
		want   time.Time
	}{
		{"no window, outside quiet hours", at(7, 10, 0), quiet, nil, at(7, 10, 0)},
		{"no window, in quiet hours", at(7, 23, 0), quiet, nil, at(8, 8, 0)},
		{"inside the window", at(7, 19, 0), quiet, evenings, at(7, 19, 0)},
		{"window's start is open", at(7, 18, 0), quiet, evenings, at(7, 18, 0)},
		{"window's end is closed", at(7, 21, 0), quiet, evenings, at(8, 18, 0)},
		{"before the window: its start", at(7, 9, 0), quiet, evenings, at(7, 18, 0)},
		{"friday night: monday evening", at(11, 22, 0), quiet, evenings, at(14, 18, 0)},
		{"weekend mornings from monday", at(7, 10, 0), quiet, weekend, at(12, 9, 0)},
		{"window inside quiet hours gives way", at(7, 10, 0), quiet, &ContactWindow{From: "22:00", To: "23:00"}, at(7, 10, 0)},
		{"window overlapping quiet hours: their end", at(7, 6, 0), quiet, &ContactWindow{From: "07:00", To: "09:00"}, at(7, 8, 0)},
		{"no quiet hours", at(7, 23, 0), QuietHours{Start: NoQuietHours, End: NoQuietHours}, nil, at(7, 23, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextContact(tt.now, loc, tt.quiet, tt.window); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContactWindowValidate(t *testing.T) {
	tests := []struct {
		give      ContactWindow
		wantField string
	}{
		{ContactWindow{From: "18:00", To: "21:00"}, ""},
		{ContactWindow{From: "18:00", To: "21:00", Weekdays: []time.Weekday{0, 6}}, ""},
		{ContactWindow{From: "8:00", To: "21:00"}, "w.from"},
		{ContactWindow{From: "18:00", To: "24:00"}, "w.to"},
		{ContactWindow{From: "21:00", To: "18:00"}, "w.to"},
		{ContactWindow{From: "18:00", To: "21:00", Weekdays: []time.Weekday{7}}, "w.weekdays[0]"},
	}
	for _, tt := range tests {
		wantInvalidOn(t, tt.give, tt.give.Validate("w."), tt.wantField)
	}
}

func TestChannelPolicyValidate(t *testing.T) {
	tests := []struct {
		give      ChannelPolicy
		wantField string
	}{
		{ChannelPolicy{}, ""},
		{DefaultChannelPolicy(), ""},
		{ChannelPolicy{Resident: []Channel{ChannelWeCom}}, "channels.resident[0]"},
		{ChannelPolicy{Staff: []Channel{ChannelConsole, ChannelConsole}}, "channels.staff[1]"},
		{ChannelPolicy{ReceiptWait: Duration(8 * Day)}, "channels.receipt_wait"},
	}
	for _, tt := range tests {
		p := DefaultPolicy()
		p.Channels = tt.give
		wantInvalidOn(t, tt.give, p.Validate(), tt.wantField)
	}
}

// wantInvalidOn fails t unless err is nil for no field, or a validation
// error on field.
func wantInvalidOn(t *testing.T, give any, err error, field string) {
	t.Helper()
	var ve *ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("%+v: got %v, want nil", give, err)
	case field != "" && (!errors.As(err, &ve) || ve.Field != field):
		t.Errorf("%+v: got %v, want an error on %s", give, err, field)
	}
}
