package models

import (
	"errors"
	"testing"
	"time"
)

var noticeNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func TestCheckOutageStart(t *testing.T) {
	p := DefaultNoticePolicy()
	tests := []struct {
		name      string
		give      time.Time
		emergency bool
		lead      Duration
		wantErr   bool
	}{
		{"exactly the lead ahead", noticeNow.Add(24 * time.Hour), false, 0, false},
		{"a minute inside the lead", noticeNow.Add(24*time.Hour - time.Minute), false, 0, true},
		{"inside the lead, emergency", noticeNow.Add(time.Hour), true, 0, false},
		{"a shorter estate lead", noticeNow.Add(13 * time.Hour), false, Duration(12 * time.Hour), false},
		{"a longer estate lead", noticeNow.Add(30 * time.Hour), false, Duration(48 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := p
			if tt.lead > 0 {
				p.OutageLead = tt.lead
			}
			err := p.CheckOutageStart(noticeNow, tt.give, tt.emergency)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckOutageStart(%s) = %v, want error %v", tt.give, err, tt.wantErr)
			}
			var ve *ValidationError
			if err != nil && (!errors.As(err, &ve) || ve.Field != "starts_at") {
				t.Fatalf("error %v, want a ValidationError on starts_at", err)
			}
		})
	}
}

func TestNewOutageRequestValidate(t *testing.T) {
	ok := NewOutageRequest{EstateID: 1, Utility: UtilityWater, Buildings: []string{"1栋"},
		StartsAt: noticeNow.Add(25 * time.Hour), EndsAt: noticeNow.Add(30 * time.Hour), Reason: "管网检修"}
	tests := []struct {
		name      string
		give      func(r *NewOutageRequest)
		role      Role
		wantField string
		wantForb  bool
	}{
		{"valid", func(r *NewOutageRequest) {}, RoleCustomerService, "", false},
		{"unknown utility", func(r *NewOutageRequest) { r.Utility = "heat" }, RoleCustomerService, "utility", false},
		{"no buildings", func(r *NewOutageRequest) { r.Buildings = nil }, RoleCustomerService, "buildings", false},
		{"a building twice", func(r *NewOutageRequest) { r.Buildings = []string{"1栋", "1栋"} }, RoleCustomerService, "buildings[1]", false},
		{"no reason", func(r *NewOutageRequest) { r.Reason = " " }, RoleCustomerService, "reason", false},
		{"start in the past", func(r *NewOutageRequest) { r.StartsAt = noticeNow.Add(-time.Hour) }, RoleEstateManager, "starts_at", false},
		{"start too far ahead", func(r *NewOutageRequest) {
			r.StartsAt, r.EndsAt = noticeNow.Add(91*Day), noticeNow.Add(91*Day+time.Hour)
		}, RoleCustomerService, "starts_at", false},
		{"end before start", func(r *NewOutageRequest) { r.EndsAt = r.StartsAt }, RoleCustomerService, "ends_at", false},
		{"too long", func(r *NewOutageRequest) { r.EndsAt = r.StartsAt.Add(3*Day + time.Second) }, RoleCustomerService, "ends_at", false},
		{"inside the lead", func(r *NewOutageRequest) { r.StartsAt = noticeNow.Add(2 * time.Hour) }, RoleCustomerService, "starts_at", false},
		{"emergency by customer service", func(r *NewOutageRequest) {
			r.StartsAt, r.Emergency = noticeNow.Add(2*time.Hour), true
		}, RoleCustomerService, "", true},
		{"emergency by a supervisor", func(r *NewOutageRequest) { r.Emergency = true }, RoleSupervisor, "", true},
		{"emergency by a manager", func(r *NewOutageRequest) {
			r.StartsAt, r.Emergency = noticeNow, true
		}, RoleEstateManager, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			r.Buildings = append([]string{}, ok.Buildings...)
			tt.give(&r)
			err := r.Validate(noticeNow, NoticePolicy{}, tt.role)
			checkRuleErr(t, err, tt.wantField, tt.wantForb)
		})
	}
}

func checkRuleErr(t *testing.T, err error, wantField string, wantForbidden bool) {
	t.Helper()
	var ve *ValidationError
	switch {
	case wantForbidden:
		if !errors.Is(err, ErrForbidden) {
			t.Fatalf("error %v, want ErrForbidden", err)
		}
	case wantField == "":
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
	case !errors.As(err, &ve) || ve.Field != wantField:
		t.Fatalf("error %v, want a ValidationError on %s", err, wantField)
	}
}

func TestOutageReminderAt(t *testing.T) {
	start := noticeNow.Add(48 * time.Hour)
	tests := []struct {
		name      string
		before    Duration
		announced time.Time
		want      time.Time
	}{
		{"default: an hour before", 0, noticeNow, start.Add(-time.Hour)},
		{"estate: three hours before", Duration(3 * time.Hour), noticeNow, start.Add(-3 * time.Hour)},
		{"announced after the reminder time", 0, start.Add(-30 * time.Minute), time.Time{}},
		{"announced exactly at it", 0, start.Add(-time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NoticePolicy{ReminderBefore: tt.before}.OutageReminderAt(start, tt.announced)
			if !got.Equal(tt.want) {
				t.Fatalf("OutageReminderAt = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestUnderDailyCap(t *testing.T) {
	tests := []struct {
		give      int
		cap       int
		emergency bool
		want      bool
	}{
		{0, 0, false, true}, {2, 0, false, true}, {3, 0, false, false}, {3, 0, true, true},
		{99, 0, true, true}, {0, 1, false, true}, {1, 1, false, false},
	}
	for _, tt := range tests {
		if got := (NoticePolicy{DailyCap: tt.cap}).UnderDailyCap(tt.give, tt.emergency); got != tt.want {
			t.Errorf("UnderDailyCap(%d, cap %d, emergency %v) = %v, want %v", tt.give, tt.cap, tt.emergency, got, tt.want)
		}
	}
}

func TestOutageExplains(t *testing.T) {
	o := OutageSpan{EstateID: 1, Utility: UtilityWater, Buildings: []string{"1栋", "2栋"},
		StartsAt: noticeNow, EndsAt: noticeNow.Add(4 * time.Hour), Status: OutageOngoing}
	report := RepairReport{EstateID: 1, Kind: TicketRepair, Building: "1栋", Category: "水", At: noticeNow.Add(time.Hour)}
	tests := []struct {
		name   string
		give   func(o *OutageSpan, r *RepairReport)
		policy NoticePolicy
		want   bool
	}{
		{"matches", func(o *OutageSpan, r *RepairReport) {}, NoticePolicy{}, true},
		{"other estate", func(o *OutageSpan, r *RepairReport) { r.EstateID = 2 }, NoticePolicy{}, false},
		{"unaffected building", func(o *OutageSpan, r *RepairReport) { r.Building = "3栋" }, NoticePolicy{}, false},
		{"other utility's category", func(o *OutageSpan, r *RepairReport) { r.Category = "电梯" }, NoticePolicy{}, false},
		{"a complaint", func(o *OutageSpan, r *RepairReport) { r.Kind = TicketComplaint }, NoticePolicy{}, false},
		{"before the start", func(o *OutageSpan, r *RepairReport) { r.At = noticeNow.Add(-time.Minute) }, NoticePolicy{}, false},
		{"at the start", func(o *OutageSpan, r *RepairReport) { r.At = noticeNow }, NoticePolicy{}, true},
		{"after the planned end", func(o *OutageSpan, r *RepairReport) { r.At = noticeNow.Add(5 * time.Hour) }, NoticePolicy{}, false},
		{"after the end, overdue", func(o *OutageSpan, r *RepairReport) {
			r.At, o.Status = noticeNow.Add(5*time.Hour), OutageOverdue
		}, NoticePolicy{}, true},
		{"restored", func(o *OutageSpan, r *RepairReport) { o.Status = OutageRestored }, NoticePolicy{}, false},
		{"estate's own category", func(o *OutageSpan, r *RepairReport) { r.Category = "自来水" },
			NoticePolicy{Categories: []UtilityCategories{{Utility: UtilityWater, Categories: []string{"自来水"}}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, r := o, report
			tt.give(&o, &r)
			if got := o.Explains(r, tt.policy); got != tt.want {
				t.Fatalf("Explains = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewNoticeRequestValidate(t *testing.T) {
	later := noticeNow.Add(time.Hour)
	ok := NewNoticeRequest{EstateID: 1, Title: "消防演练", Body: "本周六上午进行消防演练。", ExpiresAt: noticeNow.Add(7 * Day)}
	tests := []struct {
		name      string
		give      func(r *NewNoticeRequest)
		role      Role
		wantField string
		wantForb  bool
	}{
		{"valid, now", func(r *NewNoticeRequest) {}, RoleCustomerService, "", false},
		{"valid, later", func(r *NewNoticeRequest) { r.PublishAt = &later }, RoleCustomerService, "", false},
		{"no title", func(r *NewNoticeRequest) { r.Title = "" }, RoleCustomerService, "title", false},
		{"no body", func(r *NewNoticeRequest) { r.Body = "  " }, RoleCustomerService, "body", false},
		{"publish in the past", func(r *NewNoticeRequest) { p := noticeNow.Add(-time.Hour); r.PublishAt = &p }, RoleCustomerService, "publish_at", false},
		{"expires before publish", func(r *NewNoticeRequest) { r.ExpiresAt = noticeNow }, RoleCustomerService, "expires_at", false},
		{"expires too late", func(r *NewNoticeRequest) { r.ExpiresAt = noticeNow.Add(91 * Day) }, RoleCustomerService, "expires_at", false},
		{"a blank building", func(r *NewNoticeRequest) { r.Buildings = []string{""} }, RoleCustomerService, "buildings[0]", false},
		{"emergency by customer service", func(r *NewNoticeRequest) { r.Emergency = true }, RoleCustomerService, "", true},
		{"emergency by a manager", func(r *NewNoticeRequest) { r.Emergency = true }, RoleCompanyAdmin, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.give(&r)
			checkRuleErr(t, r.Validate(noticeNow, NoticePolicy{}, tt.role), tt.wantField, tt.wantForb)
		})
	}
}

func TestNoticePolicyValidate(t *testing.T) {
	tests := []struct {
		name      string
		give      func(p *NoticePolicy)
		wantField string
	}{
		{"defaults", func(p *NoticePolicy) {}, ""},
		{"zero (an old policy)", func(p *NoticePolicy) { *p = NoticePolicy{} }, ""},
		{"lead too long", func(p *NoticePolicy) { p.OutageLead = Duration(31 * Day) }, "notice.outage_lead"},
		{"reminder not before the lead", func(p *NoticePolicy) { p.ReminderBefore = p.OutageLead }, "notice.reminder_before"},
		{"cap too high", func(p *NoticePolicy) { p.DailyCap = 51 }, "notice.daily_cap"},
		{"batch too small", func(p *NoticePolicy) { p.BatchSize = 5 }, "notice.batch_size"},
		{"unknown utility", func(p *NoticePolicy) { p.Categories[0].Utility = "heat" }, "notice.categories[0].utility"},
		{"utility twice", func(p *NoticePolicy) { p.Categories[1].Utility = UtilityWater }, "notice.categories[1].utility"},
		{"empty category", func(p *NoticePolicy) { p.Categories[0].Categories = []string{""} }, "notice.categories[0].categories[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := DefaultPolicy()
			tt.give(&pol.Notice)
			checkRuleErr(t, pol.Validate(), tt.wantField, false)
		})
	}
}
